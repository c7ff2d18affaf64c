package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/** Mean squared error between student and teacher logits. */
public record LogitsMse(float weight) implements LossTerm {
    @Override
    public String name() {
        return "logits_mse";
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.LOGITS;
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.mse(step.logits(), step.teacher().logits());
    }
}
