package org.distillery.student.client;

import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.fleet.FleetChannels;
import org.distillery.common.fleet.TeacherTarget;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.DataType;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against real servers: waits for a teacher to come up; ensemble member sampling. */
@Timeout(120)
class TeacherClientTest {
    private static TeacherRequestSpec spec(String model) {
        return new TeacherRequestSpec(model, TeacherRequestSpec.TOKENIZER_INPUTS, "logits", List.of(),
                DataType.FLOAT16);
    }

    @TempDir
    Path dir;

    private TeacherServer start(int port, ModelRegistry registry) throws Exception {
        return new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)), registry,
                ServerLimits.defaults()).start();
    }

    private ModelRegistry.Builder registry() {
        return ModelRegistry.builder(new SessionFactory(Device.CPU, 1), new BatchingOptions(8, 500, 64));
    }

    @Test
    void aRequestWaitsForATeacherAndIsAnsweredOnceOneServes() throws Exception {
        Path model = TestTeachers.tinyBert(dir.resolve("t.onnx"), 1);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ManagedChannel channel = FleetChannels.builder(TeacherTarget.parse("--teacher", "127.0.0.1:" + port),
                InsecureChannelCredentials.create()).build();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tok.json")), 16, null);
             TeacherClient client = new TeacherClient(channel, spec("t"), 30, 6)) {
            TokenIds ids = tokenizer.encode(List.of("the cat sat"), null);
            CompletableFuture<TeacherOutputs> answer = client.request(ids, 0, 0);
            // Nothing listens yet: the stream waits for a ready teacher while gRPC keeps trying to connect.
            Thread.sleep(2500);
            assertFalse(answer.isDone(), "no answer without a server");
            TeacherServer server = start(port, registry().addModel("t", model, null, null, null).build());
            try {
                TeacherOutputs out = answer.get(60, TimeUnit.SECONDS);
                assertEquals(3, out.labels());
                assertEquals(1, client.requestsSent(), "sent once: it waited on a stream, not on retries");
                assertEquals(List.of("127.0.0.1:" + port), List.copyOf(client.answersByEndpoint().keySet()));
            } finally {
                server.shutdown(1000);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDrainingTeacherEndsItsStreamAndNothingIsLost() throws Exception {
        Path model = TestTeachers.tinyBert(dir.resolve("d.onnx"), 1);
        TeacherServer a = start(0, registry().addModel("t", model, null, null, null).build());
        TeacherServer b = start(0, registry().addModel("t", model, null, null, null).build());
        ManagedChannel channel = FleetChannels.builder(TeacherTarget.parse("--teacher", "127.0.0.1:" + a.port()
                + ",127.0.0.1:" + b.port()), InsecureChannelCredentials.create()).build();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tok.json")), 16, null);
             TeacherClient client = new TeacherClient(channel, spec("t"), 30, 3)) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (client.streamEndpoints().size() < 2 && System.nanoTime() < until) {
                Thread.sleep(50); // both teachers become ready (health checked), probes find each
            }
            assertEquals(2, client.streamEndpoints().size(), client.streamEndpoints().toString());
            TokenIds ids = tokenizer.encode(List.of("the cat sat", "a dog"), null);
            java.util.ArrayDeque<CompletableFuture<TeacherOutputs>> window = new java.util.ArrayDeque<>();
            CompletableFuture<Long> drained = null;
            for (int i = 0; i < 60; i++) {
                window.add(client.request(ids, 0, i));
                if (window.size() > 4) {
                    assertEquals(3, window.poll().get(30, TimeUnit.SECONDS).labels());
                }
                if (i == 20) {
                    // SIGTERM's path, with a long grace: it ends early only if the client lets go of the stream
                    drained = CompletableFuture.supplyAsync(() -> {
                        long started = System.nanoTime();
                        b.shutdown(60_000);
                        return (System.nanoTime() - started) / 1_000_000;
                    });
                }
            }
            while (!window.isEmpty()) {
                assertEquals(3, window.poll().get(30, TimeUnit.SECONDS).labels());
            }
            long millis = drained.get(60, TimeUnit.SECONDS);
            assertTrue(millis < 15_000, "the drained stream ended without waiting out the grace: " + millis + " ms");
            assertEquals(List.of("127.0.0.1:" + a.port()), client.streamEndpoints());
            assertEquals(2, client.answersByEndpoint().size(), client.answersByEndpoint().toString());
            assertEquals(60, client.answersByEndpoint().values().stream().mapToLong(Long::longValue).sum());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            a.shutdown(1000);
            b.shutdown(1000);
        }
    }

    @Test
    void samplesEnsembleMembersPerRequest() throws Exception {
        ModelRegistry.Builder b = registry();
        for (int i = 0; i < 4; i++) {
            b.addModel("m" + i, TestTeachers.tinyBert(dir.resolve("m" + i + ".onnx"), i), null, null, null);
        }
        TeacherServer server = start(0, b.addEnsemble("e", List.of("m0", "m1", "m2", "m3"), CombineMode.MEAN_LOGITS)
                .build());
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tok.json")), 16, null);
             TeacherClient client = new TeacherClient(channel, spec("e"), 30, 1)) {
            TokenIds ids = tokenizer.encode(List.of("the cat sat", "a dog"), null);
            Set<List<String>> used = new HashSet<>();
            for (long seed = 0; seed < 12; seed++) {
                TeacherOutputs out = client.request(ids, 2, seed).get(30, TimeUnit.SECONDS);
                assertEquals(2, out.members().size());
                used.add(out.members());
            }
            assertTrue(used.size() > 2, "different steps sample different members: " + used);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdown(1000);
        }
    }

    @Test
    void reportsTheBytesOfEveryRequestAndAnswer() throws Exception {
        TeacherServer server = start(0, registry().addModel("t", TestTeachers.tinyBert(dir.resolve("b.onnx"), 1),
                null, null, null).build());
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        TeacherLinkListener counter = new TeacherLinkListener() {
            @Override
            public void sentBytes(long bytes) {
                sent.addAndGet(bytes);
            }

            @Override
            public void receivedBytes(long bytes) {
                received.addAndGet(bytes);
            }
        };
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tok.json")), 16, null);
             TeacherClient client = new TeacherClient(channel, spec("t"), 30, 1, counter)) {
            TokenIds ids = tokenizer.encode(List.of("the cat sat", "a dog"), null);
            for (int i = 0; i < 3; i++) {
                client.request(ids, 0, 0).get(30, TimeUnit.SECONDS);
            }
            // Request ids 1, 2 and 3 have one digit each: three messages of the same size.
            assertEquals(3L * spec("t").request("1", ids, 0, 0).getSerializedSize(), sent.get());
            assertTrue(received.get() >= 3L * 2 * 3 * 2, "at least 2 rows of 3 fp16 logits per answer: "
                    + received.get());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdown(1000);
        }
    }
}
