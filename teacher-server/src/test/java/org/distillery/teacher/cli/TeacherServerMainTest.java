package org.distillery.teacher.cli;

import org.distillery.common.testing.TestTeachers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up errors: one line naming the problem, exit code 2, no stack trace. */
class TeacherServerMainTest {
    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        int code = TeacherServerMain.execute(new PrintWriter(err, true), args);
        String text = err.toString().trim();
        assertEquals(expectedExit, code, text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
        return text;
    }

    @Test
    void missingModelFileNamesIt() {
        String err = run(2, "--device", "cpu", "--port", "0", "--model", "t=" + dir.resolve("missing.onnx"));
        assertTrue(err.contains("ONNX file not found") && err.contains("missing.onnx"), err);
        assertEquals(1, err.lines().count(), err);
    }

    @Test
    void invalidModelFileNamesIt() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        String err = run(2, "--device", "cpu", "--port", "0", "--model", "t=" + junk);
        assertTrue(err.startsWith("teacher-server: model 't': ONNX Runtime cannot load") && err.contains("junk.onnx"),
                err);
    }

    @Test
    void missingOrInvalidTokenizerNamesIt() throws Exception {
        Path model = TestTeachers.tinyBert(dir.resolve("b.onnx"), 1);
        String missing = run(2, "--device", "cpu", "--port", "0", "--model",
                "t=" + model + ",tokenizer=" + dir.resolve("nope.json"));
        assertTrue(missing.contains("tokenizer file not found") && missing.contains("nope.json"), missing);
        Path bad = Files.writeString(dir.resolve("bad.json"), "[1, 2]");
        String invalid = run(2, "--device", "cpu", "--port", "0", "--model", "t=" + model + ",tokenizer=" + bad);
        assertTrue(invalid.contains("not a valid tokenizer.json") && invalid.contains("bad.json"), invalid);
    }

    @Test
    void tokenizerOnAModelWithoutInputIdsIsRefused() throws Exception {
        Path model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        Path tok = org.distillery.common.testing.TestTokenizers.write(dir.resolve("tokenizer.json"));
        String err = run(2, "--device", "cpu", "--port", "0", "--model", "t=" + model + ",tokenizer=" + tok);
        assertTrue(err.contains("no 'input_ids' input"), err);
    }

    @Test
    void badArgumentsSayWhatWasExpected() throws Exception {
        Path model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        assertTrue(run(2, "--device", "cpu").contains("no models"));
        assertTrue(run(2, "--device", "tpu", "--model", "t=" + model).contains("cpu, auto, cuda or cuda:N"));
        assertTrue(run(2, "--device", "cpu", "--model", "t" + model).contains("--model expects NAME=PATH.onnx"));
        assertTrue(run(2, "--device", "cpu", "--model", "t=" + model + ",colour=red").contains("unknown option"));
        assertTrue(run(2, "--device", "cpu", "--model", "t=" + model, "--ensemble", "e=t,combine=median")
                .contains("combine must be mean_logits, mean_probs or all"));
        assertTrue(run(2, "--device", "cpu", "--model", "t=" + model, "--ensemble", "e=t,u")
                .contains("member 'u'"));
        assertTrue(run(2, "--device", "cpu", "--model", "t=" + model, "--max-batch", "0").contains("max batch"));
    }

    @Test
    void explicitCudaWithoutCudaExitsWithAClearMessage() throws Exception {
        Path model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        StringWriter err = new StringWriter();
        int code = TeacherServerMain.execute(new PrintWriter(err, true), "--device", "cuda:0", "--port", "0",
                "--model", "t=" + model, "--port-file", dir.resolve("port").toString(), "--grace-seconds", "1");
        if (code == 0) {
            return; // only on a machine with CUDA, where the server would be serving
        }
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("cuda:0 cannot be used"), err.toString());
    }
}
