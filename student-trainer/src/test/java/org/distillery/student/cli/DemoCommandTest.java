package org.distillery.student.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad demo options end in one line saying what was expected and what arrived, before anything runs. */
@Timeout(60)
class DemoCommandTest {
    @TempDir
    Path dir;

    private String fails(String... options) {
        String[] args = new String[options.length + 5];
        args[0] = "demo";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "--out";
        args[options.length + 2] = dir.resolve("out").toString();
        args[options.length + 3] = "--cache-dir";
        args[options.length + 4] = dir.resolve("cache").toString();
        return CliAssertions.failsInOneLine(args);
    }

    @Test
    void badScenarioLabelFractionSeedsOrCorpusIsOneLine() {
        assertTrue(fails("--scenario", "partial").contains("--scenario must be transfer or full, got 'partial'"));
        assertTrue(fails("--label-fraction", "0").endsWith("--label-fraction must be in (0, 1], got 0.0"));
        assertTrue(fails("--label-fraction", "1.5").endsWith("--label-fraction must be in (0, 1], got 1.5"));
        assertTrue(fails("--seeds", "0").endsWith("--seeds must be between 1 and 20, got 0"));
        assertTrue(fails("--corpus", "imdb").endsWith("--corpus must be spam-assassin or tiny, got 'imdb'"));
        assertTrue(fails("--preset", "huge").endsWith("preset must be tiny, quick or default, got 'huge'"));
        assertFalse(Files.exists(dir.resolve("out")), "nothing was started");
    }
}
