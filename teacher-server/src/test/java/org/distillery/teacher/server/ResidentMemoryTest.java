package org.distillery.teacher.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A teacher server process comes back to its resident size after the largest request its default limits allow: at
 * most max(2 × idle, idle + 1 GiB). Runs the Hugging Face BERT fixture (64 positions) in its own JVM with the
 * production launcher's flags, and reads the process' RSS from /proc.
 */
@Timeout(180)
class ResidentMemoryTest {
    @TempDir
    Path dir;
    private Process server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + server.pid());
    }

    private static InferRequest bert(int batch, int length) {
        long[] ids = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + i % 97;
        }
        long[] shape = {batch, length};
        return InferRequest.newBuilder().setModel("bert")
                .putInputs("input_ids", TensorCodec.encodeLongs(ids, shape))
                .putInputs("attention_mask", TensorCodec.encodeLongs(new long[ids.length], shape))
                .putInputs("token_type_ids", TensorCodec.encodeLongs(new long[ids.length], shape)).build();
    }

    @Test
    void residentMemoryComesBackAfterTheLargestAllowedRequest() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs /proc to read RSS");
        Path model = Path.of(ResidentMemoryTest.class.getResource("/hf/bert.onnx").toURI());
        Path portFile = dir.resolve("port");
        server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss16m",
                "-cp", System.getProperty("java.class.path"), "org.distillery.teacher.cli.TeacherServerMain",
                "--device", "cpu", "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.toString(),
                "--model", "bert=" + model).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
                .start();
        Await.until("the server writes its port", Duration.ofSeconds(120),
                () -> Files.isRegularFile(portFile) || !server.isAlive());
        assertTrue(server.isAlive(), Files.readString(dir.resolve("log")));
        int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20)
                .build();
        TeacherServiceGrpc.TeacherServiceBlockingStub stub = TeacherServiceGrpc.newBlockingStub(channel);
        for (int i = 0; i < 20; i++) {
            stub.withDeadlineAfter(60, TimeUnit.SECONDS).infer(bert(8, 32));
        }
        long idle = rssKb();
        // The largest run the defaults allow: 16384 elements per run, 64 positions: 256 sequences of 64 tokens.
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(256L, 3L), stub.withDeadlineAfter(120, TimeUnit.SECONDS).infer(bert(256, 64))
                    .getOutputsMap().get("logits").getShapeList());
        }
        StatusRuntimeException over = assertThrows(StatusRuntimeException.class,
                () -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).infer(bert(257, 64)));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, over.getStatus().getCode(), over.getStatus().toString());
        long after = rssKb();
        long bound = Math.max(2 * idle, idle + (1L << 20));
        System.out.printf("RSS idle %d MiB, after the largest allowed request %d MiB, bound %d MiB%n", idle >> 10,
                after >> 10, bound >> 10);
        assertTrue(after <= bound, "RSS " + (after >> 10) + " MiB after, idle " + (idle >> 10) + " MiB");
    }
}
