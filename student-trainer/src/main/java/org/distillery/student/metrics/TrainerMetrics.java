package org.distillery.student.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.distillery.common.metrics.MetricsHttpServer;
import org.distillery.student.client.TeacherLinkListener;
import org.distillery.student.train.TrainingListener;

import java.io.IOException;
import java.util.function.DoubleSupplier;

/**
 * A training run's metrics, in a registry of its own (never the process-wide default), optionally served on
 * {@code --metrics-port}. Hands out the {@link TrainingListener} that records the steps and the
 * {@link TeacherLinkListener} that records the link to the teacher fleet; {@link #disabled()} hands out listeners
 * that do nothing. Closing stops the HTTP endpoint; the run closes it when it ends, normally or not.
 */
public final class TrainerMetrics implements AutoCloseable {
    private static final TrainerMetrics DISABLED = new TrainerMetrics(null);

    private final PrometheusRegistry registry;
    private final StepMetrics steps;
    private final LinkMetrics link;
    private MetricsHttpServer server;

    private TrainerMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        this.steps = registry == null ? null : new StepMetrics(registry);
        this.link = registry == null ? null : new LinkMetrics(registry);
    }

    /** Metrics registered in a new registry, not served until {@link #serve}. */
    public static TrainerMetrics create() {
        return new TrainerMetrics(new PrometheusRegistry());
    }

    /** Records nothing (a run without {@code --metrics-port}). */
    public static TrainerMetrics disabled() {
        return DISABLED;
    }

    public boolean enabled() {
        return registry != null;
    }

    /**
     * Serves {@code /metrics} on {@code port} of every interface (0: a free port, see {@link #port()}).
     *
     * @throws IOException with one line naming {@code --metrics-port} when it cannot listen
     */
    public synchronized TrainerMetrics serve(int port) throws IOException {
        if (registry == null) {
            throw new IllegalStateException("metrics are disabled");
        }
        if (server != null) {
            throw new IllegalStateException("already serving on port " + server.port());
        }
        server = MetricsHttpServer.start(null, port, registry);
        return this;
    }

    /** The port {@code /metrics} is served on, or -1 when not served. */
    public synchronized int port() {
        return server == null ? -1 : server.port();
    }

    /**
     * The registry.
     *
     * @throws IllegalStateException when disabled
     */
    public PrometheusRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException("metrics are disabled");
        }
        return registry;
    }

    /** What the fleet client reports, recorded as {@code distillery_trainer_teacher_*}. */
    public TeacherLinkListener linkListener() {
        return link == null ? TeacherLinkListener.NONE : link;
    }

    /**
     * A listener recording steps, skipped steps, examples per second, teacher agreement and KL, and the teacher
     * wait.
     *
     * @param teacherWaitSeconds the time the loop has waited for the teacher so far in this process (0 without one)
     */
    public TrainingListener stepListener(DoubleSupplier teacherWaitSeconds) {
        if (steps == null) {
            return new TrainingListener() {
            };
        }
        return steps.listener(teacherWaitSeconds);
    }

    /** Stops serving; idempotent. The registry keeps its values. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
