package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/** Relational KD, distances: the batch's normalised pairwise distances agree with the teacher feature's. */
public record RkdDistance(float weight, String feature) implements LossTerm {
    @Override
    public String name() {
        return "rkd_distance";
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.feature(feature);
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.rkdDistance(step.pooled(), step.teacher().feature(feature));
    }
}
