package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * One weighted term of the training objective. A term says which teacher outputs it reads; a term that reads any
 * is skipped on steps without a teacher answer (outside the distillation window). A term may own learned parameters
 * (a projection), which train and are checkpointed with the student's.
 */
public interface LossTerm {
    /** The term's name in metrics ({@code loss_NAME}) and checkpoints. */
    String name();

    /** The factor the term enters the objective with. */
    float weight();

    /** The teacher outputs the term reads. */
    default TeacherNeeds needs() {
        return TeacherNeeds.NONE;
    }

    /** Creates the term's own parameters, if any, for a student with features {@code studentWidth} wide. */
    default void initialize(NDManager manager, int studentWidth) {
    }

    /** The term's learned parameters by name (empty for most terms). */
    default Map<String, NDArray> parameters() {
        return Map.of();
    }

    /** The unweighted value: a scalar averaged over the batch. */
    NDArray compute(StepData step);
}
