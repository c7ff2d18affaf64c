package org.distillery.student.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.function.DoubleSupplier;

/** A progress bar with steps/s, the loss and the time spent waiting for the teacher. */
final class ProgressReporter implements TrainingListener {
    private final DoubleSupplier teacherWaitSeconds;
    private ProgressBar bar;
    private long started;
    private int firstStep;

    ProgressReporter(DoubleSupplier teacherWaitSeconds) {
        this.teacherWaitSeconds = teacherWaitSeconds;
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
        bar.setExtraMessage(String.format(" %.2f steps/s, loss %.4f, teacher wait %.1fs", rate, outcome.loss(),
                teacherWaitSeconds.getAsDouble()));
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
