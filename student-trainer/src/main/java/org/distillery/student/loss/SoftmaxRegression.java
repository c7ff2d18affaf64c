package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Map;

/**
 * Softmax regression: the student's pooled features (projected to the head's width when they differ) through the
 * teacher's fixed classifier head, matched to the teacher's soft labels by KL at temperature T.
 */
public final class SoftmaxRegression implements LossTerm {
    private final float weight;
    private final float temperature;
    private final TeacherHead head;
    private final FeatureProjection projection;

    public SoftmaxRegression(float weight, float temperature, TeacherHead head) {
        this.weight = weight;
        this.temperature = temperature;
        this.head = head;
        this.projection = new FeatureProjection(head.width());
    }

    @Override
    public String name() {
        return "softmax_regression";
    }

    @Override
    public float weight() {
        return weight;
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.LOGITS;
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
        NDManager scope = step.logits().getManager();
        NDArray features = projection.apply(step.pooled(), step.store(), step.training());
        NDArray weightArray = NativeArrays.copy(scope, head.weight(), new Shape(head.labels(), head.width()));
        NDArray bias = NativeArrays.copy(scope, head.bias(), new Shape(head.labels()));
        return DistillationLosses.softmaxRegression(features, weightArray, bias, step.teacher().logits(),
                temperature);
    }
}
