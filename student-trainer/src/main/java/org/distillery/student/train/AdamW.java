package org.distillery.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter), written here so that its state (step count and
 * moments) can be checkpointed and restored exactly.
 */
public final class AdamW {
    private static final NDIndex ALL = new NDIndex("...");
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private long step;

    public AdamW(float weightDecay) {
        this(0.9f, 0.999f, 1e-8f, weightDecay);
    }

    public AdamW(float beta1, float beta2, float epsilon, float weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** Updates parameters in place from their gradients; moments live in {@code manager}. */
    public void update(Map<String, NDArray> parameters, float learningRate, NDManager manager) {
        update(parameters, learningRate, 1f, manager);
    }

    /**
     * Updates parameters in place from their gradients multiplied by {@code gradientScale} (the factor of global-norm
     * clipping, 1 for none); moments live in {@code manager}.
     *
     * <p>Written for memory traffic, which is what this costs: a student's word embeddings alone are millions of
     * values, and every operation is a pass over them. Moments are updated in place and the gradients serve as
     * scratch space, so a parameter costs one temporary array (the denominator) instead of a dozen; the bias
     * corrections and the decay are folded into scalars, as in PyTorch's AdamW:
     * {@code w ← w·(1 − lr·λ) − lr·√c₂/c₁ · m / (√v + ε·√c₂)}, which equals
     * {@code w − lr·(m̂ / (√v̂ + ε) + λ·w)} with {@code m̂ = m/c₁, v̂ = v/c₂}.
     * <b>The gradients hold scratch values afterwards</b>; the step zeroes them before the next backward pass.
     *
     * @throws IllegalArgumentException when {@code gradientScale} is not a positive finite number
     */
    public void update(Map<String, NDArray> parameters, float learningRate, float gradientScale, NDManager manager) {
        if (!(gradientScale > 0 && Float.isFinite(gradientScale))) {
            throw new IllegalArgumentException("gradient scale must be positive and finite, got " + gradientScale);
        }
        step++;
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        float decay = (float) (1 - (double) learningRate * weightDecay);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        float epsilonScaled = (float) (epsilon * Math.sqrt(correction2));
        float meanFactor = (1 - beta1) * gradientScale;
        // g is multiplied by meanFactor for the mean; its square then needs (1 − β₂) / (1 − β₁)² more.
        float varianceFactor = (float) ((1.0 - beta2) / ((1.0 - beta1) * (1.0 - beta1)));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray weight = e.getValue();
            NDArray m = means.computeIfAbsent(e.getKey(), k -> manager.zeros(weight.getShape()));
            NDArray v = variances.computeIfAbsent(e.getKey(), k -> manager.zeros(weight.getShape()));
            try (NDManager scratch = manager.newSubManager()) {
                // Arrays made here are attached to the scratch manager: results of operations on long-lived arrays
                // (weights, moments) would otherwise belong to the base manager and pile up, step after step.
                NDArray g = scratch(weight.getGradient(), scratch);
                // A detached view shares the weight's storage: the in-place update stays out of autograd.
                NDArray target = scratch(weight.stopGradient(), scratch);
                if (decay != 1f) {
                    target.muli(decay);
                }
                g.muli(meanFactor);                  // (1 − β₁)·s·g
                m.muli(beta1).addi(g);
                g.muli(g).muli(varianceFactor);      // (1 − β₂)·(s·g)²
                v.muli(beta2).addi(g);
                if (stepSize == 0f) {
                    continue; // no learning rate (the first warm-up step): the moments move, the weights do not
                }
                NDArray denominator = scratch(v.sqrt(), scratch);
                denominator.addi(epsilonScaled).muli(1f / stepSize);
                g.set(ALL, m);
                target.subi(g.divi(denominator));
            }
        }
    }

    private static NDArray scratch(NDArray array, NDManager scratch) {
        array.attach(scratch);
        return array;
    }

    public long step() {
        return step;
    }

    /** Moments by parameter name, for checkpoints. */
    public Map<String, NDArray> means() {
        return means;
    }

    public Map<String, NDArray> variances() {
        return variances;
    }

    /** Restores the step count (moments are restored by filling {@link #means()} and {@link #variances()}). */
    public void restoreStep(long value) {
        this.step = value;
    }
}
