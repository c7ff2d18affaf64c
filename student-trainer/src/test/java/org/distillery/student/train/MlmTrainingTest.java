package org.distillery.student.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.io.Json;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.mlm.MaskedBatch;
import org.distillery.student.mlm.MaskingOptions;
import org.distillery.student.mlm.MlmCorpus;
import org.distillery.student.mlm.MlmEvaluation;
import org.distillery.student.mlm.MlmMasker;
import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.MlmWire;
import org.distillery.student.mlm.SpecialTokens;
import org.distillery.student.mlm.TeacherLogits;
import org.distillery.student.TestStudents;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Masked-LM distillation over a real gRPC teacher server on loopback: a masked LM exported here (and the Hugging
 * Face {@code BertForMaskedLM} fixture, served unmodified) answers at the masked positions only; the student trains
 * on every term; the run directory is the reference pipeline's.
 */
@Timeout(300)
class MlmTrainingTest {
    private static final Path HF_FIXTURE = Path.of("../teacher-server/src/test/resources/hf/bert_mlm.onnx");
    @TempDir
    Path dir;
    private TeacherServer server;
    private PaddedTokenizer tokenizer;
    private SpecialTokens special;
    private MlmCorpus corpus;
    private StudentConfig teacherConfig;

    @BeforeEach
    void start() throws Exception {
        Path tokenizerFile = TinySentiment.writeTokenizer(dir.resolve("tokenizer.json"));
        tokenizer = PaddedTokenizer.load(tokenizerFile, 24, null);
        special = SpecialTokens.read(tokenizerFile);
        List<String> sentences = TinySentiment.make(160, 5).examples().stream().map(e -> e.text()).toList();
        List<String> documents = new ArrayList<>();
        for (int i = 0; i + 5 <= sentences.size(); i += 5) {
            documents.add(String.join(" ", sentences.subList(i, i + 5)));
        }
        corpus = MlmCorpus.load(documents, "tiny", tokenizerFile, tokenizer, special, null);
        int vocab = tokenizer.vocabularySize();
        teacherConfig = new StudentConfig(StudentKind.BERT_MLM, vocab, 32, 2, 2, 64, 24, vocab, 0.1f);
        Path teacherOnnx = dir.resolve("teacher.onnx");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock teacher = TestStudents.perturbed(teacherConfig, manager, 9, 0.3f);
            OnnxStudentExporter.export(teacher, teacherConfig, Map.of(), teacherOnnx, manager);
        }
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(16, 1000, 64)).addModel("mlm", teacherOnnx, null, null, null)
                .addModel("hf", HF_FIXTURE, null, null, null).build();
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), registry,
                ServerLimits.defaults()).start();
    }

    @AfterEach
    void stop() throws Exception {
        tokenizer.close();
        server.shutdown(1);
    }

    private MlmTrainer.Result distil(String model, MlmCorpus data, SpecialTokens tokens, StudentConfig student,
                                     TeacherLogits logits, OptimizerOptions optimizer, Path runDir, Path init)
            throws Exception {
        TeacherOptions options = TeacherOptions.of("127.0.0.1:" + server.port(), model).withPrefetch(2);
        try (TeacherConnection connection = TeacherConnection.open(options);
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TeacherClient client = connection.client(new TeacherNeeds(true, List.of()));
            try {
                MlmObjectiveOptions objective = MlmObjectiveOptions.DISTILBERT;
                MlmWire wire = new MlmWire(model, connection.inputNames(), connection.info().getLogitsOutput(),
                        objective.hiddenOutput(), logits, objective.temperature(), DataType.FLOAT16);
                int hidden = (int) connection.info().getOutputsList().stream()
                        .filter(o -> o.getName().equals("last_hidden_state")).findFirst().orElseThrow().getShape(2);
                MlmMasker masker = new MlmMasker(MaskingOptions.DISTILBERT, data.counts(), tokens);
                List<MaskedBatch> heldOut = MlmEvaluation.batches(data.sequences().subList(0, 8), masker, 4);
                MlmTrainer.Builder builder = MlmTrainer.builder(student, optimizer, objective,
                                MaskingOptions.DISTILBERT, tokens).teacher(client, wire, hidden, 2,
                                Map.of("teacher_logits", logits.toString())).groupByLength(true)
                        .run(runDir == null ? RunOptions.DEFAULTS : RunOptions.in(runDir));
                if (init != null) {
                    builder.initFromTeacher(init);
                }
                return builder.build().train(data, heldOut, manager);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void distilsOverTheWireAndKeepsTheRunDirectory() throws Exception {
        StudentConfig student = new StudentConfig(StudentKind.BERT_MLM, teacherConfig.vocabSize(), 32, 1, 2, 64, 24,
                teacherConfig.vocabSize(), 0.1f);
        Path run = dir.resolve("run");
        OptimizerOptions optimizer = new OptimizerOptions(2, 0, 8, 1e-3f, 0.01f, 0.1f, 1f, 3);
        MlmTrainer.Result r = distil("mlm", corpus, special, student, TeacherLogits.parse("topk:8"), optimizer, run,
                dir.resolve("teacher.onnx"));
        int perEpoch = (corpus.sequences().size() + 7) / 8;
        assertEquals(2 * perEpoch, r.steps());
        assertEquals(r.steps(), r.requests(), "one request per step");
        assertTrue(r.positions() > 0 && r.responseBytes() > 0);
        assertEquals(2, r.epochMetrics().size());
        for (Map<String, Double> epoch : r.epochMetrics()) {
            for (String key : List.of("loss_ce", "loss_mlm", "loss_cos", "val_masked_accuracy", "val_perplexity")) {
                assertTrue(epoch.containsKey(key) && Double.isFinite(epoch.get(key)), key + " in " + epoch);
            }
        }
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"bert-mlm\""));
        String parameters = Files.readString(run.resolve("parameters.json"));
        assertTrue(parameters.contains("\"task\": \"mlm\"") && parameters.contains("topk:8")
                && parameters.contains("\"init_from_teacher\""), parameters);
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        for (String file : List.of("epoch-1.params", "epoch-2.params", "last.ckpt", "final.params")) {
            assertTrue(Files.isRegularFile(run.resolve("checkpoints").resolve(file)), file);
        }
    }

    @Test
    void everyWayOfSendingTheDistributionTrains() throws Exception {
        StudentConfig student = new StudentConfig(StudentKind.BERT_MLM, teacherConfig.vocabSize(), 16, 1, 2, 32, 24,
                teacherConfig.vocabSize(), 0.1f);
        OptimizerOptions optimizer = new OptimizerOptions(1, 3, 8, 1e-3f, 0.01f, 0.1f, 1f, 4);
        long topk = 0;
        for (String mode : List.of("topk:4", "sample:4", "topk:4+tail:4", "dense")) {
            MlmTrainer.Result r = distil("mlm", corpus, special, student, TeacherLogits.parse(mode), optimizer, null,
                    null);
            assertEquals(3, r.steps(), mode);
            Map<String, Double> last = r.lastMetrics();
            assertTrue(Double.isFinite(last.get("loss_ce")) && last.get("loss_ce") >= -1e-3, mode + ": " + last);
            assertTrue(last.containsKey("loss_cos"), "hidden widths 16 vs 32: the cosine term projects");
            if (mode.equals("topk:4")) {
                topk = r.logitsBytes();
            } else if (mode.equals("dense")) {
                assertTrue(r.logitsBytes() > 2 * topk, "dense " + r.logitsBytes() + " vs top-4 " + topk);
            }
        }
    }

    @Test
    void distilsFromTheHuggingFaceExportServedUnmodified() throws Exception {
        assertTrue(Files.isRegularFile(HF_FIXTURE), HF_FIXTURE.toAbsolutePath().toString());
        // BERT uncased ids: [CLS] 101, [SEP] 102, [MASK] 103, [PAD] 0; sequences of ordinary word ids
        SpecialTokens bert = new SpecialTokens(101, 102, 103, 0);
        Random random = new Random(2);
        List<int[]> sequences = new ArrayList<>();
        int[] documents = new int[24];
        for (int i = 0; i < documents.length; i++) {
            int[] s = new int[14 + random.nextInt(8)];
            s[0] = 101;
            for (int j = 1; j < s.length - 1; j++) {
                s[j] = 1996 + random.nextInt(3000);
            }
            s[s.length - 1] = 102;
            sequences.add(s);
            documents[i] = i;
        }
        long[] counts = new long[30522];
        sequences.forEach(s -> {
            for (int id : s) {
                counts[id]++;
            }
        });
        MlmCorpus data = new MlmCorpus(sequences, documents, counts, "synthetic", false);
        StudentConfig student = new StudentConfig(StudentKind.BERT_MLM, 30522, 16, 1, 2, 32, 32, 30522, 0.1f);
        MlmTrainer.Result r = distil("hf", data, bert, student, TeacherLogits.parse("topk:32"),
                new OptimizerOptions(1, 0, 8, 1e-3f, 0.01f, 0.1f, 1f, 6), null, null);
        assertEquals(3, r.steps());
        assertEquals(3, r.requests());
        // top-32 of a 30,522-word vocabulary: far below the dense answer's 4 bytes per word and position
        assertTrue(r.logitsBytes() < r.positions() * 30522L * 4 / 50, r.logitsBytes() + " bytes");
        assertTrue(Double.isFinite(r.lastMetrics().get("loss_ce")));
    }

    @Test
    void aTermThatNeedsATeacherWithoutOneIsRefused() {
        StudentConfig student = new StudentConfig(StudentKind.BERT_MLM, 40, 16, 1, 2, 32, 24, 40, 0.1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlmTrainer.builder(student,
                OptimizerOptions.DEFAULTS, MlmObjectiveOptions.DISTILBERT, MaskingOptions.DISTILBERT, special).build());
        assertTrue(e.getMessage().contains("need a teacher"), e.getMessage());
        IllegalArgumentException clm = assertThrows(IllegalArgumentException.class,
                () -> new MlmObjectiveOptions(5, 2, 1, 0, 0.5f, 2, "last_hidden_state"));
        assertTrue(clm.getMessage().contains("causal-LM distillation") && clm.getMessage().contains("out of scope"),
                clm.getMessage());
        assertFalse(Json.LINE.toJson(MlmObjectiveOptions.DISTILBERT).isEmpty());
    }
}
