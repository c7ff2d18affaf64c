package org.distillery.student.demo;

import ai.djl.ndarray.NDManager;
import io.grpc.ManagedChannel;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.student.cli.ExportCommand;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.eval.OnnxModelReport;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.report.DemoReport;
import org.distillery.student.report.DistillationRatio;
import org.distillery.student.report.ReportWriter;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.DistillationTrainer;
import org.distillery.student.train.RunDirectory;
import org.distillery.student.train.TeacherLink;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.TrainingException;
import org.distillery.student.train.TrainingOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The main job: data and tokenizer, a teacher trained here (cached by configuration and data), the teacher served
 * by a separate process, a student trained with and one without distillation (same architecture, data order and
 * seed), both exported with parity checks, all three benchmarked in ONNX Runtime on the test split, and the
 * report written.
 */
public final class DemoPipeline {
    private static final long SEED = 42;

    private final DemoPreset preset;
    private final String corpus;
    private final Path out;
    private final Path cache;
    private final Path home;
    private final boolean progress;
    private java.util.function.Consumer<TeacherProcess> onTeacherStarted = t -> { };

    public DemoPipeline(DemoPreset preset, String corpus, Path out, Path cache, Path home, boolean progress) {
        if (!corpus.equals("spam-assassin") && !corpus.equals("tiny")) {
            throw new IllegalArgumentException("corpus must be spam-assassin or tiny, got '" + corpus + "'");
        }
        this.preset = preset;
        this.corpus = corpus;
        this.out = out;
        this.cache = cache;
        this.home = home;
        this.progress = progress;
    }

    /** Called once the teacher process serves (tests use it to kill the teacher). */
    DemoPipeline onTeacherStarted(java.util.function.Consumer<TeacherProcess> hook) {
        this.onTeacherStarted = hook;
        return this;
    }

