package org.distillery.student.demo;

import ai.djl.ndarray.NDManager;
import org.distillery.common.io.Json;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.eval.OnnxModelReport;
import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.export.RunExporter;
import org.distillery.teacher.launch.TeacherProcess;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.report.DemoReport;
import org.distillery.student.report.DistillationRatio;
import org.distillery.student.report.ReportWriter;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.RunDirectory;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;
import org.distillery.student.train.TrainingException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The main job: data and tokenizer, a teacher trained here (cached by configuration and data), the teacher served
 * by a separate process, a student trained with and one without distillation (same architecture, data order and
 * seed), both exported with parity checks, all three benchmarked in ONNX Runtime on the test split, and the
 * report written. What the teacher serves (its outputs, inputs, label count) is discovered from the server, and the
 * vocabulary size from the tokenizer.
 */
public final class DemoPipeline {
    private static final String TEACHER = "teacher";

    private final DemoPreset preset;
    private final String corpus;
    private final Path out;
    private final Path cache;
    private final boolean progress;
    private Consumer<TeacherProcess> onTeacherStarted = t -> { };

    public DemoPipeline(DemoPreset preset, String corpus, Path out, Path cache, boolean progress) {
        if (!corpus.equals("spam-assassin") && !corpus.equals("tiny")) {
            throw new IllegalArgumentException("corpus must be spam-assassin or tiny, got '" + corpus + "'");
        }
        this.preset = preset;
        this.corpus = corpus;
        this.out = out;
        this.cache = cache;
        this.progress = progress;
    }

    /** Called once the teacher process serves (tests use it to kill the teacher). */
    DemoPipeline onTeacherStarted(Consumer<TeacherProcess> hook) {
        this.onTeacherStarted = hook;
        return this;
    }

