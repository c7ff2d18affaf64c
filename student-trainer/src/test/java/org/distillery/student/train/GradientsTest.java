package org.distillery.student.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real PyTorch autograd through DJL. */
class GradientsTest {
    @Test
    void zeroClearsANanGradientThatSubtractingItselfWouldKeep() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray weight = manager.create(new float[]{-1f, 4f});
            weight.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(weight.sqrt().sum()); // d sqrt(x)/dx at x = -1 is NaN
            }
            assertTrue(Double.isNaN(Gradients.norm(List.of(weight))), "a NaN gradient makes the norm NaN");
            assertEquals(List.of("w"), Gradients.nonFinite(Map.of("w", weight)));

            Gradients.zero(List.of(weight));
            assertArrayEquals(new float[]{0f, 0f}, weight.getGradient().toFloatArray());
            assertEquals(0.0, Gradients.norm(List.of(weight)));
            assertEquals(List.of(), Gradients.nonFinite(Map.of("w", weight)));

            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(weight.mul(3f).sum());
            }
            assertArrayEquals(new float[]{3f, 3f}, weight.getGradient().toFloatArray(), "fresh, not accumulated");
            Gradients.scale(List.of(weight), 0.5f);
            assertEquals(Math.sqrt(2 * 1.5 * 1.5), Gradients.norm(List.of(weight)), 1e-6);
        }
    }
}