    public DemoReport run() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(out);
        stage(1, "data and tokenizer");
        Dataset all = corpus.equals("tiny") ? TinySentiment.make(240, 7) : SpamAssassin.load(cache);
        List<Dataset> splits = Splits.stratified(all, preset.validationFraction(), preset.testFraction(), SEED);
        Dataset train = splits.get(0);
        Dataset validation = splits.get(1);
        Dataset test = splits.get(2);
        Path tokenizerFile = BertUncasedTokenizer.cached(cache);
        System.out.printf("  %s: %d train, %d validation, %d test examples; bert-base-uncased tokenizer%n",
                all.source(), train.size(), validation.size(), test.size());
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, preset.maxLength(), null)) {
            int vocab = 30522;
            stage(2, "teacher");
            StudentConfig teacherConfig = preset.teacher(vocab, train.labelCount());
            TrainingOptions teacherOptions = options(preset.teacherEpochs(), preset.teacherLr(), 1f, 0f, 0);
            Path teacherOnnx = teacher(teacherConfig, teacherOptions, train, validation, tokenizer);

            stage(3, "teacher server (separate process)");
            StudentConfig studentConfig = preset.student(vocab, train.labelCount());
            Map<String, List<Map<String, Double>>> curves = new LinkedHashMap<>();
            try (TeacherProcess teacher = TeacherProcess.start(home, "teacher", teacherOnnx, out,
                    preset.batchSize())) {
                System.out.printf("  serving %s on 127.0.0.1:%d (pid %d)%n", teacherOnnx.getFileName(),
                        teacher.port(), teacher.handle().pid());
                onTeacherStarted.accept(teacher);
                stage(4, "students: without and with distillation");
                curves.put("student (no distillation)", train(studentConfig, options(preset.studentEpochs(),
                        preset.studentLr(), 1f, 0f, 0), null, train, validation, tokenizer,
                        out.resolve("student-baseline")).epochMetrics());
                curves.put("distilled student", train(studentConfig, options(preset.studentEpochs(),
                        preset.studentLr(), 0.5f, 0.5f, 4), teacher, train, validation, tokenizer,
                        out.resolve("student-distilled")).epochMetrics());
            }
            stage(5, "export to ONNX with parity checks");
            Path baselineOnnx = out.resolve("student-baseline.onnx");
            Path distilledOnnx = out.resolve("student-distilled.onnx");
            report(ExportCommand.export(out.resolve("student-baseline"), "best", baselineOnnx), baselineOnnx);
            report(ExportCommand.export(out.resolve("student-distilled"), "best", distilledOnnx), distilledOnnx);

            stage(6, "benchmark on the test split (ONNX Runtime, 1 thread, single-example latency, models taking turns)");
            Map<String, Path> models = new LinkedHashMap<>();
            models.put("teacher", teacherOnnx);
            models.put("student", baselineOnnx);
            models.put("distilled student", distilledOnnx);
            List<OnnxModelReport> measured = OnnxModelReport.measureAll(models, test, tokenizer,
                    preset.latencyRuns());
            OnnxModelReport t = measured.get(0);
            OnnxModelReport u = measured.get(1);
            OnnxModelReport d = measured.get(2);
            Map<String, Double> ratio = DistillationRatio.of(t, u, d);
            stage(7, "report");
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("preset", preset);
            settings.put("teacher", teacherConfig);
            settings.put("student", studentConfig);
            settings.put("teacher_onnx", teacherOnnx.toString());
            DemoReport report = new DemoReport(all.source(), settings, List.of(t, u, d), ratio,
                    t.latencyAvgMs() / d.latencyAvgMs(), curves, (System.nanoTime() - started) / 1e9);
            ReportWriter.write(report, out);
            System.out.println();
            System.out.print(ReportWriter.table(report));
            System.out.println("report: " + out.resolve("report.html") + " and " + out.resolve("report.json"));
            return report;
        }
    }

    private TrainingOptions options(int epochs, float lr, float hard, float soft, int prefetch) {
        return new TrainingOptions(epochs, 0, 0, preset.batchSize(), lr, 0.01f, 0.1f, 1f, SEED, hard, soft,
                TrainingOptions.KL, 2f, 0f, 0f, "mse", "pooled_output", 0f, 0f, 0f, 0f, 1f, 0, prefetch);
    }

    /** The cached teacher for this configuration and data, trained and exported when absent. */
    private Path teacher(StudentConfig config, TrainingOptions options, Dataset train, Dataset validation,
                         PaddedTokenizer tokenizer) throws Exception {
        String key = sha256(config + "|" + options + "|" + RunDirectory.fingerprint(train) + "|"
                + RunDirectory.fingerprint(validation));
        Path cached = cache.resolve("teachers").resolve(key.substring(0, 16)).resolve("teacher.onnx");
        if (Files.isRegularFile(cached)) {
            System.out.println("  cached: " + cached);
            return cached;
        }
        Path run = out.resolve("teacher");
        train(config, options, null, train, validation, tokenizer, run);
        Path exported = out.resolve("teacher.onnx");
        report(ExportCommand.export(run, "best", exported), exported);
        Files.createDirectories(cached.getParent());
        Files.copy(exported, cached.resolveSibling("teacher.onnx.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(cached.resolveSibling("teacher.onnx.tmp"), cached, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        return cached;
    }

    private TrainResult train(StudentConfig config, TrainingOptions options, TeacherProcess teacher, Dataset train,
                              Dataset validation, PaddedTokenizer tokenizer, Path runDir) throws Exception {
        ManagedChannel channel = teacher == null ? null : teacher.channel();
        TeacherClient client = teacher == null ? null : new TeacherClient(channel, "teacher", "logits", List.of(),
                DataType.FLOAT16, 120, 3);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TeacherLink link = client == null ? null : new TeacherLink(client, List.of("input_ids",
                    "attention_mask", "token_type_ids"), 0);
            TrainResult result = new DistillationTrainer(config, options, tokenizer, link, new RunDirectory(runDir),
                    progress).train(train, validation, manager);
            Map<String, Double> last = result.epochMetrics().get(result.epochMetrics().size() - 1);
            System.out.printf("  %s: %d steps in %.1f s, validation accuracy %.4f (teacher wait %.1f s)%n",
                    runDir.getFileName(), result.steps(), result.seconds(), last.get("accuracy"),
                    result.teacherWaitSeconds());
            return result;
        } catch (TrainingException e) {
            if (teacher != null) {
                teacher.checkAlive(); // a dead teacher process explains the failure better than its symptom
            }
            throw e;
        } finally {
            if (client != null) {
                client.close();
            }
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void report(org.distillery.student.export.OnnxStudentExporter.Parity parity, Path file) {
        System.out.printf("  exported %s (max |ONNX - DJL|: logits %.1e, pooled %.1e)%n", file.getFileName(),
                parity.logits(), parity.pooled());
    }

    private static void stage(int n, String what) {
        System.out.printf("[%d/7] %s%n", n, what);
        System.out.flush();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
