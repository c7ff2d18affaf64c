package org.distillery.student.eval;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricsTest {
    @Test
    void binaryMetricsByHand() {
        // scores for label 1: 0.9 (1), 0.8 (0), 0.6 (1), 0.3 (0), 0.2 (1)
        float[] probs = {0.1f, 0.9f, 0.2f, 0.8f, 0.4f, 0.6f, 0.7f, 0.3f, 0.8f, 0.2f};
        int[] labels = {1, 0, 1, 0, 1};
        Map<String, Double> m = Metrics.compute(probs, labels, 2);
        // predicted 1 for the first three: TP 2, FP 1, FN 1, TN 1
        assertEquals(0.6, m.get("accuracy"), 1e-9);
        assertEquals(2 / 3.0, m.get("precision"), 1e-9);
        assertEquals(2 / 3.0, m.get("recall"), 1e-9);
        assertEquals(2 / 3.0, m.get("f1"), 1e-9);
        // pairs (pos, neg) ranked right: (0.9,0.8) (0.9,0.3) (0.6,0.3) of 6
        assertEquals(3 / 6.0, m.get("roc_auc"), 1e-9);
    }

    @Test
    void multiClassMacroF1() {
        float[] probs = {0.8f, 0.1f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 0.1f, 0.8f};
        int[] labels = {0, 1, 2, 2};
        Map<String, Double> m = Metrics.compute(probs, labels, 3);
        assertEquals(0.75, m.get("accuracy"), 1e-9);
        // class 0: f1 1; class 1: p 0.5 r 1 f1 2/3; class 2: p 1 r 0.5 f1 2/3
        assertEquals((1 + 2 / 3.0 + 2 / 3.0) / 3, m.get("macro_f1"), 1e-9);
    }

    @Test
    void unlabelledRowsAreLeftOutOfMetricsAndTheConfusionMatrix() {
        // The five rows of binaryMetricsByHand with two unlabelled rows between them: the same figures.
        float[] probs = {0.1f, 0.9f, 0.5f, 0.5f, 0.2f, 0.8f, 0.4f, 0.6f, 0.9f, 0.1f, 0.7f, 0.3f, 0.8f, 0.2f};
        int[] labels = {1, -1, 0, 1, -1, 0, 1};
        assertEquals(Metrics.compute(new float[]{0.1f, 0.9f, 0.2f, 0.8f, 0.4f, 0.6f, 0.7f, 0.3f, 0.8f, 0.2f},
                new int[]{1, 0, 1, 0, 1}, 2), Metrics.compute(probs, labels, 2));
        int[][] confusion = Metrics.confusion(probs, labels, 2);
        assertEquals(5, confusion[0][0] + confusion[0][1] + confusion[1][0] + confusion[1][1]);
    }
}
