package org.distillery.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.model.Students;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints restore weights and optimizer state exactly; damaged files are refused. */
class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void roundTripRestoresWeightsAndMoments() throws Exception {
        StudentConfig config = new StudentConfig(StudentKind.FASTTEXT, 50, 8, 1, 1, 1, 16, 3, 0f);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = Students.create(config, manager);
            Map<String, NDArray> params = new LinkedHashMap<>();
            student.getParameters().forEach(p -> params.put(p.getKey(), p.getValue().getArray()));
            params.values().forEach(a -> a.setRequiresGradient(true));
            AdamW optimizer = new AdamW(0.01f);
            params.forEach((n, a) -> {
                optimizer.means().put(n, a.mul(2f));
                optimizer.variances().put(n, a.square());
            });
            optimizer.restoreStep(17);
            Checkpoint saved = Checkpoint.capture(9, 0.75, List.of("{\"a\":1}"), "{\"figures\":2}", params, optimizer);
            Path file = dir.resolve("last.ckpt");
            saved.save(file);
            Map<String, float[]> before = new LinkedHashMap<>();
            params.forEach((n, a) -> before.put(n, a.toFloatArray()));
            params.values().forEach(a -> {
                NDArray view = a.stopGradient();
                view.addi(1f);
                view.close();
            });
            AdamW fresh = new AdamW(0.01f);
            Checkpoint loaded = Checkpoint.load(file);
            loaded.restore(params, fresh, manager);
            assertEquals(9, loaded.step());
            assertEquals(0.75, loaded.bestMetric());
            assertEquals("{\"figures\":2}", loaded.figures());
            assertEquals(List.of("{\"a\":1}"), loaded.metricLines());
            assertEquals(17, fresh.step());
            params.forEach((n, a) -> {
                assertArrayEquals(before.get(n), a.toFloatArray(), n);
                assertArrayEquals(optimizer.means().get(n).toFloatArray(), fresh.means().get(n).toFloatArray(), n);
            });
            Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 100));
            assertTrue(assertThrows(java.io.IOException.class, () -> Checkpoint.load(file)).getMessage()
                    .contains("truncated"));
        }
    }
}
