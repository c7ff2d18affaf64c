package org.distillery.teacher.metrics;

import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.distillery.teacher.batching.BatchObserver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The teacher server's metrics, in a registry of its own (never the process-wide default), so several servers can
 * share a JVM. {@link #disabled()} records nothing and costs a null check per call: the serving path calls it
 * unconditionally.
 *
 * <table>
 * <caption>Metrics</caption>
 * <tr><td>{@value #REQUESTS}_total{model,code}</td><td>counter: Infer calls and InferStream requests by gRPC
 * status code name</td></tr>
 * <tr><td>{@value #EXAMPLES}_total{model}</td><td>counter: rows of the requests answered OK</td></tr>
 * <tr><td>{@value #QUEUE_WAIT}{model}</td><td>histogram: seconds a request waited for its batch to start</td></tr>
 * <tr><td>{@value #COMPUTE}{model}</td><td>histogram: seconds of ONNX Runtime per merged batch</td></tr>
 * <tr><td>{@value #BATCH_SIZE}{model}</td><td>histogram: rows per merged batch</td></tr>
 * <tr><td>{@value #QUEUE_DEPTH}{model}</td><td>gauge: requests waiting in the model's batcher</td></tr>
 * <tr><td>{@value #OPEN_STREAMS}</td><td>gauge: InferStream calls open now</td></tr>
 * </table>
 * Models are the names requests use (an ensemble's name for requests, its members' names for batches); a request
 * for a model the server does not have is counted under {@value #UNKNOWN_MODEL}, so clients cannot add series.
 */
public final class TeacherMetrics {
    public static final String REQUESTS = "distillery_teacher_requests";
    public static final String EXAMPLES = "distillery_teacher_examples";
    public static final String QUEUE_WAIT = "distillery_teacher_queue_wait_seconds";
    public static final String COMPUTE = "distillery_teacher_compute_seconds";
    public static final String BATCH_SIZE = "distillery_teacher_batch_size";
    public static final String QUEUE_DEPTH = "distillery_teacher_queue_depth";
    public static final String OPEN_STREAMS = "distillery_teacher_open_streams";
    /** The model label of requests for a model the server does not serve (and of unreadable requests). */
    public static final String UNKNOWN_MODEL = "(unknown)";

    /** Upper bounds in seconds for queue wait and compute time: 100 µs to 10 s. */
    static final double[] SECONDS_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Upper bounds of rows per merged batch. */
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final double NANOS = 1e9;
    private static final TeacherMetrics DISABLED = new TeacherMetrics(null);

    private final PrometheusRegistry registry;
    private final Counter requests;
    private final Counter examples;
    private final Histogram queueWait;
    private final Histogram compute;
    private final Histogram batchSize;
    private final Gauge openStreams;
    private final Map<String, IntSupplier> queues = new ConcurrentHashMap<>();

    private TeacherMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        if (registry == null) {
            requests = null;
            examples = null;
            queueWait = null;
            compute = null;
            batchSize = null;
            openStreams = null;
            return;
        }
        requests = Counter.builder().name(REQUESTS + "_total")
                .help("Infer calls and InferStream requests, by model and gRPC status code")
                .labelNames("model", "code").withoutExemplars().register(registry);
        examples = Counter.builder().name(EXAMPLES + "_total")
                .help("Examples (batch rows) of the requests answered OK, by model")
                .labelNames("model").withoutExemplars().register(registry);
        queueWait = seconds(QUEUE_WAIT, "Seconds a request waited in the batcher's queue before its batch started")
                .register(registry);
        compute = seconds(COMPUTE, "Seconds ONNX Runtime took per merged batch").register(registry);
        batchSize = Histogram.builder().name(BATCH_SIZE).help("Examples (rows) per merged batch")
                .labelNames("model").classicOnly().classicUpperBounds(BATCH_BUCKETS).withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder().name(QUEUE_DEPTH).help("Requests waiting in the model's batcher")
                .labelNames("model")
                .callback(callback -> queues.forEach((model, depth) -> callback.call(depth.getAsInt(), model)))
                .register(registry);
        openStreams = Gauge.builder().name(OPEN_STREAMS).help("InferStream calls open now").withoutExemplars()
                .register(registry);
    }

    private static Histogram.Builder seconds(String name, String help) {
        return Histogram.builder().name(name).help(help).labelNames("model").classicOnly()
                .classicUpperBounds(SECONDS_BUCKETS).withoutExemplars();
    }

    /** Metrics that record nothing (the server without {@code --metrics-port}). */
    public static TeacherMetrics disabled() {
        return DISABLED;
    }

    /** Metrics registered in a new registry of their own. */
    public static TeacherMetrics create() {
        return new TeacherMetrics(new PrometheusRegistry());
    }

    public boolean enabled() {
        return registry != null;
    }

    /**
     * The registry to serve.
     *
     * @throws IllegalStateException when disabled
     */
    public PrometheusRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException("metrics are disabled");
        }
        return registry;
    }

    /** The observer of one model's batcher: queue wait, compute seconds and batch size under {@code model}. */
    public BatchObserver batches(String model) {
        if (registry == null) {
            return BatchObserver.NONE;
        }
        var wait = queueWait.labelValues(model);
        var run = compute.labelValues(model);
        var size = batchSize.labelValues(model);
        return new BatchObserver() {
            @Override
            public void waited(long nanos) {
                wait.observe(nanos / NANOS);
            }

            @Override
            public void ran(int examples, long nanos) {
                run.observe(nanos / NANOS);
                size.observe(examples);
            }
        };
    }

    /** Reports {@code depth} as the queue depth of {@code model} at every scrape. */
    public void watchQueue(String model, IntSupplier depth) {
        if (registry != null) {
            queues.put(model, depth);
        }
    }

    /**
     * One request finished.
     *
     * @param model    the model label (a served name, or {@link #UNKNOWN_MODEL})
     * @param code     how it ended
     * @param examples its rows, added to the examples served when {@code code} is OK
     */
    public void request(String model, Status.Code code, int examples) {
        if (registry == null) {
            return;
        }
        requests.labelValues(model, code.name()).inc();
        if (code == Status.Code.OK) {
            this.examples.labelValues(model).inc(examples);
        }
    }

    /** An InferStream call opened. */
    public void streamOpened() {
        if (registry != null) {
            openStreams.inc();
        }
    }

    /** An InferStream call ended (completed, failed or cancelled). */
    public void streamClosed() {
        if (registry != null) {
            openStreams.dec();
        }
    }
}
