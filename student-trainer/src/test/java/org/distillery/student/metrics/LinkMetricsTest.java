package org.distillery.student.metrics;

import org.distillery.common.testing.Scrape;
import org.distillery.student.client.TeacherLinkListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link listener called as the fleet client calls it, then read back from {@code /metrics} over HTTP. */
@Timeout(60)
class LinkMetricsTest {
    private static final String A = "127.0.0.1:50051";
    private static final String B = "127.0.0.1:50052";
    private TrainerMetrics metrics;

    @AfterEach
    void stop() {
        if (metrics != null) {
            metrics.close();
        }
    }

    @Test
    void recordsRequestsAnswersLatencyFailuresResendsAndInFlight() throws Exception {
        metrics = TrainerMetrics.create().serve(0);
        TeacherLinkListener link = metrics.linkListener();
        link.sent(A);
        link.sent(A);
        link.sent(B);
        link.inFlight(3);
        link.answered(A, 0.004);
        link.answered(A, 0.2);
        link.streamFailed(B, "UNAVAILABLE");
        link.resent(1);
        link.sent(A);
        link.inFlight(2);
        link.answered(A, 40);
        link.inFlight(1);

        Scrape s = Scrape.of(metrics.port());
        assertEquals(3.0, s.value(LinkMetrics.REQUESTS + "_total", "endpoint", A));
        assertEquals(1.0, s.value(LinkMetrics.REQUESTS + "_total", "endpoint", B));
        assertEquals(3.0, s.value(LinkMetrics.ANSWERS + "_total", "endpoint", A));
        assertFalse(s.has(LinkMetrics.ANSWERS + "_total", "endpoint", B));
        String latency = LinkMetrics.ANSWER_SECONDS;
        assertEquals(3.0, s.value(latency + "_count", "endpoint", A));
        assertEquals(40.204, s.value(latency + "_sum", "endpoint", A), 1e-9);
        assertEquals(1.0, s.value(latency + "_bucket", "endpoint", A, "le", "0.005"));
        assertEquals(2.0, s.value(latency + "_bucket", "endpoint", A, "le", "0.25"));
        assertEquals(2.0, s.value(latency + "_bucket", "endpoint", A, "le", "30.0"));
        assertEquals(3.0, s.value(latency + "_bucket", "endpoint", A, "le", "+Inf"));
        assertEquals(1.0, s.value(LinkMetrics.STREAM_FAILURES + "_total", "endpoint", B, "code", "UNAVAILABLE"));
        assertEquals(1.0, s.value(LinkMetrics.RESENDS + "_total"));
        assertEquals(1.0, s.value(LinkMetrics.IN_FLIGHT));
    }

    @Test
    void isSafeToCallFromManyThreads() throws Exception {
        metrics = TrainerMetrics.create().serve(0);
        TeacherLinkListener link = metrics.linkListener();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 1000; i++) {
                    link.sent(A);
                    link.answered(A, 0.01);
                    link.resent(2);
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        Scrape s = Scrape.of(metrics.port());
        assertEquals(4000.0, s.value(LinkMetrics.REQUESTS + "_total", "endpoint", A));
        assertEquals(4000.0, s.value(LinkMetrics.ANSWER_SECONDS + "_count", "endpoint", A));
        assertEquals(8000.0, s.value(LinkMetrics.RESENDS + "_total"));
    }

    @Test
    void disabledMetricsHandOutListenersThatDoNothing() {
        TrainerMetrics off = TrainerMetrics.disabled();
        assertFalse(off.enabled());
        assertSame(TeacherLinkListener.NONE, off.linkListener());
        assertEquals(-1, off.port());
        assertThrows(IllegalStateException.class, off::registry);
        assertThrows(IllegalStateException.class, () -> off.serve(0));
        off.stepListener(() -> 0).onTrainingBegin(null);
        off.close();
    }
}
