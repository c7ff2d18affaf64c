package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.distillery.student.options.FeatureLoss;

import java.util.Map;

/**
 * The student's pooled features, through a learned projection when the widths differ, matched to a teacher feature
 * output by MSE or cosine distance (AutoMM's output feature loss).
 */
public final class FeatureMatch implements LossTerm {
    private final float weight;
    private final FeatureLoss kind;
    private final String feature;
    private final FeatureProjection projection;

    /** @param teacherWidth the width of the teacher's {@code feature} output */
    public FeatureMatch(float weight, FeatureLoss kind, String feature, int teacherWidth) {
        this.weight = weight;
        this.kind = kind;
        this.feature = feature;
        this.projection = new FeatureProjection(teacherWidth);
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
    public void initialize(NDManager manager, int studentWidth) {
        projection.initialize(manager, studentWidth);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return projection.parameters();
    }

    @Override
    public NDArray compute(StepData step) {
        NDArray projected = projection.apply(step.pooled(), step.store(), step.training());
        NDArray target = step.teacher().feature(feature);
        return kind == FeatureLoss.COSINE ? DistillationLosses.cosine(projected, target)
                : DistillationLosses.mse(projected, target);
    }
}
