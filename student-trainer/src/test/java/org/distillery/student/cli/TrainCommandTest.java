package org.distillery.student.cli;

import ai.onnx.proto.OnnxMl;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train command end to end, and every bad input: one clear line, exit 2, no stack trace. */
@Timeout(300)
class TrainCommandTest {
    @TempDir
    static Path dir;
    private static TeacherServer server;
    private static Path tokenizer;
    private static Path train;

    @BeforeAll
    static void start() throws Exception {
        tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        Path bert2 = TestTeachers.bert(dir.resolve("t2.onnx"), new BertGraphConfig(100, 16, 1, 2, 32, 64, 2, 2,
                1e-12f), 1);
        Path bert3 = TestTeachers.bert(dir.resolve("t3.onnx"), new BertGraphConfig(100, 16, 1, 2, 32, 64, 2, 3,
                1e-12f), 1);
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                        new BatchingOptions(16, 500, 64))
                .addModel("two", bert2, null, null, null).addModel("three", bert3, null, null, null)
                .addModel("fixed", fixedLengthTeacher(dir.resolve("fixed.onnx")), null, null, null).build();
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), registry,
                ServerLimits.defaults()).start();
        List<String> lines = new ArrayList<>(List.of("sentence\tlabel"));
        String[] pos = {"the movie was great", "a dog is good", "the cat was very good"};
        String[] neg = {"the movie was terrible", "a dog is bad", "the cat was not good"};
        for (int i = 0; i < 40; i++) {
            lines.add(pos[i % 3] + "\tpositive");
            lines.add(neg[i % 3] + "\tnegative");
        }
        train = Files.write(dir.resolve("train.tsv"), lines);
    }

    /** A teacher whose input_ids must have exactly 4 tokens: longer batches get INVALID_ARGUMENT. */
    private static Path fixedLengthTeacher(Path file) throws Exception {
        OnnxGraphWriter w = new OnnxGraphWriter();
        ONNXPlaceholder ids = w.input("input_ids", OnnxMl.TensorProto.DataType.INT64, new long[]{-1, 4},
                new String[]{"batch", null});
        ONNXNode vectors = w.apply(ONNXOperators.GATHER, List.of(w.floats("emb", new long[]{100, 2},
                new float[200]), ids), Map.of("axis", 0));
        ONNXNode logits = w.apply(ONNXOperators.REDUCE_MEAN, List.of(vectors), Map.of("axes", new int[]{1},
                "keepdims", 0));
        w.output(logits, "logits", OnnxMl.TensorProto.DataType.FLOAT, new long[]{-1, 2}, new String[]{"batch", null});
        OnnxGraphWriter.write(w.model("fixed", "test", Map.of()), file);
        return file;
    }

    @AfterAll
    static void stop() {
        server.shutdown(2000);
    }

    private static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--train", train.toString(), "--tokenizer",
                tokenizer.toString(), "--run-dir", dir.resolve("run").toString(), "--student", "fasttext",
                "--hidden", "16", "--max-length", "32", "--batch-size", "16", "--epochs", "1", "--no-progress"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static String fails(String... args) {
        return CliAssertions.failsInOneLine(args);
    }

    private String teacher() {
        return "127.0.0.1:" + server.port();
    }

    @Test
    void distillsFromTheTeacherAndWritesTheRunDirectory() throws Exception {
        StringWriter err = new StringWriter();
        Path run = dir.resolve("run-ok");
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), "train", "--train", train.toString(),
                "--tokenizer", tokenizer.toString(), "--run-dir", run.toString(), "--student", "bert", "--hidden",
                "16", "--layers", "1", "--heads", "2", "--intermediate", "32", "--max-length", "32",
                "--batch-size", "16", "--epochs", "2", "--no-progress", "--teacher", teacher(), "--teacher-model",
                "two", "--output-feature-loss-weight", "0.5", "--rkd-distance-loss-weight", "0.1");
        assertEquals(0, code, err.toString());
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(Files.readString(run.resolve("parameters.json")).contains("\"output_feature_loss_weight\": 0.5"));

        Path onnx = dir.resolve("student.onnx");
        assertEquals(0, StudentTrainerMain.execute(new PrintWriter(err, true), "export", "--run-dir", run.toString(),
                "--out", onnx.toString()), err.toString());
        try (var session = ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(onnx.toString(),
                new ai.onnxruntime.OrtSession.SessionOptions())) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertTrue(meta.get("distillery.data_fingerprint").startsWith("sha256:"), meta.toString());
            assertTrue(meta.get("distillery.architecture").contains("\"hidden\": 16"));
            assertTrue(meta.get("distillery.hyperparameters").contains("soft_label_weight"));
            String versions = meta.get("distillery.versions");
            assertTrue(versions.matches("distillery \\S+; djl \\d+\\.\\d+\\.\\d+ \\(pytorch \\d+\\.\\d+\\.\\d+\\); "
                    + "onnxruntime \\d+\\.\\d+\\.\\d+; onnx opset 17"), versions);
        }
    }

    @Test
    void exportOfAMissingRunOrOneWithoutCheckpoint() throws Exception {
        assertTrue(fails("export", "--run-dir", dir.resolve("no-such-run").toString(), "--out",
                dir.resolve("x.onnx").toString()).contains("run directory not found"));
        Path empty = dir.resolve("run-empty");
        Files.createDirectories(empty);
        Files.writeString(empty.resolve("config.json"), "{\"kind\":\"fasttext\",\"vocab_size\":100,\"hidden\":8,"
                + "\"layers\":1,\"heads\":1,\"intermediate\":1,\"max_length\":16,\"labels\":2,\"dropout\":0}");
        String err = fails("export", "--run-dir", empty.toString(), "--out", dir.resolve("x.onnx").toString());
        assertTrue(err.contains("no checkpoint") && err.contains("best.params"), err);
        assertTrue(Files.notExists(dir.resolve("x.onnx")));
    }

    @Test
    void softmaxRegressionReadsTheTeachersHead() {
        StringWriter err = new StringWriter();
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), args("--teacher", teacher(),
                "--teacher-model", "two", "--softmax-regression-weight", "1", "--teacher-onnx",
                dir.resolve("t2.onnx").toString(), "--max-steps", "3"));
        assertEquals(0, code, err.toString());
        String missing = fails(args("--teacher", teacher(), "--teacher-model", "two", "--softmax-regression-weight",
                "1", "--teacher-onnx", dir.resolve("t2.onnx").toString(), "--teacher-head", "head.w,head.b"));
        assertTrue(missing.contains("has no initializer 'head.w'"), missing);
    }

    @Test
    void teacherUnreachable() {
        String err = fails(args("--teacher", "127.0.0.1:1", "--teacher-model", "two", "--teacher-retries", "1"));
        assertTrue(err.contains("cannot use the teacher at 127.0.0.1:1") && err.contains("UNAVAILABLE"), err);
    }

    @Test
    void teacherLabelCountDiffers() {
        String err = fails(args("--teacher", teacher(), "--teacher-model", "three"));
        assertTrue(err.contains("teacher 'three' has 3 labels; the dataset has 2"), err);
    }

    @Test
    void teacherModelUnknown() {
        String err = fails(args("--teacher", teacher(), "--teacher-model", "nope"));
        assertTrue(err.contains("NOT_FOUND") && err.contains("'nope'"), err);
    }

    @Test
    void invalidArgumentFromTheTeacherMidRunStopsWithItsDescription() throws Exception {
        Path run = dir.resolve("run-mid");
        String err = fails("train", "--train", train.toString(), "--tokenizer", tokenizer.toString(), "--run-dir",
                run.toString(), "--student", "fasttext", "--hidden", "16", "--max-length", "32", "--batch-size",
                "16", "--epochs", "2", "--no-progress", "--teacher", teacher(), "--teacher-model", "fixed",
                "--start-dur", "0.5", "--prefetch", "0");
        assertTrue(err.contains("INVALID_ARGUMENT") && err.contains("input 'input_ids': dimension 1 must be 4"), err);
        assertTrue(err.matches(".*step \\d+: the teacher refused request \\d+: .*"), "names the batch: " + err);
        // the first epoch's checkpoint was written before the failure and is whole
        assertTrue(Files.size(run.resolve("checkpoints/best.params")) > 1000);
        assertEquals(1, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }

    @Test
    void datasetMissingEmptyOrWithUnknownColumn() throws Exception {
        assertTrue(fails(args()[0], "--train", dir.resolve("missing.tsv").toString(), "--tokenizer",
                tokenizer.toString(), "--run-dir", dir.resolve("r").toString()).contains("dataset file not found"));
        Path empty = Files.writeString(dir.resolve("empty.tsv"), "sentence\tlabel\n");
        assertTrue(fails("train", "--train", empty.toString(), "--tokenizer", tokenizer.toString(), "--run-dir",
                dir.resolve("r").toString()).contains("is empty"));
        String err = fails(args("--text-col", "question1"));
        assertTrue(err.contains("unknown column 'question1'") && err.contains("[sentence, label]"), err);
    }

    @Test
    void tinyDatasetTrainsOfflineWithItsOwnTokenizer() throws Exception {
        Path cache = dir.resolve("tiny-cache");
        Path run = dir.resolve("run-tiny");
        StringWriter err = new StringWriter();
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), "train", "--dataset", "tiny",
                "--cache-dir", cache.toString(), "--run-dir", run.toString(), "--student", "fasttext", "--hidden",
                "16", "--max-length", "16", "--batch-size", "16", "--max-steps", "3", "--no-progress");
        assertEquals(0, code, err.toString());
        assertTrue(Files.readString(cache.resolve("tiny-sentiment-tokenizer.json")).contains("\"terrible\""));
        assertTrue(Files.exists(run.resolve("metrics.jsonl")), "a run directory was written");
        String unknown = fails("train", "--dataset", "imdb", "--run-dir", dir.resolve("r").toString());
        assertTrue(unknown.contains("unknown --dataset 'imdb'; built in: spam-assassin, tiny"), unknown);
        String both = fails("train", "--dataset", "tiny", "--train", train.toString(), "--run-dir",
                dir.resolve("r").toString());
        assertTrue(both.contains("give exactly one of --dataset spam-assassin, tiny or --train FILE"), both);
    }

    @Test
    void labelOutOfRange() throws Exception {
        Path validation = Files.write(dir.resolve("val.tsv"), List.of("sentence\tlabel", "a cat\tneutral"));
        String err = fails(args("--validation", validation.toString()));
        assertTrue(err.contains("label 'neutral' is out of range") && err.contains("[negative, positive]"), err);
    }

    @Test
    void tokenizerMissing() {
        String err = fails("train", "--train", train.toString(), "--tokenizer", dir.resolve("nope.json").toString(),
                "--run-dir", dir.resolve("r").toString());
        assertTrue(err.contains("tokenizer file not found") && err.contains("nope.json"), err);
    }

    @Test
    void everyOptionOfEveryTrainingCommandIsDescribed() {
        for (String command : new String[]{"train", "train-teacher", "bench", "demo", "export"}) {
            CommandLine.Model.CommandSpec spec = new CommandLine(new StudentTrainerMain()).getSubcommands()
                    .get(command).getCommandSpec();
            for (CommandLine.Model.OptionSpec option : spec.options()) {
                assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                        command + " " + option.longestName() + " has no description");
            }
        }
    }

    @Test
    void trainTeacherOffersNoDistillationOptions() {
        CommandLine.Model.CommandSpec spec = new CommandLine(new StudentTrainerMain()).getSubcommands()
                .get("train-teacher").getCommandSpec();
        for (String option : new String[]{"--teacher", "--soft-label-weight", "--temperature", "--prefetch",
                "--student"}) {
            assertNull(spec.findOption(option), "train-teacher offers " + option);
        }
        assertTrue(fails("train-teacher", "--soft-label-weight", "1", "--out", "t.onnx", "--run-dir", "r")
                .matches(".*Unknown options?: '--soft-label-weight'.*"));
    }

    @Test
    void helpShowsDefaultsFromTheOptionRecords() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine train = new CommandLine(new StudentTrainerMain()).getSubcommands().get("train");
        train.setUsageHelpWidth(1000);
        train.usage(new PrintWriter(out));
        String help = out.toString();
        assertTrue(help.contains("Peak learning rate of AdamW (default: "
                + org.distillery.student.options.OptimizerOptions.DEFAULTS.learningRate() + ")"), help);
        assertTrue(help.contains("kl (KL x T^2) or cross_entropy (default: kl)"), help);
        assertTrue(help.contains("Hidden width; the embedding width of a fasttext student (default: "
                + org.distillery.student.options.StudentOptions.DEFAULTS.hidden() + ")"), help);
    }

    @Test
    void invalidHyperparameters() {
        assertTrue(fails(args("--soft-label-weight", "-1")).contains("soft_label_weight must be finite and >= 0, got -1.0"));
        assertTrue(fails(args("--temperature", "0")).contains("temperature must be > 0, got 0.0"));
        assertTrue(fails(args("--start-dur", "0.8", "--end-dur", "0.2"))
                .contains("start_dur (0.8) must not be after end_dur (0.2)"));
        assertTrue(fails(args("--soft-label-loss-type", "l2")).contains("soft_label_loss_type must be kl"));
    }
}
