package org.distillery.student.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.data.CacheDirectory;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.DistillationTrainer;
import org.distillery.student.train.TeacherLink;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code student-trainer bench}: the same student on the same SpamAssassin batches, measured in one run — trained
 * alone, and distilled from a teacher server in another process (pinned to another core with taskset where
 * present) with {@code --prefetch 0} and with a window. Prints steps/s and the ratios; writes JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Student-only vs distillation with and without prefetch; prints a table of ratios.")
public final class TrainerBenchmark implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "60", description = "Measured steps per row (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;
    @Option(names = "--max-length", defaultValue = "128")
    int maxLength;
    @Option(names = "--student-hidden", defaultValue = "128")
    int studentHidden;
    @Option(names = "--student-layers", defaultValue = "2")
    int studentLayers;
    @Option(names = "--teacher-hidden", defaultValue = "128")
    int teacherHidden;
    @Option(names = "--teacher-layers", defaultValue = "2")
    int teacherLayers;
    @Option(names = "--rounds", defaultValue = "3", description = "Rounds the rows take turns in.")
    int rounds;
    @Option(names = "--window", defaultValue = "4", description = "Prefetch window of the last row.")
    int window;
    @Option(names = "--teacher-core", defaultValue = "1", description = "Core the teacher process is pinned to.")
    int teacherCore;
    @Option(names = "--cache-dir", description = "Cache for the corpus and tokenizer (default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--json", defaultValue = "bench-results/trainer-bench.json")
    Path json;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("distillery.home", "."));
        Path teacherLauncher = home.resolve("bin/teacher-server");
        if (steps < rounds || rounds < 1 || batchSize < 1 || window < 1) {
            throw new IllegalArgumentException("--steps must be >= --rounds >= 1; --batch-size, --window >= 1");
        }
        if (!Files.isRegularFile(home.resolve("teacher-server/target/teacher-server.jar"))) {
            throw new IllegalArgumentException("the teacher server is not built: run 'mvn -B -DskipTests package' in "
                    + home.toAbsolutePath());
        }
        Path cache = cacheDir != null ? cacheDir : CacheDirectory.defaultPath();
        Dataset all = SpamAssassin.load(cache);
        List<Dataset> splits = Splits.stratified(all, 0.01, 0, 1);
        Path tokenizerFile = BertUncasedTokenizer.cached(cache);
        Path work = Files.createTempDirectory("distillery-trainer-bench");
        Path teacherFile = work.resolve("teacher.onnx");
        BertGraphConfig teacherConfig = new BertGraphConfig(30522, teacherHidden, teacherLayers,
                Math.max(1, teacherHidden / 64), teacherHidden * 4, 512, 2, 2, 1e-12f);
        OnnxGraphWriter.write(new BertGraphBuilder(teacherConfig, new RandomWeights(3, 0.02)).build("teacher",
                Map.of()), teacherFile);
        Path portFile = work.resolve("port");
        List<String> command = new ArrayList<>();
        boolean pinned = onPath("taskset");
        if (pinned) {
            command.addAll(List.of("taskset", "-c", Integer.toString(teacherCore)));
        }
        command.addAll(List.of(teacherLauncher.toString(), "--device", "cpu", "--host", "127.0.0.1", "--port", "0",
                "--port-file", portFile.toString(), "--intra-op-threads", "1", "--max-batch", "64",
                "--model", "teacher=" + teacherFile));
        Process teacher = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("teacher.log").toFile()).start();
        ManagedChannel channel = null;
        try {
            int port = awaitPort(portFile, teacher, work.resolve("teacher.log"));
            channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            TeacherClient.modelInfo(channel, "teacher", 30, 10);
            System.out.printf("student: BERT-style %d layers, hidden %d; teacher: %d layers, hidden %d in another "
                    + "process%s; batch %d, %d steps per row%n", studentLayers, studentHidden, teacherLayers,
                    teacherHidden, pinned ? " pinned to core " + teacherCore : " (no taskset: not pinned)",
                    batchSize, steps);
            Map<String, double[]> rows = new LinkedHashMap<>(); // steps, seconds, teacher wait
            try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, maxLength, null)) {
                StudentConfig student = new StudentConfig(StudentConfig.BERT, 30522, studentHidden, studentLayers,
                        Math.max(1, studentHidden / 64), studentHidden * 4, maxLength, 2, 0.1f);
                // Warm-up over the very batches the rows train on: the first pass over new sequence lengths pays
                // one-time kernel and allocator costs that would otherwise land on whichever row runs first.
                run(student, tokenizer, channel, window, splits, steps);
                // Rows take turns over rounds, so drift in the machine's speed touches every row alike.
                for (int round = 0; round < rounds; round++) {
                    add(rows, "student only", run(student, tokenizer, null, 0, splits, steps / rounds));
                    add(rows, "distilled, --prefetch 0", run(student, tokenizer, channel, 0, splits, steps / rounds));
                    add(rows, "distilled, --prefetch " + window, run(student, tokenizer, channel, window, splits,
                            steps / rounds));
                }
            }
            report(rows);
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            teacher.destroy();
            if (!teacher.waitFor(20, TimeUnit.SECONDS)) {
                teacher.destroyForcibly();
            }
            teacher.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        return 0;
    }

    private TrainResult run(StudentConfig student, PaddedTokenizer tokenizer, ManagedChannel channel, int prefetch,
                            List<Dataset> splits, int n) throws Exception {
        boolean distill = channel != null;
        TrainingOptions options = new TrainingOptions(1, n, 0, batchSize, 5e-4f, 0.01f, 0.1f, 1f, 42, 1f,
                distill ? 1f : 0f, TrainingOptions.KL, 2f, 0f, 0f, "mse", "pooled_output", 0f, 0f, 0f, 0f, 1f, 0,
                prefetch);
        TeacherClient client = distill ? new TeacherClient(channel, "teacher", "logits", List.of(),
                DataType.FLOAT16, 120, 3) : null;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TeacherLink link = distill ? new TeacherLink(client, List.of("input_ids", "attention_mask",
                    "token_type_ids"), 0) : null;
            return new DistillationTrainer(student, options, tokenizer, link, null, false)
                    .train(splits.get(0), splits.get(1), manager);
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    private static void add(Map<String, double[]> rows, String name, TrainResult r) {
        double[] row = rows.computeIfAbsent(name, k -> new double[3]);
        row[0] += r.stepLosses().size();
        row[1] += r.seconds() - r.evalSeconds();
        row[2] += r.teacherWaitSeconds();
    }

    private void report(Map<String, double[]> rows) throws Exception {
        double base = rows.values().iterator().next()[0] / rows.values().iterator().next()[1];
        System.out.println();
        System.out.printf(Locale.ROOT, "%-32s %10s %16s %14s%n", "configuration", "steps/s", "teacher wait s",
                "÷ student only");
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        rows.forEach((name, r) -> {
            double rate = r[0] / r[1];
            System.out.printf(Locale.ROOT, "%-32s %10.3f %16.2f %14.3f%n", name, rate, r[2], rate / base);
            list.add(Map.of("name", name, "steps_per_second", rate, "teacher_wait_seconds", r[2],
                    "ratio_to_student_only", rate / base, "steps", r[0]));
        });
        out.put("rows", list);
        out.put("config", Map.of("steps", steps, "batch_size", batchSize, "max_length", maxLength,
                "student_hidden", studentHidden, "student_layers", studentLayers, "teacher_hidden", teacherHidden,
                "teacher_layers", teacherLayers, "window", window, "rounds", rounds));
        AtomicFiles.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(out));
        System.out.println("\nwrote " + json + " (target: distilled with prefetch >= 0.95 x student only)");
    }

    private static int awaitPort(Path portFile, Process teacher, Path log) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until) {
            if (Files.isRegularFile(portFile)) {
                return Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
            }
            if (!teacher.isAlive()) {
                throw new IllegalStateException("the teacher process exited: " + Files.readString(log).strip());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the teacher process did not start serving within 120 s");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
