package org.distillery.student.demo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.mlm.TeacherLogits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code demo --task mlm} end to end on the built-in tiny corpus (no download): a teacher trained and served by a
 * separate teacher-server process, MLM-only and distilled students, held-out scores, downstream
 * fine-tunes, the wire table and the report.
 */
@Timeout(600)
class MlmDemoTest {
    @TempDir
    Path dir;

    @Test
    void tinyRunWritesEveryFigure() throws Exception {
        Path out = dir.resolve("out");
        MlmDemoPreset tiny = MlmDemoPreset.named("tiny");
        MlmDemoPreset oneSeed = new MlmDemoPreset("tiny", tiny.maxLength(), tiny.batchSize(), tiny.teacherLayers(),
                tiny.hidden(), tiny.teacherSteps(), tiny.studentLayers(), tiny.studentSteps(), 1, tiny.heldOutMax(),
                tiny.downstreamEpochs(), tiny.labelFraction());
        new MlmDemo(oneSeed, TeacherLogits.parse("topk:8"), "tiny", out, dir.resolve("cache"), false).run();
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(2, report.getAsJsonArray("students").size(), "1 seed x (MLM only, distilled)");
        assertTrue(report.getAsJsonObject("teacher").get("masked_accuracy").getAsDouble() >= 0);
        JsonObject summary = report.getAsJsonObject("summary");
        for (String key : List.of("mlm_only", "distilled", "masked_accuracy_gain", "downstream_accuracy_gain",
                "distilled_beats_mlm_only")) {
            assertTrue(summary.has(key), key);
        }
        assertEquals(11, report.getAsJsonArray("wire").size(), "dense fp32 and ten other ways");
        report.getAsJsonArray("students").forEach(s -> {
            JsonObject student = s.getAsJsonObject();
            boolean distilled = student.get("variant").getAsString().equals("distilled");
            assertEquals(distilled, student.get("requests").getAsLong() > 0, student.toString());
            assertTrue(student.get("downstream").getAsDouble() > 0);
        });
        String table = Files.readString(out.resolve("report.md"));
        assertTrue(table.contains("student distilled") && table.contains("teacher link") && table.contains("grad cos"),
                table);
        Path run = out.resolve("students").resolve("distilled-seed42");
        for (String f : List.of("config.json", "parameters.json", "metrics.jsonl", "checkpoints/epoch-1.params",
                "checkpoints/last.ckpt")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertTrue(Files.isRegularFile(out.resolve("teacher").resolve("teacher.onnx")));
    }

    @Test
    void anUnknownCorpusIsRefusedBeforeAnythingRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MlmDemo(
                MlmDemoPreset.named("tiny"), TeacherLogits.DEFAULT, "imdb", dir.resolve("o"), dir, false));
        assertTrue(e.getMessage().contains("--corpus must be spam-assassin or tiny, got 'imdb'"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("o")));
    }
}
