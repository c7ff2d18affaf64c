package org.distillery.student.demo;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A teacher server in a separate process ({@code bin/teacher-server}) on a free loopback port. Started, waited for
 * until health says SERVING, and stopped on every exit path (a JVM shutdown hook covers Ctrl-C).
 */
public final class TeacherProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int port;
    private final Thread hook;

    private TeacherProcess(Process process, Path log, int port, Thread hook) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.hook = hook;
    }

    /**
     * Starts {@code bin/teacher-server} serving {@code model} as {@code name}, merging requests into runs of at most
     * {@code maxBatch} examples. With {@code maxBatch} equal to the trainer's batch size each training batch runs
     * alone, padded only to its own length, so the teacher's answers do not depend on how requests happened to
     * arrive.
     *
     * @throws IllegalStateException with the process' last output when it exits or does not get healthy
     */
    public static TeacherProcess start(Path home, String name, Path model, Path workDir, int maxBatch)
            throws IOException {
        Path launcher = home.resolve("bin/teacher-server");
        if (!Files.isRegularFile(home.resolve("teacher-server/target/teacher-server.jar"))) {
            throw new IllegalStateException("the teacher server is not built: run 'mvn -B -DskipTests package' in "
                    + home.toAbsolutePath());
        }
        Files.createDirectories(workDir);
        Path portFile = workDir.resolve("teacher.port");
        Files.deleteIfExists(portFile);
        Path log = workDir.resolve("teacher-server.log");
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "--device", "cpu", "--host",
                "127.0.0.1", "--port", "0", "--port-file", portFile.toString(), "--grace-seconds", "2",
                "--max-batch", String.valueOf(maxBatch), "--model", name + "=" + model));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread hook = new Thread(() -> kill(process), "stop-teacher");
        Runtime.getRuntime().addShutdownHook(hook);
        TeacherProcess teacher = null;
        try {
            int port = awaitPort(process, portFile, log);
            teacher = new TeacherProcess(process, log, port, hook);
            teacher.awaitServing();
            return teacher;
        } catch (RuntimeException | IOException e) {
            if (teacher != null) {
                teacher.close();
            } else {
                kill(process);
                removeHook(hook);
            }
            throw e;
        }
    }

    private static int awaitPort(Process process, Path portFile, Path log) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < until) {
            if (Files.isRegularFile(portFile)) {
                return Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the teacher process exited with code " + process.exitValue()
                        + ": " + tail(log));
            }
            sleep(100);
        }
        throw new IllegalStateException("the teacher process did not start serving within 180 s: " + tail(log));
    }

    private void awaitServing() {
        ManagedChannel channel = channel();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {
                checkAlive();
                try {
                    HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                            .getStatus();
                    if (status == HealthCheckResponse.ServingStatus.SERVING) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
                sleep(100);
            }
            throw new IllegalStateException("the teacher process never reported SERVING: " + tail(log));
        } finally {
            channel.shutdownNow();
        }
    }

    /** A new plaintext channel to the teacher; the caller shuts it down. */
    public ManagedChannel channel() {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(256 << 20)
                .build();
    }

    public int port() {
        return port;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** @throws IllegalStateException with the process' last output when it has exited */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the teacher process exited with code " + process.exitValue() + ": "
                    + tail(log));
        }
    }

    /** The last lines the process wrote. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs anyway
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
        kill(process);
        removeHook(hook);
    }
}
