package org.distillery.student.train;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Saves {@code checkpoints/last.ckpt} every {@code every} steps, at each epoch end and at the end, and the final
 * weights at the end.
 */
final class CheckpointWriter implements TrainingListener {
    private final RunDirectory run;
    private final int every;

    CheckpointWriter(RunDirectory run, int every) {
        this.run = run;
        this.every = every;
    }

    @Override
    public void afterStep(TrainingState state) {
        if (state.atEpochEnd() || (every > 0 && state.step() % every == 0)) {
            save(state);
        }
    }

    @Override
    public void onTrainingEnd(TrainingState state) {
        save(state);
        try {
            run.saveWeights(state.student(), "final");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void save(TrainingState state) {
        try {
            Checkpoint.capture(state, run.metricLines()).save(run.lastCheckpoint());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
