package org.distillery.student.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.function.DoubleSupplier;

/**
 * A progress bar with steps/s, the loss, the time spent waiting for the teacher and, with a teacher-output cache,
 * its hit rate.
 */
final class ProgressReporter implements TrainingListener {
    private final DoubleSupplier teacherWaitSeconds;
    private final DoubleSupplier cacheHitRate;
    private ProgressBar bar;
    private long started;
    private int firstStep;

    /** @param cacheHitRate share of examples answered by the cache, NaN without one */
    ProgressReporter(DoubleSupplier teacherWaitSeconds, DoubleSupplier cacheHitRate) {
        this.teacherWaitSeconds = teacherWaitSeconds;
        this.cacheHitRate = cacheHitRate;
    }

    @Override
    public void onTrainingBegin(TrainingState state) {
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(state.total())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build();
        bar.stepTo(state.step());
        started = System.nanoTime();
        firstStep = state.step();
    }

    @Override
    public void onStep(TrainingState state, StepOutcome outcome) {
        bar.stepTo(state.step());
        double rate = (state.step() - firstStep) / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        double hits = cacheHitRate.getAsDouble();
        bar.setExtraMessage(String.format(" %.2f steps/s, loss %.4f, teacher wait %.1fs%s", rate, outcome.loss(),
                teacherWaitSeconds.getAsDouble(), Double.isNaN(hits) ? "" : String.format(", cache hits %.0f%%",
                        100 * hits)));
    }

    @Override
    public void onTrainingEnd(TrainingState state) {
        close();
    }

    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
