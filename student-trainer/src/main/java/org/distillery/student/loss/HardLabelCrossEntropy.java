package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/**
 * Cross-entropy of the student's logits against the labels, averaged over the batch's labelled examples: an
 * unlabelled example (label {@link org.distillery.student.data.Example#UNLABELLED}, transfer-set text) is left out
 * and learns from the teacher's terms alone; a batch without labels contributes 0.
 */
public record HardLabelCrossEntropy(float weight) implements LossTerm {
    @Override
    public String name() {
        return "hard_label";
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.labelledCrossEntropy(step.logits(), step.labels());
    }
}
