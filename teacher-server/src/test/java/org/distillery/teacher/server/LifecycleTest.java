package org.distillery.teacher.server;

import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ListModelsRequest;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.teacher.batching.BatchingOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health, reflection, listing, and graceful shutdown that finishes in-flight work. */
@Timeout(120)
class LifecycleTest {
    @TempDir
    Path dir;
    private ServerFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void healthIsServingAndReflectionListsTheService() throws Exception {
        fixture = ServerFixture.builder().model("mlp", TestTeachers.mlp(dir.resolve("m.onnx"), 6, 8, 4, 1)).start();
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(fixture.channel);
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().build()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService(TeacherServiceGrpc.SERVICE_NAME).build()).getStatus());

        Collector<ServerReflectionResponse> answer = new Collector<>();
        StreamObserver<ServerReflectionRequest> reflection = ServerReflectionGrpc.newStub(fixture.channel)
                .serverReflectionInfo(answer);
        reflection.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        reflection.onCompleted();
        assertTrue(answer.await(10));
        List<String> services = answer.last().getListServicesResponse().getServiceList().stream()
                .map(s -> s.getName()).toList();
        assertTrue(services.contains("distillery.v1.TeacherService"), services.toString());
        assertTrue(services.contains("grpc.health.v1.Health"), services.toString());

        assertEquals(List.of("mlp"), fixture.blocking().listModels(ListModelsRequest.getDefaultInstance())
                .getModelsList().stream().map(m -> m.getName()).toList());

        // The same reflection under its older name, for clients (grpcurl before 1.9) that know only v1alpha.
        Collector<io.grpc.reflection.v1alpha.ServerReflectionResponse> legacy = new Collector<>();
        StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> old =
                io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(fixture.channel).serverReflectionInfo(legacy);
        old.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        old.onCompleted();
        assertTrue(legacy.await(10));
        assertTrue(legacy.last().getListServicesResponse().getServiceList().stream()
                .anyMatch(s -> s.getName().equals("distillery.v1.TeacherService")), legacy.last().toString());
    }

    @Test
    void listModelsIsSortedByNameAndAPlainModelCombinesNothing() throws Exception {
        Path m = TestTeachers.mlp(dir.resolve("m.onnx"), 6, 8, 4, 1);
        fixture = ServerFixture.builder().inProcess().model("zeta", m).model("alpha", m).model("mid", m)
                .ensemble("beta", org.distillery.proto.v1.CombineMode.MEAN_PROBS, "zeta", "alpha").start();
        List<org.distillery.proto.v1.ModelInfo> models = fixture.blocking()
                .listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
        assertEquals(List.of("alpha", "beta", "mid", "zeta"), models.stream().map(x -> x.getName()).toList());
        assertEquals(org.distillery.proto.v1.CombineMode.COMBINE_DEFAULT, models.get(0).getDefaultCombine());
        assertEquals(org.distillery.proto.v1.CombineMode.MEAN_PROBS, models.get(1).getDefaultCombine());
    }

    @Test
    void healthWatchersSeeNotServingWhenDrainingStarts() throws Exception {
        fixture = ServerFixture.builder().inProcess()
                .model("mlp", TestTeachers.mlp(dir.resolve("m.onnx"), 6, 8, 4, 1)).start();
        java.util.concurrent.BlockingQueue<HealthCheckResponse.ServingStatus> seen =
                new java.util.concurrent.LinkedBlockingQueue<>();
        HealthGrpc.newStub(fixture.channel).watch(HealthCheckRequest.newBuilder().build(), new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse r) {
                seen.add(r.getStatus());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, seen.poll(10, TimeUnit.SECONDS));
        Thread stopper = new Thread(() -> fixture.server.shutdown(1000));
        stopper.start();
        assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, seen.poll(10, TimeUnit.SECONDS));
        stopper.join(30_000);
    }

    @Test
    void shutdownFinishesInFlightWorkAndRefusesNewCalls() throws Exception {
        // A long gathering delay keeps the request in flight while the server is asked to stop.
        fixture = ServerFixture.builder().batching(new BatchingOptions(64, 800_000, 64)).inProcess()
                .model("mlp", TestTeachers.mlp(dir.resolve("m.onnx"), 6, 8, 4, 1)).start();
        InferRequest request = Requests.mlp("mlp", Requests.randomFloats(1, 6), 1, 6);
        CompletableFuture<InferResponse> inFlight = CompletableFuture.supplyAsync(
                () -> fixture.blocking().infer(request));
        Await.until("the first request reaches the batcher", Duration.ofSeconds(30),
                () -> fixture.model("mlp").batcher().submitted() == 1);
        Thread stopper = new Thread(() -> fixture.server.shutdown(10_000));
        stopper.start();
        // The server shuts its transports before it waits for in-flight calls; the client's channel then leaves
        // READY, and from then on a new call is refused.
        Await.until("the client sees the server stop taking calls", Duration.ofSeconds(30),
                () -> fixture.channel.getState(false) != ConnectivityState.READY);
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> fixture.blocking().infer(request));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        InferResponse finished = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(1, finished.getTimings().getBatchSize());
        assertEquals(List.of(1L, 4L), finished.getOutputsMap().get("logits").getShapeList());
        stopper.join(30_000);
    }
}
