package org.distillery.student.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.report.DemoReport;
import org.distillery.student.report.LinkRow;
import org.distillery.student.report.ModelRow;
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
 * models: two teachers trained here and served as an ensemble by a real teacher process started from this build's
 * classes, students with and without distillation on a label-scarce transfer set, export, ONNX Runtime benchmark and
 * report.
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

    private DemoOptions tiny(int seeds) {
        return DemoOptions.of(DemoPreset.named("tiny"), "tiny").withLabelFraction(0.25).withSeeds(seeds);
    }

    @Test
    void tinyTransferSetDemoRunsEndToEndAndWritesACompleteReport() throws Exception {
        Path out = dir.resolve("demo");
        DemoReport report = new DemoPipeline(tiny(2), out, dir.resolve("cache"), false).run();
        List<String> names = report.models().stream().map(ModelRow::name).toList();
        assertEquals(List.of("teacher-a", "teacher-b", "ensemble", Variant.UNDISTILLED.label(),
                Variant.MEAN_PROBS.label(), Variant.SAMPLE_ONE.label()), names, "each member, the ensemble, students");
        assertTrue(report.scenarioText().startsWith("Transfer-set scenario: the teachers learned from the labels of "
                + "all 144 training examples; the students see the labels of 36 of them"), report.scenarioText());
        ModelRow ensemble = report.model("ensemble");
        ModelRow distilled = report.model(Variant.MEAN_PROBS.label());
        assertEquals(report.model("teacher-a").numParameters() + report.model("teacher-b").numParameters(),
                ensemble.numParameters(), "the ensemble is its members");
        assertEquals(ensemble.latencyAvgMs() / distilled.latencyAvgMs(), report.speedUp().get("ensemble"), 1e-12);
        assertEquals(2, distilled.seeds());
        assertEquals(2, distilled.perSeed().size());
        assertEquals(4, report.distillationRatio().size(), "two distilled students, accuracy and F1");
        report.distillationRatio().forEach(r -> assertEquals(48, r.testExamples()));

        // The undistilled student trains on the labelled examples alone, as many steps as the distilled ones.
        assertTrue(Files.readString(out.resolve("students/undistilled-seed42/parameters.json"))
                .contains("\"examples\": 144"), "36 labelled examples, 4 times");
        // The teacher-output cache: the first distilled run asks the teacher, the second seed's mean-probs run
        // finds every answer in the cache.
        List<LinkRow> link = report.teacherLink();
        assertEquals(4, link.size());
        assertTrue(link.get(0).requests() > 0 && link.get(0).bytesSent() > 0 && link.get(0).bytesReceived() > 0,
                link.get(0).toString());
        LinkRow cached = link.get(2);
        assertEquals(43, cached.seed());
        assertEquals(0, cached.requests(), cached.toString());
        assertEquals(cached.examples(), cached.cacheHits(), cached.toString());

        for (String file : new String[]{"teachers/teacher-a.onnx", "teachers/teacher-b.onnx",
                "students/undistilled-seed43.onnx", "students/distilled-mean-probs-seed42.onnx",
                "students/distilled-sample-1-seed43/metrics.jsonl", "tokenizer.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        String text = Files.readString(out.resolve("report.json"));
        assertFalse(text.contains("NaN") || text.contains("Infinity"), "report.json is strict JSON");
        assertFalse(Pattern.compile("\"[a-z]+[A-Z][A-Za-z]*\":").matcher(text).find(), "snake_case keys only");
        JsonObject json = JsonParser.parseString(text).getAsJsonObject();
        assertEquals("transfer", json.get("scenario").getAsString());
        assertEquals(6, json.getAsJsonArray("models").size());
        JsonObject student = json.getAsJsonArray("models").get(5).getAsJsonObject();
        for (String key : new String[]{"size_mb", "num_parameters", "latency_avg_ms", "latency_std_ms", "metrics",
                "metrics_std", "per_seed"}) {
            assertTrue(student.has(key), key);
        }
        for (String metric : new String[]{"accuracy", "f1", "precision", "recall", "roc_auc"}) {
            assertTrue(student.getAsJsonObject("metrics").has(metric), metric);
        }
        JsonObject ratio = json.getAsJsonArray("distillation_ratio").get(0).getAsJsonObject();
        for (String key : new String[]{"per_seed", "mean", "std", "test_examples", "gain_shown", "text"}) {
            assertTrue(ratio.has(key), key);
        }
        JsonArray curves = json.getAsJsonObject("curves").getAsJsonArray(Variant.MEAN_PROBS.label());
        assertEquals(2, curves.size(), "a curve per seed");
        for (JsonElement curve : curves) {
            assertEquals(36, curve.getAsJsonObject().getAsJsonArray("step_loss").size(), "a point per step");
        }
        String html = Files.readString(out.resolve("report.html"));
        for (String expected : new String[]{"Transfer-set scenario", "size_mb", "num_parameters", "latency_avg_ms",
                "latency_std_ms", "accuracy", "f1", "precision", "recall", "roc_auc", "Distillation ratio",
                "speed-up", "Ensemble modes", "Teacher link", "from the cache", "MB sent", "teacher wait"}) {
            assertTrue(html.contains(expected), expected);
        }
        Matcher images = Pattern.compile("src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\"").matcher(html);
        int count = 0;
        while (images.find()) {
            count++;
        }
        assertEquals(8, count, "two training curves and six confusion matrices");

        // A second run (one seed) finds the teachers in the cache instead of training them again, every teacher
        // answer in the teacher-output cache, and trains the same students.
        Path again = dir.resolve("demo-again");
        DemoReport second = new DemoPipeline(tiny(1), again, dir.resolve("cache"), false).run();
        assertTrue(Files.notExists(again.resolve("teachers/teacher-a")), "the cached teachers were used");
        second.teacherLink().forEach(r -> assertEquals(0, r.requests(), "answered from the cache: " + r));
        for (String run : new String[]{"undistilled-seed42", "distilled-mean-probs-seed42",
                "distilled-sample-1-seed42"}) {
            String weights = "students/" + run + "/checkpoints/final.params";
            assertEquals(-1L, Files.mismatch(out.resolve(weights), again.resolve(weights)),
                    weights + " is bit-identical in a second run in the same JVM, with answers from the cache");
        }
    }

    @Test
    void aTeacherProcessThatDiesStopsTheDemoWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                new DemoPipeline(tiny(1), dir.resolve("demo"), dir.resolve("cache"), false)
                        .onTeacherStarted(t -> t.handle().destroyForcibly()).run());
        assertTrue(e.getMessage().startsWith("the teacher process exited with code"), e.getMessage());
    }
}
