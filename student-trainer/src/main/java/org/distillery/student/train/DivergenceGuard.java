package org.distillery.student.train;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * Logs every skipped step (loss or gradients not finite; weights and optimizer state untouched) and stops the run
 * when {@link #MAX_IN_A_ROW} come in a row.
 */
final class DivergenceGuard implements TrainingListener {
    /** Skipped steps in a row that stop a run. */
    static final int MAX_IN_A_ROW = 5;
    private static final Logger LOG = Logger.getLogger(DivergenceGuard.class.getName());
    private final String bestWeightsAt;

    /** @param bestWeightsAt where the best weights so far are kept, or null */
    DivergenceGuard(String bestWeightsAt) {
        this.bestWeightsAt = bestWeightsAt;
    }

    @Override
    public void onStep(TrainingState state, StepOutcome outcome) {
        if (!outcome.skipped()) {
            return;
        }
        LOG.warning(String.format(Locale.ROOT, "step %d skipped: loss %s, gradient norm %s (not finite; in %s); "
                + "weights and optimizer state left as they were", outcome.step(), outcome.loss(),
                outcome.gradientNorm(), Gradients.nonFinite(state.parameters())));
        int inARow = state.figures().skippedInARow();
        if (inARow >= MAX_IN_A_ROW) {
            throw new TrainingException(String.format(Locale.ROOT, "training diverged: loss or gradients were not "
                    + "finite for %d steps in a row (steps %d to %d); lower --lr or set --clip-norm%s", inARow,
                    outcome.step() - inARow + 1, outcome.step(), bestWeightsAt == null ? ""
                            : "; the best weights so far are in " + bestWeightsAt), null);
        }
    }
}
