package org.distillery.student.demo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.report.DemoReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job end to end on the tiny built-in corpus with its own tokenizer (nothing is downloaded) and tiny
 * models: a real teacher process started from this build's classes, real training, export, ONNX Runtime benchmark
 * and report.
 */
@Timeout(600)
class DemoPipelineTest {
    @TempDir
    Path dir;

    @AfterEach
    void noOrphans() throws Exception {
        List<ProcessHandle> children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        CompletableFuture.allOf(children.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .get(20, TimeUnit.SECONDS);
        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                "no teacher process is left running");
    }

    @Test
    void tinyDemoRunsEndToEndAndWritesACompleteReport() throws Exception {
        Path out = dir.resolve("demo");
        DemoReport report = new DemoPipeline(DemoPreset.named("tiny"), "tiny", out, dir.resolve("cache"), false)
                .run();
        assertEquals(3, report.models().size());
        // The speed-up is the teacher's latency over the distilled student's, as measured in the table.
        assertEquals(report.models().get(0).latencyAvgMs() / report.models().get(2).latencyAvgMs(),
                report.speedUp(), 1e-12);
        assertTrue(report.models().get(0).numParameters() > report.models().get(2).numParameters(),
                "the teacher is the larger model");
        for (String file : new String[]{"teacher.onnx", "student-baseline.onnx", "student-distilled.onnx",
                "student-distilled/metrics.jsonl", "student-baseline/checkpoints/best.params", "tokenizer.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(3, json.getAsJsonArray("models").size());
        JsonObject teacher = json.getAsJsonArray("models").get(0).getAsJsonObject();
        for (String key : new String[]{"size_mb", "num_parameters", "latency_avg_ms", "latency_std_ms"}) {
            assertTrue(teacher.has(key), key);
        }
        for (String metric : new String[]{"accuracy", "f1", "precision", "recall", "roc_auc"}) {
            assertTrue(teacher.getAsJsonObject("metrics").has(metric), metric);
        }
        assertTrue(json.getAsJsonObject("curves").getAsJsonArray("distilled student").size() > 0);
        String text = Files.readString(out.resolve("report.json"));
        assertFalse(text.contains("NaN") || text.contains("Infinity"), "report.json is strict JSON");
        assertFalse(Pattern.compile("\"[a-z]+[A-Z][A-Za-z]*\":").matcher(text).find(), "snake_case keys only");
        double teacherAccuracy = report.models().get(0).metrics().get("accuracy");
        double studentAccuracy = report.models().get(1).metrics().get("accuracy");
        assertEquals(teacherAccuracy <= studentAccuracy,
                json.getAsJsonObject("distillation_ratio").get("accuracy").isJsonNull(),
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

        // A second run finds the teacher in the cache instead of training it again, and trains the same students.
        Path again = dir.resolve("demo-again");
        new DemoPipeline(DemoPreset.named("tiny"), "tiny", again, dir.resolve("cache"), false).run();
        assertTrue(Files.notExists(again.resolve("teacher")), "the cached teacher was used");
        for (String weights : new String[]{"student-baseline/checkpoints/final.params",
                "student-distilled/checkpoints/final.params"}) {
            assertEquals(-1L, Files.mismatch(out.resolve(weights), again.resolve(weights)),
                    weights + " is bit-identical in a second run in the same JVM");
        }
    }

    @Test
    void aTeacherProcessThatDiesStopsTheDemoWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                new DemoPipeline(DemoPreset.named("tiny"), "tiny", dir.resolve("demo"), dir.resolve("cache"), false)
                        .onTeacherStarted(t -> t.handle().destroyForcibly()).run());
        assertTrue(e.getMessage().startsWith("the teacher process exited with code"), e.getMessage());
    }
}
