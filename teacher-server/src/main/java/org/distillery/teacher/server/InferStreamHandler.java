package org.distillery.teacher.server;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;

import java.util.ArrayDeque;

/**
 * One InferStream call with manual flow control. The server asks the client for at most {@code window} requests
 * beyond the responses it has sent, and sends responses only while the transport is ready; a client that stops
 * reading therefore stops the server from reading, and nothing is buffered without bound. A failed request ends
 * the stream with its status, its description prefixed with the request id.
 */
final class InferStreamHandler implements StreamObserver<InferRequest> {
    private final InferencePipeline pipeline;
    private final ServerCallStreamObserver<InferResponse> call;
    private final Context context;
    private final ArrayDeque<InferResponse> ready = new ArrayDeque<>();
    private int inFlight;
    private boolean halfClosed;
    private boolean done;

    InferStreamHandler(InferencePipeline pipeline, ServerCallStreamObserver<InferResponse> call, int window,
                       Context context) {
        this.pipeline = pipeline;
        this.call = call;
        this.context = context;
        call.disableAutoRequest();
        call.setOnReadyHandler(this::drain);
        call.setOnCancelHandler(this::cancelled);
        call.request(window);
    }

    @Override
    public void onNext(InferRequest request) {
        synchronized (this) {
            if (done) {
                return;
            }
            inFlight++;
        }
        String prefix = request.getRequestId().isEmpty() ? "" : "request '" + request.getRequestId() + "': ";
        try {
            pipeline.infer(request, context).whenComplete((response, failure) -> {
                if (failure != null) {
                    fail(TeacherService.toStatus(failure, prefix));
                } else {
                    synchronized (this) {
                        ready.add(response);
                    }
                    drain();
                }
            });
        } catch (RuntimeException e) {
            fail(TeacherService.toStatus(e, prefix));
        }
    }

    private synchronized void fail(Status status) {
        if (done) {
            return;
        }
        done = true;
        ready.clear();
        call.onError(status.asRuntimeException());
    }

    private synchronized void cancelled() {
        done = true;
        ready.clear();
    }

    /** Sends what is ready while the transport takes it; asks for one request per response sent. */
    private synchronized void drain() {
        if (done) {
            return;
        }
        while (!ready.isEmpty() && call.isReady()) {
            call.onNext(ready.poll());
            inFlight--;
            if (!halfClosed) {
                call.request(1);
            }
        }
        if (halfClosed && inFlight == 0) {
            done = true;
            call.onCompleted();
        }
    }

    @Override
    public void onError(Throwable t) {
        cancelled(); // the client went away; pending jobs see the cancelled context and are dropped
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            halfClosed = true;
        }
        drain();
    }
}
