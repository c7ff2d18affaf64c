package org.distillery.teacher.soak;

import io.grpc.Status;
import org.distillery.teacher.server.MemoryLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's bookkeeping: the contract table, the tally, latency percentiles, reading the server's log. */
class SoakPartsTest {
    @TempDir
    Path dir;

    @Test
    void internalAndStreamEndingFailuresAreUnexpected() {
        assertTrue(Expectations.isExpected(Kind.TOKEN_OUT_OF_RANGE, Outcome.of(Status.Code.INVALID_ARGUMENT)));
        assertFalse(Expectations.isExpected(Kind.TOKEN_OUT_OF_RANGE, Outcome.of(Status.Code.INTERNAL)));
        assertFalse(Expectations.isExpected(Kind.WRONG_DTYPE, Outcome.streamEnded(Status.Code.INVALID_ARGUMENT)));
        assertTrue(Expectations.isExpected(Kind.DEADLINE, Outcome.OK));
        assertFalse(Expectations.isExpected(Kind.GOOD, Outcome.of(Status.Code.UNAVAILABLE)));
        assertFalse(Expectations.isExpected(Kind.GOOD, Outcome.HUNG));
    }

    @Test
    void tallyCountsByKindTransportAndOutcome() {
        Tally tally = new Tally();
        tally.record(Kind.GOOD, true, Outcome.OK, null);
        tally.record(Kind.WRONG_RANK, false, Outcome.streamEnded(Status.Code.INVALID_ARGUMENT), "request 'x': rank");
        tally.checked(Kind.GOOD, true, "logits[0] off");
        assertEquals(Map.of("good/unary OK", 1L, "wrong_rank/stream STREAM_ENDED_INVALID_ARGUMENT", 1L),
                tally.counts());
        assertEquals(1, tally.unexpectedTotal());
        assertEquals(1, tally.wrongAnswers());
        assertEquals(2, tally.examples().size());
        assertEquals(Map.of("OK", 1L), SoakSummary.nest(tally.counts()).get("good").get("unary"));
    }

    @Test
    void percentilesAreWithinTheirBucket() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            h.record(ms * 1_000_000L);
        }
        assertEquals(100, h.count());
        assertEquals(99, h.percentileMillis(99), 99 * 0.021);
        assertEquals(50, h.percentileMillis(50), 50 * 0.021);
    }

    @Test
    void theServerLogsMemoryLinesTheSoakReads() throws Exception {
        Path log = dir.resolve("server.log");
        Files.writeString(log, "teacher-server: serving [soak]\nteacher-server: " + MemoryLog.line() + "\n");
        ServerLog reader = new ServerLog(log);
        reader.poll();
        assertTrue(reader.memory("heap_used_mb") > 0, "heap_used_mb");
        assertTrue(reader.memory("heap_after_gc_mb") >= 0, "heap_after_gc_mb");
        assertTrue(reader.memory("rss_mb") > 0, "rss_mb (this needs /proc)");
        Files.writeString(log, "partial", StandardOpenOption.APPEND);
        reader.poll();
        assertEquals("teacher-server: serving [soak]", reader.tail().split(" \\| ")[0]);
    }
}
