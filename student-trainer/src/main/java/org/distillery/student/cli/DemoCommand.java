package org.distillery.student.cli;

import org.distillery.student.data.CacheDirectory;
import org.distillery.student.demo.DemoPipeline;
import org.distillery.student.demo.DemoPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code demo}: the whole product on real data in one command; see {@link DemoPipeline}. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Teacher trained here and served by a separate process, students with and without "
                + "distillation, ONNX export, benchmark and report (report.html, report.json).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smaller models and fewer steps (about 3 minutes on 2 cores).")
    boolean quick;
    @Option(names = "--preset", description = "tiny, quick or default (overrides --quick).")
    String preset;
    @Option(names = "--corpus", description = "spam-assassin or tiny, a built-in toy corpus with its own tokenizer "
            + "that needs no download (default: ${DEFAULT-VALUE}).")
    String corpus = "spam-assassin";
    @Option(names = "--out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs/demo");
    @Option(names = "--cache-dir", description = "Cache for corpus, tokenizer and teachers (default: ~/.cache/distillery).")
    Path cacheDir;
    @Mixin
    CommonMixin common;

    @Override
    public Integer call() throws Exception {
        DemoPreset chosen = DemoPreset.named(preset != null ? preset : quick ? "quick" : "default");
        new DemoPipeline(chosen, corpus, out, CacheDirectory.or(cacheDir), common.progress()).run();
        return 0;
    }
}
