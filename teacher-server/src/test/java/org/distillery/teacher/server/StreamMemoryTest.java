package org.distillery.teacher.server;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream whose client stops reading holds at most the stream window in bytes of computed responses: the server
 * stops reading requests ahead once large answers pile up, where the message window alone would let it compute 40.
 */
@Timeout(120)
class StreamMemoryTest {
    /** 4 examples × 65,536 logits × 4 bytes: answers of 1 MiB each. */
    private static final int CLASSES = 65_536;
    @TempDir
    Path dir;
    private ServerFixture fixture;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Sends 40 requests on a stream that never reads; returns how many the server took in. */
    private long requestsTakenWithoutReading(long windowBytes) throws Exception {
        Path wide = TestTeachers.mlp(dir.resolve("wide-" + windowBytes + ".onnx"), 4, 8, CLASSES, 1);
        fixture = ServerFixture.builder().limits(new ServerLimits(64, 1 << 20, 64, 64 << 20, windowBytes))
                .model("wide", wide).start();
        // A client whose HTTP/2 window is fixed at 1 MiB (no auto-tuning): what it does not read stays on the server.
        ManagedChannel slow = NettyChannelBuilder.forAddress("127.0.0.1", fixture.server.port()).usePlaintext()
                .flowControlWindow(1 << 20).maxInboundMessageSize(64 << 20).build();
        channels.add(slow);
        ClientCallStreamObserver<InferRequest>[] call = new ClientCallStreamObserver[1];
        StreamObserver<InferRequest> requests = TeacherServiceGrpc.newStub(slow).inferStream(new ClientResponseObserver<
                InferRequest, InferResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<InferRequest> stream) {
                call[0] = stream;
                stream.disableAutoRequestWithInitial(0); // never take a response
            }

            @Override
            public void onNext(InferResponse value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        for (int i = 0; i < 40; i++) {
            requests.onNext(Requests.mlp("wide", Requests.randomFloats(i, 16), 4, 4).toBuilder()
                    .setRequestId("r" + i).build());
        }
        long taken = Await.settled("the server stops taking requests", Duration.ofMillis(700),
                Duration.ofSeconds(60), () -> fixture.model("wide").batcher().submitted());
        call[0].cancel("done", null);
        return taken;
    }

    @Test
    void aSmallByteWindowBoundsWhatAnUnreadStreamHolds() throws Exception {
        long bounded = requestsTakenWithoutReading(2L << 20);
        fixture.close();
        fixture = null;
        long unbounded = requestsTakenWithoutReading(1L << 40);
        assertEquals(40, unbounded, "with only the message window (64) the server takes all 40 requests");
        // 2 MiB of answers waiting on the server, about 1 MiB in the client's HTTP/2 window, one in the transport
        assertTrue(bounded <= 8, "with a 2 MiB window the server took " + bounded + " requests of 1 MiB answers");
    }
}
