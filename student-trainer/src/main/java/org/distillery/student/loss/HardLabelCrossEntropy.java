package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/** Cross-entropy of the student's logits against the labels. */
public record HardLabelCrossEntropy(float weight) implements LossTerm {
    @Override
    public String name() {
        return "hard_label";
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.crossEntropy(step.logits(), step.labels());
    }
}
