package org.distillery.student.loss;

import org.distillery.student.options.FeatureLoss;

/**
 * Cosine loss between the student's and the teacher's last hidden states at the masked positions (DistilBERT's
 * {@code alpha_cos} term, {@code 1 − cos} averaged over positions), through a learned projection when the widths
 * differ: the cosine feature match under its masked-LM name. The student's hidden states {@code [N, hidden]} come
 * as the step's pooled features; the teacher's as its {@code feature} output, gathered at the same positions by
 * the server.
 */
public final class HiddenCosine extends FeatureMatch {
    /** @param teacherWidth the width of the teacher's {@code feature} output */
    public HiddenCosine(float weight, String feature, int teacherWidth) {
        super(weight, FeatureLoss.COSINE, feature, teacherWidth);
    }

    @Override
    public String name() {
        return "cos";
    }
}
