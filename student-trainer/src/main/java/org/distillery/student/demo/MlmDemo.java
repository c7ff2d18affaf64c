package org.distillery.student.demo;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.eval.Validation;
import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.mlm.MaskedBatch;
import org.distillery.student.mlm.MaskingOptions;
import org.distillery.student.mlm.MlmEvaluation;
import org.distillery.student.mlm.MlmMasker;
import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.MlmWire;
import org.distillery.student.mlm.OnnxMaskedLm;
import org.distillery.student.bench.WireBenchmark;
import org.distillery.student.mlm.TeacherLogits;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.DataOptions;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.pipeline.MlmJob;
import org.distillery.student.report.Spread;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.MlmTrainer;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;
import org.distillery.teacher.launch.TeacherProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code demo --task mlm}: the DistilBERT recipe end to end on the SpamAssassin mails. A BERT-style masked LM is
 * pretrained here and served by a separate teacher-server process; two students of half its depth start from every
 * other teacher layer and train the same steps, one on the MLM loss alone, one distilled over the wire (teacher
 * distribution at the masked positions as top-k, plus hidden-state cosine). Both, and the teacher, are scored on the
 * same held-out masked tokens; both students are then fine-tuned on SpamAssassin classification with 5 % of the
 * labels. Every student variant runs with several seeds; figures are mean ± std.
 */
public final class MlmDemo {
    private static final String TEACHER = "mlm-teacher";
    private final MlmDemoPreset preset;
    private final Path out;
    private final Path cache;
    private final boolean progress;
    private final TeacherLogits teacherLogits;
    private final boolean tiny;

    /** @param corpus {@code spam-assassin}, or {@code tiny} (the built-in toy corpus and its tokenizer: no download) */
    public MlmDemo(MlmDemoPreset preset, TeacherLogits teacherLogits, String corpus, Path out, Path cache,
                   boolean progress) {
        if (!corpus.equals("spam-assassin") && !corpus.equals("tiny")) {
            throw new IllegalArgumentException("--corpus must be spam-assassin or tiny, got '" + corpus + "'");
        }
        this.tiny = corpus.equals("tiny");
        this.preset = preset;
        this.teacherLogits = teacherLogits;
        this.out = out;
        this.cache = cache;
        this.progress = progress;
    }

    /** One student's figures. */
    record StudentFigures(String variant, long seed, double accuracy, double perplexity, double downstream,
                          double downstreamF1, long requests, long requestBytes, long responseBytes,
                          long logitsBytes, long positions, double waitSeconds, double seconds) {
    }

