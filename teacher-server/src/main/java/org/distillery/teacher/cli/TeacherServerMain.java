package org.distillery.teacher.cli;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.fleet.DnsCaching;
import org.distillery.common.fleet.FleetChannels;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.metrics.MetricsHttpServer;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.bench.TeacherBenchmark;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.security.ServerSecurity;
import org.distillery.teacher.server.MemoryLog;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code teacher-server}: serves ONNX teachers over gRPC; {@code teacher-server bench} measures it,
 * {@code teacher-server soak} drives a served teacher with good and bad traffic for a while, and
 * {@code teacher-server health} checks a running one.
 * User errors print one line and exit 2; {@code --verbose} adds the stack trace.
 */
@Command(name = "teacher-server", mixinStandardHelpOptions = true, version = "distillery teacher-server 0.1.0",
        description = "Serves ONNX teacher models (single or ensembles) over gRPC with ONNX Runtime.",
        subcommands = {TeacherBenchmark.class, ExampleTeacherCommand.class, QueryCommand.class, HealthCommand.class,
                SoakCommand.class},
        sortOptions = false)
public final class TeacherServerMain implements Callable<Integer> {
    /** Exit code for bad arguments, files or models. */
    public static final int USAGE_ERROR = 2;

    @Option(names = "--model", paramLabel = ModelArgument.FORMAT,
            description = "A model to serve (repeatable).")
    List<String> models = new ArrayList<>();

    @Option(names = "--ensemble", paramLabel = EnsembleArgument.FORMAT,
            description = "An ensemble of models given with --model (repeatable). Default combine: mean_logits.")
    List<String> ensembles = new ArrayList<>();

