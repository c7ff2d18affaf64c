package org.distillery.student.demo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.report.DemoReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job end to end on the tiny built-in corpus with tiny models: a real teacher process, real training,
 * export, ONNX Runtime benchmark and report. Needs the teacher server built (the reactor builds it first).
 */
class DemoPipelineTest {
    @TempDir
    Path dir;

    private static Path home() {
        Path d = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(d.resolve("bin/teacher-server"))) {
            d = d.getParent();
        }
        return d;
    }

    @AfterEach
    void noOrphans() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                "no teacher process is left running");
    }

    @Test
    void tinyDemoRunsEndToEndAndWritesACompleteReport() throws Exception {
        Path out = dir.resolve("demo");
        DemoReport report = new DemoPipeline(DemoPreset.named("tiny"), "tiny", out, dir.resolve("cache"), home(),
                false).run();
        assertEquals(3, report.models().size());
        assertTrue(report.speedUp() > 0);
        for (String file : new String[]{"teacher.onnx", "student-baseline.onnx", "student-distilled.onnx",
                "student-distilled/metrics.jsonl", "student-baseline/checkpoints/best.params"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(3, json.getAsJsonArray("models").size());
        JsonObject teacher = json.getAsJsonArray("models").get(0).getAsJsonObject();
        for (String key : new String[]{"sizeMb", "numParameters", "latencyAvgMs", "latencyStdMs"}) {
            assertTrue(teacher.has(key), key);
        }
        for (String metric : new String[]{"accuracy", "f1", "precision", "recall", "roc_auc"}) {
            assertTrue(teacher.getAsJsonObject("metrics").has(metric), metric);
        }
        assertTrue(json.getAsJsonObject("curves").getAsJsonArray("distilled student").size() > 0);
        String text = Files.readString(out.resolve("report.json"));
        assertFalse(text.contains("NaN") || text.contains("Infinity"), "report.json is strict JSON");
        double teacherAccuracy = report.models().get(0).metrics().get("accuracy");
        double studentAccuracy = report.models().get(1).metrics().get("accuracy");
        assertEquals(teacherAccuracy <= studentAccuracy,
                json.getAsJsonObject("distillationRatio").get("accuracy").isJsonNull(),
                "the ratio is null exactly when the teacher does not lead");
        String html = Files.readString(out.resolve("report.html"));
        for (String column : new String[]{"size_mb", "num_parameters", "latency_avg_ms", "latency_std_ms",
                "accuracy", "f1", "precision", "recall", "roc_auc", "Distillation ratio", "speed-up"}) {
            assertTrue(html.contains(column), column);
        }
        Matcher images = Pattern.compile("src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\"").matcher(html);
        int count = 0;
        while (images.find()) {
            count++;
        }
        assertEquals(5, count, "two training curves and three confusion matrices");

        // A second run finds the teacher in the cache instead of training it again.
        Path again = dir.resolve("demo-again");
        new DemoPipeline(DemoPreset.named("tiny"), "tiny", again, dir.resolve("cache"), home(), false).run();
        assertTrue(Files.notExists(again.resolve("teacher")), "the cached teacher was used");
    }

    @Test
    void aTeacherProcessThatDiesStopsTheDemoWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                new DemoPipeline(DemoPreset.named("tiny"), "tiny", dir.resolve("demo"), dir.resolve("cache"),
                        home(), false).onTeacherStarted(t -> t.handle().destroyForcibly()).run());
        assertTrue(e.getMessage().startsWith("the teacher process exited with code"), e.getMessage());
    }
}
