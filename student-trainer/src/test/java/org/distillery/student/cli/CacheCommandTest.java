package org.distillery.student.cli;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.io.Json;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.proto.v1.CombineMode;
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
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cache fill|stats|prune} against a real teacher server: a filled cache serves a whole training run (no
 * request reaches the teacher), also for an ensemble sampled per step; bad input is one line and exit code 2.
 */
@Timeout(300)
class CacheCommandTest {
    @TempDir
    static Path dir;
    private static TeacherServer server;
    private static Path tokenizer;
    private static Path train;

    @BeforeAll
    static void start() throws Exception {
        tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        ModelRegistry.Builder registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(64, 500, 64));
        for (int i = 0; i < 3; i++) {
            registry.addModel("m" + i, TestTeachers.bert(dir.resolve("m" + i + ".onnx"),
                    new BertGraphConfig(100, 16, 1, 2, 32, 64, 2, 2, 1e-12f), 1 + i), null, null, null);
        }
        registry.addEnsemble("three", List.of("m0", "m1", "m2"), CombineMode.MEAN_LOGITS);
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                registry.build(), ServerLimits.defaults()).start();
        List<String> lines = new ArrayList<>(List.of("sentence\tlabel"));
        for (int i = 0; i < 60; i++) {
            lines.add("the movie number " + i + " was great\tpositive");
            lines.add("a film called " + i + " is bad\tnegative");
        }
        train = Files.write(dir.resolve("train.tsv"), lines);
    }

    @AfterAll
    static void stop() {
        server.shutdown(2000);
    }

    /** Runs the command line; returns exit code, stdout and stderr. */
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = StudentTrainerMain.execute(new PrintWriter(err, true), args);
        } finally {
            System.setOut(stdout);
        }
        return new String[]{Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString().trim()};
    }

    private static List<String> data() {
        return List.of("--train", train.toString(), "--tokenizer", tokenizer.toString(), "--max-length", "16",
                "--seed", "3");
    }

    private static String[] fill(Path cache, String model, String... extra) {
        List<String> a = new ArrayList<>(List.of("cache", "fill", "--teacher", "127.0.0.1:" + server.port(),
                "--teacher-model", model, "--teacher-cache", cache.toString(), "--fill-batch", "40"));
        a.addAll(data());
        a.addAll(List.of(extra));
        return run(a.toArray(new String[0]));
    }

    private static List<Map<?, ?>> trainWith(Path cache, String model, String... extra) throws Exception {
        Path runDir = Files.createTempDirectory(dir, "run");
        List<String> a = new ArrayList<>(List.of("train", "--run-dir", runDir.toString(), "--student", "bert",
                "--hidden", "16", "--layers", "1", "--heads", "2", "--intermediate", "32", "--batch-size", "16",
                "--epochs", "2", "--no-progress", "--teacher", "127.0.0.1:" + server.port(), "--teacher-model", model,
                "--teacher-cache", cache.toString()));
        a.addAll(data());
        a.addAll(List.of(extra));
        String[] r = run(a.toArray(new String[0]));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("teacher cache " + cache), r[1]);
        List<Map<?, ?>> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            epochs.add(Json.LINE.fromJson(line, Map.class));
        }
        return epochs;
    }

    @Test
    void aFilledCacheServesAWholeRunAndStatsAndPruneManageIt() throws Exception {
        Path cache = dir.resolve("cache");
        String[] filled = fill(cache, "m0");
        assertEquals("0", filled[0], filled[2]);
        assertTrue(filled[1].contains("done: "), filled[1]);
        String[] again = fill(cache, "m0");
        assertEquals("0", again[0], again[2]);
        java.util.regex.Matcher done = java.util.regex.Pattern.compile("done: (\\d+) examples.*; (\\d+) were cached")
                .matcher(again[1]);
        assertTrue(done.find(), again[1]);
        assertEquals(done.group(1), done.group(2), "a second fill finds every example: " + again[1]);

        for (Map<?, ?> epoch : trainWith(cache, "m0")) {
            assertEquals(0.0, epoch.get("teacher_requests"), "every answer came from the fill: " + epoch);
            assertTrue((Double) epoch.get("teacher_cache_hits") > 90, epoch.toString());
        }

        String[] stats = run("cache", "stats", "--teacher-cache", cache.toString());
        assertEquals("0", stats[0], stats[2]);
        String version = stats[1].lines().filter(l -> l.matches("[0-9a-f]{32} .*")).findFirst().orElseThrow()
                .split(" +")[0];
        assertTrue(stats[1].contains("total"), stats[1]);

        String[] wrong = run("cache", "prune", "--teacher-cache", cache.toString(), "--keep-version",
                "0000000000000000ffffffffffffffff");
        assertEquals("2", wrong[0]);
        assertTrue(wrong[2].contains("nothing deleted"), wrong[2]);
        assertEquals(1, wrong[2].lines().count(), wrong[2]);
        String[] pruned = run("cache", "prune", "--teacher-cache", cache.toString(), "--keep-version", version);
        assertEquals("0", pruned[0], pruned[2]);
        assertTrue(pruned[1].startsWith("deleted 0 entries"), pruned[1]);
    }

    @Test
    void aFillOfEveryMemberSetServesARunThatSamplesOneMemberPerStep() throws Exception {
        Path cache = dir.resolve("cache-ensemble");
        String[] filled = fill(cache, "three", "--n-teachers-to-sample", "1");
        assertEquals("0", filled[0], filled[2]);
        assertTrue(filled[1].contains("over 3 member set(s)"), filled[1]);
        for (Map<?, ?> epoch : trainWith(cache, "three", "--n-teachers-to-sample", "1")) {
            assertEquals(0.0, epoch.get("teacher_requests"), epoch.toString());
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        String[] noCache = run("cache", "fill", "--teacher", "127.0.0.1:" + server.port(), "--teacher-model", "m0",
                "--train", train.toString(), "--tokenizer", tokenizer.toString());
        assertEquals("2", noCache[0]);
        assertTrue(noCache[2].contains("--teacher-cache DIR"), noCache[2]);
        Path notACache = Files.createDirectories(dir.resolve("empty"));
        String[] stats = run("cache", "stats", "--teacher-cache", notACache.toString());
        assertEquals("2", stats[0]);
        assertTrue(stats[2].contains("is not a teacher cache"), stats[2]);
        assertFalse(Files.exists(notACache.resolve("CURRENT")), "stats creates nothing");
        String[] noVersion = run("cache", "prune", "--teacher-cache", notACache.toString());
        assertEquals("2", noVersion[0]);
        assertTrue(noVersion[2].contains("--keep-version"), noVersion[2]);
    }
}