    @Option(names = "--host", defaultValue = "0.0.0.0",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "50051",
            description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--port-file", description = "Write the bound port to this file once serving.")
    Path portFile;

    @Option(names = "--device", defaultValue = "auto",
            description = "cpu, cuda:N, or auto (CUDA when it loads, else CPU) (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--intra-op-threads", defaultValue = "0",
            description = "ONNX Runtime threads per run; 0 = ONNX Runtime's choice (default: ${DEFAULT-VALUE}).")
    int intraOpThreads;

    @Option(names = "--max-batch", description = "Examples merged into one run (default: ${DEFAULT-VALUE}).")
    int maxBatch = BatchingOptions.DEFAULTS.maxBatch();

    @Option(names = "--max-queue-delay-us",
            description = "How long a batch waits for more requests, in microseconds (default: ${DEFAULT-VALUE}).")
    long maxQueueDelayUs = BatchingOptions.DEFAULTS.maxQueueDelayMicros();

    @Option(names = "--max-queue",
            description = "Requests waiting per model before RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    int maxQueue = BatchingOptions.DEFAULTS.maxQueue();

    @Option(names = "--max-batch-elements",
            description = "Memory budget of one run: examples x padded elements per example of the widest input "
                    + "(batch x sequence for token inputs); merging stops before it and a larger request gets "
                    + "RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    long maxBatchElements = BatchingOptions.DEFAULTS.maxBatchElements();

    @Option(names = "--cpu-arena", description = "Keep ONNX Runtime's CPU memory arena (faster repeated runs, but "
            + "it keeps the memory of the largest run for good; off by default).")
    boolean cpuArena;

    @Option(names = "--max-request-examples", description = "Largest batch per request (default: ${DEFAULT-VALUE}).")
    int maxRequestExamples = ServerLimits.DEFAULTS.maxRequestExamples();

    @Option(names = "--max-request-elements",
            description = "Most elements per input tensor (default: ${DEFAULT-VALUE}).")
    long maxRequestElements = ServerLimits.DEFAULTS.maxRequestElements();

    @Option(names = "--stream-window",
            description = "Requests per InferStream read ahead of responses taken (default: ${DEFAULT-VALUE}).")
    int streamWindow = ServerLimits.DEFAULTS.streamWindow();

    @Option(names = "--stream-window-bytes",
            description = "Bytes of responses one InferStream may have computed but not yet taken; the server reads "
                    + "fewer requests ahead when responses are large (default: ${DEFAULT-VALUE}).")
    long streamWindowBytes = ServerLimits.DEFAULTS.streamWindowBytes();

    @Option(names = "--max-message-mb", description = "Largest gRPC message in MiB (default: ${DEFAULT-VALUE}).")
    int maxMessageMb = ServerLimits.DEFAULTS.maxMessageBytes() >> 20;

    @Option(names = "--grace-seconds", defaultValue = "30",
            description = "On SIGTERM, time for in-flight requests to finish (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--max-connection-age-seconds", paramLabel = "S",
            description = "Close each client connection after S seconds (GOAWAY), so that long-lived streams rotate "
                    + "and clients re-resolve DNS and rebalance onto new teachers (default: never).")
    Long maxConnectionAgeSeconds;

    @Option(names = "--max-connection-age-grace-seconds", paramLabel = "S",
            description = "After --max-connection-age-seconds, time the connection's open calls get to finish "
                    + "before they are cancelled; fleet clients resend what was cut (default: ${DEFAULT-VALUE}).")
    long maxConnectionAgeGraceSeconds = 30;

    @Option(names = "--log-memory-every-s", paramLabel = "S",
            description = "Print a 'memory: heap_used_mb=… rss_mb=…' line every S seconds (default: off).")
    Double logMemoryEverySeconds;

    @Option(names = "--metrics-port", paramLabel = "N",
            description = "Serve Prometheus metrics at http://HOST:N/metrics (plaintext HTTP, no token); 0 picks a "
                    + "free port, shown in the startup line (default: off).")
    Integer metricsPort;

    @Mixin
    SecurityMixin security = new SecurityMixin();

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    public static void main(String[] args) {
        DnsCaching.shorten();
        Logging.configure();
        System.exit(execute(new PrintWriter(System.err, true), args));
    }

    /** Runs the command line; errors go to {@code err} as one line. Returns the exit code. */
    public static int execute(PrintWriter err, String... args) {
        return execute(new PrintWriter(System.out, true), err, args);
    }

    /** Runs the command line with subcommands' results on {@code out}; errors go to {@code err} as one line. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new TeacherServerMain());
        cli.setOut(out);
        cli.setErr(err);
        boolean verbose = List.of(args).contains("--verbose");
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> UserErrors.report(e, verbose, err));
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        TeacherServer server = start();
        long graceMillis = graceSeconds * 1000L;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("teacher-server: draining (up to " + graceSeconds + " s)");
            server.shutdown(graceMillis);
        }, "shutdown"));
        server.awaitTermination();
        return 0;
    }

    /** Checks the options, loads the models and starts serving; the caller stops the server. */
    TeacherServer start() throws Exception {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models: give at least one --model " + ModelArgument.FORMAT);
        }
        if (logMemoryEverySeconds != null && !(logMemoryEverySeconds > 0)) {
            throw new IllegalArgumentException("--log-memory-every-s must be > 0, got " + logMemoryEverySeconds);
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new IllegalArgumentException("--metrics-port must be in [0, 65535], got " + metricsPort);
        }
        ServerSecurity protection = security.settings();
        if (maxConnectionAgeSeconds != null && maxConnectionAgeSeconds < 1) {
            throw new IllegalArgumentException("--max-connection-age-seconds must be >= 1, got "
                    + maxConnectionAgeSeconds);
        }
        if (maxConnectionAgeGraceSeconds < 0) {
            throw new IllegalArgumentException("--max-connection-age-grace-seconds must be >= 0, got "
                    + maxConnectionAgeGraceSeconds);
        }
        NettyServerBuilder serverBuilder = protection.builder(new InetSocketAddress(host, port))
                // fleet clients ping every FleetChannels.KEEPALIVE_SECONDS to notice dead links
                .permitKeepAliveTime(FleetChannels.KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        if (maxConnectionAgeSeconds != null) {
            serverBuilder.maxConnectionAge(maxConnectionAgeSeconds, TimeUnit.SECONDS)
                    .maxConnectionAgeGrace(maxConnectionAgeGraceSeconds, TimeUnit.SECONDS);
        }
        List<ServerInterceptor> guards = protection.guards();
        SessionFactory sessions = new SessionFactory(Device.parse(device), intraOpThreads, cpuArena);
        BatchingOptions batching = new BatchingOptions(maxBatch, maxQueueDelayUs, maxQueue, maxBatchElements);
        ServerLimits limits = new ServerLimits(maxRequestExamples, maxRequestElements, streamWindow,
                Math.multiplyExact(maxMessageMb, 1 << 20), streamWindowBytes);
        TeacherMetrics metrics = metricsPort == null ? TeacherMetrics.disabled() : TeacherMetrics.create();
        ModelRegistry.Builder builder = ModelRegistry.builder(sessions, batching).metrics(metrics);
        ModelRegistry registry;
        try {
            for (String m : models) {
                ModelArgument a = ModelArgument.parse(m);
                builder.addModel(a.name(), a.onnx(), a.tokenizer(), a.padId(), a.maxLength());
            }
            for (String e : ensembles) {
                EnsembleArgument a = EnsembleArgument.parse(e);
                builder.addEnsemble(a.name(), a.members(), a.combine());
            }
            registry = builder.build();
        } catch (Exception e) {
            builder.abandon();
            throw e;
        }
        TeacherServer server = new TeacherServer(serverBuilder, registry, limits, guards);
        if (security.healthPort != null) {
            server.withHealthServer(NettyServerBuilder.forAddress(new InetSocketAddress(host, security.healthPort),
                    InsecureServerCredentials.create()));
        }
        if (metricsPort != null) {
            try {
                server.withMetricsServer(MetricsHttpServer.start(host, metricsPort, metrics.registry()));
            } catch (IOException e) {
                registry.close(100);
                throw e;
            }
        }
        try {
            server.start();
        } catch (IOException e) {
            registry.close(100);
            throw new IOException("cannot listen on " + host + ":" + port
                    + (security.healthPort == null ? "" : " and health port " + security.healthPort) + ": "
                    + e.getMessage(), e);
        }
        if (protection.token() && !protection.tls()) {
            System.err.println("teacher-server: warning: --auth-token-file without --tls-cert: tokens cross the "
                    + "network in clear text");
        }
        if (portFile != null) {
            AtomicFiles.writeString(portFile, server.port() + "\n");
        }
        List<String> names = new ArrayList<>();
        registry.endpoints().forEach(e -> names.add(e.name() + (e.isEnsemble() ? " (ensemble)" : "")));
        System.out.println("teacher-server: serving " + names + " on " + host + ":" + server.port() + " (device "
                + sessions.device() + ", max batch " + maxBatch + (protection.tls() ? ", TLS" : ", plaintext")
                + (protection.clientCa() != null ? ", client certificates required" : "")
                + (protection.token() ? ", bearer token required" : "")
                + (server.healthPort() >= 0 ? ", health alone on port " + server.healthPort() + " in plaintext" : "")
                + (server.metricsPort() >= 0 ? ", metrics on port " + server.metricsPort() + " at /metrics" : "")
                + ")");
        System.out.flush();
        if (logMemoryEverySeconds != null) {
            MemoryLog.start(System.out, logMemoryEverySeconds);
        }
        return server;
    }
}
