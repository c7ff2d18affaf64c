package org.distillery.student.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;
import org.distillery.common.text.TokenIds;
import org.distillery.student.loss.HardLabelCrossEntropy;
import org.distillery.student.loss.Objective;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.model.Students;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.train.AdamW;
import org.distillery.student.train.Batch;
import org.distillery.student.train.StepRunner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The student's training step (forward, cross-entropy, backward, global-norm clipping, AdamW) in DJL against the same
 * architecture in PyTorch eager ({@link TorchReference}), for the same sizes, threads and random token batches. The two
 * take turns over rounds (DJL, PyTorch, DJL, ...) so that a slow moment of the machine touches both; the table shows
 * each round and the medians, and the ratio DJL ÷ PyTorch. Without a Python that imports torch only the DJL figures
 * are measured and the ratio is null.
 *
 * <p>The DJL side runs {@link StepRunner}, the very step the trainer runs, with the trainer's defaults (learning
 * rate, weight decay, clipping at 1, dropout 0.1).
 *
 * @param layers       encoder layers
 * @param hidden       hidden width
 * @param heads        attention heads (divides hidden)
 * @param intermediate feed-forward width
 * @param seq          tokens per example (every position a real token)
 * @param batch        examples per step
 * @param threads      intra-op threads of both sides (one inter-op thread)
 * @param steps        timed steps per round and side
 * @param rounds       rounds the sides take turns in
 * @param warmup       untimed steps of each side before the first round
 * @param vocab        word embedding rows (30,522: bert-base-uncased)
 */
