package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/** Relational KD, angles: the angles every triple of examples forms agree with the teacher feature's. */
public record RkdAngle(float weight, String feature) implements LossTerm {
    @Override
    public String name() {
        return "rkd_angle";
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.feature(feature);
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.rkdAngle(step.pooled(), step.teacher().feature(feature));
    }
}
