package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The loss terms of knowledge distillation, as differentiable functions of DJL arrays. Every term is a scalar
 * averaged over the batch. Names follow the seed recipes (AutoMM, Composer, HF DistillationTrainer).
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

    /** {@code KL(softmax(t/T) || softmax(s/T)) · T²}: the Hinton term, scaled so gradients keep their size. */
    public static NDArray klDivergence(NDArray student, NDArray teacher, float temperature) {
        NDArray teacherLog = teacher.div(temperature).logSoftmax(-1);
        NDArray studentLog = student.div(temperature).logSoftmax(-1);
        return teacherLog.exp().mul(teacherLog.sub(studentLog)).sum(new int[]{1}).mean()
                .mul(temperature * temperature);
    }

    /** Cross-entropy against the teacher's soft labels: {@code -Σ softmax(t/T) · log softmax(s/T)}. */
    public static NDArray softCrossEntropy(NDArray student, NDArray teacher, float temperature) {
        NDArray teacherProbs = teacher.div(temperature).softmax(-1);
        return teacherProbs.mul(student.div(temperature).logSoftmax(-1)).sum(new int[]{1}).neg().mean();
    }

    /** Mean squared error between two arrays of the same shape (logits or features). */
    public static NDArray mse(NDArray student, NDArray teacher) {
        return student.sub(teacher).square().mean();
    }

    /** {@code 1 - cos(s, t)} per row, averaged. */
    public static NDArray cosine(NDArray student, NDArray teacher) {
        NDArray dot = student.mul(teacher).sum(new int[]{1});
        NDArray norms = student.norm(new int[]{1}).mul(teacher.norm(new int[]{1})).maximum(1e-8f);
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
        NDArray d = diff.square().sum(new int[]{2}).maximum(1e-12f).sqrt();
        long n = x.getShape().get(0);
        NDArray offDiagonal = d.getManager().eye((int) n).neg().add(1f);
        NDArray mean = d.mul(offDiagonal).sum().div(Math.max(1, n * (n - 1)));
        return d.mul(offDiagonal).div(mean.maximum(1e-12f));
    }

    /** RKD angle loss: cosines of the angles every triple of examples forms should agree (smooth L1). */
    public static NDArray rkdAngle(NDArray student, NDArray teacher) {
        return smoothL1(angles(student), angles(teacher).stopGradient());
    }

    private static NDArray angles(NDArray x) {
        NDArray diff = x.expandDims(0).sub(x.expandDims(1)); // [i, j] = x_j - x_i
        NDArray unit = diff.div(diff.norm(new int[]{2}, true).maximum(1e-12f));
        return unit.matMul(unit.transpose(0, 2, 1)); // [i, j, k] = cos of angle j-i-k
    }

    private static NDArray smoothL1(NDArray a, NDArray b) {
        NDArray diff = a.sub(b).abs();
        NDArray quadratic = diff.square().mul(0.5f);
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
