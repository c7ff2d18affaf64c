package org.distillery.student.determinism;

import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.demo.DemoPipeline;
import org.distillery.student.demo.DemoPreset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same seed gives bit-identical final weights, run after run: ten trainings each in its own process, and ten
 * tiny demos one after another in this JVM (two teachers trained, the ensemble served by a teacher process, three
 * students, exports and ONNX Runtime benchmark each time, each demo with its own cache so that every teacher answer
 * comes from the teacher process). Minutes long: {@code mvn -Pheavy verify}.
 */
@Tag("heavy")
class RepeatedRunsHeavyTest {
    private static final int RUNS = 10;
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void tenStandaloneTrainingsEndWithTheSameWeights() throws Exception {
        Dataset data = TinySentiment.make(400, 11);
        List<String> lines = new ArrayList<>(List.of("sentence\tlabel"));
        for (Example e : data.examples()) {
            lines.add(e.text() + "\t" + data.labelNames().get(e.label()));
        }
        Path train = Files.write(dir.resolve("train.tsv"), lines, StandardCharsets.UTF_8);
        Path tokenizer = TinySentiment.writeTokenizer(dir.resolve("tokenizer.json"));
        Set<String> digests = new LinkedHashSet<>();
        for (int run = 0; run < RUNS; run++) {
            Path runDir = dir.resolve("run-" + run);
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                    "org.distillery.student.cli.StudentTrainerMain", "train", "--train", train.toString(),
                    "--tokenizer", tokenizer.toString(), "--run-dir", runDir.toString(), "--layers", "2",
                    "--hidden", "32", "--max-length", "32", "--epochs", "3", "--batch-size", "16", "--no-progress")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("run-" + run + ".log").toFile()).start();
            assertEquals(0, p.waitFor(), Files.readString(dir.resolve("run-" + run + ".log")));
            digests.add(sha256(runDir.resolve("checkpoints/final.params")));
        }
        assertEquals(1, digests.size(), "final.params of " + RUNS + " runs: " + digests);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void tenTinyDemosInOneJvmEndWithTheSameWeights() throws Exception {
        Set<String> baseline = new LinkedHashSet<>();
        Set<String> distilled = new LinkedHashSet<>();
        for (int run = 0; run < RUNS; run++) {
            Path out = dir.resolve("demo-" + run);
            new DemoPipeline(DemoPreset.named("tiny"), "tiny", out, dir.resolve("cache-" + run), false).run();
            String b = sha256(out.resolve("students/undistilled-seed42/checkpoints/final.params"));
            String d = sha256(out.resolve("students/distilled-mean-probs-seed42/checkpoints/final.params"));
            System.out.printf("demo %d: baseline %s, distilled %s%n", run, b.substring(0, 12), d.substring(0, 12));
            baseline.add(b);
            distilled.add(d);
        }
        assertEquals(1, baseline.size(), "baseline final.params: " + baseline);
        assertEquals(1, distilled.size(), "distilled final.params: " + distilled);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
