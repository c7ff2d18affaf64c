package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each loss against values computed by hand (in doubles) from its definition. */
class DistillationLossesTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray rows(float[][] v) {
        return manager.create(v);
    }

    static double[] logSoftmax(double[] x, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v / t - max);
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / t - max - Math.log(sum);
        }
        return out;
    }

    /** KL(softmax(t/T) ‖ softmax(s/T)) of one row, in doubles. */
    static double kl(double[] student, double[] teacher, double temperature) {
        double[] ls = logSoftmax(student, temperature);
        double[] lt = logSoftmax(teacher, temperature);
        double kl = 0;
        for (int i = 0; i < ls.length; i++) {
            kl += Math.exp(lt[i]) * (lt[i] - ls[i]);
        }
        return kl;
    }

    @Test
    void crossEntropy() {
        NDArray logits = rows(new float[][]{{1, 2, 3}, {0.5f, -1, 2}});
        NDArray labels = manager.create(new long[]{2, 0});
        double expected = (-logSoftmax(new double[]{1, 2, 3}, 1)[2] - logSoftmax(new double[]{0.5, -1, 2}, 1)[0]) / 2;
        assertEquals(expected, DistillationLosses.crossEntropy(logits, labels).getFloat(), 1e-6);
    }

    @Test
    void klDivergenceScaledByTemperatureSquared() {
        double[] s = {1, 0, -1};
        double[] t = {0.2, 2, 0.5};
        double temperature = 2;
        double[] ls = logSoftmax(s, temperature);
        double[] lt = logSoftmax(t, temperature);
        double kl = 0;
        double ce = 0;
        for (int i = 0; i < 3; i++) {
            kl += Math.exp(lt[i]) * (lt[i] - ls[i]);
            ce -= Math.exp(lt[i]) * ls[i];
        }
        NDArray student = rows(new float[][]{{1, 0, -1}});
        NDArray teacher = rows(new float[][]{{0.2f, 2, 0.5f}});
        assertEquals(kl * 4, DistillationLosses.klDivergence(student, teacher, 2f).getFloat(), 1e-6);
        assertEquals(ce, DistillationLosses.softCrossEntropy(student, teacher, 2f).getFloat(), 1e-6);
        assertEquals(0, DistillationLosses.klDivergence(teacher, teacher, 2f).getFloat(), 1e-6);
    }

    @Test
    void mseAndCosine() {
        NDArray a = rows(new float[][]{{1, 0}, {0, 2}});
        NDArray b = rows(new float[][]{{0, 1}, {0, 4}});
        assertEquals((1 + 1 + 0 + 4) / 4.0, DistillationLosses.mse(a, b).getFloat(), 1e-6);
        // row 0: orthogonal -> 1 - 0; row 1: parallel -> 1 - 1
        assertEquals(0.5, DistillationLosses.cosine(a, b).getFloat(), 1e-6);
    }

    @Test
    void rkdDistanceIsScaleInvariantAndMatchesHandValue() {
        NDArray s = rows(new float[][]{{0, 0}, {3, 0}, {0, 4}});
        NDArray scaled = s.mul(5f);
        assertEquals(0, DistillationLosses.rkdDistance(s, scaled).getFloat(), 1e-6);
        // Student distances 3, 4, 5 (mean 4); teacher distances 1, 1, 1 (mean 1): normalized 0.75, 1, 1.25 vs 1.
        NDArray t = rows(new float[][]{{0, 0}, {1, 0}, {0.5f, (float) Math.sqrt(0.75)}});
        // Off-diagonal differences: 0.25, 0, 0.25 each twice; smooth L1 0.5·d²; mean over all 9 cells.
        double expected = 2 * (0.5 * 0.0625 + 0 + 0.5 * 0.0625) / 9;
        assertEquals(expected, DistillationLosses.rkdDistance(s, t).getFloat(), 1e-5);
    }

    @Test
    void rkdAngleIsZeroForSimilarShapesAndMatchesHandValue() {
        NDArray s = rows(new float[][]{{0, 0}, {3, 0}, {0, 4}});
        assertEquals(0, DistillationLosses.rkdAngle(s, s.mul(2f).add(1f)).getFloat(), 1e-6);
        // The 3-4-5 triangle's angles have cosines 0 (at point 0), 3/5 (at 1) and 4/5 (at 2); the equilateral
        // triangle's are all 1/2. Each differs at two ordered cells (j, k) of its vertex: differences 0.5, 0.1, 0.3;
        // smooth L1 gives 0.5·d² each; cells where j or k is the vertex, or j = k, agree. Mean over all 27 cells.
        NDArray t = rows(new float[][]{{0, 0}, {1, 0}, {0.5f, (float) Math.sqrt(0.75)}});
        double expected = 2 * (0.5 * 0.25 + 0.5 * 0.01 + 0.5 * 0.09) / 27;
        assertEquals(expected, DistillationLosses.rkdAngle(s, t).getFloat(), 1e-6);
    }

    @Test
    void softmaxRegressionIsKlThroughTheTeachersHead() {
        NDArray features = rows(new float[][]{{1, 0}, {0.5f, 2}});
        NDArray weight = rows(new float[][]{{1, 0}, {0, 1}, {1, 1}});
        NDArray bias = manager.create(new float[]{0.1f, 0, -0.1f});
        NDArray teacher = rows(new float[][]{{2, 0, 1}, {0, 1, 3}});
        // Through the head by hand: x·Wᵀ + b = (1.1, 0, 0.9) and (0.6, 2, 2.4); then KL at T = 2, times T².
        double expected = (kl(new double[]{1.1, 0, 0.9}, new double[]{2, 0, 1}, 2)
                + kl(new double[]{0.6, 2, 2.4}, new double[]{0, 1, 3}, 2)) / 2 * 4;
        assertEquals(expected, DistillationLosses.softmaxRegression(features, weight, bias, teacher, 2f).getFloat(),
                1e-6);
    }

    @Test
    void teacherHeadIsReadFromOnnxInitializers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path onnx = org.distillery.common.testing.TestTeachers.tinyBert(dir.resolve("t.onnx"), 4);
        TeacherHead head = TeacherHead.read(onnx, "classifier.weight", "classifier.bias", 3);
        assertEquals(16, head.width());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new org.distillery.common.onnx.RandomWeights(4, 0.2)
                .get("classifier.weight", new long[]{3, 16}), head.weight());
        org.junit.jupiter.api.Assertions.assertThrows(org.distillery.student.data.DataException.class,
                () -> TeacherHead.read(onnx, "head.weight", "classifier.bias", 3));
        org.junit.jupiter.api.Assertions.assertThrows(org.distillery.student.data.DataException.class,
                () -> TeacherHead.read(onnx, "classifier.weight", "classifier.bias", 2));
    }
}
