package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import org.distillery.student.options.FeatureLoss;

/**
 * The student's pooled features, through a learned projection when the widths differ, matched to a teacher feature
 * output by MSE or cosine distance (AutoMM's output feature loss).
 */
public class FeatureMatch extends ProjectingTerm {
    private final float weight;
    private final FeatureLoss kind;
    private final String feature;

    /** @param teacherWidth the width of the teacher's {@code feature} output */
    public FeatureMatch(float weight, FeatureLoss kind, String feature, int teacherWidth) {
        super(teacherWidth);
        this.weight = weight;
        this.kind = kind;
        this.feature = feature;
    }

    @Override
    public String name() {
        return "output_feature";
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
        NDArray projected = projected(step);
        NDArray target = step.teacher().feature(feature);
        return kind == FeatureLoss.COSINE ? DistillationLosses.cosine(projected, target)
                : DistillationLosses.mse(projected, target);
    }
}
