package org.distillery.student.demo;

import ai.djl.ndarray.NDManager;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.eval.OnnxModelReport;
import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.export.RunExporter;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.report.DemoReport;
import org.distillery.student.report.ReportWriter;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;
import org.distillery.student.train.TrainingException;
import org.distillery.teacher.launch.TeacherProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The main job: data and tokenizer; the ensemble's members trained here on every training label (cached by
 * configuration and data); the ensemble served by a separate teacher process; for each seed, a student without
 * distillation and two distilled from the ensemble (its mean probabilities, and one member sampled per batch), with
 * the teacher answers kept in the teacher-output cache so that later runs and seeds do not ask again; every student
 * exported with a parity check; all measured in ONNX Runtime on the test split; the report written. In the
 * transfer-set scenario the students see few labels ({@link TransferSet}). What the teacher serves is discovered
 * from the server, and the vocabulary size from the tokenizer.
 */
public final class DemoPipeline {
    static final String ENSEMBLE = "ensemble";
    private static final int STAGES = 7;

    private final DemoOptions options;
    private final DemoPreset preset;
    private final Path out;
    private final Path cache;
    private final boolean progress;
    private Consumer<TeacherProcess> onTeacherStarted = t -> { };

    public DemoPipeline(DemoOptions options, Path out, Path cache, boolean progress) {
        this.options = options;
        this.preset = options.preset();
        this.out = out;
        this.cache = cache;
        this.progress = progress;
    }

    /** The transfer-set demo of {@code preset} on {@code corpus}, with the preset's number of seeds. */
    public DemoPipeline(DemoPreset preset, String corpus, Path out, Path cache, boolean progress) {
        this(DemoOptions.of(preset, corpus), out, cache, progress);
    }

    /** Called once the teacher process serves (tests use it to kill the teacher). */
    DemoPipeline onTeacherStarted(Consumer<TeacherProcess> hook) {
        this.onTeacherStarted = hook;
        return this;
    }

    /**
     * One trained student.
     *
     * @param examples examples it trained on, epochs included
     */
    record StudentRun(Variant variant, long seed, Path runDir, TrainResult result, LinkTally link, long examples) {
    }

    public DemoReport run() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(out);
        stage(1, "data and tokenizer");
        boolean tiny = options.corpus().equals("tiny");
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
            stage(2, "teachers: " + preset.teachers().size() + " ensemble members, each on every training label");
            Map<String, Path> members = new DemoTeachers(preset, out, cache, progress)
                    .members(train, validation, tokenizer, tokenizerFile);

            TransferSet data = options.scenario() == DemoOptions.Scenario.TRANSFER
                    ? TransferSet.of(train, options.labelFraction(), DemoPreset.SEED) : TransferSet.full(train);
            String scenario = scenarioText(data, train);
            System.out.println("  " + scenario);
            StudentConfig studentConfig = preset.student().config(tokenizer.vocabularySize(), train.labelCount());
            List<StudentRun> runs = new ArrayList<>();
            stage(3, "teacher server (separate process): " + String.join(" + ", members.keySet()) + " as '"
                    + ENSEMBLE + "' (combine=mean_probs)");
            try (TeacherProcess teacher = TeacherProcess.start(TeacherProcess.Spec.serving(members, out,
                    preset.batchSize(), 0, -1).withArgs("--ensemble", ENSEMBLE + "="
                    + String.join(",", members.keySet()) + ",combine=mean_probs"))) {
                System.out.printf("  serving on %s (pid %d)%n", teacher.target(), teacher.handle().pid());
                onTeacherStarted.accept(teacher);
                stage(4, "students: " + options.seeds() + " seed(s) x (no distillation, distilled from the mean "
                        + "probabilities, distilled from 1 sampled member)");
                for (int s = 0; s < options.seeds(); s++) {
                    long seed = DemoPreset.SEED + s;
                    for (Variant variant : Variant.values()) {
                        runs.add(student(variant, seed, data, validation, tokenizer, studentConfig, teacher));
                    }
                }
            }

            stage(5, "export to ONNX with parity checks");
            RunExporter.Weights weights = options.scenario() == DemoOptions.Scenario.TRANSFER
                    ? RunExporter.Weights.FINAL : RunExporter.Weights.BEST;
            Map<String, List<Path>> models = new LinkedHashMap<>();
            members.forEach((name, file) -> models.put(name, List.of(file)));
            models.put(ENSEMBLE, List.copyOf(members.values()));
            for (StudentRun run : runs) {
                Path onnx = run.runDir().resolveSibling(run.runDir().getFileName() + ".onnx");
                exported(RunExporter.export(run.runDir(), weights, onnx), onnx);
                models.put(run.variant().label() + " seed " + run.seed(), List.of(onnx));
            }

