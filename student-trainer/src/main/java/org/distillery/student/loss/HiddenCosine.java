package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/**
 * Cosine loss between the student's and the teacher's last hidden states at the masked positions (DistilBERT's
 * {@code alpha_cos} term, {@code 1 − cos} averaged over positions), through a learned projection when the widths
 * differ. The student's hidden states {@code [N, hidden]} come as the step's pooled features; the teacher's as its
 * {@code feature} output, gathered at the same positions by the server.
 */
public final class HiddenCosine extends ProjectingTerm {
    private final float weight;
    private final String feature;

    /** @param teacherWidth the width of the teacher's {@code feature} output */
    public HiddenCosine(float weight, String feature, int teacherWidth) {
        super(teacherWidth);
        this.weight = weight;
        this.feature = feature;
    }

    @Override
    public String name() {
        return "cos";
    }

    @Override
    public float weight() {
        return weight;
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.feature(feature);
    }

    @Override
    public NDArray compute(StepData step) {
        return DistillationLosses.cosine(projected(step), step.teacher().feature(feature));
    }
}
