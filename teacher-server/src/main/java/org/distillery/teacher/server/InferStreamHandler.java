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
 * beyond the responses it has sent — fewer when responses are large, so that the responses computed but not yet
 * taken stay within {@code windowBytes} — and sends responses only while the transport is ready; a client that stops
 * reading therefore stops the server from reading, and nothing is buffered without bound. A request that fails is
 * answered with its id and {@code InferResponse.error}, and the stream goes on serving the others. Each request is
 * counted in the metrics when its answer is ready; the stream counts as open until the call completes or is
 * cancelled.
 */
final class InferStreamHandler implements StreamObserver<InferRequest> {
    /** Requests read ahead until the first response shows how large answers are. */
    private static final int FIRST_REQUESTS = 2;
    private final InferencePipeline pipeline;
    private final ServerCallStreamObserver<InferResponse> call;
    private final Context context;
    private final int window;
    private final long windowBytes;
    private final RequestCounter counter;
    private final ArrayDeque<InferResponse> ready = new ArrayDeque<>();
    /** Requests the client may send that have not been answered on the wire yet. */
    private int granted;
    private int inFlight;
    private long largestResponse;
    private boolean halfClosed;
    private boolean done;
    private boolean closed;
    private final Runnable onEnd;

    InferStreamHandler(InferencePipeline pipeline, ServerCallStreamObserver<InferResponse> call, int window,
                       long windowBytes, Context context, RequestCounter counter, Runnable onEnd) {
        this.onEnd = onEnd;
        this.pipeline = pipeline;
        this.counter = counter;
        this.call = call;
        this.context = context;
        this.window = window;
        this.windowBytes = windowBytes;
        call.disableAutoRequest();
        call.setOnReadyHandler(this::drain);
        call.setOnCancelHandler(() -> {
            cancelled();
            closed();
        });
        call.setOnCloseHandler(this::closed);
        counter.streamOpened();
        granted = Math.min(window, FIRST_REQUESTS);
        call.request(granted);
    }

    @Override
    public void onNext(InferRequest request) {
        synchronized (this) {
            if (done) {
                return;
            }
            inFlight++;
        }
        try {
            pipeline.infer(request, context).whenComplete((response, failure) -> {
                if (failure == null) {
                    counter.count(request, Status.Code.OK);
                    ready(response);
                } else {
                    ready(error(request, failure));
                }
            });
        } catch (RuntimeException e) {
            ready(error(request, e));
        }
    }

    /** The answer to a failed request, counted: its id and the status the unary call would have failed with. */
    private InferResponse error(InferRequest request, Throwable failure) {
        Status status = TeacherService.toStatus(failure, "");
        counter.count(request, status.getCode());
        com.google.rpc.Status.Builder error = com.google.rpc.Status.newBuilder()
                .setCode(status.getCode().value());
        if (status.getDescription() != null) {
            error.setMessage(status.getDescription());
        }
        return InferResponse.newBuilder().setRequestId(request.getRequestId()).setError(error).build();
    }

    private void ready(InferResponse response) {
        synchronized (this) {
            if (done) {
                return;
            }
            ready.add(response);
        }
        drain();
    }

    private synchronized void cancelled() {
        done = true;
        ready.clear();
    }

    /**
     * The server is draining: take no more requests, answer those under way, then end the stream with OK. A client
     * resends anything it sent that was not answered to another teacher.
     */
    void finish() {
        synchronized (this) {
            halfClosed = true;
        }
        drain();
    }

    /** The call ended, one way or another: once per stream, it no longer counts as open. */
    private void closed() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        counter.streamClosed();
        onEnd.run();
    }

    /**
     * Sends what is ready while the transport takes it, then lets the client send as many more requests as the
     * message window and the byte window (judged by the largest response so far) allow.
     */
    private synchronized void drain() {
        if (done) {
            return;
        }
        while (!ready.isEmpty() && call.isReady()) {
            InferResponse response = ready.poll();
            largestResponse = Math.max(largestResponse, response.getSerializedSize());
            call.onNext(response);
            inFlight--;
            granted--;
        }
        if (!halfClosed) {
            long byBytes = largestResponse == 0 ? FIRST_REQUESTS : Math.max(1, windowBytes / largestResponse);
            int allowed = (int) Math.min(window, byBytes);
            if (granted < allowed) {
                call.request(allowed - granted);
                granted = allowed;
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
