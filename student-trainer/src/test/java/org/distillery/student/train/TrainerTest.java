package org.distillery.student.train;

import ai.djl.ndarray.NDManager;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.TinyCorpus;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.Dataset;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.TeacherOptions;
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
import org.junit.jupiter.api.Timeout;
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
@Timeout(300)
class TrainerTest {
    @TempDir
    static Path dir;
    private static TeacherServer server;
    private static ManagedChannel channel;
    private static PaddedTokenizer tokenizer;
    private static final Dataset TRAIN = TinyCorpus.make(96, 1);
    private static final Dataset VALIDATION = TinyCorpus.make(32, 2);
    private static final StudentConfig STUDENT = new StudentConfig(StudentKind.BERT, 100, 16, 1, 2, 32, 32, 2,
            0.1f);
    /** 3 epochs of 6 batches of 16 at lr 3e-3, seed 7. */
    private static final OptimizerOptions OPTIMIZER = new OptimizerOptions(3, 0, 16, 3e-3f, 0.01f, 0.1f, 1f, 7);

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

    private static ObjectiveOptions objective(float hard, float soft, float startDur, float endDur) {
        return ObjectiveOptions.DEFAULTS.withLabelWeights(hard, soft).withTemperature(1f).withWindow(startDur, endDur);
    }

    private static TeacherOptions teacherOptions(int prefetch) {
        return TeacherOptions.of("127.0.0.1:" + server.port(), "teacher").withPrefetch(prefetch);
    }

    private static Trainer.Builder trainer(int maxSteps, ObjectiveOptions objective, int prefetch) {
        return Trainer.builder(STUDENT, OPTIMIZER.withMaxSteps(maxSteps), objective, tokenizer)
                .teacher(TeacherConnection.over(channel, teacherOptions(prefetch)), teacherOptions(prefetch));
    }

    private static long teacherExamples() {
        return ((ServedModel) server.registry().endpoint("teacher")).batcher().examplesRun();
    }

