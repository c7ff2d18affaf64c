package org.distillery.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter), written here so that its state (step count and
 * moments) can be checkpointed and restored exactly.
 */
public final class AdamW {
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
        step++;
        float correction1 = (float) (1 - Math.pow(beta1, step));
        float correction2 = (float) (1 - Math.pow(beta2, step));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray weight = e.getValue();
            NDArray m = means.computeIfAbsent(e.getKey(), k -> manager.zeros(weight.getShape()));
            NDArray v = variances.computeIfAbsent(e.getKey(), k -> manager.zeros(weight.getShape()));
            try (NDManager scratch = manager.newSubManager()) {
                // Every temporary is attached to the scratch manager: results of operations on long-lived arrays
                // (weights, moments) would otherwise belong to the base manager and pile up, step after step.
                NDArray g = scratch(weight.getGradient(), scratch);
                m.muli(beta1).addi(scratch(g.mul(1 - beta1), scratch));
                v.muli(beta2).addi(scratch(scratch(g.square(), scratch).mul(1 - beta2), scratch));
                NDArray mHat = scratch(m.div(correction1), scratch);
                NDArray vHat = scratch(v.div(correction2), scratch);
                NDArray denominator = scratch(scratch(vHat.sqrt(), scratch).add(epsilon), scratch);
                NDArray update = scratch(mHat.div(denominator), scratch);
                // A detached view shares the weight's storage: the in-place update stays out of autograd.
                NDArray target = scratch(weight.stopGradient(), scratch);
                if (weightDecay > 0) {
                    update = scratch(update.add(scratch(target.mul(weightDecay), scratch)), scratch);
                }
                target.subi(scratch(update.mul(learningRate), scratch));
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
