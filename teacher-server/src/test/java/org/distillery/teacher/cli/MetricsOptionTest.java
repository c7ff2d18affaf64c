package org.distillery.teacher.cli;

import org.distillery.common.testing.Scrape;
import org.distillery.common.testing.TestTeachers;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --metrics-port}: the startup line names the bound port; a port in use or out of range is one line. */
// A separate thread: a command that starts serving would block for good, and must still end the test.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MetricsOptionTest {
    @TempDir
    Path dir;
    private TeacherServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown(1000);
        }
    }

    @Test
    void metricsPortZeroServesOnAPortTheStartupLineNames() throws Exception {
        Path model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        TeacherServerMain main = new TeacherServerMain();
        new CommandLine(main).parseArgs("--device", "cpu", "--host", "127.0.0.1", "--port", "0", "--metrics-port",
                "0", "--model", "m=" + model);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            server = main.start();
        } finally {
            System.setOut(original);
        }
        int port = server.metricsPort();
        assertTrue(port > 0);
        String line = out.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains("metrics on port " + port + " at /metrics"), line);
        Scrape scrape = Scrape.of(port);
        assertEquals(0.0, scrape.value(TeacherMetrics.QUEUE_DEPTH, "model", "m"));
        assertEquals(0.0, scrape.value(TeacherMetrics.OPEN_STREAMS));
    }

    @Test
    void aMetricsPortInUseIsOneLineNamingTheOption() throws Exception {
        Path model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            String err = run("--device", "cpu", "--host", "127.0.0.1", "--port", "0", "--metrics-port",
                    String.valueOf(port), "--model", "m=" + model);
            assertTrue(err.startsWith("teacher-server: cannot serve metrics on 127.0.0.1:" + port + " (--metrics-port "
                    + port + ")"), err);
        }
    }

    @Test
    void aMetricsPortOutOfRangeIsRefusedBeforeLoading() throws Exception {
        String err = run("--device", "cpu", "--port", "0", "--metrics-port", "65536", "--model",
                "m=" + dir.resolve("missing.onnx"));
        assertTrue(err.contains("--metrics-port must be in [0, 65535], got 65536"), err);
    }

    private static String run(String... args) {
        StringWriter err = new StringWriter();
        int code = TeacherServerMain.execute(new PrintWriter(err, true), args);
        String text = err.toString().trim();
        assertEquals(TeacherServerMain.USAGE_ERROR, code, text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
        assertEquals(1, text.lines().count(), text);
        return text;
    }
}
