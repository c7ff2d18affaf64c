package org.distillery.student.cli;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --metrics-port}: served while the run lasts, closed when it ends or fails; bad ports are one line. */
@Timeout(300)
class TrainMetricsOptionTest {
    @TempDir
    static Path dir;
    private static TeacherServer server;
    private static Path tokenizer;
    private static Path train;

    @BeforeAll
    static void start() throws Exception {
        tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(16, 500, 64)).addModel("bert", TestTeachers.tinyBert(dir.resolve("t.onnx"), 1),
                null, null, null).build();
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), registry,
                ServerLimits.defaults()).start();
        List<String> lines = new ArrayList<>(List.of("sentence\tlabel"));
        for (int i = 0; i < 16; i++) {
            lines.add("the movie was great\tpositive");
            lines.add("the movie was terrible\tnegative");
        }
        train = Files.write(dir.resolve("train.tsv"), lines);
    }

    @AfterAll
    static void stop() {
        server.shutdown(2000);
    }

    private static String[] args(String run, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--train", train.toString(), "--tokenizer",
                tokenizer.toString(), "--run-dir", dir.resolve(run).toString(), "--student", "fasttext",
                "--hidden", "16", "--max-length", "32", "--batch-size", "16", "--epochs", "1", "--no-progress"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /** Runs the command with stdout captured; returns exit code, stdout and stderr. */
    private static String[] execute(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = StudentTrainerMain.execute(new PrintWriter(err, true), args);
        } finally {
            System.setOut(original);
        }
        return new String[]{String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString().trim()};
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private static boolean free(int port) {
        try (ServerSocket again = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void servedWhileTheRunLastsAndClosedAfter() throws Exception {
        int port = freePort();
        String[] r = execute(args("run-ok", "--metrics-port", String.valueOf(port)));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("metrics on port " + port + " at /metrics"), r[1]);
        assertTrue(free(port), "the metrics port must be closed once the run ends");
    }

    @Test
    void closedWhenTheRunFails() throws Exception {
        int port = freePort();
        String[] r = execute(args("run-fails", "--metrics-port", String.valueOf(port), "--teacher",
                "127.0.0.1:" + server.port(), "--teacher-model", "nope"));
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("nope"), r[2]);
        assertTrue(free(port), "the metrics port must be closed when the run fails");
    }

    @Test
    void aPortInUseIsOneLineNamingTheOption() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            String[] r = execute(args("run-busy", "--metrics-port", String.valueOf(port)));
            assertEquals("2", r[0], r[2]);
            assertEquals(1, r[2].lines().count(), r[2]);
            assertFalse(r[2].contains("\tat "), r[2]);
            assertTrue(r[2].startsWith("student-trainer: cannot serve metrics on port " + port + " (--metrics-port "
                    + port + ")"), r[2]);
        }
    }

    @Test
    void aPortOutOfRangeIsOneLine() {
        String[] r = execute(args("run-range", "--metrics-port", "70000"));
        assertEquals("2", r[0], r[2]);
        assertEquals("student-trainer: --metrics-port must be in [0, 65535], got 70000", r[2]);
    }
}
