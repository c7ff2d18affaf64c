package org.distillery.student.report;

import java.util.List;
import java.util.Map;

/**
 * One student run's training curve.
 *
 * @param seed     the run's seed
 * @param stepLoss the objective's value at every step
 * @param epochs   the run's lines of {@code metrics.jsonl} (validation metrics per epoch, with the step)
 */
public record RunCurve(long seed, List<Float> stepLoss, List<Map<String, Double>> epochs) {
    public RunCurve {
        stepLoss = List.copyOf(stepLoss);
        epochs = List.copyOf(epochs);
    }
}
