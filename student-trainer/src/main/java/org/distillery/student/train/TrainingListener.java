package org.distillery.student.train;

import java.util.Map;

/**
 * Everything around the loop — metrics, checkpoints, progress, limits — is a listener the loop calls at fixed
 * points. Listeners are called in the order given; an exception from one stops the run (as a crash would: no final
 * save).
 */
public interface TrainingListener {
    /** Before the first step (after a resume: before the first step still to run). */
    default void onTrainingBegin(TrainingState state) {
    }

    /** After every step, the epoch's running figures already updated. */
    default void onStep(TrainingState state, StepOutcome outcome) {
    }

    /** After validation at the end of an epoch; {@code metrics} is the epoch's line of {@code metrics.jsonl}. */
    default void onEpochEnd(TrainingState state, Map<String, Double> metrics) {
    }

    /** After the step's other events: a listener may save state here. */
    default void afterStep(TrainingState state) {
    }

    /** When the loop ends normally (all steps, or a requested stop). */
    default void onTrainingEnd(TrainingState state) {
    }
}