    public DemoReport run() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(out);
        stage(1, "data and tokenizer");
        boolean tiny = corpus.equals("tiny");
        Dataset all = tiny ? TinySentiment.make(240, 7) : SpamAssassin.load(cache);
        List<Dataset> splits = Splits.stratified(all, preset.validationFraction(), preset.testFraction(),
                DemoPreset.SEED);
        Dataset train = splits.get(0);
        Dataset validation = splits.get(1);
        Dataset test = splits.get(2);
        Path tokenizerFile = tiny ? TinySentiment.writeTokenizer(out.resolve("tokenizer.json"))
                : BertUncasedTokenizer.cached(cache);
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, preset.maxLength(), null)) {
            System.out.printf("  %s: %d train, %d validation, %d test examples; %s tokenizer (%d ids)%n",
                    all.source(), train.size(), validation.size(), test.size(),
                    tiny ? "the corpus' own" : "bert-base-uncased", tokenizer.vocabularySize());
            stage(2, "teacher");
            StudentConfig teacherConfig = preset.teacher().config(tokenizer.vocabularySize(), train.labelCount());
            Path teacherOnnx = teacher(teacherConfig, train, validation, tokenizer, tokenizerFile);

            stage(3, "teacher server (separate process)");
            StudentConfig studentConfig = preset.student().config(tokenizer.vocabularySize(), train.labelCount());
            Map<String, List<Map<String, Double>>> curves = new LinkedHashMap<>();
            try (TeacherProcess teacher = TeacherProcess.start(TeacherProcess.Spec.serving(
                    Map.of(TEACHER, teacherOnnx), out, preset.batchSize(), 0, -1))) {
                System.out.printf("  serving %s on %s (pid %d)%n", teacherOnnx.getFileName(), teacher.target(),
                        teacher.handle().pid());
                onTeacherStarted.accept(teacher);
                stage(4, "students: without and with distillation");
                curves.put("student (no distillation)", train(studentConfig, preset.studentOptimizer(),
                        ObjectiveOptions.LABELS_ONLY, null, train, validation, tokenizer,
                        out.resolve("student-baseline")).epochMetrics());
                curves.put("distilled student", train(studentConfig, preset.studentOptimizer(),
                        ObjectiveOptions.DEFAULTS.withLabelWeights(0.5f, 0.5f), teacher, train, validation,
                        tokenizer, out.resolve("student-distilled")).epochMetrics());
            }
            stage(5, "export to ONNX with parity checks");
            Path baselineOnnx = out.resolve("student-baseline.onnx");
            Path distilledOnnx = out.resolve("student-distilled.onnx");
            report(RunExporter.export(out.resolve("student-baseline"), RunExporter.Weights.BEST, baselineOnnx),
                    baselineOnnx);
            report(RunExporter.export(out.resolve("student-distilled"), RunExporter.Weights.BEST, distilledOnnx),
                    distilledOnnx);

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

    /** The cached teacher for this configuration, tokenizer and data, trained and exported when absent. */
    private Path teacher(StudentConfig config, Dataset train, Dataset validation, PaddedTokenizer tokenizer,
                         Path tokenizerFile) throws Exception {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("config", config);
        identity.put("optimizer", preset.teacherOptimizer());
        identity.put("train", RunDirectory.fingerprint(train));
        identity.put("validation", RunDirectory.fingerprint(validation));
        identity.put("tokenizer", sha256(Files.readAllBytes(tokenizerFile)));
        String key = sha256(Json.LINE.toJson(identity).getBytes(StandardCharsets.UTF_8));
        Path cached = cache.resolve("teachers").resolve(key.substring(0, 16)).resolve("teacher.onnx");
        if (Files.isRegularFile(cached)) {
            System.out.println("  cached: " + cached);
            return cached;
        }
        Path run = out.resolve("teacher");
        train(config, preset.teacherOptimizer(), ObjectiveOptions.LABELS_ONLY, null, train, validation, tokenizer,
                run);
        Path exported = out.resolve("teacher.onnx");
        report(RunExporter.export(run, RunExporter.Weights.BEST, exported), exported);
        Files.createDirectories(cached.getParent());
        Files.copy(exported, cached.resolveSibling("teacher.onnx.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(cached.resolveSibling("teacher.onnx.tmp"), cached, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        return cached;
    }

    private TrainResult train(StudentConfig config, OptimizerOptions optimizer, ObjectiveOptions objective,
                              TeacherProcess teacher, Dataset train, Dataset validation, PaddedTokenizer tokenizer,
                              Path runDir) throws Exception {
        TeacherOptions teacherOptions = teacher == null ? TeacherOptions.DEFAULTS
                : TeacherOptions.of(teacher.target(), TEACHER).withPrefetch(4);
        try (TeacherConnection connection = teacher == null ? null : TeacherConnection.open(teacherOptions);
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer.Builder builder = Trainer.builder(config, optimizer, objective, tokenizer)
                    .run(RunOptions.in(runDir).withProgress(progress));
            if (connection != null) {
                builder.teacher(connection, teacherOptions);
            }
            TrainResult result = builder.build().train(train, validation, manager);
            System.out.printf("  %s: %d steps in %.1f s, validation accuracy %.4f (teacher wait %.1f s)%n",
                    runDir.getFileName(), result.steps(), result.seconds(), result.lastMetrics().get("accuracy"),
                    result.teacherWaitSeconds());
            return result;
        } catch (TrainingException | IllegalArgumentException e) {
            if (teacher != null) {
                teacher.checkAlive(); // a dead teacher process explains the failure better than its symptom
            }
            throw e;
        }
    }

    private static void report(OnnxStudentExporter.Parity parity, Path file) {
        System.out.printf("  exported %s (max |ONNX - DJL|: logits %.1e, pooled %.1e)%n", file.getFileName(),
                parity.logits(), parity.pooled());
    }

    private static void stage(int n, String what) {
        System.out.printf("[%d/7] %s%n", n, what);
        System.out.flush();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
