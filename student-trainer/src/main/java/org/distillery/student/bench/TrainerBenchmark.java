package org.distillery.student.bench;

import ai.djl.ndarray.NDManager;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;
import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.Dataset;
import org.distillery.teacher.launch.TeacherProcess;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.StudentOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.loss.TeacherFacts;
import org.distillery.student.train.EpochBatches;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The same student on the same batches, measured in one run: trained alone (and with batches grouped by length),
 * distilled from a teacher server in another process (pinned to another core when asked) with {@code --prefetch 0}
 * and with a window, from the same teacher co-located in this JVM (an ONNX Runtime session on the trainer's cores,
 * the usual notebook's arrangement), and from a warm teacher-output cache. Rows take turns over rounds so drift in
 * the machine's speed touches every row alike. Then a 3-epoch run over {@code wallExamples} examples, co-located
 * against remote with and without the cache, wall time side by side. Prints the tables and ratios; writes JSON.
 *
 * @param student       the student's size
 * @param teacher       the teacher's size (a BERT-style graph with random weights, written here)
 * @param batchSize     examples per step
 * @param steps         measured steps per row
 * @param rounds        rounds the rows take turns in
 * @param window        the prefetch window of the last row
 * @param teacherCore   core to pin the teacher processes to (-1: not pinned)
 * @param fleetSizes    more rows, with the prefetch window, spreading requests over this many teacher processes
 *                      (all on {@code teacherCore}: on a small machine they show the dispatch cost, not a speed-up)
 * @param external      more rows against fleets started elsewhere (name to gRPC target), each serving the bench's
 *                      teacher (written by {@link #writeTeacher}) as {@code teacher}: with and without prefetch
 * @param wallExamples  examples per epoch of the 3-epoch wall-time comparison (0: none)
 * @param studentOnly   only the student rows (alone, grouped by length): no teacher is started
 */
public record TrainerBenchmark(StudentOptions student, StudentOptions teacher, int batchSize, int steps, int rounds,
                               int window, int teacherCore, List<Integer> fleetSizes, Map<String, String> external,
                               int wallExamples, boolean studentOnly) {
    public TrainerBenchmark {
        if (steps < rounds || rounds < 1 || batchSize < 1 || window < 1) {
            throw new IllegalArgumentException("--steps must be >= --rounds >= 1; --batch-size and --window >= 1, got "
                    + steps + ", " + rounds + ", " + batchSize + ", " + window);
        }
        if (wallExamples != 0 && wallExamples < batchSize) {
            throw new IllegalArgumentException("--wall-examples must be 0 (none) or at least --batch-size, got "
                    + wallExamples);
        }
        fleetSizes = List.copyOf(fleetSizes);
        external = new LinkedHashMap<>(external);
        for (int n : fleetSizes) {
            if (n < 2 || n > 16) {
                throw new IllegalArgumentException("--fleet-sizes are teacher process counts from 2 to 16, got " + n);
            }
        }
    }

    /** Writes the bench's teacher (random weights, seed 3) for {@code train}'s labels and the tokenizer's ids. */
    public Path writeTeacher(Path file, Path tokenizerFile, int labels) throws IOException {
        int vocab;
        try (PaddedTokenizer probe = PaddedTokenizer.load(tokenizerFile, student.maxLength(), null)) {
            vocab = probe.vocabularySize();
        }
        OnnxGraphWriter.write(new BertGraphBuilder(new BertGraphConfig(vocab, teacher.hidden(), teacher.layers(),
                teacher.heads(), teacher.intermediate(), 512, 2, labels, 1e-12f),
                new RandomWeights(3, 0.02)).build("teacher", Map.of()), file);
        return file;
    }

    /** Runs the rows on {@code train}, validating on {@code validation}; returns the rows by name. */
    public Map<String, Row> run(Dataset train, Dataset validation, Path tokenizerFile, Path json, PrintStream out)
            throws Exception {
        Path work = Files.createTempDirectory("distillery-trainer-bench");
        Path teacherFile = writeTeacher(work.resolve("teacher.onnx"), tokenizerFile, train.labelCount());
        int vocab;
        try (PaddedTokenizer probe = PaddedTokenizer.load(tokenizerFile, student.maxLength(), null)) {
            vocab = probe.vocabularySize();
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, Double> wall = new LinkedHashMap<>();
        int processes = studentOnly ? 0 : fleetSizes.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<AutoCloseable> open = new ArrayList<>();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, student.maxLength(), null)) {
            List<String> targets = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                TeacherProcess p = TeacherProcess.start(TeacherProcess.Spec.serving(Map.of("teacher", teacherFile),
                        work.resolve("teacher-" + i), 64, 1, teacherCore));
                open.add(p);
                targets.add(p.target());
            }
            TeacherConnection connection = studentOnly ? null
                    : TeacherConnection.open(TeacherOptions.of(targets.get(0), "teacher"));
            if (connection != null) {
                open.add(connection);
            }
            Map<Integer, TeacherConnection> fleets = new LinkedHashMap<>();
            for (int n : studentOnly ? List.<Integer>of() : fleetSizes) {
                TeacherConnection fleet = TeacherConnection.open(TeacherOptions.of(
                        String.join(",", targets.subList(0, n)), "teacher"));
                open.add(fleet);
                fleets.put(n, fleet);
            }
            Map<String, TeacherConnection> externals = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : studentOnly ? Map.<String, String>of().entrySet()
                    : external.entrySet()) {
                TeacherConnection fleet = TeacherConnection.open(TeacherOptions.of(e.getValue(), "teacher"));
                open.add(fleet);
                externals.put(e.getKey(), fleet);
            }
            StudentConfig config = student.config(vocab, train.labelCount());
            ColocatedTeacher colocated = studentOnly ? null : new ColocatedTeacher(teacherFile, train.labelCount(),
                    Runtime.getRuntime().availableProcessors());
            if (colocated != null) {
                open.add(colocated);
            }
            Path cache = work.resolve("teacher-cache");
            out.printf("student: BERT-style %d layers, hidden %d, %d tokens; %s; batch %d, %d steps per row%n",
                    student.layers(), student.hidden(), student.maxLength(), studentOnly ? "no teacher"
                            : "teacher: " + teacher.layers() + " layers, hidden " + teacher.hidden()
                            + " in another process" + (teacherCore >= 0 ? " pinned to core " + teacherCore
                            : " (not pinned)"), batchSize, steps);
            // Warm-up over the very batches the rows train on: the first pass over new sequence lengths pays
            // one-time kernel and allocator costs that would otherwise land on whichever row runs first.
            // It fills the teacher-output cache too, for the warm-cache row.
            train(config, tokenizer, studentOnly ? Variant.STUDENT_ONLY : Variant.remote(connection, window)
                    .cached(cache), train, validation, steps);
            train(config, tokenizer, Variant.STUDENT_ONLY.grouped(), train, validation, steps);
            EpochBatches plain = new EpochBatches(train, tokenizer, batchSize, OptimizerOptions.DEFAULTS.seed());
            EpochBatches grouped = new EpochBatches(train, tokenizer, batchSize, OptimizerOptions.DEFAULTS.seed(),
                    true);
            out.printf(Locale.ROOT, "token positions per epoch (padding included): %d, grouped by length %d (%.2f)%n",
                    plain.paddedTokens(0), grouped.paddedTokens(0),
                    (double) grouped.paddedTokens(0) / plain.paddedTokens(0));
            int n = steps / rounds;
            for (int round = 0; round < rounds; round++) {
                add(rows, "student only", train(config, tokenizer, Variant.STUDENT_ONLY, train, validation, n));
                add(rows, "student only, --group-by-length", train(config, tokenizer, Variant.STUDENT_ONLY.grouped(),
                        train, validation, n));
                if (studentOnly) {
                    continue;
                }
                add(rows, "co-located teacher (in this JVM)", train(config, tokenizer,
                        Variant.local(colocated), train, validation, n));
                add(rows, "distilled, --prefetch 0", train(config, tokenizer, Variant.remote(connection, 0), train,
                        validation, n));
                add(rows, "distilled, --prefetch " + window, train(config, tokenizer,
                        Variant.remote(connection, window), train, validation, n));
                add(rows, "distilled, warm --teacher-cache", train(config, tokenizer,
                        Variant.remote(connection, window).cached(cache), train, validation, n));
                for (Map.Entry<Integer, TeacherConnection> f : fleets.entrySet()) {
                    add(rows, "distilled, " + f.getKey() + " teachers, --prefetch " + window, train(config,
                            tokenizer, Variant.remote(f.getValue(), window), train, validation, n));
                }
                for (Map.Entry<String, TeacherConnection> f : externals.entrySet()) {
                    add(rows, f.getKey() + ", --prefetch 0", train(config, tokenizer,
                            Variant.remote(f.getValue(), 0), train, validation, n));
                    add(rows, f.getKey() + ", --prefetch " + window, train(config, tokenizer,
                            Variant.remote(f.getValue(), window), train, validation, n));
                }
            }
            if (wallExamples > 0 && !studentOnly) {
                threeEpochs(config, tokenizer, connection, colocated, train, validation, work, wall, out);
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
        report(rows, wall, json, out);
        return rows;
    }

    /** The 3-epoch runs over the first {@code wallExamples} training examples; wall seconds by name. */
    private void threeEpochs(StudentConfig config, PaddedTokenizer tokenizer, TeacherConnection connection,
                             ColocatedTeacher colocated, Dataset train, Dataset validation, Path work,
                             Map<String, Double> wall, PrintStream out) throws IOException {
        Dataset subset = new Dataset(train.source(), train.examples().subList(0, Math.min(train.size(),
                wallExamples)), train.labelNames());
        out.printf("%n3 epochs over %d examples, wall time (validation excluded):%n", subset.size());
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("co-located teacher (in this JVM)", Variant.local(colocated));
        variants.put("remote, --prefetch " + window, Variant.remote(connection, window));
        variants.put("remote, --prefetch " + window + ", --teacher-cache (empty at start)",
                Variant.remote(connection, window).cached(work.resolve("wall-cache")));
        for (Map.Entry<String, Variant> v : variants.entrySet()) {
            TrainResult r = train(config, tokenizer, v.getValue().epochs(3), subset, validation, 0);
            wall.put(v.getKey(), r.seconds() - r.evalSeconds());
        }
    }

    /** What a row trains against: nothing, a teacher server, or the co-located teacher; with a cache or grouping. */
    private record Variant(TeacherConnection connection, ColocatedTeacher local, int prefetch, Path cache,
                           boolean groupByLength, int epochs) {
        static final Variant STUDENT_ONLY = new Variant(null, null, 0, null, false, 1);

        static Variant remote(TeacherConnection connection, int prefetch) {
            return new Variant(connection, null, prefetch, null, false, 1);
        }

        static Variant local(ColocatedTeacher teacher) {
            return new Variant(null, teacher, 0, null, false, 1);
        }

        Variant cached(Path dir) {
            return new Variant(connection, local, prefetch, dir, groupByLength, epochs);
        }

        Variant grouped() {
            return new Variant(connection, local, prefetch, cache, true, epochs);
        }

        Variant epochs(int n) {
            return new Variant(connection, local, prefetch, cache, groupByLength, n);
        }
    }

    /** Trains {@code n} steps (0: every step of the variant's epochs). */
    private TrainResult train(StudentConfig config, PaddedTokenizer tokenizer, Variant v, Dataset train,
                              Dataset validation, int n) throws IOException {
        OptimizerOptions optimizer = OptimizerOptions.DEFAULTS.withEpochs(v.epochs()).withMaxSteps(n)
                .withBatchSize(batchSize);
        boolean distils = v.connection() != null || v.local() != null;
        ObjectiveOptions objective = ObjectiveOptions.DEFAULTS.withLabelWeights(1f, distils ? 1f : 0f);
        TeacherOptions options = TeacherOptions.DEFAULTS.withPrefetch(v.prefetch()).withCache(v.cache());
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer.Builder builder = Trainer.builder(config, optimizer, objective, tokenizer)
                    .groupByLength(v.groupByLength());
            if (v.connection() != null) {
                builder.teacher(v.connection(), options);
            } else if (v.local() != null) {
                builder.teacher(v.local(), new TeacherFacts(Map.of("logits", config.labels()), null), options);
            }
            return builder.build().train(train, validation, manager);
        }
    }

    /** One row's totals over its rounds. */
    public static final class Row {
        double steps;
        double seconds;
        double teacherWaitSeconds;
        final Map<String, Long> answers = new java.util.TreeMap<>();
        long resends;

        public double stepsPerSecond() {
            return steps / seconds;
        }
    }

    private static void add(Map<String, Row> rows, String name, TrainResult r) {
        Row row = rows.computeIfAbsent(name, k -> new Row());
        row.steps += r.stepLosses().size();
        row.seconds += r.seconds() - r.evalSeconds();
        row.teacherWaitSeconds += r.teacherWaitSeconds();
        r.teacherAnswers().forEach((endpoint, n) -> row.answers.merge(endpoint, n, Long::sum));
        row.resends += r.teacherResends();
    }

    private void report(Map<String, Row> rows, Map<String, Double> wall, Path json, PrintStream out)
            throws IOException {
        double base = rows.values().iterator().next().stepsPerSecond();
        out.println();
        out.printf(Locale.ROOT, "%-40s %10s %16s %14s%n", "configuration", "steps/s", "teacher wait s",
                "÷ student only");
        List<Map<String, Object>> list = new ArrayList<>();
        rows.forEach((name, r) -> {
            out.printf(Locale.ROOT, "%-40s %10.3f %16.2f %14.3f%n", name, r.stepsPerSecond(), r.teacherWaitSeconds,
                    r.stepsPerSecond() / base);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("steps", r.steps);
            row.put("steps_per_second", r.stepsPerSecond());
            row.put("teacher_wait_seconds", r.teacherWaitSeconds);
            row.put("ratio_to_student_only", r.stepsPerSecond() / base);
            row.put("answers_by_endpoint", r.answers);
            row.put("resends", r.resends);
            list.add(row);
        });
        rows.forEach((name, r) -> {
            if (r.answers.size() > 1) {
                out.printf(Locale.ROOT, "  %s: answers per teacher %s%n", name, r.answers.values());
            }
        });
        List<Map<String, Object>> wallRows = new ArrayList<>();
        if (!wall.isEmpty()) {
            double colocatedSeconds = wall.values().iterator().next();
            out.println();
            out.printf(Locale.ROOT, "%-60s %10s %14s%n", "3 epochs", "seconds", "speed-up");
            wall.forEach((name, seconds) -> {
                out.printf(Locale.ROOT, "%-60s %10.1f %14.2f%n", name, seconds, colocatedSeconds / seconds);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", name);
                row.put("seconds", seconds);
                row.put("speedup_over_colocated", colocatedSeconds / seconds);
                wallRows.add(row);
            });
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("rows", list);
        document.put("three_epochs", wallRows);
        document.put("config", this);
        AtomicFiles.writeString(json, Json.PRETTY.toJson(document));
        out.println("\nwrote " + json + " (targets: warm cache >= 0.95 x student only; 3 epochs remote + cache >= 1.5 x"
                + " faster than co-located)");
    }
}
