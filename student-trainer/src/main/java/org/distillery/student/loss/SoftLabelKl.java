package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/** {@code KL(softmax(t/T) ‖ softmax(s/T)) · T²}: Hinton et al.'s soft-label term. */
public record SoftLabelKl(float weight, float temperature) implements LossTerm {
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
        return DistillationLosses.klDivergence(step.logits(), step.teacher().logits(), temperature);
    }
}