    @Test
    void distillationLowersTheLossAndTheKlToTheTeacher() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = trainer(18, objective(0f, 1f, 0f, 1f), 2).run(RunOptions.in(dir.resolve("run-kd")))
                    .build().train(TRAIN, VALIDATION, manager);
            assertEquals(18, r.steps());
            double firstKl = average(r.stepKl(), 0, 4);
            double lastKl = average(r.stepKl(), 14, 18);
            assertTrue(lastKl < firstKl * 0.7, "KL to the teacher " + firstKl + " -> " + lastKl);
            assertTrue(average(r.stepLosses(), 14, 18) < average(r.stepLosses(), 0, 4));
            assertEquals(18, r.teacherRequests());
        }
        Path run = dir.resolve("run-kd");
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"vocab_size\": 100"));
        String parameters = Files.readString(run.resolve("parameters.json"));
        assertTrue(parameters.contains("\"soft_label_weight\": 1.0") && parameters.contains("\"learning_rate\""),
                parameters);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, lines.size());
        // Only the soft-label term ran (hard weight 0): the metrics show it beside the total.
        assertTrue(lines.get(0).contains("\"loss_soft_label\"") && !lines.get(0).contains("loss_hard_label"),
                lines.get(0));
        assertTrue(Files.size(run.resolve("checkpoints/final.params")) > 1000);
    }

    @Test
    void noTeacherRequestsOutsideTheDistillationWindow() throws Exception {
        long before = teacherExamples();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // 18 steps; distillation on for steps [9, 13.5): steps 9..13, five batches of 16.
            TrainResult r = trainer(18, objective(1f, 1f, 0.5f, 0.75f), 3).build().train(TRAIN, VALIDATION,
                    manager);
            assertEquals(5, r.teacherRequests());
            for (int s = 0; s < 18; s++) {
                assertEquals(s >= 9 && s < 14, !Float.isNaN(r.stepKl().get(s)), "teacher used at step " + s);
            }
        }
        assertEquals(5 * 16, teacherExamples() - before);
    }

    @Test
    void aRunWhoseLossStopsBeingFiniteStopsWithAClearMessage() throws Exception {
        OptimizerOptions explosive = new OptimizerOptions(3, 18, 16, 1e30f, 0f, 0f, 0f, 7);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer trainer = Trainer.builder(STUDENT, explosive, ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(dir.resolve("run-diverged"))).build();
            TrainingException e = assertThrows(TrainingException.class, () -> trainer.train(TRAIN, VALIDATION,
                    manager));
            assertTrue(e.getMessage().startsWith("training diverged: loss or gradients were not finite for "
                    + DivergenceGuard.MAX_IN_A_ROW + " steps in a row"), e.getMessage());
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
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            return weights(trainer(8, objective(0.5f, 0.5f, 0f, 1f), 2).build().train(TRAIN, VALIDATION, manager));
        }
    }

    private static double average(List<Float> values, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += values.get(i);
        }
        return s / (to - from);
    }

    /** Stands in for a kill: throws after the given step, so nothing after it is saved. */
    private record KillAfter(int step) implements TrainingListener {
        @Override
        public void onStep(TrainingState state, StepOutcome outcome) {
            if (state.step() == step) {
                throw new Killed();
            }
        }
    }

    private static final class Killed extends RuntimeException {
    }

    @Test
    void aRunKilledMidEpochAndResumedEndsLikeAnUninterruptedOne() throws Exception {
        ObjectiveOptions objective = objective(0.5f, 0.5f, 0f, 1f);
        float[][] whole;
        List<Float> wholeLosses;
        Path wholeRun = dir.resolve("run-whole");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = trainer(0, objective, 2).run(RunOptions.in(wholeRun).withCheckpointEvery(4)).build()
                    .train(TRAIN, VALIDATION, manager);
            wholeLosses = r.stepLosses();
            whole = weights(r);
        }
        Path interrupted = dir.resolve("run-interrupted");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // Epochs are 6 steps; checkpoints every 4: at 4 (mid-epoch 1), 6, 8, 12, ...; the kill comes at 10.
            Trainer killed = trainer(0, objective, 2).run(RunOptions.in(interrupted).withCheckpointEvery(4))
                    .listener(new KillAfter(10)).build();
            assertThrows(Killed.class, () -> killed.train(TRAIN, VALIDATION, manager));
        }
        assertEquals(8, Checkpoint.load(interrupted.resolve("checkpoints/last.ckpt")).step(),
                "the last checkpoint is mid-way through the second epoch");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult rest = trainer(0, objective, 2).run(RunOptions.in(interrupted).withCheckpointEvery(4)
                    .resuming()).build().train(TRAIN, VALIDATION, manager);
            assertEquals(18, rest.steps());
            assertEquals(wholeLosses.subList(8, 18), rest.stepLosses(), "the same losses step for step");
            float[][] again = weights(rest);
            for (int i = 0; i < whole.length; i++) {
                assertArrayEquals(whole[i], again[i], "parameter " + i);
            }
        }
        // The second epoch's line averages over all its six steps, four of them run before the kill.
        assertEquals(Files.readString(wholeRun.resolve("metrics.jsonl")),
                Files.readString(interrupted.resolve("metrics.jsonl")));
        assertArrayEquals(Files.readAllBytes(wholeRun.resolve("checkpoints/final.params")),
                Files.readAllBytes(interrupted.resolve("checkpoints/final.params")));
    }

    @Test
    void resumingWithOtherSettingsIsRefused() throws Exception {
        Path run = dir.resolve("run-settings");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer.builder(STUDENT, OPTIMIZER.withMaxSteps(4), ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(run)).build().train(TRAIN, VALIDATION, manager);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(STUDENT,
                    OPTIMIZER.withMaxSteps(4).withLearningRate(1e-3f), ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(run).resuming()).build().train(TRAIN, VALIDATION, manager));
            assertTrue(e.getMessage().contains("learning_rate was 0.003 in this run, now 0.001"), e.getMessage());
        }
    }

    private static float[][] weights(TrainResult result) {
        ai.djl.nn.ParameterList params = result.student().getParameters();
        float[][] values = new float[params.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = params.valueAt(i).getArray().toFloatArray();
        }
        return values;
    }

    @Test
    void timeLimitStopsAfterTheStepUnderWayAndLeavesAResumableCheckpoint() throws Exception {
        Path run = dir.resolve("run-time");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = Trainer.builder(STUDENT, OPTIMIZER, ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(run).withTimeLimit(1e-6)).build().train(TRAIN, VALIDATION, manager);
            assertEquals(1, r.steps(), "the first step runs, then the limit has passed");
        }
        assertEquals(1, Checkpoint.load(run.resolve("checkpoints/last.ckpt")).step());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/final.params")));
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult rest = Trainer.builder(STUDENT, OPTIMIZER, ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(run).resuming()).build().train(TRAIN, VALIDATION, manager);
            assertEquals(18, rest.steps(), "the resumed run trains the other 17 steps");
            assertEquals(17, rest.stepLosses().size());
        }
    }
}
