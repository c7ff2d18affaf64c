package org.distillery.student.train;

import java.util.Locale;

/** Stops the run once its training time passes a limit; the step under way completes and is saved. */
final class TimeLimit implements TrainingListener {
    private final double seconds;
    private long started;

    TimeLimit(double seconds) {
        this.seconds = seconds;
    }

    @Override
    public void onTrainingBegin(TrainingState state) {
        started = System.nanoTime();
    }

    @Override
    public void onStep(TrainingState state, StepOutcome outcome) {
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (elapsed > seconds && state.step() < state.total()) {
            state.requestStop(String.format(Locale.ROOT, "time limit of %.3g s reached after %d steps", seconds,
                    state.step()));
        }
    }
}
