package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * A term that reads the student's pooled features through a learned projection to a teacher-side width (the
 * identity when the widths agree); the projection trains and is checkpointed with the student.
 */
abstract class ProjectingTerm implements LossTerm {
    private final FeatureProjection projection;

    ProjectingTerm(int targetWidth) {
        this.projection = new FeatureProjection(targetWidth);
    }

    @Override
    public void initialize(NDManager manager, int studentWidth) {
        projection.initialize(manager, studentWidth);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return projection.parameters();
    }

    /** The step's pooled features, projected. */
    NDArray projected(StepData step) {
        return projection.apply(step.pooled(), step.store(), step.training());
    }
}
