package org.distillery.student.fleet;

import ai.djl.ndarray.NDManager;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.TinyCorpus;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.client.TeacherLinkListener;
import org.distillery.student.data.Dataset;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.train.StepOutcome;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;
import org.distillery.student.train.TrainingListener;
import org.distillery.student.train.TrainingState;
import org.distillery.teacher.launch.TeacherProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trainer over a fleet of three teacher processes on loopback: requests spread over all of them, a teacher killed
 * with SIGKILL mid-run costs nothing (same weights, bit for bit, as a run without failure), a teacher that comes
 * back takes load again, and a {@code dns:///} name with several addresses reaches them all.
 */
@Timeout(300)
class TeacherFleetTest {
    private static final int BATCH = 16;
    private static final Dataset TRAIN = TinyCorpus.make(96, 1);
    private static final Dataset VALIDATION = TinyCorpus.make(32, 2);
    private static final StudentConfig STUDENT = new StudentConfig(StudentKind.BERT, 100, 16, 1, 2, 32, 32, 2,
            0.1f);
    /** 4 epochs of 6 batches of 16, seed 11. */
    private static final OptimizerOptions OPTIMIZER = new OptimizerOptions(4, 0, BATCH, 3e-3f, 0.01f, 0.1f, 1f, 11);
    private static final ObjectiveOptions OBJECTIVE = ObjectiveOptions.DEFAULTS.withLabelWeights(0.5f, 0.5f)
            .withTemperature(2f).withWindow(0f, 1f);

    @TempDir
    Path dir;
    private final List<TeacherProcess> teachers = new ArrayList<>();
    private PaddedTokenizer tokenizer;
    private TeacherProcess.Spec spec;

    @BeforeEach
    void start() throws Exception {
        Path onnx = TestTeachers.bert(dir.resolve("teacher.onnx"),
                new BertGraphConfig(100, 32, 2, 2, 64, 64, 2, 2, 1e-12f), 3);
        // --max-batch = the training batch: every request runs alone, so any teacher gives the same bytes
        spec = TeacherProcess.Spec.serving(Map.of("teacher", onnx), dir, BATCH, 1, -1);
        tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tokenizer.json")), 32, null);
    }

    @AfterEach
    void stop() {
        teachers.forEach(TeacherProcess::close);
        tokenizer.close();
    }

    private TeacherProcess teacher(String name, String host, int port) throws IOException {
        TeacherProcess t = TeacherProcess.start(spec.in(dir.resolve(name)).at(host, port));
        teachers.add(t);
        return t;
    }

    private String fleet(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            teacher("t" + i, "127.0.0.1", 0);
        }
        return teachers.stream().map(TeacherProcess::target).collect(Collectors.joining(","));
    }

    /** Counts what the client reports. */
    private static final class LinkCounts implements TeacherLinkListener {
        final AtomicInteger resent = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public void resent(int count) {
            resent.addAndGet(count);
        }

        @Override
        public void streamFailed(String endpoint, String code) {
            failures.incrementAndGet();
        }
    }

    private TrainResult train(String target, TrainingListener extra, TeacherLinkListener link) throws Exception {
        TeacherOptions options = TeacherOptions.of(target, "teacher").withPrefetch(4);
        try (TeacherConnection connection = TeacherConnection.open(options).linkListener(link);
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Trainer.Builder builder = Trainer.builder(STUDENT, OPTIMIZER, OBJECTIVE, tokenizer)
                    .teacher(connection, options);
            if (extra != null) {
                builder.listener(extra);
            }
            TrainResult r = builder.build().train(TRAIN, VALIDATION, manager);
            ai.djl.nn.ParameterList params = r.student().getParameters();
            float[][] values = new float[params.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = params.valueAt(i).getArray().toFloatArray();
            }
            weights.put(target + (extra == null ? "" : "+kill"), values);
            return r;
        }
    }

    private final Map<String, float[][]> weights = new java.util.HashMap<>();

    @Test
    void aTeacherKilledMidRunCostsNothingAndOneThatComesBackTakesLoad() throws Exception {
        String target = fleet(3);
        TrainResult reference = train(target, null, TeacherLinkListener.NONE);
        assertEquals(24, reference.steps());
        assertEquals(24, reference.teacherRequests());
        Map<String, Long> shares = reference.teacherAnswers();
        System.out.println("answers per teacher, no failure: " + shares);
        assertEquals(3, shares.size(), "every teacher served: " + shares);
        assertEquals(24, shares.values().stream().mapToLong(Long::longValue).sum(), "one answer per step");
        shares.values().forEach(n -> assertTrue(n >= 4, "a fair share each: " + shares));

        // Freeze the second teacher at step 4 (requests pile up on its stream), SIGKILL it two seconds later.
        TeacherProcess victim = teachers.get(1);
        LinkCounts link = new LinkCounts();
        TrainingListener killer = new TrainingListener() {
            @Override
            public void onStep(TrainingState state, StepOutcome outcome) {
                if (state.step() == 4) {
                    signal("STOP", victim);
                    CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS)
                            .execute(() -> victim.handle().destroyForcibly());
                }
            }
        };
        TrainResult failed = train(target, killer, link);
        System.out.println("answers per teacher, one killed: " + failed.teacherAnswers() + "; resent "
                + failed.teacherResends());
        assertEquals(24, failed.steps());
        assertEquals(24, failed.teacherRequests(), "no batch lost or duplicated");
        assertTrue(failed.teacherResends() >= 1, "the frozen teacher's requests went to the others");
        assertEquals(failed.teacherResends(), link.resent.get());
        assertTrue(link.failures.get() >= 1, "the dead stream was reported");
        assertEquals(24, failed.teacherAnswers().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(reference.stepLosses(), failed.stepLosses(), "the same losses step for step");
        float[][] a = weights.get(target);
        float[][] b = weights.get(target + "+kill");
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i + " is bit-identical");
        }

        // The killed teacher comes back on its port while a client streams to the other two: within 60 s the
        // client has found it (reconnect backoff reset, probes) and it answers again.
        assertTrue(victim.handle().onExit().get(30, TimeUnit.SECONDS) != null);
        String victimEndpoint = victim.target();
        TeacherOptions options = TeacherOptions.of(target, "teacher");
        try (TeacherConnection connection = TeacherConnection.open(options);
             TeacherClient client = connection.client(new TeacherNeeds(true, List.of()))) {
            TokenIds ids = tokenizer.encode(List.of("the cat sat on the mat"), null);
            for (int i = 0; i < 6; i++) {
                client.request(ids, 0, 0).get(30, TimeUnit.SECONDS);
            }
            assertEquals(2, client.answersByEndpoint().size(), "two teachers live: " + client.answersByEndpoint());
            Thread.sleep(3000); // long enough for gRPC's reconnect backoff to the dead port to grow
            teacher("t1-again", "127.0.0.1", victim.port());
            long started = System.nanoTime();
            while (!client.answersByEndpoint().containsKey(victimEndpoint)) {
                assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60),
                        "the teacher that came back took no load within 60 s: " + client.answersByEndpoint());
                client.request(ids, 0, 0).get(30, TimeUnit.SECONDS);
                Thread.sleep(20);
            }
            System.out.printf("the restarted teacher answered %.1f s after it served%n",
                    (System.nanoTime() - started) / 1e9);
        }
    }

    @Test
    void aDnsNameWithSeveralAddressesReachesEveryTeacher() throws Exception {
        InetAddress first = InetAddress.getByName("127.0.0.2");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, first)) {
            port = s.getLocalPort();
        }
        List<String> hosts = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
        for (String host : hosts) {
            teacher("dns-" + host, host, port);
        }
        Path hostsFile = Files.writeString(dir.resolve("hosts"), hosts.stream()
                .map(h -> h + " teachers.fleet.test\n").collect(Collectors.joining()));
        Dataset corpus = TinyCorpus.make(160, 3);
        Path train = Files.write(dir.resolve("train.tsv"), corpus.examples().stream()
                .map(e -> e.text() + "\t" + corpus.labelNames().get(e.label())).collect(Collectors.toCollection(() -> new ArrayList<>(
                        List.of("sentence\tlabel")))));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-Xss16m", "-Djdk.net.hosts.file=" + hostsFile, "-Dsun.net.inetaddr.ttl=1",
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "org.distillery.student.cli.StudentTrainerMain", "train", "--train", train.toString(),
                "--tokenizer", dir.resolve("tokenizer.json").toString(), "--run-dir", dir.resolve("dns-run")
                        .toString(), "--student", "bert", "--hidden", "16", "--layers", "1", "--max-length", "32",
                "--batch-size", "16", "--epochs", "2", "--no-progress", "--teacher",
                "dns:///teachers.fleet.test:" + port, "--teacher-model", "teacher"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dns-trainer.log").toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the trainer finished");
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(dir.resolve("dns-trainer.log"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        String line = log.lines().filter(l -> l.startsWith("teacher answers by endpoint:")).findFirst()
                .orElseThrow(() -> new AssertionError("no answers line: " + log));
        System.out.println("dns:/// " + line);
        for (String host : hosts) {
            assertTrue(line.contains(host + ":" + port + "="), host + " answered: " + line);
        }
    }

    private static void signal(String name, TeacherProcess process) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.handle().pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
