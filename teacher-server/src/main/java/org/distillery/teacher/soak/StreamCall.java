package org.distillery.teacher.soak;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One InferStream from the client's side: responses by request id with their arrival times, and how the stream
 * ended. A stream that does not read asks the server for nothing (an abandoned stream).
 */
final class StreamCall implements ClientResponseObserver<InferRequest, InferResponse> {
    private final boolean read;
    private final Map<String, InferResponse> responses = new ConcurrentHashMap<>();
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Status end;
    private ClientCallStreamObserver<InferRequest> requests;

    StreamCall(boolean read) {
        this.read = read;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<InferRequest> requestStream) {
        this.requests = requestStream;
        if (!read) {
            requestStream.disableAutoRequestWithInitial(0);
        }
    }

    @Override
    public void onNext(InferResponse response) {
        arrivals.put(response.getRequestId(), System.nanoTime());
        responses.put(response.getRequestId(), response);
    }

    @Override
    public void onError(Throwable t) {
        end = Status.fromThrowable(t);
        ended.countDown();
    }

    @Override
    public void onCompleted() {
        end = Status.OK;
        ended.countDown();
    }

    void send(InferRequest request) {
        requests.onNext(request);
    }

    void halfClose() {
        requests.onCompleted();
    }

    void cancel(String why) {
        requests.cancel(why, null);
    }

    /** Waits for the end; false when it did not come in time. */
    boolean await(long seconds) throws InterruptedException {
        return ended.await(seconds, TimeUnit.SECONDS);
    }

    /** How the stream ended (null before it has). */
    Status end() {
        return end;
    }

    InferResponse response(String requestId) {
        return responses.get(requestId);
    }

    long arrival(String requestId) {
        return arrivals.getOrDefault(requestId, 0L);
    }
}
