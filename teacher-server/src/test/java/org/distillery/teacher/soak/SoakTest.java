package org.distillery.teacher.soak;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 20-second soak of a real server process (the CI version of {@code teacher-server soak}): every kind of call,
 * every status within the contract, every good answer right, RSS within 1.2x of its level after warm-up.
 */
class SoakTest {
    @TempDir
    Path dir;

    @Test
    // Separate thread: the timeout must end the test even while it waits on the server.
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aTwentySecondSoakPasses() throws Exception {
        Path json = dir.resolve("soak.json");
        SoakConfig config = new SoakConfig(20, 8, 16, 5, json, Set.of(), 1, ServerSettings.DEFAULTS);
        SoakSummary summary = new SoakRunner(config, System.out).run();
        assertTrue(summary.passed(), summary.verdict());
        assertTrue(summary.verdict().startsWith("soak: passed"), summary.verdict());
        assertTrue(summary.goodAnswersChecked() > 0 && summary.rssRatio() <= SoakConfig.RSS_GROWTH_LIMIT,
                summary.verdict());
        for (Kind kind : Kind.values()) {
            assertTrue(summary.counts().containsKey(kind.label()), kind.label() + " never ran: " + summary.counts());
        }
        JsonObject written = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(written.get("passed").getAsBoolean());
        assertEquals(0, written.get("unexpected").getAsLong());
        assertTrue(written.has("good_p99_ms") && written.has("rss_warmup_mb") && written.has("unexpected_counts"),
                written.keySet().toString());
    }
}
