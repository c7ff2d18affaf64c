package org.distillery.teacher.server;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.batching.DynamicBatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dynamic batching merges requests from many clients and streams, pads and cuts back, and respects flow control. */
// Above the longest bounded wait of one test (flow control: up to 60 + 60 + 120 s on a loaded machine).
@Timeout(240)
class BatchingTest {
    @TempDir
    static Path dir;

    private ServerFixture fixture;
    private final ExecutorService pool = Executors.newFixedThreadPool(16);

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void concurrentClientsShareRunsAndEachGetsItsOwnRows() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp-c.onnx"), 6, 8, 4, 3);
        fixture = ServerFixture.builder().batching(new BatchingOptions(16, 50_000, 64)).model("mlp", mlp).start();
        List<Future<InferResponse>> futures = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            float[] x = Requests.randomFloats(100 + i, 6);
            inputs.add(x);
            futures.add(pool.submit(() -> fixture.blocking().infer(Requests.mlp("mlp", x, 1, 6))));
        }
        int largest = 0;
        for (int i = 0; i < 16; i++) {
            InferResponse r = futures.get(i).get(60, TimeUnit.SECONDS);
            largest = Math.max(largest, r.getTimings().getBatchSize());
            Map<String, float[]> expected = Requests.reference(mlp, Map.of("features",
                    new Object[]{inputs.get(i), new long[]{1, 6}}));
            Requests.assertClose(expected.get("logits"), InferenceParityTest.decode(r, "logits"), 1e-6,
                    "client " + i);
        }
        assertTrue(largest > 1, "no run merged requests; largest batch " + largest);
        assertTrue(fixture.model("mlp").batcher().runs() < 16, "runs: " + fixture.model("mlp").batcher().runs());
    }

    @Test
    void paddedBatchGivesTheUnpaddedResultsAndCutsSequencesBack() throws Exception {
        Path bert = TestTeachers.tinyBert(dir.resolve("bert-p.onnx"), 8);
        // A long gathering delay and a batch of exactly 3 examples: the three requests share one run.
        fixture = ServerFixture.builder().batching(new BatchingOptions(3, 2_000_000, 64)).model("bert", bert).start();
        int[] lengths = {5, 13, 9};
        List<Future<InferResponse>> futures = new ArrayList<>();
        for (int len : lengths) {
            long[] ids = Requests.tokens(len, len);
            futures.add(pool.submit(() -> fixture.blocking().infer(Requests.bert("bert", ids))));
        }
        for (int i = 0; i < lengths.length; i++) {
            InferResponse r = futures.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(3, r.getTimings().getBatchSize(), "the three requests ran together");
            long[] ids = Requests.tokens(lengths[i], lengths[i]);
            Map<String, float[]> expected = Requests.reference(bert, Requests.bertFeeds(ids));
            assertEquals(List.of(1L, (long) lengths[i], 16L),
                    r.getOutputsMap().get("last_hidden_state").getShapeList());
            for (String output : List.of("logits", "pooled_output", "last_hidden_state")) {
                Requests.assertClose(expected.get(output), InferenceParityTest.decode(r, output), 1e-5,
                        output + " of length " + lengths[i]);
            }
        }
        assertEquals(1, fixture.model("bert").batcher().runs());
    }

    @Test
    void streamAnswersEveryRequestWithItsId() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp-s.onnx"), 6, 8, 4, 4);
        fixture = ServerFixture.builder().model("mlp", mlp).start();
        Collector<InferResponse> collector = new Collector<>();
        var requests = fixture.async().inferStream(collector);
        for (int i = 0; i < 100; i++) {
            requests.onNext(Requests.mlp("mlp", Requests.randomFloats(i, 12), 2, 6).toBuilder()
                    .setRequestId("q" + i).build());
        }
        requests.onCompleted();
        assertTrue(collector.await(60));
        assertNull(collector.failure());
        Map<String, InferResponse> responses = new HashMap<>();
        collector.received().forEach(r -> responses.put(r.getRequestId(), r));
        assertEquals(100, responses.size());
        for (int i : new int[]{0, 57, 99}) {
            Map<String, float[]> expected = Requests.reference(mlp, Map.of("features",
                    new Object[]{Requests.randomFloats(i, 12), new long[]{2, 6}}));
            Requests.assertClose(expected.get("logits"), InferenceParityTest.decode(responses.get("q" + i),
                    "logits"), 1e-6, "q" + i);
        }
    }

    @Test
    void streamStopsReadingWhileTheClientDoesNotConsume() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp-b.onnx"), 8, 4096, 2, 5);
        int window = 4;
        fixture = ServerFixture.builder().limits(new ServerLimits(1024, 1 << 24, window, 256 << 20))
                .model("mlp", mlp).start();
        // Each response carries 16 x 4096 floats (256 KiB), so transport buffers hold only a few of them.
        InferRequest request = Requests.mlp("mlp", Requests.randomFloats(1, 16 * 8), 16, 8).toBuilder()
                .addOutputs("hidden").build();
        AtomicReference<ClientCallStreamObserver<InferRequest>> callRef = new AtomicReference<>();
        List<InferResponse> received = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        var requests = fixture.async().inferStream(new ClientResponseObserver<InferRequest, InferResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<InferRequest> call) {
                call.disableAutoRequestWithInitial(0); // read nothing until told
                callRef.set(call);
            }

            @Override
            public synchronized void onNext(InferResponse r) {
                received.add(r);
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        int total = 200;
        for (int i = 0; i < total; i++) {
            requests.onNext(request.toBuilder().setRequestId("b" + i).build());
        }
        requests.onCompleted();
        DynamicBatcher batcher = fixture.model("mlp").batcher();
        // The server first reads and runs its window of requests; then, with nothing read by the client, it must
        // stop. Checking that something does not happen takes a quiet period: the count may not move for 500 ms.
        Await.until("the server has run its window of requests", Duration.ofSeconds(60),
                () -> batcher.examplesRun() / 16 >= window);
        long ranWhileBlocked = Await.settled("requests run", Duration.ofMillis(500), Duration.ofSeconds(60),
                batcher::examplesRun) / 16;
        assertTrue(ranWhileBlocked < 60, "server ran " + ranWhileBlocked + " of " + total
                + " requests for a client that read nothing");
        callRef.get().request(Integer.MAX_VALUE);
        assertTrue(done.await(120, TimeUnit.SECONDS));
        assertEquals(total, received.size());
    }

    @Test
    void expiredRequestsAreDroppedBeforeTheyRun() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp-d.onnx"), 6, 8, 4, 6);
        fixture = ServerFixture.builder().batching(new BatchingOptions(64, 700_000, 64)).model("mlp", mlp).start();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fixture.blocking()
                .withDeadline(Deadline.after(100, TimeUnit.MILLISECONDS))
                .infer(Requests.mlp("mlp", Requests.randomFloats(1, 6), 1, 6)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        // The next request queues behind the expired one, so by the time it is answered the batcher has decided
        // about the expired one: had that run, alone or merged, more than one example would have been run.
        InferResponse ok = fixture.blocking().infer(Requests.mlp("mlp", Requests.randomFloats(2, 6), 1, 6));
        assertEquals(1, ok.getTimings().getBatchSize());
        assertEquals(1, fixture.model("mlp").batcher().runs(), "runs");
        assertEquals(1, fixture.model("mlp").batcher().examplesRun(), "the expired request must not run");
    }

    @Test
    void aRequestThatBreaksAMergedRunFailsAloneAndItsNeighbourSucceeds() throws Exception {
        // Ids reach the table through an Add, so the server knows no bound: id 500 fails inside ONNX Runtime.
        Path model = UncheckedGather.write(dir.resolve("unchecked.onnx"));
        fixture = ServerFixture.builder().batching(new BatchingOptions(2, 2_000_000, 64)).model("u", model).start();
        Future<InferResponse> ok = pool.submit(() -> fixture.blocking().infer(UncheckedGather.request("u", 1, 2, 3)));
        Future<InferResponse> broken = pool.submit(() -> fixture.blocking().infer(UncheckedGather.request("u", 4,
                500, 6)));
        InferResponse r = ok.get(60, TimeUnit.SECONDS);
        // the mean of table rows 1, 2, 3: (0.2, 0.3), (0.4, 0.5), (0.6, 0.7)
        Requests.assertClose(new float[]{0.4f, 0.5f}, InferenceParityTest.decode(r, "logits"), 1e-6,
                "the good request");
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> broken.get(60, TimeUnit.SECONDS));
        assertEquals(Status.Code.INTERNAL, ((StatusRuntimeException) e.getCause()).getStatus().getCode());
    }
}
