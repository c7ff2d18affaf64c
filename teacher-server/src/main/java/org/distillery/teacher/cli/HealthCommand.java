package org.distillery.teacher.cli;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ChannelCredentials;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.common.fleet.StaticResolverProvider;
import org.distillery.common.fleet.TeacherTarget;
import org.distillery.proto.v1.TeacherServiceGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code teacher-server health}: asks {@code grpc.health.v1.Health} whether the teacher service is SERVING, for
 * container health checks and scripts. A comma list checks every teacher on it, all within one deadline. Exit 0
 * when all are SERVING; otherwise one line naming each teacher that is not, with its status or why it cannot be
 * reached, and exit 1. The channel has no client-side health checking of its own (a fleet channel would hide a
 * NOT_SERVING teacher behind UNAVAILABLE); TLS, client certificates and the token work as for {@code query}.
 */
@Command(name = "health", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks grpc.health.v1.Health of a teacher server: exit 0 when the service is SERVING; "
                + "otherwise one line (the status, or why the server cannot be reached) and exit 1.",
                "A comma list checks each teacher on it; a dns:/// or other gRPC target checks the first address "
                        + "that answers."})
public final class HealthCommand implements Callable<Integer> {
    /** Exit code when a teacher is not SERVING or cannot be reached. */
    public static final int NOT_HEALTHY = 1;
    private static final long LONGEST_TIMEOUT_SECONDS = 3600;
    /** Held so that its level stays: gRPC's own warnings (e.g. a name that does not resolve) would add lines. */
    private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

    @Option(names = {"--target", "--teacher"}, defaultValue = "127.0.0.1:50051",
            description = "The server: host:port, a comma list of them (each is checked), or a gRPC target such as "
                    + "dns:///teachers.example:50051 (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--service", defaultValue = TeacherServiceGrpc.SERVICE_NAME,
            description = "The service whose status is asked; an empty value asks about the server as a whole "
                    + "(default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--timeout-seconds", defaultValue = "3",
            description = "Deadline for every answer, connecting included (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Mixin
    ClientSecurityMixin security = new ClientSecurityMixin();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds < 1 || timeoutSeconds > LONGEST_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("--timeout-seconds must be from 1 to " + LONGEST_TIMEOUT_SECONDS
                    + ", got " + timeoutSeconds);
        }
        TeacherTarget parsed = TeacherTarget.parse("--target", target);
        GRPC_LOG.setLevel(Level.SEVERE);
        ChannelCredentials credentials = security.channelCredentials();
        List<String> labels = parsed.endpoints().isEmpty() ? List.of(parsed.grpcTarget()) : parsed.endpoints();
        StaticResolverProvider.register();
        Deadline deadline = Deadline.after(timeoutSeconds, TimeUnit.SECONDS);
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(service).build();
        List<ManagedChannel> channels = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try {
            List<ListenableFuture<HealthCheckResponse>> answers = new ArrayList<>();
            for (String label : labels) {
                // One channel per listed teacher: a channel over the list would ask only one of them.
                String grpcTarget = parsed.endpoints().isEmpty() ? label
                        : StaticResolverProvider.SCHEME + ":///" + label;
                ManagedChannel channel = NettyChannelBuilder.forTarget(grpcTarget, credentials)
                        .disableServiceConfigLookUp().build();
                channels.add(channel);
                answers.add(HealthGrpc.newFutureStub(channel).withDeadline(deadline).check(request));
            }
            for (int i = 0; i < labels.size(); i++) {
                String problem = problem(labels.get(i), answers.get(i));
                if (problem != null) {
                    problems.add(problem);
                }
            }
        } finally {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
            }
        }
        if (!problems.isEmpty()) {
            spec.commandLine().getErr().println("teacher-server health: " + String.join("; ", problems));
            spec.commandLine().getErr().flush();
            return NOT_HEALTHY;
        }
        spec.commandLine().getOut().println(String.join(", ", labels) + ": SERVING"
                + (service.isEmpty() ? "" : " (" + service + ")"));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** What is wrong with one teacher's answer, or null when it is SERVING. */
    private String problem(String label, ListenableFuture<HealthCheckResponse> answer) throws InterruptedException {
        try {
            // The call's deadline ends it; the extra seconds only guard against a call that ignores it.
            ServingStatus status = answer.get(timeoutSeconds + 5, TimeUnit.SECONDS).getStatus();
            return status == ServingStatus.SERVING ? null
                    : label + " is " + status + (service.isEmpty() ? "" : " (service " + service + ")");
        } catch (TimeoutException e) {
            answer.cancel(true);
            return label + " unreachable: no answer within " + timeoutSeconds + " s";
        } catch (ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            return switch (status.getCode()) {
                case NOT_FOUND -> label + " does not know service '" + service + "' (NOT_FOUND)";
                case UNIMPLEMENTED -> label + " does not serve grpc.health.v1.Health (UNIMPLEMENTED)";
                case DEADLINE_EXCEEDED -> label + " unreachable: no answer within " + timeoutSeconds
                        + " s (DEADLINE_EXCEEDED)";
                default -> label + " unreachable: " + describe(status);
            };
        }
    }

    /** The code, the description and the cause's message (e.g. "Connection refused"), whichever are there. */
    private static String describe(Status status) {
        StringBuilder text = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            text.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null
                && (status.getDescription() == null || !status.getDescription().contains(cause.getMessage()))) {
            text.append(" (").append(cause.getMessage()).append(')');
        }
        return text.toString().replace('\n', ' ');
    }
}
