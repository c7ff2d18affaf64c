package org.distillery.teacher.server;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import org.distillery.common.metrics.MetricsHttpServer;
import org.distillery.proto.v1.TeacherServiceGrpc;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The teacher server: the teacher service, {@code grpc.health.v1.Health} and server reflection on a server built
 * from an injected {@link ServerBuilder} (Netty in production, in-process in tests).
 * Health is SERVING once started and NOT_SERVING while draining. Guards (e.g. the bearer-token check) wrap the
 * teacher service and reflection, never health, so probes need no token. A second server may serve health alone
 * (e.g. plaintext for Kubernetes probes while the main port needs TLS), reporting the same status. The server may
 * own a metrics endpoint serving its registry's {@link org.distillery.teacher.metrics.TeacherMetrics}; it is closed
 * when the server stops.
 */
public final class TeacherServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TeacherServer.class.getName());

    private final Server server;
    private final ModelRegistry registry;
    private final TeacherService service;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ExecutorService responseExecutor;
    private volatile Server healthServer;
    private volatile MetricsHttpServer metricsServer;
    private boolean stopped;

    public TeacherServer(ServerBuilder<?> builder, ModelRegistry registry, ServerLimits limits) {
        this(builder, registry, limits, List.of());
    }

    /** A server whose teacher service and reflection calls pass through {@code guards} first. */
    public TeacherServer(ServerBuilder<?> builder, ModelRegistry registry, ServerLimits limits,
                         List<ServerInterceptor> guards) {
        this.registry = registry;
        this.responseExecutor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemonThreads("responses"));
        InferencePipeline pipeline = new InferencePipeline(registry, limits, responseExecutor);
        this.service = new TeacherService(pipeline, limits);
        this.server = builder
                // the guards run first: an unauthenticated call is refused before its bytes are parsed
                .addService(ServerInterceptors.intercept(ServerInterceptors.intercept(UnreadableRequests.wrap(
                        service.bindService(), service.counter()), new EarlyStreamHeaders()), guards))
                .addService(health.getHealthService())
                .addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), guards))
                .addService(ServerInterceptors.intercept(legacyReflection(), guards))
                .maxInboundMessageSize(limits.maxMessageBytes())
                .build();
    }

    /**
     * Reflection as {@code grpc.reflection.v1alpha} too: grpcurl before 1.9 and other older clients know only that
     * name. grpc-java marks the class deprecated in favour of v1, which is served as well.
     */
    @SuppressWarnings("deprecation")
    private static io.grpc.BindableService legacyReflection() {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    /**
     * Also serves {@code grpc.health.v1.Health}, and nothing else, on a server built from {@code builder}, with the
     * main server's status. Call before {@link #start()}; it starts with the main server and stops after it.
     */
    public synchronized TeacherServer withHealthServer(ServerBuilder<?> builder) {
        if (healthServer != null) {
            throw new IllegalStateException("a health server is already set");
        }
        healthServer = builder.addService(health.getHealthService()).build();
        return this;
    }

    /**
     * Hands this server a started metrics endpoint (serving {@code registry().metrics().registry()}); the server
     * closes it when it stops, or when it fails to start.
     */
    public synchronized TeacherServer withMetricsServer(MetricsHttpServer metrics) {
        if (metricsServer != null) {
            throw new IllegalStateException("a metrics server is already set");
        }
        metricsServer = metrics;
        return this;
    }

    /** Starts listening (the health server too, when there is one) and reports SERVING. */
    public TeacherServer start() throws IOException {
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            closeMetrics();
            throw e;
        }
        if (healthServer != null) {
            try {
                healthServer.start();
            } catch (IOException | RuntimeException e) {
                server.shutdownNow();
                closeMetrics();
                throw e;
            }
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(TeacherServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        return this;
    }

    /** The bound port (for a Netty server started on port 0). */
    public int port() {
        return server.getPort();
    }

    /** The health server's bound port, or -1 without one. */
    public int healthPort() {
        return healthServer == null ? -1 : healthServer.getPort();
    }

    /** The metrics endpoint's bound port, or -1 without one. */
    public int metricsPort() {
        MetricsHttpServer metrics = metricsServer;
        return metrics == null ? -1 : metrics.port();
    }

    private void closeMetrics() {
        MetricsHttpServer metrics = metricsServer;
        if (metrics != null) {
            metrics.close();
        }
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * Graceful stop: NOT_SERVING, no new calls, open streams take no more requests and end once theirs are answered
     * (clients resend the rest elsewhere), in-flight calls finish within {@code graceMillis}, then the rest is
     * cancelled and the models are freed.
     */
    public synchronized void shutdown(long graceMillis) {
        if (stopped) {
            return;
        }
        stopped = true;
        long until = System.currentTimeMillis() + graceMillis;
        health.enterTerminalState();
        server.shutdown();
        service.finishStreams();
        try {
            if (!server.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
                LOG.warning("grace period of " + graceMillis + " ms over; cancelling calls still running");
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        registry.close(Math.max(100, until - System.currentTimeMillis()));
        responseExecutor.shutdown();
        if (healthServer != null) {
            healthServer.shutdownNow();
        }
        closeMetrics();
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        shutdown(5000);
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
