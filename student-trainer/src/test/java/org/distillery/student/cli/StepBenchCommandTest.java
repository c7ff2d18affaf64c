package org.distillery.student.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.bench.TorchReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench-step}: its argument checks, a DJL-only run, and the PyTorch reference script where a Python with torch
 * is installed (skipped by an assumption otherwise). No timing is asserted, only that figures were measured.
 */
@Timeout(300)
class StepBenchCommandTest {
    /** A tiny student: the run measures little, fast. */
    private static final List<String> TINY = List.of("--layers", "1", "--hidden", "8", "--heads", "2",
            "--intermediate", "16", "--seq", "8", "--batch", "2", "--vocab", "50", "--steps", "2", "--rounds", "2",
            "--warmup", "1");

    @TempDir
    Path dir;

    private static String fails(String... args) {
        return CliAssertions.failsInOneLine(args);
    }

    private static List<String> args(Path json, String... more) {
        List<String> args = new ArrayList<>(List.of("bench-step"));
        args.addAll(TINY);
        args.addAll(List.of("--json", json.toString()));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void badSizesAreRefusedWithOneLine() {
        assertTrue(fails("bench-step", "--hidden", "128", "--heads", "3").contains("--heads (3) must divide "
                + "--hidden (128)"));
        assertTrue(fails("bench-step", "--steps", "0").contains("--steps must be >= 1, got 0"));
        assertTrue(fails("bench-step", "--rounds", "-2").contains("--rounds must be >= 1, got -2"));
        assertTrue(fails("bench-step", "--warmup", "-1").contains("--warmup must be >= 0"));
        assertTrue(fails("bench-step", "--threads", "0").contains("--threads must be >= 1"));
        assertTrue(fails("bench-step", "--batch", "x").contains("--batch"));
        String python = fails("bench-step", "--python", dir.resolve("no-such-python").toString());
        assertTrue(python.contains("cannot import torch") && python.contains("python3-torch"), python);
    }

    @Test
    void measuresDjlAloneAndWritesSnakeCaseJson() throws Exception {
        Path json = dir.resolve("out").resolve("step.json");
        StringWriter err = new StringWriter();
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), args(json, "--no-torch")
                .toArray(String[]::new));
        assertEquals(0, code, err.toString());
        JsonObject result = JsonParser.parseString(Files.readString(json)).getAsJsonObject()
                .getAsJsonObject("result");
        assertTrue(result.get("djl_examples_per_second").getAsDouble() > 0, result.toString());
        assertEquals(2, result.getAsJsonArray("djl_rounds").size());
        assertTrue(result.get("torch_examples_per_second").isJsonNull(), result.toString());
        assertTrue(result.get("ratio").isJsonNull(), result.toString());
        // word, position and type embeddings, two LayerNorms per layer and one more, the linear layers
        long expected = 50 * 8 + 8 * 8 + 2 * 8 + 2 * 8
                + (4 * (8 * 8 + 8) + 2 * 2 * 8 + (8 * 16 + 16) + (16 * 8 + 8)) + (8 * 8 + 8) + (8 * 2 + 2);
        assertEquals(expected, result.get("parameters").getAsLong());
        assertEquals(1, result.get("threads").getAsInt());
    }

    @Test
    void theReferenceScriptRunsTheSameModelWhereTorchIsInstalled() throws Exception {
        Optional<TorchReference> found = TorchReference.find(null, dir);
        Assumptions.assumeTrue(found.isPresent(), "needs a Python that imports torch (" + TorchReference.INSTALL_HINT
                + "); tried " + TorchReference.CANDIDATES);
        TorchReference torch = found.get();

        // the script alone, once, as a person would run it
        List<String> command = new ArrayList<>(List.of(torch.python(), torch.script().toString()));
        command.addAll(TINY.subList(0, TINY.indexOf("--steps")));
        command.addAll(List.of("--steps", "2", "--warmup", "1", "--threads", "1"));
        Path stdout = dir.resolve("script.out");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(stdout.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the reference script did not end within 120 s");
        }
        String output = Files.readString(stdout, StandardCharsets.UTF_8).trim();
        assertEquals(0, process.exitValue(), output);
        JsonObject line = JsonParser.parseString(output).getAsJsonObject();
        assertTrue(line.get("examples_per_second").getAsDouble() > 0, output);
        assertEquals(2, line.get("steps").getAsInt(), output);

        // the command, both sides taking turns: the same architecture (the bench compares parameter counts)
        Path json = dir.resolve("both.json");
        StringWriter err = new StringWriter();
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), args(json, "--python", torch.python())
                .toArray(String[]::new));
        assertEquals(0, code, err.toString());
        JsonObject result = JsonParser.parseString(Files.readString(json)).getAsJsonObject()
                .getAsJsonObject("result");
        assertTrue(result.get("torch_examples_per_second").getAsDouble() > 0, result.toString());
        assertTrue(result.get("ratio").getAsDouble() > 0, result.toString());
        assertEquals(2, result.getAsJsonArray("torch_rounds").size());
        assertFalse(result.get("torch_version").getAsString().isEmpty());
    }
}
