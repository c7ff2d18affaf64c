package org.distillery.student.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The in-place AdamW against the textbook formulas, computed here in double precision. */
class AdamWTest {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final float DECAY = 0.01f;

    @Test
    void matchesTheTextbookUpdateWithDecayClippingAndAZeroLearningRate() {
        float[] start = {0.5f, -1.25f, 2f, 0f, 3e-3f};
        float[][] gradients = {{0.1f, -0.2f, 0.3f, 0f, 1e-6f}, {-4f, 0.5f, 0f, 0f, 2f}, {1f, 1f, -1f, 0f, 0.25f},
                {0.3f, -0.7f, 0.05f, 0f, -2f}};
        float[] rates = {0f, 1e-2f, 5e-3f, 1e-3f};
        float[] scales = {1f, 0.25f, 1f, 0.5f};
        double[] w = toDouble(start);
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray weight = manager.create(start.clone());
            weight.setRequiresGradient(true);
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            parameters.put("w", weight);
            AdamW optimizer = new AdamW(BETA1, BETA2, EPSILON, DECAY);
            for (int t = 0; t < gradients.length; t++) {
                Gradients.zero(parameters.values());
                try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                     NDArray g = manager.create(gradients[t]);
                     NDArray loss = weight.mul(g).sum()) {
                    collector.backward(loss); // d loss / d w = g
                }
                optimizer.update(parameters, rates[t], scales[t], manager);
                textbook(w, m, v, gradients[t], rates[t], scales[t], t + 1);
                float[] actual = weight.toFloatArray();
                float[] means = optimizer.means().get("w").toFloatArray();
                float[] variances = optimizer.variances().get("w").toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(w[i], actual[i], 1e-6 * Math.max(1, Math.abs(w[i])), "weight " + i + " at " + t);
                    assertEquals(m[i], means[i], 1e-6 * Math.max(1e-3, Math.abs(m[i])), "mean " + i + " at " + t);
                    assertEquals(v[i], variances[i], 1e-6 * Math.max(1e-6, Math.abs(v[i])),
                            "variance " + i + " at " + t);
                }
            }
            assertEquals(gradients.length, optimizer.step());
        }
    }

    @Test
    void refusesAGradientScaleThatIsNotPositiveAndFinite() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AdamW optimizer = new AdamW(DECAY);
            for (float bad : new float[]{0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
                assertThrows(IllegalArgumentException.class, () -> optimizer.update(Map.of(), 1e-3f, bad, manager));
            }
        }
    }

    /** w ← w − lr·(m̂ / (√v̂ + ε) + λ·w), with m̂, v̂ bias-corrected moments of s·g. */
    private static void textbook(double[] w, double[] m, double[] v, float[] g, double lr, double s, int t) {
        for (int i = 0; i < w.length; i++) {
            double grad = s * g[i];
            m[i] = BETA1 * m[i] + (1 - BETA1) * grad;
            v[i] = BETA2 * v[i] + (1 - BETA2) * grad * grad;
            double mHat = m[i] / (1 - Math.pow(BETA1, t));
            double vHat = v[i] / (1 - Math.pow(BETA2, t));
            w[i] -= lr * (mHat / (Math.sqrt(vHat) + EPSILON) + DECAY * w[i]);
        }
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