    /** Runs the demo; returns the report as it is written to {@code report.json}. */
    public Map<String, Object> run() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(out);
        stage(1, tiny ? "corpus: the built-in tiny corpus and its own tokenizer"
                : "corpus: SpamAssassin mails, binarized (cached) with the bert-base-uncased tokenizer");
        Path tokenizerFile = tiny ? TinySentiment.writeTokenizer(out.resolve("tokenizer.json"))
                : BertUncasedTokenizer.cached(cache);
        DataOptions data = new DataOptions(tiny ? "tiny" : "spam-assassin", null, null, "text", null, "label", 0.1,
                0.1, tokenizerFile, cache, true);
        Map<String, Object> report = new LinkedHashMap<>();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, preset.maxLength(), null);
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            MlmJob.Corpus corpus = MlmJob.corpus(data, tokenizer, tokenizerFile, 0.05, MlmDemoPreset.SEED);
            MlmMasker masker = new MlmMasker(MaskingOptions.EVALUATION, corpus.train().counts(), corpus.special());
            List<MaskedBatch> heldOut = MlmEvaluation.batches(corpus.heldOut().first(preset.heldOutMax())
                    .sequences(), masker, preset.batchSize());
            long heldPositions = heldOut.stream().mapToLong(MaskedBatch::predicted).sum();
            System.out.printf("  %d training sequences (%d tokens%s), %d held-out sequences (%d masked positions)%n",
                    corpus.train().sequences().size(), corpus.train().tokens(),
                    corpus.train().fromCache() ? ", from the cache" : "", heldOut.stream()
                            .mapToInt(MaskedBatch::size).sum(), heldPositions);

            int vocab = tokenizer.vocabularySize();
            StudentConfig teacherConfig = new StudentConfig(StudentKind.BERT_MLM, vocab, preset.hidden(),
                    preset.teacherLayers(), 2, preset.hidden() * 4, preset.maxLength(), vocab, 0f);
            Path teacherOnnx = out.resolve("teacher").resolve("teacher.onnx");
            stage(2, String.format(Locale.ROOT, "teacher: %d layers x %d, masked-LM pretraining, %d steps",
                    preset.teacherLayers(), preset.hidden(), preset.teacherSteps()));
            MlmTrainer.Result teacherRun = MlmTrainer.builder(teacherConfig, preset.teacherOptimizer(),
                            new MlmObjectiveOptions(0, 1, 0, 0, 0, 2, "last_hidden_state"), MaskingOptions.EVALUATION,
                            corpus.special()).run(RunOptions.in(out.resolve("teacher").resolve("run"))
                            .withProgress(progress)).groupByLength(true).build()
                    .train(corpus.train(), List.of(), manager);
            OnnxStudentExporter.export(teacherRun.student(), teacherConfig, Map.of("role", "mlm-teacher"), teacherOnnx,
                    manager);
            MlmEvaluation.Result teacherScore = MlmEvaluation.evaluate(teacherOnnx, "logits", heldOut);
            System.out.printf("  teacher: held-out masked accuracy %.4f, perplexity %.1f (%.0f s)%n",
                    teacherScore.accuracy(), teacherScore.perplexity(), teacherRun.seconds());

            StudentConfig studentConfig = new StudentConfig(StudentKind.BERT_MLM, vocab, preset.hidden(),
                    preset.studentLayers(), 2, preset.hidden() * 4, preset.maxLength(), vocab, 0f);
            List<StudentFigures> students = new ArrayList<>();
            List<WireBenchmark.Row> wire;
            List<Dataset> splits = Splits.stratified(tiny ? TinySentiment.make(240, 7) : SpamAssassin.load(cache),
                    0.1, 0.1, MlmDemoPreset.SEED);
            TransferSet labels = TransferSet.of(splits.get(0), preset.labelFraction(), MlmDemoPreset.SEED);
            stage(3, "teacher server (separate process) serving the teacher; students: " + preset.seeds()
                    + " seed(s) x (MLM only, distilled with " + teacherLogits + "), " + preset.studentSteps()
                    + " steps each, both from every other teacher layer");
            try (TeacherProcess server = TeacherProcess.start(TeacherProcess.Spec.serving(
                    Map.of(TEACHER, teacherOnnx), out, preset.batchSize(), 0, -1))) {
                System.out.printf("  serving on %s (pid %d)%n", server.target(), server.handle().pid());
                for (int s = 0; s < preset.seeds(); s++) {
                    long seed = MlmDemoPreset.SEED + s;
                    for (boolean distilled : new boolean[]{false, true}) {
                        students.add(student(distilled, seed, corpus, heldOut, studentConfig, teacherOnnx, server,
                                tokenizer, labels, splits.get(1), splits.get(2), manager));
                    }
                }
                stage(4, "wire: the teacher's distribution at the held-out masked positions sent as top-k, samples "
                        + "and dense, against dense fp32, for the MLM-only student of seed " + MlmDemoPreset.SEED);
                wire = wire(server, heldOut, out.resolve("students").resolve("mlm-only-seed" + MlmDemoPreset.SEED
                        + ".onnx"));
                System.out.print(WireBenchmark.table(wire));
            }
            stage(5, "report");
            report.put("preset", preset);
            report.put("teacher_logits", teacherLogits.toString());
            report.put("held_out_positions", heldPositions);
            report.put("teacher", Map.of("masked_accuracy", teacherScore.accuracy(), "perplexity",
                    teacherScore.perplexity(), "seconds", teacherRun.seconds()));
            report.put("students", students);
            report.put("wire", wire);
            Map<String, Object> summary = summary(students);
            report.put("summary", summary);
            report.put("seconds", (System.nanoTime() - started) / 1e9);
            AtomicFiles.writeString(out.resolve("report.json"), Json.PRETTY.toJson(report));
            String table = table(teacherScore, students, summary, vocab) + "\n" + WireBenchmark.table(wire);
            AtomicFiles.writeString(out.resolve("report.md"), table);
            System.out.println();
            System.out.print(table);
            System.out.printf(Locale.ROOT, "total %.0f s; report: %s and %s%n", (System.nanoTime() - started) / 1e9,
                    out.resolve("report.md"), out.resolve("report.json"));
        }
        return report;
    }

    private StudentFigures student(boolean distilled, long seed, MlmJob.Corpus corpus, List<MaskedBatch> heldOut,
                                   StudentConfig config, Path teacherOnnx, TeacherProcess server,
                                   PaddedTokenizer tokenizer, TransferSet labels, Dataset validation, Dataset test,
                                   NDManager manager) throws Exception {
        String variant = distilled ? "distilled" : "mlm-only";
        Path runDir = out.resolve("students").resolve(variant + "-seed" + seed);
        MlmObjectiveOptions objective = distilled ? MlmObjectiveOptions.DISTILBERT
                : new MlmObjectiveOptions(0, 2, 0, 0, 0, 2, "last_hidden_state");
        MlmTrainer.Builder builder = MlmTrainer.builder(config, preset.studentOptimizer(seed), objective,
                        MaskingOptions.DISTILBERT, corpus.special()).run(RunOptions.in(runDir).withProgress(progress))
                .initFromTeacher(teacherOnnx).groupByLength(true);
        MlmTrainer.Result result;
        TeacherOptions teacherOptions = TeacherOptions.of(server.target(), TEACHER).withPrefetch(4);
        try (TeacherConnection connection = distilled ? TeacherConnection.open(teacherOptions) : null) {
            TeacherClient client = connection == null ? null : connection.client(new TeacherNeeds(true, List.of()));
            try {
                if (client != null) {
                    MlmWire wire = new MlmWire(TEACHER, connection.inputNames(), connection.info().getLogitsOutput(),
                            objective.hiddenOutput(), teacherLogits, objective.temperature(), DataType.FLOAT16);
                    builder.teacher(client, wire, config.hidden(), 4, Map.of("teacher_logits",
                            teacherLogits.toString(), "version", connection.info().getVersion()));
                }
                result = builder.build().train(corpus.train(), heldOut, manager);
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }
        Map<String, Double> last = result.lastMetrics();
        Path onnx = runDir.resolveSibling(runDir.getFileName() + ".onnx");
        OnnxStudentExporter.export(result.student(), config, Map.of("role", variant), onnx, manager);
        double[] downstream = downstream(onnx, seed, tokenizer, labels, validation, test, config, runDir);
        System.out.printf(Locale.ROOT, "  %-9s seed %d: held-out masked accuracy %.4f, perplexity %.1f; "
                        + "downstream accuracy %.4f (%.0f s, teacher wait %.1f s, %.2f MB answers)%n", variant, seed,
                last.get("val_masked_accuracy"), last.get("val_perplexity"), downstream[0], result.seconds(),
                result.waitSeconds(), result.responseBytes() / 1e6);
        return new StudentFigures(variant, seed, last.get("val_masked_accuracy"), last.get("val_perplexity"),
                downstream[0], downstream[1], result.requests(), result.requestBytes(), result.responseBytes(),
                result.logitsBytes(), result.positions(), result.waitSeconds(), result.seconds());
    }

    /** The wire benchmark on (at most 4, 2 unless the default preset) of the held-out batches. */
    private List<WireBenchmark.Row> wire(TeacherProcess server, List<MaskedBatch> heldOut, Path studentOnnx)
            throws Exception {
        TeacherOptions options = TeacherOptions.of(server.target(), TEACHER);
        List<TeacherLogits> modes = new ArrayList<>();
        for (String m : List.of("topk:8", "topk:32", "topk:128", "sample:8", "sample:32", "sample:128",
                "topk:8+tail:32", "topk:32+tail:32", "topk:128+tail:32", "dense")) {
            modes.add(TeacherLogits.parse(m));
        }
        try (TeacherConnection connection = TeacherConnection.open(options);
             OnnxMaskedLm student = new OnnxMaskedLm(studentOnnx, "logits")) {
            TeacherClient client = connection.client(new TeacherNeeds(true, List.of()));
            try {
                MlmWire base = new MlmWire(TEACHER, connection.inputNames(), connection.info().getLogitsOutput(),
                        null, teacherLogits, MlmObjectiveOptions.DISTILBERT.temperature(), DataType.FLOAT16);
                int batches = preset.name().equals("default") ? 4 : 2;
                return WireBenchmark.run(client, base, heldOut.subList(0, Math.min(batches, heldOut.size())),
                        student, modes, options.timeoutSeconds());
            } finally {
                client.close();
            }
        }
    }

    /**
     * Fine-tunes a classifier from the student's encoder on the few labels (final weights: with 5 % of the labels
     * there are none to choose a checkpoint with; the per-epoch curve is drawn on 64 validation mails); accuracy and
     * F1 on the test split.
     */
    private double[] downstream(Path studentOnnx, long seed, PaddedTokenizer tokenizer, TransferSet labels,
                                Dataset validation, Dataset test, StudentConfig mlm, Path runDir) throws Exception {
        StudentConfig config = new StudentConfig(StudentKind.BERT, mlm.vocabSize(), mlm.hidden(), mlm.layers(),
                mlm.heads(), mlm.intermediate(), mlm.maxLength(), 2, 0.1f);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = Trainer.builder(config, org.distillery.student.options.OptimizerOptions.DEFAULTS
                                    .withEpochs(preset.downstreamEpochs()).withBatchSize(16).withLearningRate(5e-4f)
                                    .withSeed(seed), ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(runDir.resolveSibling(runDir.getFileName() + "-downstream")))
                    .initFromPretrained(studentOnnx).build()
                    .train(labelled(labels), new Dataset(validation.source(), validation.examples()
                            .subList(0, Math.min(64, validation.size())), validation.labelNames()), manager);
            Map<String, Double> m = Validation.evaluate(r.student(), new ParameterStore(manager, false), test,
                    tokenizer, 2, manager);
            return new double[]{m.get("accuracy"), m.getOrDefault("f1", Double.NaN)};
        }
    }

    /** The labelled examples of the transfer set, once each. */
    private static Dataset labelled(TransferSet labels) {
        Dataset all = labels.distilled();
        return new Dataset(all.source() + " (labelled part)", all.examples().stream()
                .filter(org.distillery.student.data.Example::labelled).toList(), all.labelNames());
    }

    /** A variant's key in report.json (snake_case, as every key the project writes). */
    private static String key(String variant) {
        return variant.replace('-', '_');
    }

    private static Map<String, Object> summary(List<StudentFigures> students) {
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String variant : List.of("mlm-only", "distilled")) {
            List<StudentFigures> rows = students.stream().filter(s -> s.variant().equals(variant)).toList();
            summary.put(key(variant), Map.of(
                    "masked_accuracy", spread(rows.stream().mapToDouble(StudentFigures::accuracy).toArray()),
                    "perplexity", spread(rows.stream().mapToDouble(StudentFigures::perplexity).toArray()),
                    "downstream_accuracy", spread(rows.stream().mapToDouble(StudentFigures::downstream).toArray())));
        }
        List<StudentFigures> plain = students.stream().filter(s -> s.variant().equals("mlm-only")).toList();
        List<StudentFigures> kd = students.stream().filter(s -> s.variant().equals("distilled")).toList();
        double[] gain = new double[Math.min(plain.size(), kd.size())];
        double[] downstreamGain = new double[gain.length];
        for (int i = 0; i < gain.length; i++) {
            gain[i] = kd.get(i).accuracy() - plain.get(i).accuracy();
            downstreamGain[i] = kd.get(i).downstream() - plain.get(i).downstream();
        }
        Spread g = spread(gain);
        summary.put("masked_accuracy_gain", g);
        summary.put("downstream_accuracy_gain", spread(downstreamGain));
        summary.put("distilled_beats_mlm_only", gain.length >= 2 && g.aboveZero());
        return summary;
    }

    private String table(MlmEvaluation.Result teacher, List<StudentFigures> students, Map<String, Object> summary,
                         int vocab) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "| model | held-out masked accuracy | perplexity | downstream accuracy "
                + "(%.0f %% labels) |%n|---|---|---|---|%n", 100 * preset.labelFraction()));
        t.append(String.format(Locale.ROOT, "| teacher (%d x %d) | %.4f | %.1f | |%n", preset.teacherLayers(),
                preset.hidden(), teacher.accuracy(), teacher.perplexity()));
        for (String variant : List.of("mlm-only", "distilled")) {
            @SuppressWarnings("unchecked")
            Map<String, Spread> s = (Map<String, Spread>) summary.get(key(variant));
            t.append(String.format(Locale.ROOT, "| student %s (%d x %d) | %s | %s | %s |%n", variant,
                    preset.studentLayers(), preset.hidden(), s.get("masked_accuracy").format(4),
                    s.get("perplexity").format(1), s.get("downstream_accuracy").format(4)));
        }
        Spread gain = (Spread) summary.get("masked_accuracy_gain");
        t.append(String.format(Locale.ROOT, "%ndistilled − MLM-only, held-out masked accuracy, seed by seed: %s "
                        + "(%s)%n", gain.format(4), Boolean.TRUE.equals(summary.get("distilled_beats_mlm_only"))
                        ? "mean − std > 0: distillation wins" : "not a gain beyond the spread"));
        t.append(String.format(Locale.ROOT, "downstream accuracy gain: %s%n",
                ((Spread) summary.get("downstream_accuracy_gain")).format(4)));
        List<StudentFigures> kd = students.stream().filter(s -> s.variant().equals("distilled")).toList();
        long requests = kd.stream().mapToLong(StudentFigures::requests).sum();
        if (requests > 0) {
            double positions = kd.stream().mapToLong(StudentFigures::positions).sum();
            double logits = kd.stream().mapToLong(StudentFigures::logitsBytes).sum();
            double answers = kd.stream().mapToLong(StudentFigures::responseBytes).sum();
            double dense = positions * 4.0 * vocab / requests;
            t.append(String.format(Locale.ROOT, "teacher link (distilled runs): %d requests, %.1f KB requests and "
                            + "%.1f KB answers per batch, of which %.1f KB the vocabulary distribution (%s) — dense "
                            + "fp32 logits at the same positions would be %.0f KB, %.0fx more; teacher wait %.1f s "
                            + "in all%n", requests, kd.stream().mapToLong(StudentFigures::requestBytes).sum() / 1e3
                            / requests, answers / 1e3 / requests, logits / 1e3 / requests, teacherLogits,
                    dense / 1e3, dense / (logits / requests),
                    kd.stream().mapToDouble(StudentFigures::waitSeconds).sum()));
        }
        return t.toString();
    }

    private static Spread spread(double[] values) {
        return Spread.of(java.util.Arrays.stream(values).boxed().toList());
    }

    private static void stage(int n, String what) {
        System.out.printf("[%d] %s%n", n, what);
    }
}
