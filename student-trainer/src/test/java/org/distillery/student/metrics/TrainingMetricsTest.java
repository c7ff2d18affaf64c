package org.distillery.student.metrics;

import ai.djl.ndarray.NDManager;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.metrics.MetricsHttpServer;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.Scrape;
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
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;
import org.distillery.student.train.TrainingException;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real DJL training against a real teacher server, both with metrics on: the trainer's counts match the run, and
 * the teacher's requests match the trainer's.
 */
@Timeout(300)
class TrainingMetricsTest {
    @TempDir
    static Path dir;
    private static TeacherServer server;
    private static ManagedChannel channel;
    private static PaddedTokenizer tokenizer;
    private static final Dataset TRAIN = TinyCorpus.make(64, 1);
    private static final Dataset VALIDATION = TinyCorpus.make(16, 2);
    private static final StudentConfig STUDENT = new StudentConfig(StudentKind.BERT, 100, 16, 1, 2, 32, 32, 2,
            0.1f);
    /** 2 epochs of 4 batches of 16, seed 7. */
    private static final OptimizerOptions OPTIMIZER = new OptimizerOptions(2, 0, 16, 3e-3f, 0.01f, 0.1f, 1f, 7);
    private TrainerMetrics metrics;

    @BeforeAll
    static void start() throws Exception {
        Path teacher = TestTeachers.bert(dir.resolve("teacher.onnx"),
                new BertGraphConfig(100, 32, 2, 2, 64, 64, 2, 2, 1e-12f), 3);
        TeacherMetrics teacherMetrics = TeacherMetrics.create();
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(16, 1000, 64)).metrics(teacherMetrics)
                .addModel("teacher", teacher, null, null, null).build();
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), registry,
                ServerLimits.defaults())
                .withMetricsServer(MetricsHttpServer.start("127.0.0.1", 0, teacherMetrics.registry())).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tokenizer.json")), 32, null);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown(2000);
        tokenizer.close();
    }

    @AfterEach
    void closeMetrics() {
        if (metrics != null) {
            metrics.close();
        }
    }

    @Test
    void aDistilledRunIsCountedOnBothSides() throws Exception {
        metrics = TrainerMetrics.create().serve(0);
        Scrape teacherBefore = Scrape.of(server.metricsPort());
        TeacherOptions options = TeacherOptions.of("127.0.0.1:" + server.port(), "teacher").withPrefetch(2);
        ObjectiveOptions objective = ObjectiveOptions.DEFAULTS.withLabelWeights(0.5f, 0.5f).withTemperature(2f);
        TrainResult result;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            result = Trainer.builder(STUDENT, OPTIMIZER, objective, tokenizer)
                    .teacher(TeacherConnection.over(channel, options).linkListener(metrics.linkListener()), options)
                    .metrics(metrics).build().train(TRAIN, VALIDATION, manager);
        }
        assertEquals(8, result.steps());
        // The link as the fleet client reported it: one endpoint, one request and one answer per step.
        Scrape link = Scrape.of(metrics.port());
        String endpoint = "127.0.0.1:" + server.port();
        assertEquals(8.0, link.value(LinkMetrics.REQUESTS + "_total", "endpoint", endpoint));
        assertEquals(8.0, link.value(LinkMetrics.ANSWERS + "_total", "endpoint", endpoint));
        assertEquals(0.0, link.value(LinkMetrics.IN_FLIGHT));

        Scrape s = Scrape.of(metrics.port());
        assertEquals(8.0, s.value(StepMetrics.STEPS + "_total"));
        assertEquals(0.0, s.value(StepMetrics.SKIPPED_STEPS + "_total"));
        assertTrue(s.value(StepMetrics.EXAMPLES_PER_SECOND) > 0, "examples/s");
        assertEquals(result.teacherWaitSeconds(), s.value(StepMetrics.TEACHER_WAIT + "_total"), 1e-6);
        double agreement = s.value(StepMetrics.AGREEMENT);
        assertTrue(agreement >= 0 && agreement <= 1, "agreement " + agreement);
        // The gauge holds the last step's KL, the one the result recorded.
        assertEquals(result.stepKl().get(7), s.value(StepMetrics.KL), 1e-6);

        // The teacher saw one request per step, of the batch's examples.
        Scrape teacherAfter = Scrape.of(server.metricsPort());
        String requests = TeacherMetrics.REQUESTS + "_total";
        String examples = TeacherMetrics.EXAMPLES + "_total";
        assertEquals(8, result.teacherRequests());
        assertEquals(8.0, teacherAfter.value(requests, "model", "teacher", "code", "OK")
                - before(teacherBefore, requests, "model", "teacher", "code", "OK"));
        assertEquals(8.0 * 16, teacherAfter.value(examples, "model", "teacher")
                - before(teacherBefore, examples, "model", "teacher"));
    }

    /** A counter's value in an earlier scrape: 0 when it had no series yet. */
    private static double before(Scrape scrape, String name, String... labels) {
        return scrape.has(name, labels) ? scrape.value(name, labels) : 0;
    }

    @Test
    void aRunWithoutTeacherCountsItsStepsAndLeavesTheTeacherFiguresEmpty() throws Exception {
        metrics = TrainerMetrics.create().serve(0);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer.builder(STUDENT, OPTIMIZER.withMaxSteps(5), ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .metrics(metrics).build().train(TRAIN, VALIDATION, manager);
        }
        Scrape s = Scrape.of(metrics.port());
        assertEquals(5.0, s.value(StepMetrics.STEPS + "_total"));
        assertEquals(0.0, s.value(StepMetrics.TEACHER_WAIT + "_total"));
        assertTrue(Double.isNaN(s.value(StepMetrics.AGREEMENT)), "no distilled batch yet");
        assertTrue(Double.isNaN(s.value(StepMetrics.KL)), "no distilled batch yet");
    }

    @Test
    void skippedStepsAreCountedUpToTheOneThatStopsTheRun() throws Exception {
        metrics = TrainerMetrics.create().serve(0);
        OptimizerOptions explosive = new OptimizerOptions(3, 12, 16, 1e30f, 0f, 0f, 0f, 7);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer trainer = Trainer.builder(STUDENT, explosive, ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .metrics(metrics).build();
            assertThrows(TrainingException.class, () -> trainer.train(TRAIN, VALIDATION, manager));
        }
        Scrape s = Scrape.of(metrics.port());
        double steps = s.value(StepMetrics.STEPS + "_total");
        double skipped = s.value(StepMetrics.SKIPPED_STEPS + "_total");
        // Five non-finite steps in a row stop the run; the fifth is counted too.
        assertTrue(skipped >= 5, "skipped " + skipped);
        assertTrue(steps >= skipped && steps <= 12, "steps " + steps + ", skipped " + skipped);
    }
}