            stage(6, "benchmark on the test split (ONNX Runtime, 1 thread, single-example latency, models taking "
                    + "turns)");
            List<OnnxModelReport> measured = OnnxModelReport.measureAllEnsembles(models, test, tokenizer,
                    preset.latencyRuns());
            stage(7, "report");
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("preset", preset);
            settings.put("scenario", options.scenario().id());
            settings.put("label_fraction", options.scenario() == DemoOptions.Scenario.TRANSFER
                    ? options.labelFraction() : 1.0);
            settings.put("labelled_training_examples", data.labelled());
            settings.put("training_examples", train.size());
            settings.put("undistilled_repeats", data.repeats());
            settings.put("seeds", options.seeds());
            settings.put("student_weights", weights.id());
            settings.put("distilled_objective", objective());
            settings.put("student", studentConfig);
            settings.put("teacher_onnx", members.values().stream().map(Path::toString).toList());
            DemoReport report = DemoSummary.of(all.source(), options.scenario().id(), scenario, settings,
                    members.keySet(), measured, runs, (System.nanoTime() - started) / 1e9);
            ReportWriter.write(report, out);
            System.out.println();
            System.out.print(ReportWriter.table(report));
            System.out.println("report: " + out.resolve("report.html") + " and " + out.resolve("report.json"));
            return report;
        }
    }

    private String scenarioText(TransferSet data, Dataset train) {
        if (options.scenario() == DemoOptions.Scenario.FULL) {
            return String.format(Locale.ROOT, "Full-label scenario: the teachers and every student learn "
                    + "from the labels of all %d training examples; the distilled students also learn from the "
                    + "teacher ensemble's answers on them.", train.size());
        }
        return String.format(Locale.ROOT, "Transfer-set scenario: the teachers learned from the labels of "
                + "all %d training examples; the students see the labels of %d of them (%.1f %%); the distilled "
                + "students also learn from the teacher ensemble's answers on all %d, labelled or not; the "
                + "undistilled student learns from the %d labelled examples alone (repeated %dx, so that it trains "
                + "as many steps).", train.size(), data.labelled(), 100.0 * data.labelled() / train.size(),
                train.size(), data.labelled(), data.repeats());
    }

    private static ObjectiveOptions objective() {
        return ObjectiveOptions.DEFAULTS.withLabelWeights(0.5f, 0.5f);
    }

    private StudentRun student(Variant variant, long seed, TransferSet data, Dataset validation,
                               PaddedTokenizer tokenizer, StudentConfig config, TeacherProcess teacher)
            throws Exception {
        Path runDir = out.resolve("students").resolve(variant.id() + "-seed" + seed);
        OptimizerOptions optimizer = preset.studentOptimizer(seed);
        Dataset train = variant.distilled() ? data.distilled() : data.undistilled();
        LinkTally link = new LinkTally();
        TeacherOptions teacherOptions = !variant.distilled() ? TeacherOptions.DEFAULTS
                : TeacherOptions.of(teacher.target(), ENSEMBLE).withPrefetch(4)
                .withSampling(variant.sampleMembers()).withCache(cache.resolve("teacher-outputs"));
        try (TeacherConnection connection = variant.distilled()
                ? TeacherConnection.open(teacherOptions).linkListener(link) : null;
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer.Builder builder = Trainer.builder(config, optimizer,
                            variant.distilled() ? objective() : ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(runDir).withProgress(progress));
            if (connection != null) {
                builder.teacher(connection, teacherOptions);
            }
            TrainResult result = builder.build().train(train, validation, manager);
            long examples = (long) train.size() * optimizer.epochs();
            System.out.printf("  %s, seed %d: %d steps in %.1f s, validation accuracy %.4f%s%n", variant.label(),
                    seed, result.steps(), result.seconds(), result.lastMetrics().get("accuracy"),
                    !variant.distilled() ? "" : String.format(Locale.ROOT,
                            " (teacher: %d requests, %.1f s wait, %.0f %% from the cache)", link.requests(),
                            result.teacherWaitSeconds(), 100 * DemoSummary.cacheHits(result) / examples));
            return new StudentRun(variant, seed, runDir, result, link, examples);
        } catch (TrainingException | IllegalArgumentException e) {
            if (variant.distilled()) {
                teacher.checkAlive(); // a dead teacher process explains the failure better than its symptom
            }
            throw e;
        }
    }

    static void exported(OnnxStudentExporter.Parity parity, Path file) {
        System.out.printf("  exported %s (max |ONNX - DJL|: logits %.1e, pooled %.1e)%n", file.getFileName(),
                parity.logits(), parity.pooled());
    }

    private static void stage(int n, String what) {
        System.out.printf("[%d/%d] %s%n", n, STAGES, what);
        System.out.flush();
    }
}
