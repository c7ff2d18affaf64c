package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/**
 * The student's own masked-LM loss (DistilBERT's {@code alpha_mlm} term): cross-entropy of its logits
 * {@code [N, vocab]} at the masked positions against the original tokens {@code [N]}, averaged over positions.
 */
public record MaskedLmCrossEntropy(float weight) implements LossTerm {
    @Override
    public String name() {
        return "mlm";
    }

    @Override
    public NDArray compute(StepData step) {
        return crossEntropy(step.logits(), step.labels());
    }

    /**
     * Mean over rows of {@code −log softmax(logits)[target]}; logits {@code [N, vocab]}, targets int64 {@code [N]}.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray picked = logits.logSoftmax(-1).gather(targets.reshape(-1, 1), 1);
        return picked.neg().mean();
    }
}
