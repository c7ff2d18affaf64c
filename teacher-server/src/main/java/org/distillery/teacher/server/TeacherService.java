package org.distillery.teacher.server;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.distillery.common.errors.GrpcStatuses;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ListModelsRequest;
import org.distillery.proto.v1.ListModelsResponse;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.TeacherServiceGrpc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The gRPC face of the teacher: every failure leaves as a status with a description, never as UNKNOWN. */
public final class TeacherService extends TeacherServiceGrpc.TeacherServiceImplBase {
    private static final Logger LOG = Logger.getLogger(TeacherService.class.getName());

    private final InferencePipeline pipeline;
    private final ServerLimits limits;
    private final Set<InferStreamHandler> streams = ConcurrentHashMap.newKeySet();
    private final RequestCounter counter;

    /** The service; requests are counted in the metrics of the pipeline's model registry. */
    public TeacherService(InferencePipeline pipeline, ServerLimits limits) {
        this.pipeline = pipeline;
        this.limits = limits;
        this.counter = new RequestCounter(pipeline.registry());
    }

    @Override
    public void getModelInfo(ModelInfoRequest request, StreamObserver<ModelInfo> responses) {
        try {
            responses.onNext(ModelInfos.describe(pipeline.registry().endpoint(request.getModel()), limits));
            responses.onCompleted();
        } catch (RuntimeException e) {
            responses.onError(toStatus(e, "").asRuntimeException());
        }
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responses) {
        try {
            ListModelsResponse.Builder list = ListModelsResponse.newBuilder();
            pipeline.registry().endpoints().stream().sorted(java.util.Comparator.comparing(Endpoint::name))
                    .forEach(e -> list.addModels(ModelInfos.describe(e, limits)));
            responses.onNext(list.build());
            responses.onCompleted();
        } catch (RuntimeException e) {
            responses.onError(toStatus(e, "").asRuntimeException());
        }
    }

    @Override
    public void infer(InferRequest request, StreamObserver<InferResponse> responses) {
        ServerCallStreamObserver<InferResponse> call = (ServerCallStreamObserver<InferResponse>) responses;
        try {
            pipeline.infer(request, Context.current()).whenComplete((response, failure) -> {
                if (call.isCancelled()) {
                    counter.count(request, Status.Code.CANCELLED);
                    return;
                }
                if (failure != null) {
                    fail(call, request, failure);
                } else {
                    counter.count(request, Status.Code.OK);
                    call.onNext(response);
                    call.onCompleted();
                }
            });
        } catch (RuntimeException e) {
            fail(call, request, e);
        }
    }

    private void fail(StreamObserver<InferResponse> call, InferRequest request, Throwable failure) {
        Status status = toStatus(failure, "");
        counter.count(request, status.getCode());
        call.onError(status.asRuntimeException());
    }

    @Override
    public StreamObserver<InferRequest> inferStream(StreamObserver<InferResponse> responses) {
        InferStreamHandler[] self = new InferStreamHandler[1];
        self[0] = new InferStreamHandler(pipeline, (ServerCallStreamObserver<InferResponse>) responses,
                limits.streamWindow(), limits.streamWindowBytes(), Context.current(), counter,
                () -> streams.remove(self[0]));
        streams.add(self[0]);
        return self[0];
    }

    /** Ends every open stream once the requests it took are answered (see {@link InferStreamHandler#finish}). */
    void finishStreams() {
        streams.forEach(InferStreamHandler::finish);
    }

    /** The request counter, shared with the interceptor that refuses unreadable requests before the service. */
    RequestCounter counter() {
        return counter;
    }

    /** Maps a failure to a status, logging the ones that are the server's fault. */
    static Status toStatus(Throwable failure, String prefix) {
        Status status = GrpcStatuses.toStatus(failure, prefix);
        if (status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN) {
            LOG.log(Level.WARNING, "request failed: " + status.getDescription(), GrpcStatuses.unwrap(failure));
        }
        return status;
    }
}
