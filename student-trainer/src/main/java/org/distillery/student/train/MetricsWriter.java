package org.distillery.student.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes each epoch's line to {@code metrics.jsonl} and keeps the best weights by validation accuracy. */
final class MetricsWriter implements TrainingListener {
    private final RunDirectory run;

    MetricsWriter(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onEpochEnd(TrainingState state, Map<String, Double> metrics) {
        try {
            run.appendMetrics(metrics);
            // the classifier's validation accuracy, or a masked LM's held-out masked-token accuracy
            Double score = metrics.containsKey("accuracy") ? metrics.get("accuracy")
                    : metrics.get("val_masked_accuracy");
            if (score != null && score > state.bestMetric()) {
                state.bestMetric(score);
                run.saveWeights(state.student(), "best");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
