package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;


/**
 * Softmax regression: the student's pooled features (projected to the head's width when they differ) through the
 * teacher's fixed classifier head, matched to the teacher's soft labels by KL at temperature T.
 */
public final class SoftmaxRegression extends ProjectingTerm {
    private final float weight;
    private final float temperature;
    private final TeacherHead head;

    public SoftmaxRegression(float weight, float temperature, TeacherHead head) {
        super(head.width());
        this.weight = weight;
        this.temperature = temperature;
        this.head = head;
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
    public NDArray compute(StepData step) {
        NDManager scope = step.logits().getManager();
        NDArray features = projected(step);
        NDArray weightArray = NativeArrays.copy(scope, head.weight(), new Shape(head.labels(), head.width()));
        NDArray bias = NativeArrays.copy(scope, head.bias(), new Shape(head.labels()));
        return DistillationLosses.softmaxRegression(features, weightArray, bias, step.teacher().logits(),
                temperature);
    }
}
