package org.distillery.teacher.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.common.testing.TestCertificates;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.teacher.server.Requests;
import org.distillery.teacher.server.ServedModel;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code teacher-server health} against real servers on 127.0.0.1: serving, draining, gone, lists, TLS, bad usage. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HealthCommandTest {
    @TempDir
    static Path dir;
    private static Path model;

    private final List<TeacherServer> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void files() throws Exception {
        model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
    }

    @AfterEach
    void close() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (TeacherServer server : servers) {
            server.shutdown(1000);
        }
    }

    /** Starts a server the way {@code teacher-server} does, on a free port of 127.0.0.1. */
    private TeacherServer serve(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--device", "cpu", "--host", "127.0.0.1", "--port", "0",
                "--model", "m=" + model));
        args.addAll(List.of(options));
        TeacherServerMain main = new TeacherServerMain();
        new CommandLine(main).parseArgs(args.toArray(new String[0]));
        TeacherServer server = main.start();
        servers.add(server);
        return server;
    }

    /** What {@code teacher-server health ARGS} printed and returned. */
    private record Outcome(int code, String out, String err) {
    }

    private static Outcome health(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("health"));
        all.addAll(List.of(args));
        int code = TeacherServerMain.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                all.toArray(new String[0]));
        return new Outcome(code, out.toString().trim(), err.toString().trim());
    }

    /** An unhealthy outcome: exit 1, nothing on stdout, exactly one line on stderr, which is returned. */
    private static String unhealthy(Outcome o) {
        assertEquals(HealthCommand.NOT_HEALTHY, o.code(), o.toString());
        assertEquals("", o.out(), o.toString());
        assertEquals(1, o.err().lines().count(), o.toString());
        assertTrue(o.err().startsWith("teacher-server health: "), o.toString());
        return o.err();
    }

    /** A port of 127.0.0.1 where nothing listens (free a moment ago). */
    private static int deadPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aServingServerExitsZero() throws Exception {
        String target = "127.0.0.1:" + serve().port();
        Outcome o = health("--target", target);
        assertEquals(0, o.code(), o.toString());
        assertEquals(target + ": SERVING (distillery.v1.TeacherService)", o.out());
        assertEquals("", o.err());
        Outcome whole = health("--teacher", target, "--service", "");
        assertEquals(0, whole.code(), whole.toString());
        assertEquals(target + ": SERVING", whole.out());
    }

    @Test
    void nothingListeningIsUnreachableWithTheReason() throws Exception {
        int port = deadPort();
        String line = unhealthy(health("--target", "127.0.0.1:" + port, "--timeout-seconds", "5"));
        assertTrue(line.contains("127.0.0.1:" + port + " unreachable: UNAVAILABLE"), line);
        assertTrue(line.contains("Connection refused"), line);
    }

    @Test
    void aNameThatDoesNotResolveIsUnreachable() {
        String line = unhealthy(health("--target", "no-such-teacher.invalid:50051", "--timeout-seconds", "5"));
        assertTrue(line.contains("no-such-teacher.invalid:50051 unreachable"), line);
    }

    @Test
    void everyTeacherOfAListIsChecked() throws Exception {
        String a = "127.0.0.1:" + serve().port();
        String b = "127.0.0.1:" + serve().port();
        Outcome both = health("--target", a + "," + b);
        assertEquals(0, both.code(), both.toString());
        assertEquals(a + ", " + b + ": SERVING (distillery.v1.TeacherService)", both.out());

        String dead = "127.0.0.1:" + deadPort();
        String line = unhealthy(health("--target", a + "," + dead + "," + b));
        assertTrue(line.contains(dead + " unreachable"), line);
        assertFalse(line.contains(a) || line.contains(b), "only the dead teacher is named: " + line);
    }

    @Test
    void anUnknownServiceIsNamed() throws Exception {
        String line = unhealthy(health("--target", "127.0.0.1:" + serve().port(), "--service", "no.Such"));
        assertTrue(line.contains("does not know service 'no.Such' (NOT_FOUND)"), line);
    }

    @Test
    void notServingOnceDrainingStarts() throws Exception {
        // A 3 s gathering delay keeps one request in flight, so the drain lasts that long; the plaintext health
        // port keeps answering through the drain while the main port refuses new calls.
        TeacherServer server = serve("--health-port", "0", "--max-batch", "64", "--max-queue-delay-us", "3000000");
        String main = "127.0.0.1:" + server.port();
        String probe = "127.0.0.1:" + server.healthPort();
        assertEquals(0, health("--target", probe).code());
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        channels.add(channel);
        CompletableFuture<InferResponse> inFlight = CompletableFuture.supplyAsync(() -> TeacherServiceGrpc
                .newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .infer(Requests.mlp("m", Requests.randomFloats(1, 4), 1, 4)));
        ServedModel served = (ServedModel) server.registry().endpoint("m");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (served.batcher().submitted() < 1) {
            if (System.nanoTime() > until) {
                fail("the request never reached the batcher");
            }
            Thread.sleep(5);
        }
        Thread stopper = new Thread(() -> server.shutdown(20_000), "stopper");
        stopper.start();

        String line = unhealthy(health("--target", probe));
        assertEquals("teacher-server health: " + probe + " is NOT_SERVING (service distillery.v1.TeacherService)",
                line);
        assertTrue(unhealthy(health("--target", main)).contains(main + " unreachable"));
        assertFalse(inFlight.isDone(), "the drain was still under way while health was asked");
        assertEquals(1, inFlight.get(30, TimeUnit.SECONDS).getTimings().getBatchSize());
        stopper.join(30_000);
        assertTrue(unhealthy(health("--target", probe)).contains(probe + " unreachable"), "gone once stopped");
    }

    @Test
    void tlsNeedsTheCaLikeQuery() throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("pki"));
        String target = "127.0.0.1:" + serve("--tls-cert", certs.serverCert().toString(), "--tls-key",
                certs.serverKey().toString()).port();
        assertTrue(unhealthy(health("--target", target)).contains(target + " unreachable: UNAVAILABLE"));
        Outcome o = health("--target", target, "--teacher-tls-ca", certs.caCert().toString());
        assertEquals(0, o.code(), o.toString());
    }

    @Test
    void badUsageExitsTwoWithOneLine() {
        Outcome zero = health("--timeout-seconds", "0");
        assertEquals(2, zero.code(), zero.toString());
        assertEquals("teacher-server: --timeout-seconds must be from 1 to 3600, got 0", zero.err());

        Outcome target = health("--target", "no-port-here");
        assertEquals(2, target.code(), target.toString());
        assertEquals(1, target.err().lines().count(), target.toString());
        assertTrue(target.err().contains("--target must be host:port"), target.toString());

        Outcome lonelyKey = health("--teacher-tls-key", dir.resolve("k.pem").toString());
        assertEquals(2, lonelyKey.code(), lonelyKey.toString());
        assertTrue(lonelyKey.err().contains("--teacher-tls-key needs --teacher-tls-cert"), lonelyKey.toString());

        Outcome unknown = health("--no-such-option");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().lines().findFirst().orElse("").contains("Unknown option: '--no-such-option'"),
                unknown.toString());
    }
}
