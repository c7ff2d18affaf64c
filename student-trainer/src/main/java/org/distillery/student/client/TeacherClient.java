package org.distillery.student.client;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.proto.v1.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Streams batches to a teacher server over one {@code InferStream}. The caller keeps a bounded number of requests
 * outstanding (the prefetch window); each returns a future. When the stream fails with UNAVAILABLE the client
 * reopens it after a backoff and resends what was outstanding; any other status fails the outstanding requests with
 * the server's description.
 */
public final class TeacherClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TeacherClient.class.getName());

    private final ManagedChannel channel;
    private final TeacherRequestSpec spec;
    private final long timeoutSeconds;
    private final int maxRetries;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong requestsSent = new AtomicLong();
    private StreamObserver<InferRequest> stream;
    /** The response observer of the current stream; callbacks of an older stream are ignored. */
    private Object currentStream;
    private int retries;
    private boolean closed;

    private record Pending(InferRequest request, CompletableFuture<TeacherOutputs> future) {
    }

    /**
     * @param spec       what every request asks for
     * @param maxRetries stream reopenings after UNAVAILABLE before giving up
     */
    public TeacherClient(ManagedChannel channel, TeacherRequestSpec spec, long timeoutSeconds, int maxRetries) {
        this.channel = channel;
        this.spec = spec;
        this.timeoutSeconds = timeoutSeconds;
        this.maxRetries = maxRetries;
    }

    /**
     * The teacher's model info, retrying UNAVAILABLE with backoff.
     *
     * @throws TeacherException when the teacher cannot be reached or does not know the model
     */
    public static ModelInfo modelInfo(ManagedChannel channel, String model, long timeoutSeconds, int maxRetries) {
        for (int attempt = 0; ; attempt++) {
            try {
                return TeacherServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
                        .getModelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt >= maxRetries) {
                    throw new TeacherException(e.getStatus().getCode(), "teacher " + describe(e.getStatus()), e);
                }
                sleep(backoffMillis(attempt));
            }
        }
    }

    private static String describe(Status status) {
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }

    static long backoffMillis(int attempt) {
        return Math.min(5000, 100L << Math.min(attempt, 6));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TeacherException(Status.Code.CANCELLED, "interrupted while waiting to retry", e);
        }
    }

    /** Seconds a caller should wait for one answer. */
    public long timeoutSeconds() {
        return timeoutSeconds;
    }

    /** Requests sent so far (resends after a retry included). */
    public long requestsSent() {
        return requestsSent.get();
    }

    /**
     * Sends one batch.
     *
     * @param sampleMembers ensemble members to sample (0 = all), with {@code seed}
     */
    public synchronized CompletableFuture<TeacherOutputs> request(TokenIds tokens, int sampleMembers, long seed) {
        if (closed) {
            throw new IllegalStateException("client closed");
        }
        String id = Long.toString(ids.incrementAndGet());
        Pending p = new Pending(spec.request(id, tokens, sampleMembers, seed), new CompletableFuture<>());
        pending.put(id, p);
        send(p.request());
        return p.future();
    }

    private void send(InferRequest request) {
        if (stream == null) {
            stream = open();
        }
        requestsSent.incrementAndGet();
        stream.onNext(request);
    }

    /** Opens a stream. No deadline on it: it lives as long as training; callers time out each answer. */
    private StreamObserver<InferRequest> open() {
        StreamObserver<InferResponse> observer = new StreamObserver<>() {
                    @Override
                    public void onNext(InferResponse response) {
                        received(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed(Status.fromThrowable(t), this);
                    }

                    @Override
                    public void onCompleted() {
                        failed(Status.UNAVAILABLE.withDescription("the teacher closed the stream"), this);
                    }
                };
        currentStream = observer;
        return TeacherServiceGrpc.newStub(channel).withMaxInboundMessageSize(256 << 20).inferStream(observer);
    }

    private void received(InferResponse response) {
        Pending p;
        synchronized (this) {
            p = pending.remove(response.getRequestId());
            retries = 0;
        }
        if (p == null) {
            return;
        }
        if (response.hasError()) {
            // The server refused this request alone (the stream goes on): fail its future with the server's words.
            Status status = Status.fromCodeValue(response.getError().getCode())
                    .withDescription(response.getError().getMessage());
            p.future().completeExceptionally(new TeacherException(status.getCode(), "the teacher refused request "
                    + response.getRequestId() + ": " + describe(status), status.asRuntimeException()));
            return;
        }
        try {
            p.future().complete(decode(response));
        } catch (RuntimeException e) {
            p.future().completeExceptionally(new TeacherException(Status.Code.INTERNAL,
                    "teacher answer cannot be read: " + e.getMessage(), e));
        }
    }

    private TeacherOutputs decode(InferResponse response) {
        String logitsOutput = spec.logitsOutput();
        Tensor logits = response.getOutputsMap().get(logitsOutput);
        if (logits == null || logits.getShapeCount() != 2) {
            throw new IllegalStateException("expected output '" + logitsOutput + "' of shape [batch, labels]");
        }
        Map<String, float[]> features = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String name : spec.features()) {
            Tensor t = response.getOutputsMap().get(name);
            if (t == null) {
                throw new IllegalStateException("expected output '" + name + "' in the answer");
            }
            features.put(name, TensorCodec.decodeFloats(name, t));
            widths.put(name, (int) t.getShape(t.getShapeCount() - 1));
        }
        return new TeacherOutputs(TensorCodec.decodeFloats(logitsOutput, logits), (int) logits.getShape(1),
                features, widths, response.getMembersUsedList());
    }

    private void failed(Status status, StreamObserver<InferResponse> observer) {
        List<Pending> toFail = new ArrayList<>();
        synchronized (this) {
            if (observer != currentStream) {
                return;
            }
            stream = null;
            currentStream = null;
            if (closed || pending.isEmpty()) {
                return;
            }
            if (status.getCode() == Status.Code.UNAVAILABLE && retries < maxRetries) {
                long wait = backoffMillis(retries++);
                LOG.warning("teacher unavailable (" + describe(status) + "); retrying " + pending.size()
                        + " requests in " + wait + " ms (attempt " + retries + " of " + maxRetries + ")");
                List<InferRequest> resend = new ArrayList<>();
                pending.values().forEach(p -> resend.add(p.request()));
                CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS).execute(() -> {
                    synchronized (TeacherClient.this) {
                        if (!closed) {
                            resend.stream().filter(r -> pending.containsKey(r.getRequestId())).forEach(this::send);
                        }
                    }
                });
                return;
            }
            toFail.addAll(pending.values());
            pending.clear();
        }
        TeacherException error = new TeacherException(status.getCode(), "teacher " + describe(status),
                status.asRuntimeException());
        toFail.forEach(p -> p.future().completeExceptionally(error));
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (stream != null) {
            try {
                stream.onCompleted();
            } catch (RuntimeException ignored) {
                // the stream may already be gone
            }
            stream = null;
        }
        pending.values().forEach(p -> p.future().cancel(false));
        pending.clear();
    }
}
