package org.distillery.teacher.launch;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A teacher server in its own JVM, started from the classes this process runs with, on a free loopback port: waited
 * for until health says SERVING, and stopped on every exit path (a shutdown hook covers Ctrl-C). The one launcher of
 * teacher processes: the trainer's demo and benchmark and the server's soak use it. Its JVM gets 16 MB thread stacks
 * (with the default 1 MB, ONNX Runtime's session setup overflowed the stack in native code: SIGSEGV, exit 139).
 */
public final class TeacherProcess implements AutoCloseable {
    static final String MAIN_CLASS = "org.distillery.teacher.cli.TeacherServerMain";
    private final Process process;
    private final Path log;
    private final Thread hook;
    private final String host;
    private int port;

    private TeacherProcess(Process process, Path log, Thread hook, String host) {
        this.host = host;
        this.process = process;
        this.log = log;
        this.hook = hook;
    }

    /**
     * How to start one.
     *
     * @param serverArgs teacher-server arguments beyond where to listen (models, batching, limits, ...)
     * @param jvmFlags   extra flags for the server's JVM (e.g. a fixed heap)
     * @param workDir    where the port file and the log ({@code teacher-server.log}) go
     * @param core       CPU core to pin the process to with {@code taskset}, -1 for none
     * @param host       loopback address to listen on ({@code 127.0.0.1}; any 127.x.y.z works on Linux)
     * @param port       port to listen on, 0 for a free one
     */
    public record Spec(List<String> serverArgs, List<String> jvmFlags, Path workDir, int core, String host,
                       int port) {
        public Spec {
            serverArgs = List.copyOf(serverArgs);
            jvmFlags = List.copyOf(jvmFlags);
        }

        /** On {@code 127.0.0.1}, a free port. */
        public Spec(List<String> serverArgs, List<String> jvmFlags, Path workDir, int core) {
            this(serverArgs, jvmFlags, workDir, core, "127.0.0.1", 0);
        }

        /** The same server on {@code newHost:newPort} (e.g. a teacher restarted where it was). */
        public Spec at(String newHost, int newPort) {
            return new Spec(serverArgs, jvmFlags, workDir, core, newHost, newPort);
        }

        /** The same server with more arguments. */
        public Spec withArgs(String... more) {
            List<String> args = new ArrayList<>(serverArgs);
            args.addAll(List.of(more));
            return new Spec(args, jvmFlags, workDir, core, host, port);
        }

        /** The same server writing its port file and log to {@code dir}. */
        public Spec in(Path dir) {
            return new Spec(serverArgs, jvmFlags, dir, core, host, port);
        }

        /**
         * Serves {@code models} (name to ONNX file) on the CPU, merging requests into runs of at most
         * {@code maxBatch} examples: with the training batch size each training batch runs alone, padded only to its
         * own length, so answers do not depend on how requests happened to arrive.
         *
         * @param intraOpThreads ONNX Runtime threads per run (0: its choice)
         */
        public static Spec serving(Map<String, Path> models, Path workDir, int maxBatch, int intraOpThreads,
                                   int core) {
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a teacher process needs at least one model");
            }
            List<String> args = new ArrayList<>(List.of("--device", "cpu", "--grace-seconds", "2", "--max-batch",
                    String.valueOf(maxBatch), "--intra-op-threads", String.valueOf(intraOpThreads)));
            models.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> args.addAll(List.of("--model", e.getKey() + "=" + e.getValue())));
            return new Spec(args, List.of(), workDir, core);
        }
    }

    /**
     * Starts a teacher server and waits until it serves.
     *
     * @throws IllegalStateException with the process' last output when it exits or does not get healthy
     */
    public static TeacherProcess start(Spec spec) throws IOException {
        Files.createDirectories(spec.workDir());
        Path portFile = spec.workDir().resolve("teacher.port");
        Files.deleteIfExists(portFile);
        Path log = spec.workDir().resolve("teacher-server.log");
        ProcessBuilder builder = new ProcessBuilder(command(spec, portFile)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("DJL_OFFLINE", "true");
        Process process = builder.start();
        Thread hook = new Thread(() -> stop(process), "stop-teacher");
        Runtime.getRuntime().addShutdownHook(hook);
        TeacherProcess teacher = new TeacherProcess(process, log, hook, spec.host());
        try {
            teacher.port = teacher.awaitPort(portFile);
            teacher.awaitServing();
            return teacher;
        } catch (RuntimeException | IOException e) {
            teacher.close();
            throw e;
        }
    }

    static List<String> command(Spec spec, Path portFile) {
        List<String> command = new ArrayList<>();
        if (spec.core() >= 0) {
            if (!canPin()) {
                throw new IllegalStateException("pinning the teacher to core " + spec.core() + " needs taskset "
                        + "(util-linux), which is not on the PATH");
            }
            command.addAll(List.of("taskset", "-c", Integer.toString(spec.core())));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xss16m");
        command.addAll(spec.jvmFlags());
        command.addAll(List.of("-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), MAIN_CLASS,
                "--host", spec.host(), "--port", String.valueOf(spec.port()), "--port-file", portFile.toString()));
        command.addAll(spec.serverArgs());
        return command;
    }

    /** True when processes can be pinned to a core here ({@code taskset} is on the PATH). */
    public static boolean canPin() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "taskset"))) {
                return true;
            }
        }
        return false;
    }

    private int awaitPort(Path portFile) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < until) {
            if (Files.isRegularFile(portFile)) {
                return Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
            }
            checkAlive();
            sleep(100);
        }
        throw new IllegalStateException("the teacher process did not start serving within 180 s: " + tail());
    }

    private void awaitServing() {
        ManagedChannel channel = channel();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {
                checkAlive();
                try {
                    if (HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
                sleep(100);
            }
            throw new IllegalStateException("the teacher process never reported SERVING: " + tail());
        } finally {
            channel.shutdownNow();
        }
    }

    /** A new plaintext channel to the teacher (64 MiB messages); the caller shuts it down. */
    public ManagedChannel channel() {
        return channel(0);
    }

    /** A new plaintext channel; {@code flowWindow} > 0 fixes the HTTP/2 receive window (no auto-tuning). */
    public ManagedChannel channel(int flowWindow) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port).usePlaintext()
                .maxInboundMessageSize(256 << 20);
        if (flowWindow > 0) {
            builder.flowControlWindow(flowWindow);
        }
        return builder.build();
    }

    /** The teacher's address, {@code HOST:PORT}. */
    public String target() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** The process' output. */
    public Path log() {
        return log;
    }

    /** Exit code, or null while it runs. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** @throws IllegalStateException with the process' last output when it has exited */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the teacher process exited with code " + process.exitValue() + ": "
                    + tail());
        }
    }

    /** The last lines the process wrote, joined with " | ". */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy(); // SIGTERM: the server drains for its grace period
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
