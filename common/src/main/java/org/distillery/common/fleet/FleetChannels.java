package org.distillery.common.fleet;

import io.grpc.ChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.proto.v1.TeacherServiceGrpc;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One channel over a fleet of teachers: {@code round_robin} over every resolved endpoint, client-side health
 * checking on {@code distillery.v1.TeacherService} (a teacher that is draining or not yet serving gets no new
 * calls), retries of the unary calls on UNAVAILABLE, and keepalive pings so that a teacher behind a dead link (no
 * reset) is dropped within seconds. Streams are never retried by gRPC once headers arrive; the trainer's client
 * resends a dead stream's requests itself.
 */
public final class FleetChannels {
    /** Seconds between keepalive pings on an idle connection; the server must permit at least this often. */
    public static final int KEEPALIVE_SECONDS = 10;
    /** Seconds a ping may go unanswered before the connection is closed. */
    public static final int KEEPALIVE_TIMEOUT_SECONDS = 5;

    private FleetChannels() {
    }

    /** The service config every fleet channel uses. */
    public static Map<String, Object> serviceConfig() {
        String service = TeacherServiceGrpc.SERVICE_NAME;
        Map<String, Object> retry = Map.of(
                "maxAttempts", 5.0,
                "initialBackoff", "0.1s",
                "maxBackoff", "2s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        List<Map<String, Object>> unary = List.of(
                Map.of("service", service, "method", "GetModelInfo"),
                Map.of("service", service, "method", "ListModels"),
                Map.of("service", service, "method", "Infer"));
        return Map.of(
                "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "healthCheckConfig", Map.of("serviceName", service),
                "methodConfig", List.of(Map.of("name", unary, "retryPolicy", retry)));
    }

    /**
     * A channel builder for {@code target} with the fleet's service config, retries and keepalive; the caller adds
     * message limits and builds.
     */
    public static NettyChannelBuilder builder(TeacherTarget target, ChannelCredentials credentials) {
        StaticResolverProvider.register();
        return NettyChannelBuilder.forTarget(target.grpcTarget(), credentials)
                .defaultServiceConfig(serviceConfig())
                .disableServiceConfigLookUp()
                .enableRetry()
                .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
