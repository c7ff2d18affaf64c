package org.distillery.teacher.server;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.distillery.common.testing.Scrape;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real server with metrics on: good and bad requests over gRPC, then {@code /metrics} scraped over HTTP. */
@Timeout(120)
class ServerMetricsTest {
    private static final String OK = "OK";
    private static final String INVALID = "INVALID_ARGUMENT";
    @TempDir
    Path dir;
    private ServerFixture fixture;
    private ServerFixture second;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (second != null) {
            second.close();
        }
    }

    private static InferRequest good(int batch, long seed) {
        return Requests.mlp("mlp", Requests.randomFloats(seed, batch * 6), batch, 6);
    }

    /** Features of width 5 for a model that takes 6: INVALID_ARGUMENT. */
    private static InferRequest wrongWidth() {
        return Requests.mlp("mlp", Requests.randomFloats(9, 5), 1, 5);
    }

    private Scrape scrape() throws Exception {
        return Scrape.of(fixture.server.metricsPort());
    }

    @Test
    void countsRequestsByCodeExamplesBatchesAndStreams() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp.onnx"), 6, 8, 4, 1);
        fixture = ServerFixture.builder().metrics().model("mlp", mlp).start();
        assertTrue(fixture.server.metricsPort() > 0);

        // Unary: two good (3 and 2 examples), one bad, one for a model the server does not have, one unreadable.
        fixture.blocking().infer(good(3, 1));
        fixture.blocking().infer(good(2, 2));
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> fixture.blocking().infer(wrongWidth())).getStatus().getCode());
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
                () -> fixture.blocking().infer(good(1, 3).toBuilder().setModel("nope").build())).getStatus()
                .getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(fixture.channel, rawInfer(), CallOptions.DEFAULT,
                        new byte[]{(byte) 0xff, 1, 2})).getStatus().getCode());

        // A stream: two good requests of 1 example and a bad one, answered on the stream, which stays open.
        Collector<InferResponse> answers = new Collector<>();
        StreamObserver<InferRequest> stream = fixture.async().inferStream(answers);
        stream.onNext(good(1, 4).toBuilder().setRequestId("a").build());
        stream.onNext(wrongWidth().toBuilder().setRequestId("bad").build());
        stream.onNext(good(1, 5).toBuilder().setRequestId("b").build());
        Await.until("three answers on the stream", Duration.ofSeconds(30), () -> answers.received().size() == 3);
        Scrape open = scrape();
        assertEquals(1.0, open.value(TeacherMetrics.OPEN_STREAMS));
        stream.onCompleted();
        assertTrue(answers.await(30));
        assertNull(answers.failure());
        assertEquals(1, answers.received().stream().filter(InferResponse::hasError).count());
        Await.until("the stream no longer counted as open", Duration.ofSeconds(30),
                () -> gauge(TeacherMetrics.OPEN_STREAMS) == 0.0);

        Scrape s = scrape();
        String requests = TeacherMetrics.REQUESTS + "_total";
        assertEquals(4.0, s.value(requests, "model", "mlp", "code", OK));
        assertEquals(2.0, s.value(requests, "model", "mlp", "code", INVALID));
        assertEquals(1.0, s.value(requests, "model", TeacherMetrics.UNKNOWN_MODEL, "code", "NOT_FOUND"));
        assertEquals(1.0, s.value(requests, "model", TeacherMetrics.UNKNOWN_MODEL, "code", INVALID));
        assertFalse(s.has(requests, "model", "nope", "code", "NOT_FOUND"), "clients must not add series");
        assertEquals(8.0, s.sum(requests));
        assertEquals(3 + 2 + 1 + 1, s.value(TeacherMetrics.EXAMPLES + "_total", "model", "mlp"));
        // Every good request waited once; every example ran in exactly one merged batch.
        assertEquals(4.0, s.value(TeacherMetrics.QUEUE_WAIT + "_count", "model", "mlp"));
        double runs = s.value(TeacherMetrics.COMPUTE + "_count", "model", "mlp");
        assertTrue(runs >= 1 && runs <= 4, "runs " + runs);
        assertTrue(s.value(TeacherMetrics.COMPUTE + "_sum", "model", "mlp") > 0);
        assertEquals(runs, s.value(TeacherMetrics.BATCH_SIZE + "_count", "model", "mlp"));
        assertEquals(7.0, s.value(TeacherMetrics.BATCH_SIZE + "_sum", "model", "mlp"));
        assertEquals(runs, s.value(TeacherMetrics.BATCH_SIZE + "_bucket", "model", "mlp", "le", "+Inf"));
        assertEquals(0.0, s.value(TeacherMetrics.QUEUE_DEPTH, "model", "mlp"));
        assertEquals(0.0, s.value(TeacherMetrics.OPEN_STREAMS));
    }

    @Test
    void twoServersInOneJvmKeepTheirOwnCounts() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp2.onnx"), 6, 8, 4, 2);
        fixture = ServerFixture.builder().metrics().model("mlp", mlp).start();
        second = ServerFixture.builder().metrics().model("mlp", mlp).start();
        fixture.blocking().infer(good(2, 1));
        second.blocking().infer(good(1, 1));
        second.blocking().infer(good(1, 2));
        String requests = TeacherMetrics.REQUESTS + "_total";
        assertEquals(1.0, scrape().value(requests, "model", "mlp", "code", OK));
        assertEquals(2.0, Scrape.of(second.server.metricsPort()).value(requests, "model", "mlp", "code", OK));
    }

    @Test
    void withoutMetricsThereIsNoEndpointAndServingWorks() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp3.onnx"), 6, 8, 4, 3);
        fixture = ServerFixture.builder().model("mlp", mlp).start();
        assertEquals(-1, fixture.server.metricsPort());
        assertFalse(fixture.server.registry().metrics().enabled());
        assertEquals(List.of(1L, 4L), fixture.blocking().infer(good(1, 1)).getOutputsMap().get("logits")
                .getShapeList());
        assertThrows(IllegalStateException.class, () -> TeacherMetrics.disabled().registry());
    }

    @Test
    void theEndpointClosesWithTheServer() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp4.onnx"), 6, 8, 4, 4);
        ServerFixture f = ServerFixture.builder().metrics().model("mlp", mlp).start();
        int port = f.server.metricsPort();
        Scrape.of(port);
        f.close();
        assertThrows(IOException.class, () -> Scrape.of(port));
    }

    private double gauge(String name) {
        try {
            return scrape().value(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodDescriptor<byte[], byte[]> rawInfer() {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("distillery.v1.TeacherService/Infer")
                .setRequestMarshaller(Bytes.INSTANCE).setResponseMarshaller(Bytes.INSTANCE).build();
    }

    /** Messages as plain bytes, to send what no client library would. */
    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