public record StudentStepBenchmark(int layers, int hidden, int heads, int intermediate, int seq, int batch,
                                   int threads, int steps, int rounds, int warmup, int vocab) {
    /** The labels of the classifier. */
    static final int LABELS = 2;
    /** The dropout of both sides, the student's default. */
    static final float DROPOUT = 0.1f;

    public StudentStepBenchmark {
        atLeast("--layers", 1, layers);
        atLeast("--hidden", 1, hidden);
        atLeast("--heads", 1, heads);
        atLeast("--intermediate", 1, intermediate);
        atLeast("--seq", 1, seq);
        atLeast("--batch", 1, batch);
        atLeast("--threads", 1, threads);
        atLeast("--steps", 1, steps);
        atLeast("--rounds", 1, rounds);
        atLeast("--warmup", 0, warmup);
        atLeast("--vocab", 2, vocab);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("--heads (" + heads + ") must divide --hidden (" + hidden + ")");
        }
    }

    private static void atLeast(String option, int least, int value) {
        if (value < least) {
            throw new IllegalArgumentException(option + " must be >= " + least + ", got " + value);
        }
    }

    /** The DJL student of these sizes. */
    public StudentConfig config() {
        return new StudentConfig(StudentKind.BERT, vocab, hidden, layers, heads, intermediate, seq, LABELS, DROPOUT);
    }

    /** The arguments {@link TorchReference} passes to the reference script for these sizes. */
    List<String> scriptArguments() {
        return List.of("--layers", Integer.toString(layers), "--hidden", Integer.toString(hidden),
                "--heads", Integer.toString(heads), "--intermediate", Integer.toString(intermediate),
                "--seq", Integer.toString(seq), "--batch", Integer.toString(batch),
                "--threads", Integer.toString(threads), "--steps", Integer.toString(steps),
                "--warmup", Integer.toString(warmup), "--vocab", Integer.toString(vocab),
                "--labels", Integer.toString(LABELS), "--dropout", Float.toString(DROPOUT),
                "--lr", Float.toString(OptimizerOptions.DEFAULTS.learningRate()),
                "--weight-decay", Float.toString(OptimizerOptions.DEFAULTS.weightDecay()),
                "--clip-norm", Float.toString(OptimizerOptions.DEFAULTS.clipNorm()));
    }

    /**
     * Measures both sides, prints the table to {@code out} and writes {@code json}.
     *
     * @param torch the reference, or null to measure DJL alone
     */
    public Result run(TorchReference torch, Path json, PrintStream out) throws IOException {
        out.printf(Locale.ROOT, "student step: BERT-style %d layers, hidden %d, %d heads, feed-forward %d; sequence "
                        + "%d, batch %d, %d thread%s; %d steps x %d rounds after %d warm-up steps%n", layers, hidden,
                heads, intermediate, seq, batch, threads, threads == 1 ? "" : "s", steps, rounds, warmup);
        boolean hugePages = "1".equals(System.getenv("THP_MEM_ALLOC_ENABLE"));
        out.println("libtorch allocations of 2 MB and more on huge pages (THP_MEM_ALLOC_ENABLE): "
                + (hugePages ? "on" : "off"));
        double[] djl = new double[rounds];
        double[] reference = new double[torch == null ? 0 : rounds];
        long parameters;
        Engine.getInstance(); // loads libtorch, whose thread count is read and set next
        int previousThreads = JniUtils.getNumThreads();
        try (DjlStep step = new DjlStep(this)) {
            parameters = step.parameters();
            JniUtils.setNumThreads(threads);
            if (torch != null) {
                torch.start(this);
                if (torch.parameters() != step.parameters()) {
                    throw new IllegalStateException("the PyTorch reference has " + torch.parameters()
                            + " parameter values and the DJL student " + step.parameters() + ": they are not the "
                            + "same architecture");
                }
            }
            step.time(warmup);
            for (int round = 0; round < rounds; round++) {
                djl[round] = step.time(steps);
                if (torch != null) {
                    reference[round] = torch.time(steps);
                }
                out.printf(Locale.ROOT, "  round %d: DJL %8.1f ex/s%s%n", round + 1, djl[round],
                        torch == null ? "" : String.format(Locale.ROOT, "   PyTorch %8.1f ex/s", reference[round]));
            }
        } finally {
            JniUtils.setNumThreads(previousThreads);
        }
        double djlMedian = median(djl);
        Double torchMedian = torch == null ? null : median(reference);
        Double ratio = torchMedian == null ? null : djlMedian / torchMedian;
        out.printf(Locale.ROOT, "%-28s %12s%n", "side", "examples/s");
        out.printf(Locale.ROOT, "%-28s %12.1f%n", "DJL (median)", djlMedian);
        if (torch != null) {
            out.printf(Locale.ROOT, "%-28s %12.1f%n", "PyTorch eager (median)", torchMedian);
            out.printf(Locale.ROOT, "%-28s %12.3f%n", "DJL / PyTorch", ratio);
        }
        Result result = new Result(layers, hidden, heads, intermediate, seq, batch, threads, steps, rounds, warmup,
                vocab, parameters, djlMedian, torchMedian, ratio, toList(djl), torch == null ? null : toList(reference),
                torch == null ? null : torch.version(), torch == null ? null : torch.blas(),
                Engine.getInstance().getVersion(), hugePages,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        if (json != null) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("benchmark", "student_step");
            document.put("result", result);
            AtomicFiles.writeString(json, Json.PRETTY.toJson(document));
            out.println("wrote " + json);
        }
        return result;
    }

    private static List<Double> toList(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The system load average over the last minute, or null where the platform does not tell. */
    private static Double loadAverage() {
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? null : load;
    }

    /**
     * What one run measured (written as JSON).
     *
     * @param parameters             the values in the student's parameters (the reference has as many)
     * @param djlExamplesPerSecond   the median over rounds of DJL's examples per second
     * @param torchExamplesPerSecond the median of PyTorch eager's, null when it did not run
     * @param ratio                  DJL ÷ PyTorch of the medians, null when PyTorch did not run
     * @param thpMemAllocEnable      whether libtorch put large allocations on huge pages (environment variable
     *                               {@code THP_MEM_ALLOC_ENABLE=1}, set by the launcher; the Python side inherits it)
     * @param loadAverage            the machine's one-minute load average at the end, null where unknown
     */
    public record Result(int layers, int hidden, int heads, int intermediate, int seq, int batch, int threads,
                         int steps, int rounds, int warmup, int vocab, long parameters,
                         double djlExamplesPerSecond,
                         Double torchExamplesPerSecond, Double ratio, List<Double> djlRounds,
                         List<Double> torchRounds, String torchVersion, List<String> torchBlas,
                         String djlEngineVersion, boolean thpMemAllocEnable, int availableProcessors,
                         Double loadAverage) {
    }

    /** The DJL side: a student, its optimizer and four random batches, stepped by the trainer's step runner. */
    private static final class DjlStep implements AutoCloseable {
        private final NDManager manager;
        private final StepRunner runner;
        private final List<Batch> batches = new ArrayList<>();
        private final float learningRate = OptimizerOptions.DEFAULTS.learningRate();
        private final long parameterCount;
        private int done;

        DjlStep(StudentStepBenchmark sizes) {
            manager = NDManager.newBaseManager();
            try {
                Engine.getInstance().setRandomSeed(42);
                AbstractBlock student = Students.create(sizes.config(), manager);
                Objective objective = new Objective(List.of(new HardLabelCrossEntropy(1f)));
                Map<String, NDArray> parameters = new LinkedHashMap<>();
                student.getParameters().forEach(p -> parameters.put(p.getKey(), p.getValue().getArray()));
                parameters.values().forEach(a -> a.setRequiresGradient(true));
                parameterCount = parameters.values().stream().mapToLong(NDArray::size).sum();
                runner = new StepRunner(student, objective, parameters,
                        new AdamW(OptimizerOptions.DEFAULTS.weightDecay()), OptimizerOptions.DEFAULTS.clipNorm(),
                        LABELS, new ParameterStore(manager, false));
                Random random = new Random(42);
                int tokens = sizes.batch * sizes.seq;
                for (int b = 0; b < 4; b++) {
                    long[] ids = new long[tokens];
                    for (int i = 0; i < tokens; i++) {
                        ids[i] = random.nextInt(sizes.vocab);
                    }
                    long[] mask = new long[tokens];
                    Arrays.fill(mask, 1);
                    long[] labels = new long[sizes.batch];
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = random.nextInt(LABELS);
                    }
                    batches.add(new Batch(b, new TokenIds(ids, mask, new long[tokens], sizes.batch, sizes.seq),
                            labels));
                }
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        /** The number of values in the student's parameters. */
        long parameters() {
            return parameterCount;
        }

        /** Runs {@code steps} steps; examples per second (0 for no steps). */
        double time(int steps) {
            long started = System.nanoTime();
            int examples = 0;
            for (int i = 0; i < steps; i++) {
                Batch batch = batches.get(done % batches.size());
                runner.run(batch, null, learningRate, 42L * 7919 + done, manager);
                examples += batch.size();
                done++;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return steps == 0 ? 0 : examples / seconds;
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
