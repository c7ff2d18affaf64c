package org.distillery.teacher.cli;

import org.distillery.common.testing.TestTeachers;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.OnnxModel;
import org.distillery.teacher.runtime.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Start-up errors: one line naming the problem, exit code 2, no stack trace. */
// A separate thread: a command that starts serving would block for good, and must still end the test.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
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
        // Where CUDA loads, the command would start serving and block until the process is stopped: ask first.
        assumeFalse(cudaLoads(model), "CUDA loads on this machine: --device cuda:0 would serve instead of exiting");
        StringWriter err = new StringWriter();
        int code = TeacherServerMain.execute(new PrintWriter(err, true), "--device", "cuda:0", "--port", "0",
                "--model", "t=" + model, "--port-file", dir.resolve("port").toString(), "--grace-seconds", "1");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("cuda:0 cannot be used"), err.toString());
    }

    /** Whether a session on cuda:0 opens here, tried the way the server would open it. */
    private static boolean cudaLoads(Path model) throws Exception {
        try (OnnxModel loaded = OnnxModel.load("probe", model, new SessionFactory(Device.parse("cuda:0"), 1))) {
            return true;
        } catch (SessionFactory.DeviceUnavailableException e) {
            return false;
        }
    }
}
