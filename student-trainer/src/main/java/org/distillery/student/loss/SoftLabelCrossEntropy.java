package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/** Cross-entropy against the teacher's softened probabilities, {@code −Σ softmax(t/T) · log softmax(s/T)}. */
public record SoftLabelCrossEntropy(float weight, float temperature) implements LossTerm {
    @Override
    public String name() {
        return "soft_label";
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.LOGITS;
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.softCrossEntropy(step.logits(), step.teacher().logits(), temperature);
    }
}
