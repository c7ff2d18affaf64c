package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.distillery.student.model.Scalars;

/**
 * The loss terms of knowledge distillation, as differentiable functions of DJL arrays. Every term is a scalar
 * averaged over the batch. Names follow the seed recipes (AutoMM, Composer, HF DistillationTrainer). Constants
 * enter through {@link Scalars}, never as Java numbers (see there why).
 */
public final class DistillationLosses {
    private DistillationLosses() {
    }

    /** Cross-entropy of logits {@code [B, C]} against int labels {@code [B]}. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        int classes = (int) logits.getShape().get(1);
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot(classes).toType(DataType.FLOAT32, false);
        return logits.logSoftmax(-1).mul(oneHot).sum(new int[]{1}).neg().mean();
    }

    /**
     * Cross-entropy of logits {@code [B, C]} against int labels {@code [B]} over the labelled rows: a row whose label
     * is negative ({@link org.distillery.student.data.Example#UNLABELLED}) is left out of the mean. With every row
     * labelled this is exactly {@link #crossEntropy}; with none it is 0, and so is its gradient.
     */
    public static NDArray labelledCrossEntropy(NDArray logits, NDArray labels) {
        long[] ids = labels.toType(DataType.INT64, false).toLongArray();
        int labelled = 0;
        for (long id : ids) {
            labelled += id >= 0 ? 1 : 0;
        }
        if (labelled == ids.length) {
            return crossEntropy(logits, labels);
        }
        long[] safe = new long[ids.length];
        float[] weights = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            safe[i] = Math.max(0, ids[i]);
            weights[i] = ids[i] >= 0 ? 1f / labelled : 0f;
        }
        NDManager manager = logits.getManager();
        Shape rows = new Shape(ids.length);
        NDArray oneHot = NativeArrays.copy(manager, safe, rows).oneHot((int) logits.getShape().get(1))
                .toType(DataType.FLOAT32, false);
        NDArray perRow = logits.logSoftmax(-1).mul(oneHot).sum(new int[]{1}).neg();
        return perRow.mul(NativeArrays.copy(manager, weights, rows)).sum();
    }

    /** {@code KL(softmax(t/T) || softmax(s/T)) · T²}: the Hinton term, scaled so gradients keep their size. */
    public static NDArray klDivergence(NDArray student, NDArray teacher, float temperature) {
        NDArray teacherLog = Scalars.div(teacher, temperature).logSoftmax(-1);
        NDArray studentLog = Scalars.div(student, temperature).logSoftmax(-1);
        return Scalars.mul(teacherLog.exp().mul(teacherLog.sub(studentLog)).sum(new int[]{1}).mean(),
                temperature * temperature);
    }

    /** Cross-entropy against the teacher's soft labels: {@code -Σ softmax(t/T) · log softmax(s/T)}. */
    public static NDArray softCrossEntropy(NDArray student, NDArray teacher, float temperature) {
        NDArray teacherProbs = Scalars.div(teacher, temperature).softmax(-1);
        return teacherProbs.mul(Scalars.div(student, temperature).logSoftmax(-1)).sum(new int[]{1}).neg().mean();
    }

    /** Mean squared error between two arrays of the same shape (logits or features). */
    public static NDArray mse(NDArray student, NDArray teacher) {
        return student.sub(teacher).square().mean();
    }

    /** {@code 1 - cos(s, t)} per row, averaged. */
    public static NDArray cosine(NDArray student, NDArray teacher) {
        NDArray dot = student.mul(teacher).sum(new int[]{1});
        NDArray norms = Scalars.atLeast(student.norm(new int[]{1}).mul(teacher.norm(new int[]{1})), 1e-8);
        return dot.div(norms).neg().add(1f).mean();
    }

    /**
     * RKD distance loss: the pairwise distances of the batch's features, each divided by their mean, should agree
     * between student and teacher (Huber / smooth L1).
     */
    public static NDArray rkdDistance(NDArray student, NDArray teacher) {
        return smoothL1(normalizedDistances(student), normalizedDistances(teacher).stopGradient());
    }

    private static NDArray normalizedDistances(NDArray x) {
        NDArray diff = x.expandDims(1).sub(x.expandDims(0));
        NDArray d = Scalars.atLeast(diff.square().sum(new int[]{2}), 1e-12).sqrt();
        long n = x.getShape().get(0);
        NDArray offDiagonal = d.getManager().eye((int) n).neg().add(1f);
        NDArray mean = Scalars.div(d.mul(offDiagonal).sum(), Math.max(1, n * (n - 1)));
        return d.mul(offDiagonal).div(Scalars.atLeast(mean, 1e-12));
    }

    /** RKD angle loss: cosines of the angles every triple of examples forms should agree (smooth L1). */
    public static NDArray rkdAngle(NDArray student, NDArray teacher) {
        return smoothL1(angles(student), angles(teacher).stopGradient());
    }

    private static NDArray angles(NDArray x) {
        NDArray diff = x.expandDims(0).sub(x.expandDims(1)); // [i, j] = x_j - x_i
        NDArray unit = diff.div(Scalars.atLeast(diff.norm(new int[]{2}, true), 1e-12));
        return unit.matMul(unit.transpose(0, 2, 1)); // [i, j, k] = cos of angle j-i-k
    }

    private static NDArray smoothL1(NDArray a, NDArray b) {
        NDArray diff = a.sub(b).abs();
        NDArray quadratic = Scalars.mul(diff.square(), 0.5);
        NDArray linear = diff.sub(0.5f);
        return diff.lt(1f).toType(DataType.FLOAT32, false).mul(quadratic)
                .add(diff.gte(1f).toType(DataType.FLOAT32, false).mul(linear)).mean();
    }

    /**
     * Softmax regression: student features through the teacher's fixed classifier head ({@code x · Wᵀ + b}),
     * matched to the teacher's soft labels with the KL term at temperature T.
     */
    public static NDArray softmaxRegression(NDArray studentFeatures, NDArray headWeight, NDArray headBias,
                                            NDArray teacherLogits, float temperature) {
        NDArray headLogits = studentFeatures.matMul(headWeight.transpose()).add(headBias);
        return klDivergence(headLogits, teacherLogits, temperature);
    }
}
