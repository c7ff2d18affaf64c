package org.distillery.student.cli;

import org.distillery.student.bench.StudentStepBenchmark;
import org.distillery.student.bench.TorchReference;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.StudentOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code student-trainer bench-step}: see {@link StudentStepBenchmark}. */
@Command(name = "bench-step", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The student's training step in DJL against the same model in PyTorch eager (taking turns, "
                + "same sizes and threads, random token batches); prints examples/s of each and the ratio, and "
                + "writes JSON.")
public final class StepBenchCommand implements Callable<Integer> {
    private static final StudentOptions D = StudentOptions.DEFAULTS;

    @Option(names = "--layers", description = "Encoder layers (default: ${DEFAULT-VALUE}).")
    int layers = D.layers();
    @Option(names = "--hidden", description = "Hidden width (default: ${DEFAULT-VALUE}).")
    int hidden = D.hidden();
    @Option(names = "--heads", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads = D.heads();
    @Option(names = "--intermediate", description = "Feed-forward width (default: ${DEFAULT-VALUE}).")
    int intermediate = D.intermediate();
    @Option(names = "--seq", description = "Tokens per example (default: ${DEFAULT-VALUE}).")
    int seq = D.maxLength();
    @Option(names = "--batch", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batch = OptimizerOptions.DEFAULTS.batchSize();
    @Option(names = "--threads", description = "Intra-op threads of both sides (default: ${DEFAULT-VALUE}).")
    int threads = 1;
    @Option(names = "--steps", description = "Timed steps per round and side (default: ${DEFAULT-VALUE}).")
    int steps = 20;
    @Option(names = "--rounds", description = "Rounds the sides take turns in; the table reports medians "
            + "(default: ${DEFAULT-VALUE}).")
    int rounds = 5;
    @Option(names = "--warmup", description = "Untimed steps of each side first (default: ${DEFAULT-VALUE}).")
    int warmup = 3;
    @Option(names = "--vocab", description = "Word embedding rows (default: ${DEFAULT-VALUE}, bert-base-uncased).")
    int vocab = 30522;
    @Option(names = "--python", paramLabel = "PYTHON", description = "The Python that runs the PyTorch side "
            + "(default: the first of python3 on the PATH and /usr/bin/python3 that imports torch).")
    String python;
    @Option(names = "--no-torch", description = "Measure DJL alone.")
    boolean noTorch;
    @Option(names = "--json", description = "Where the results go (default: ${DEFAULT-VALUE}).")
    Path json = Path.of("bench-results/student-step-bench.json");
    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        StudentStepBenchmark bench = new StudentStepBenchmark(layers, hidden, heads, intermediate, seq, batch,
                threads, steps, rounds, warmup, vocab);
        Path work = Files.createTempDirectory("distillery-step-bench");
        try {
            Optional<TorchReference> found = Optional.empty();
            if (!noTorch) {
                found = TorchReference.find(python, work);
                if (found.isEmpty() && python != null) {
                    throw new IllegalArgumentException("--python " + python + " cannot import torch ("
                            + TorchReference.INSTALL_HINT + ")");
                }
                if (found.isEmpty()) {
                    System.out.println("PyTorch eager side skipped: no Python that imports torch (tried "
                            + String.join(", ", TorchReference.CANDIDATES) + "; " + TorchReference.INSTALL_HINT
                            + "); measuring DJL alone");
                }
            }
            try (TorchReference torch = found.orElse(null)) {
                bench.run(torch, json, System.out);
                if (torch != null && !torch.optimizedBlas()) {
                    System.out.println("warning: the PyTorch side loaded no optimized BLAS " + torch.blas()
                            + "; with Debian's python3-torch install libopenblas0-pthread, or its figure is too low");
                }
            }
            return 0;
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
