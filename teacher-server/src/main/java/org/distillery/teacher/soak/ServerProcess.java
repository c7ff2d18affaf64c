package org.distillery.teacher.soak;

import io.grpc.ManagedChannel;
import org.distillery.teacher.launch.TeacherProcess;
import org.distillery.teacher.server.MemoryLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The teacher server under test, started by the project's one launcher ({@link TeacherProcess}), with memory lines
 * every second. Its heap has a fixed size and is touched at start ({@code -Xms = -Xmx},
 * {@code -XX:+AlwaysPreTouch}), so that its RSS does not grow merely because the collector widens the heap: RSS
 * growth is then growth outside the heap (ONNX Runtime, direct buffers, threads, metaspace), and the heap's live set
 * is reported from its memory lines.
 */
final class ServerProcess implements AutoCloseable {
    private final TeacherProcess process;
    private final ServerLog memory;

    private ServerProcess(TeacherProcess process) {
        this.process = process;
        this.memory = new ServerLog(process.log());
    }

    /**
     * Starts the server and waits until its health says SERVING.
     *
     * @throws IllegalStateException with the end of the server's log when it exits or never gets there
     */
    static ServerProcess start(SoakTeacher teacher, ServerSettings settings, Path dir) throws IOException {
        List<String> jvm = List.of("-Xms" + settings.heapMb() + "m", "-Xmx" + settings.heapMb() + "m",
                "-XX:+AlwaysPreTouch");
        List<String> args = List.of("--device", "cpu", "--grace-seconds", "2", "--log-memory-every-s", "1",
                "--max-request-examples", String.valueOf(settings.maxRequestExamples()),
                "--max-request-elements", String.valueOf(settings.maxRequestElements()),
                "--max-message-mb", String.valueOf(settings.maxMessageMb()),
                "--model", teacher.modelArgument());
        return new ServerProcess(TeacherProcess.start(new TeacherProcess.Spec(args, jvm, dir, -1)));
    }

    /** A plaintext channel to the server; {@code flowWindow} > 0 sets the HTTP/2 receive window. */
    ManagedChannel channel(int flowWindow) {
        return process.channel(flowWindow);
    }

    boolean isAlive() {
        return process.exitCode() == null;
    }

    /** Exit code, or null while it runs. */
    Integer exitCode() {
        return process.exitCode();
    }

    /** The server's resident set from /proc, in MiB; -1 when it cannot be read. */
    double rssMb() {
        return MemoryLog.rssMb(Path.of("/proc", Long.toString(pid()), "status"));
    }

    /** The server's log: its latest memory line, and its last lines. */
    ServerLog log() {
        return memory;
    }

    Path logFile() {
        return process.log();
    }

    long pid() {
        return process.handle().pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
