package org.distillery.teacher.soak;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.teacher.server.MemoryLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The teacher server under test, in its own JVM started from this JVM's classpath, on a free loopback port, with
 * 16 MB thread stacks (ONNX Runtime's session setup overflowed 1 MB ones) and memory lines every second. Its heap
 * has a fixed size and is touched at start ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}), so that its RSS
 * does not grow merely because the collector widens the heap: RSS growth is then growth outside the heap (ONNX
 * Runtime, direct buffers, threads, metaspace), and the heap's live set is reported from its memory lines. Its
 * output goes to a log file. Stopped on every exit path, including Ctrl-C of the soak (a shutdown hook).
 */
final class ServerProcess implements AutoCloseable {
    private static final String MAIN_CLASS = "org.distillery.teacher.cli.TeacherServerMain";

    private final Process process;
    private final Path log;
    private final Thread hook;
    private final ServerLog memory;
    private int port;

    private ServerProcess(Process process, Path log, Thread hook) {
        this.process = process;
        this.log = log;
        this.hook = hook;
        this.memory = new ServerLog(log);
    }

    /**
     * Starts the server and waits until its health says SERVING.
     *
     * @throws IllegalStateException with the end of the server's log when it exits or never gets there
     */
    static ServerProcess start(SoakTeacher teacher, ServerSettings settings, Path dir) throws IOException {
        Path portFile = dir.resolve("server.port");
        Path log = dir.resolve("server.log");
        Files.deleteIfExists(portFile);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xss16m", "-Xms" + settings.heapMb() + "m", "-Xmx" + settings.heapMb() + "m",
                "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), MAIN_CLASS,
                "--device", "cpu", "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.toString(),
                "--grace-seconds", "2", "--log-memory-every-s", "1",
                "--max-request-examples", String.valueOf(settings.maxRequestExamples()),
                "--max-request-elements", String.valueOf(settings.maxRequestElements()),
                "--max-message-mb", String.valueOf(settings.maxMessageMb()),
                "--model", teacher.modelArgument()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("DJL_OFFLINE", "true");
        Process process = builder.start();
        Thread hook = new Thread(() -> stop(process), "stop-soak-server");
        Runtime.getRuntime().addShutdownHook(hook);
        ServerProcess server = new ServerProcess(process, log, hook);
        try {
            server.port = server.awaitPort(portFile);
            server.awaitServing();
            return server;
        } catch (RuntimeException | IOException e) {
            server.close();
            throw e;
        }
    }

    private int awaitPort(Path portFile) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until) {
            if (Files.isRegularFile(portFile)) {
                return Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
            }
            checkAlive();
            sleep(100);
        }
        throw new IllegalStateException("the server did not start within 120 s: " + memory.tail());
    }

    private void awaitServing() {
        ManagedChannel channel = channel(0);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {
                checkAlive();
                try {
                    ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
                    if (status == ServingStatus.SERVING) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
                sleep(100);
            }
            throw new IllegalStateException("the server never reported SERVING: " + memory.tail());
        } finally {
            channel.shutdownNow();
        }
    }

    /** A plaintext channel to the server; {@code flowWindow} > 0 sets the HTTP/2 receive window. */
    ManagedChannel channel(int flowWindow) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(64 << 20);
        if (flowWindow > 0) {
            builder.flowControlWindow(flowWindow);
        }
        return builder.build();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** @throws IllegalStateException with the end of the log when the server has exited */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the server exited with code " + process.exitValue() + ": "
                    + memory.tail());
        }
    }

    /** Exit code, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** The server's resident set from /proc, in MiB; -1 when it cannot be read. */
    double rssMb() {
        return MemoryLog.rssMb(Path.of("/proc", Long.toString(process.pid()), "status"));
    }

    /** The server's log: its latest memory line, and its last lines. */
    ServerLog log() {
        return memory;
    }

    Path logFile() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    private static void stop(Process process) {
        process.destroy(); // SIGTERM: the server drains for its grace period
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
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
