package org.distillery.student.launch;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.student.client.TeacherConnection;

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
 * A teacher server in a separate JVM on a free loopback port, started from the classes this process runs with (the
 * teacher server is a dependency of the trainer, so Maven builds it first and no stale jar can be picked up). It is
 * waited for until health says SERVING, and stopped on every exit path (a JVM shutdown hook covers Ctrl-C). The one
 * launcher of teacher processes: the demo and the benchmark use it.
 */
public final class TeacherProcess implements AutoCloseable {
    /** The teacher server's entry point. */
    static final String MAIN_CLASS = "org.distillery.teacher.cli.TeacherServerMain";
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
     * How to start one.
     *
     * @param models         served models, name to ONNX file
     * @param workDir        where the port file and the log go
     * @param maxBatch       the largest merged run; equal to the training batch, each batch runs alone, padded only
     *                       to its own length, so answers do not depend on how requests happened to arrive
     * @param intraOpThreads ONNX Runtime threads per run (0: its choice)
     * @param core           the CPU core to pin the process to with {@code taskset} (-1: not pinned)
     */
    public record Spec(Map<String, Path> models, Path workDir, int maxBatch, int intraOpThreads, int core) {
        public Spec {
            models = Map.copyOf(models);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a teacher process needs at least one model");
            }
        }

        /** One model, unpinned, ONNX Runtime's thread count. */
        public static Spec of(String name, Path model, Path workDir, int maxBatch) {
            return new Spec(Map.of(name, model), workDir, maxBatch, 0, -1);
        }
    }

    /**
     * Starts a teacher server.
     *
     * @throws IllegalStateException with the process' last output when it exits or does not get healthy
     */
    public static TeacherProcess start(Spec spec) throws IOException {
        Files.createDirectories(spec.workDir());
        Path portFile = spec.workDir().resolve("teacher.port");
        Files.deleteIfExists(portFile);
        Path log = spec.workDir().resolve("teacher-server.log");
        Process process = new ProcessBuilder(command(spec, portFile)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
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
        // 16 MB thread stacks, as bin/teacher-server uses: with the JVM's 1 MB default, ONNX Runtime's session setup
        // overflowed the stack in native code (SIGSEGV, exit 139) under some classpaths.
        command.addAll(List.of("-Xss16m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), MAIN_CLASS,
                "--device", "cpu", "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.toString(),
                "--grace-seconds", "2", "--max-batch", String.valueOf(spec.maxBatch()), "--intra-op-threads",
                String.valueOf(spec.intraOpThreads())));
        spec.models().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> command.addAll(List.of("--model", e.getKey() + "=" + e.getValue())));
        return command;
    }

    /** True when processes can be pinned to a core here ({@code taskset} is on the PATH). */
    public static boolean canPin() {
        return onPath("taskset");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
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
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(TeacherConnection.MAX_MESSAGE_BYTES).build();
    }

    /** The teacher's address, {@code 127.0.0.1:PORT}. */
    public String target() {
        return "127.0.0.1:" + port;
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
