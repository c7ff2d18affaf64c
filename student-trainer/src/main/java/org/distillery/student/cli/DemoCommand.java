package org.distillery.student.cli;

import org.distillery.student.data.CacheDirectory;
import org.distillery.student.demo.DemoPipeline;
import org.distillery.student.demo.DemoPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code demo}: the whole product on real data in one command; see {@link DemoPipeline}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Teacher trained here and served by a separate process, students with and without "
                + "distillation, ONNX export, benchmark and report (report.html, report.json).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smaller models and fewer steps (about 3 minutes on 2 cores).")
    boolean quick;
    @Option(names = "--preset", description = "tiny, quick or default (overrides --quick).")
    String preset;
    @Option(names = "--corpus", defaultValue = "spam-assassin", description = "spam-assassin or tiny.")
    String corpus;
    @Option(names = "--out", defaultValue = "runs/demo", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--cache-dir", description = "Cache for corpus, tokenizer and teachers (default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;
    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        DemoPreset chosen = DemoPreset.named(preset != null ? preset : quick ? "quick" : "default");
        new DemoPipeline(chosen, corpus, out, cacheDir != null ? cacheDir : CacheDirectory.defaultPath(), home(),
                !noProgress).run();
        return 0;
    }

    /** The repository root: from the launcher, else the nearest parent with bin/teacher-server. */
    static Path home() {
        String property = System.getProperty("distillery.home");
        if (property != null) {
            return Path.of(property);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("bin/teacher-server"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalArgumentException("cannot find the repository root (bin/teacher-server) from "
                + Path.of("").toAbsolutePath());
    }
}
