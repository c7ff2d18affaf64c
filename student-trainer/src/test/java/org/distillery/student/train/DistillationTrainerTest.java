package org.distillery.student.train;

import ai.djl.ndarray.NDManager;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.student.TinyCorpus;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.data.Dataset;
import org.distillery.student.model.StudentConfig;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServedModel;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real DJL training against a real teacher server on loopback. */
class DistillationTrainerTest {
    @TempDir
    static Path dir;
    private static TeacherServer server;
    private static ManagedChannel channel;
    private static PaddedTokenizer tokenizer;
    private static final Dataset TRAIN = TinyCorpus.make(96, 1);
    private static final Dataset VALIDATION = TinyCorpus.make(32, 2);
    private static final StudentConfig STUDENT = new StudentConfig(StudentConfig.BERT, 100, 16, 1, 2, 32, 32, 2,
            0.1f);

    @BeforeAll
    static void start() throws Exception {
        Path teacher = TestTeachers.bert(dir.resolve("teacher.onnx"),
                new BertGraphConfig(100, 32, 2, 2, 64, 64, 2, 2, 1e-12f), 3);
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(16, 1000, 64)).addModel("teacher", teacher, null, null, null).build();
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), registry,
                ServerLimits.defaults()).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tokenizer.json")), 32, null);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown(2000);
        tokenizer.close();
    }

    private static TrainingOptions options(int maxSteps, float hard, float soft, float startDur, float endDur,
                                           int prefetch) {
        return new TrainingOptions(3, maxSteps, 0, 16, 3e-3f, 0.01f, 0.1f, 1f, 7, hard, soft, TrainingOptions.KL,
                1f, 0f, 0f, "mse", "pooled_output", 0f, 0f, 0f, startDur, endDur, 0, prefetch);
    }

    private static TeacherLink link() {
        return new TeacherLink(new TeacherClient(channel, "teacher", "logits", List.of(), DataType.FLOAT16, 30, 3),
                List.of("input_ids", "attention_mask", "token_type_ids"), 0);
    }

    private static long teacherExamples() {
        return ((ServedModel) server.registry().endpoint("teacher")).batcher().examplesRun();
    }

    @Test
    void distillationLowersTheLossAndTheKlToTheTeacher() throws Exception {
        TeacherLink teacher = link();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = new DistillationTrainer(STUDENT, options(18, 0f, 1f, 0f, 1f, 2), tokenizer, teacher,
                    new RunDirectory(dir.resolve("run-kd")), false).train(TRAIN, VALIDATION, manager);
            assertEquals(18, r.steps());
            double firstKl = average(r.stepKl(), 0, 4);
            double lastKl = average(r.stepKl(), 14, 18);
            assertTrue(lastKl < firstKl * 0.7, "KL to the teacher " + firstKl + " -> " + lastKl);
            assertTrue(average(r.stepLosses(), 14, 18) < average(r.stepLosses(), 0, 4));
            assertEquals(18, r.teacherRequests());
        } finally {
            teacher.client().close();
        }
        Path run = dir.resolve("run-kd");
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"hidden\": 16"));
        assertTrue(Files.readString(run.resolve("parameters.json")).contains("softLabelWeight"));
        assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(Files.size(run.resolve("checkpoints/final.params")) > 1000);
    }

    @Test
    void noTeacherRequestsOutsideTheDistillationWindow() throws Exception {
        TeacherLink teacher = link();
        long before = teacherExamples();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // 18 steps; distillation on for steps [9, 13.5): steps 9..13, five batches of 16.
            TrainResult r = new DistillationTrainer(STUDENT, options(18, 1f, 1f, 0.5f, 0.75f, 3), tokenizer, teacher,
                    null, false).train(TRAIN, VALIDATION, manager);
            assertEquals(5, r.teacherRequests());
            assertEquals(5, teacher.client().requestsSent());
            for (int s = 0; s < 18; s++) {
                assertEquals(s >= 9 && s < 14, !Float.isNaN(r.stepKl().get(s)), "teacher used at step " + s);
            }
        } finally {
            teacher.client().close();
        }
        assertEquals(5 * 16, teacherExamples() - before);
    }

    @Test
    void aRunWhoseLossStopsBeingFiniteStopsWithAClearMessage() throws Exception {
        TrainingOptions explosive = new TrainingOptions(3, 18, 0, 16, 1e30f, 0f, 0f, 0f, 7, 1f, 0f,
                TrainingOptions.KL, 1f, 0f, 0f, "mse", "pooled_output", 0f, 0f, 0f, 0f, 1f, 0, 0);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainingException e = assertThrows(TrainingException.class, () -> new DistillationTrainer(STUDENT,
                    explosive, tokenizer, null, new RunDirectory(dir.resolve("run-diverged")), false)
                    .train(TRAIN, VALIDATION, manager));
            assertTrue(e.getMessage().startsWith("training diverged: loss or gradients were not finite for "
                    + DistillationTrainer.MAX_SKIPPED_IN_A_ROW + " steps in a row"), e.getMessage());
            assertTrue(e.getMessage().contains("lower --lr"), e.getMessage());
        }
    }

    @Test
    void sameSeedGivesIdenticalWeights() throws Exception {
        float[][] first = trainWeights();
        float[][] second = trainWeights();
        for (int i = 0; i < first.length; i++) {
            assertArrayEquals(first[i], second[i], "parameter " + i);
        }
    }

    private static float[][] trainWeights() throws Exception {
        TeacherLink teacher = link();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            DistillationTrainer trainer = new DistillationTrainer(STUDENT, options(8, 0.5f, 0.5f, 0f, 1f, 2),
                    tokenizer, teacher, null, false);
            trainer.train(TRAIN, VALIDATION, manager);
            ai.djl.nn.ParameterList params = trainer.student().getParameters();
            float[][] values = new float[params.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = params.valueAt(i).getArray().toFloatArray();
            }
            return values;
        } finally {
            teacher.client().close();
        }
    }

    private static double average(List<Float> values, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += values.get(i);
        }
        return s / (to - from);
    }

    @Test
    void resumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
        TrainingOptions options = options(12, 0.5f, 0.5f, 0f, 1f, 2);
        float[][] whole;
        List<Float> wholeLosses;
        TeacherLink teacher = link();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            DistillationTrainer trainer = new DistillationTrainer(STUDENT, options, tokenizer, teacher,
                    new RunDirectory(dir.resolve("run-whole")), false).checkpoints(5, false);
            wholeLosses = trainer.train(TRAIN, VALIDATION, manager).stepLosses();
            whole = weights(trainer);
        } finally {
            teacher.client().close();
        }
        Path interrupted = dir.resolve("run-interrupted");
        teacher = link();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult partial = new DistillationTrainer(STUDENT, options, tokenizer, teacher,
                    new RunDirectory(interrupted), false).checkpoints(5, false).stopAbruptlyAfter(7)
                    .train(TRAIN, VALIDATION, manager);
            assertEquals(7, partial.steps());
        } finally {
            teacher.client().close();
        }
        // checkpoints at step 5 (every 5) and 6 (end of the first epoch); the kill came at 7
        assertEquals(6, Checkpoint.load(interrupted.resolve("checkpoints/last.ckpt")).step());
        teacher = link();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            DistillationTrainer resumed = new DistillationTrainer(STUDENT, options, tokenizer, teacher,
                    new RunDirectory(interrupted), false).checkpoints(5, true);
            TrainResult rest = resumed.train(TRAIN, VALIDATION, manager);
            assertEquals(wholeLosses.subList(6, 12), rest.stepLosses(), "the same losses step for step");
            assertEquals(12, rest.steps());
            assertEquals(6, rest.stepLosses().size(), "steps 6..11 ran again");
            float[][] again = weights(resumed);
            for (int i = 0; i < whole.length; i++) {
                assertArrayEquals(whole[i], again[i], "parameter " + i);
            }
        } finally {
            teacher.client().close();
        }
        assertEquals(Files.readString(dir.resolve("run-whole/metrics.jsonl")),
                Files.readString(interrupted.resolve("metrics.jsonl")));
    }

    @Test
    void resumingWithOtherSettingsIsRefused() throws Exception {
        Path run = dir.resolve("run-settings");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            new DistillationTrainer(STUDENT, options(4, 1f, 0f, 0f, 1f, 0), tokenizer, null, new RunDirectory(run),
                    false).train(TRAIN, VALIDATION, manager);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> new DistillationTrainer(STUDENT,
                            options(4, 1f, 0f, 0f, 1f, 3), tokenizer, null, new RunDirectory(run), false)
                            .checkpoints(0, true).train(TRAIN, VALIDATION, manager));
            assertTrue(e.getMessage().contains("prefetch was 0 in this run, now 3"), e.getMessage());
        }
    }

    private static float[][] weights(DistillationTrainer trainer) {
        ai.djl.nn.ParameterList params = trainer.student().getParameters();
        float[][] values = new float[params.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = params.valueAt(i).getArray().toFloatArray();
        }
        return values;
    }

    @Test
    void timeLimitStopsTrainingAndLeavesAResumableCheckpoint() throws Exception {
        Path run = dir.resolve("run-time");
        TrainingOptions limited = new TrainingOptions(3, 0, 1e-6, 16, 3e-3f, 0.01f, 0.1f, 1f, 7, 1f, 0f,
                TrainingOptions.KL, 1f, 0f, 0f, "mse", "pooled_output", 0f, 0f, 0f, 0f, 1f, 0, 0);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = new DistillationTrainer(STUDENT, limited, tokenizer, null, new RunDirectory(run), false)
                    .train(TRAIN, VALIDATION, manager);
            assertTrue(r.steps() < 18, "stopped early at " + r.steps());
        }
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/last.ckpt")));
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/final.params")));
    }
}
