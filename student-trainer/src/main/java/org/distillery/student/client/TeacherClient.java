package org.distillery.student.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.proto.v1.Tensor;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Streams batches to a fleet of teacher servers over one channel. gRPC balances a call once, when it starts, so the
 * client keeps one {@code InferStream} per ready endpoint and sends each request on the least-loaded stream (fewest
 * unanswered requests; ties go to the stream that was given fewest). The caller's prefetch window therefore counts
 * across all streams.
 * <p>
 * Finding endpoints: every {@link #PROBE_MILLIS} a probe stream is opened; the channel's round robin places it on
 * the next ready endpoint, and the server's early response headers tell which. A probe that reached an endpoint no
 * stream covers becomes a working stream (and the next probe goes out at once); otherwise it is closed. Every
 * {@link #RESET_BACKOFF_TICKS} probes the channel's reconnect backoff is reset, so a teacher that comes back is
 * found within seconds, not after gRPC's backoff of up to two minutes.
 * <p>
 * Failures: gRPC never retries a stream once headers have arrived, so when a stream ends (UNAVAILABLE, a cancelled
 * or completed stream, a connection aged out by the server) its unanswered requests are resent on the surviving
 * streams — at once the first time, then with backoff, at most {@code maxRetries} times each. Each request's future
 * completes once, whoever answers. Any other status (UNAUTHENTICATED, a refused message) fails the stream's requests
 * with the server's words; a per-request error fails that request alone. With no ready teacher, a new stream waits
 * for one (the caller's timeout bounds the wait).
 */
public final class TeacherClient implements TeacherSource, AutoCloseable {
    /** Milliseconds between probes for endpoints without a stream. */
    public static final long PROBE_MILLIS = 1000;
    /** Probes between resets of the channel's reconnect backoff. */
    public static final int RESET_BACKOFF_TICKS = 5;
    /** A probe without headers after this long is given up. */
    private static final long PROBE_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_MESSAGE_BYTES = 256 << 20;
    private static final Logger LOG = Logger.getLogger(TeacherClient.class.getName());

    private final ManagedChannel channel;
    private final TeacherRequestSpec spec;
    private final long timeoutSeconds;
    private final int maxRetries;
    private final TeacherLinkListener listener;
    private final ScheduledExecutorService timer;
    private final Map<String, Pending<?>> pending = new LinkedHashMap<>();
    private final List<Stream> streams = new ArrayList<>();
    private final Map<String, Long> answers = new TreeMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong requestsSent = new AtomicLong();
    private final AtomicLong resends = new AtomicLong();
    private Stream probe;
    private boolean cycled;
    private long ticks;
    private boolean closed;

    /** One request until it is answered: the stream it is on, and how often it was sent. */
    private static final class Pending<T> {
        final InferRequest request;
        final Function<InferResponse, T> decoder;
        final CompletableFuture<T> future = new CompletableFuture<>();
        Stream stream;
        int attempts;
        long sentNanos;

        Pending(InferRequest request, Function<InferResponse, T> decoder) {
            this.request = request;
            this.decoder = decoder;
        }

        void answer(InferResponse response) {
            future.complete(decoder.apply(response));
        }
    }

    /**
     * @param spec       what every request asks for
     * @param maxRetries times one request may be resent after its stream died before it fails
     */
    public TeacherClient(ManagedChannel channel, TeacherRequestSpec spec, long timeoutSeconds, int maxRetries) {
        this(channel, spec, timeoutSeconds, maxRetries, TeacherLinkListener.NONE);
    }

    /** A client that reports what happens on the link to {@code listener}. */
    public TeacherClient(ManagedChannel channel, TeacherRequestSpec spec, long timeoutSeconds, int maxRetries,
                         TeacherLinkListener listener) {
        this.channel = channel;
        this.spec = spec;
        this.timeoutSeconds = timeoutSeconds;
        this.maxRetries = maxRetries;
        this.listener = listener;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "teacher-probe");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, PROBE_MILLIS, TimeUnit.MILLISECONDS);
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

    /** What every request asks for. */
    public TeacherRequestSpec spec() {
        return spec;
    }

    @Override
    public long timeoutSeconds() {
        return timeoutSeconds;
    }

    /** Requests sent so far (resends included). */
    public long requestsSent() {
        return requestsSent.get();
    }

    /** Requests sent again because their stream died. */
    public long resends() {
        return resends.get();
    }

    /** Answers received per endpoint ({@code host:port} as reached), in name order. */
    public synchronized Map<String, Long> answersByEndpoint() {
        return new TreeMap<>(answers);
    }

    /** Endpoints with a working stream now. */
    public synchronized List<String> streamEndpoints() {
        return streams.stream().map(s -> s.endpoint == null ? "(connecting)" : s.endpoint).sorted().toList();
    }

    /**
     * Waits until every ready teacher has a stream (a probe came back to an endpoint already covered), at most
     * {@code millis}; returns whether that happened. Training may start without it: streams are added as found.
     */
    public boolean awaitFleet(long millis) throws InterruptedException {
        return awaitFleet(millis, 0);
    }

    /**
     * Waits until {@code expected} endpoints have a stream (a static list's size: teachers still connecting are
     * probed every 100 ms rather than every second), or with {@code expected} 0 until a probe came back to a covered
     * endpoint; at most {@code millis}. Returns whether that happened.
     */
    public synchronized boolean awaitFleet(long millis, int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closed) {
            long covered = streams.stream().filter(x -> !x.retired && x.endpoint != null).map(x -> x.endpoint)
                    .distinct().count();
            if (expected > 0 ? covered >= expected : cycled) {
                return true;
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (expected > 0 && probe == null) {
                timer.execute(this::tick);
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        return false;
    }

    /**
     * Sends one batch.
     *
     * @param sampleMembers ensemble members to sample (0 = all), with {@code seed}
     */
    @Override
    public CompletableFuture<TeacherOutputs> request(TokenIds tokens, int sampleMembers, long seed) {
        return send(spec.request("", tokens, sampleMembers, seed), this::decode);
    }

    /**
     * Sends any request on the fleet's streams, with the same load spreading, resends and failure reporting as
     * {@link #request}; its request id is replaced by the client's own. {@code decoder} reads the answer (on a
     * gRPC thread); what it throws fails the future as an unreadable answer.
     */
    public <T> CompletableFuture<T> send(InferRequest request, Function<InferResponse, T> decoder) {
        String id = Long.toString(ids.incrementAndGet());
        Pending<T> p = new Pending<>(request.toBuilder().setRequestId(id).build(), decoder);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("client closed");
            }
            pending.put(id, p);
            dispatch(p);
            listener.inFlight(pending.size());
        }
        return p.future;
    }

    /** Puts {@code p} on the least-loaded working stream, opening one when there is none. Holds the lock. */
    private void dispatch(Pending<?> p) {
        Stream s = streams.stream().filter(x -> !x.retired).min(Comparator.<Stream>comparingInt(x -> x.inFlight)
                .thenComparingLong(x -> x.assigned)).orElse(null);
        if (s == null) {
            s = open(false);
            streams.add(s);
        }
        p.stream = s;
        p.attempts++;
        p.sentNanos = System.nanoTime();
        s.inFlight++;
        s.assigned++;
        requestsSent.incrementAndGet();
        if (s.endpoint != null) {
            listener.sent(s.endpoint);
        } else {
            s.sentBeforeHeaders++;
        }
        s.call.sendMessage(p.request);
        listener.sentBytes(p.request.getSerializedSize());
    }

    /**
     * Opens an {@code InferStream}. A working stream waits for a ready teacher; a probe fails at once when there is
     * none. No deadline: a stream lives as long as training, and callers time out each answer. Holds the lock.
     */
    private Stream open(boolean asProbe) {
        CallOptions options = CallOptions.DEFAULT.withMaxInboundMessageSize(MAX_MESSAGE_BYTES);
        ClientCall<InferRequest, InferResponse> call = channel.newCall(TeacherServiceGrpc.getInferStreamMethod(),
                asProbe ? options : options.withWaitForReady());
        Stream s = new Stream(call);
        call.start(s, new Metadata());
        call.request(1);
        return s;
    }

    /** Every {@link #PROBE_MILLIS}: looks for a ready endpoint without a stream. */
    private void tick() {
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (++ticks % RESET_BACKOFF_TICKS == 0) {
                    channel.resetConnectBackoff();
                }
                if (probe != null && System.nanoTime() - probe.openedNanos > PROBE_PATIENCE_NANOS) {
                    probe.retire("probe found no endpoint in time");
                    probe = null;
                }
                if (probe == null && !channel.isShutdown()) {
                    probe = open(true);
                }
            }
        } catch (RuntimeException e) {
            LOG.warning("teacher probe failed: " + e);
        }
    }

    private synchronized void headers(Stream s, String endpoint) {
        s.endpoint = endpoint;
        for (; s.sentBeforeHeaders > 0; s.sentBeforeHeaders--) {
            listener.sent(endpoint);
        }
        if (s != probe) {
            return;
        }
        probe = null;
        if (closed) {
            s.retire("client closed");
            return;
        }
        boolean covered = streams.stream().anyMatch(x -> !x.retired && endpoint.equals(x.endpoint));
        if (covered) {
            s.retire(null);
            cycled = true; // round robin came back to a covered endpoint: every ready one has a stream
            notifyAll();
            return;
        }
        streams.add(s);
        LOG.fine(() -> "teacher stream to " + endpoint + " (" + streams.size() + " streams)");
        timer.execute(this::tick); // there may be more endpoints without a stream
    }

    private void received(Stream s, InferResponse response) {
        listener.receivedBytes(response.getSerializedSize());
        Pending<?> p;
        synchronized (this) {
            s.call.request(1);
            p = pending.get(response.getRequestId());
            if (p == null || p.stream != s) {
                return; // answered already, or resent elsewhere: the future completes once
            }
            pending.remove(response.getRequestId());
            s.inFlight--;
            String endpoint = s.endpoint == null ? "(unknown)" : s.endpoint;
            answers.merge(endpoint, 1L, Long::sum);
            listener.answered(endpoint, (System.nanoTime() - p.sentNanos) / 1e9);
            listener.inFlight(pending.size());
        }
        if (response.hasError()) {
            // The server refused this request alone (the stream goes on): fail its future with the server's words.
            Status status = Status.fromCodeValue(response.getError().getCode())
                    .withDescription(response.getError().getMessage());
            p.future.completeExceptionally(new TeacherException(status.getCode(), "the teacher refused request "
                    + response.getRequestId() + ": " + describe(status), status.asRuntimeException()));
            return;
        }
        try {
            p.answer(response);
        } catch (RuntimeException e) {
            p.future.completeExceptionally(new TeacherException(Status.Code.INTERNAL,
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

    /** A stream ended: its unanswered requests go to the rest of the fleet, or fail when the status is final. */
    private void ended(Stream s, Status status) {
        List<Pending<?>> toFail = new ArrayList<>();
        TeacherException error;
        synchronized (this) {
            if (s == probe) {
                probe = null;
            }
            streams.remove(s);
            List<Pending<?>> orphans = pending.values().stream().filter(p -> p.stream == s).toList();
            if (closed || (s.retired && orphans.isEmpty())) {
                return;
            }
            String endpoint = s.endpoint == null ? "(unconnected)" : s.endpoint;
            if (!status.isOk()) {
                listener.streamFailed(endpoint, status.getCode().name());
            }
            if (orphans.isEmpty()) {
                return;
            }
            error = new TeacherException(status.getCode(), "teacher " + endpoint + ": " + describe(status),
                    status.asRuntimeException());
            if (resendable(status)) {
                LOG.warning("teacher stream to " + endpoint + " ended (" + describe(status) + "); sending its "
                        + orphans.size() + " unanswered requests to the rest of the fleet");
                for (Pending<?> p : orphans) {
                    p.stream = null;
                    if (p.attempts > maxRetries) {
                        pending.remove(p.request.getRequestId());
                        toFail.add(p);
                    } else if (p.attempts == 1) {
                        resend(p);
                    } else {
                        CompletableFuture.delayedExecutor(backoffMillis(p.attempts - 2), TimeUnit.MILLISECONDS)
                                .execute(() -> {
                                    synchronized (TeacherClient.this) {
                                        if (!closed && p.stream == null && pending.containsKey(
                                                p.request.getRequestId())) {
                                            resend(p);
                                        }
                                    }
                                });
                    }
                }
            } else {
                orphans.forEach(p -> pending.remove(p.request.getRequestId()));
                toFail.addAll(orphans);
            }
            listener.inFlight(pending.size());
        }
        if (!toFail.isEmpty()) {
            TeacherException cause = error;
            toFail.forEach(p -> p.future.completeExceptionally(p.attempts > maxRetries && resendable(status)
                    ? new TeacherException(status.getCode(), "request " + p.request.getRequestId() + " was sent "
                    + p.attempts + " times and every stream it was on ended; last: " + cause.getMessage(), cause)
                    : cause));
        }
    }

    private void resend(Pending<?> p) {
        resends.incrementAndGet();
        listener.resent(1);
        dispatch(p);
    }

    /** Statuses that say the stream, not the request, failed: the requests go elsewhere. */
    private static boolean resendable(Status status) {
        return switch (status.getCode()) {
            case OK, UNAVAILABLE, CANCELLED, ABORTED, DEADLINE_EXCEEDED -> true;
            default -> false;
        };
    }

    private static String endpointOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** Closes every stream; unanswered requests are cancelled. */
    @Override
    public void close() {
        List<Pending<?>> cancelled;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            timer.shutdownNow();
            for (Stream s : streams) {
                s.retire("client closed");
            }
            if (probe != null) {
                probe.retire("client closed");
            }
            streams.clear();
            cancelled = new ArrayList<>(pending.values());
            pending.clear();
        }
        cancelled.forEach(p -> p.future.cancel(false));
    }

    /** One {@code InferStream} and what is on it. */
    private final class Stream extends ClientCall.Listener<InferResponse> {
        final ClientCall<InferRequest, InferResponse> call;
        final long openedNanos = System.nanoTime();
        boolean retired;
        String endpoint;
        int inFlight;
        long assigned;
        int sentBeforeHeaders;

        Stream(ClientCall<InferRequest, InferResponse> call) {
            this.call = call;
        }

        /** Ends the stream from this side: gracefully when nothing is on it, else cancelled. Holds the lock. */
        void retire(String reason) {
            if (retired) {
                return;
            }
            retired = true;
            if (inFlight == 0) {
                call.halfClose();
            } else {
                call.cancel(reason, null);
            }
        }

        @Override
        public void onHeaders(Metadata headers) {
            headers(this, endpointOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
        }

        @Override
        public void onMessage(InferResponse message) {
            received(this, message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            ended(this, status);
        }
    }
}
