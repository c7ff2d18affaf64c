package org.distillery.student.train;

import org.distillery.student.options.RunOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The listeners every training loop runs, in their order: the divergence guard, the time limit, the progress bar,
 * the metrics writer, the loop's own, and last the checkpoint writer (so a checkpoint holds what the others did).
 */
final class Listeners {
    private Listeners() {
    }

    /**
     * @param run           the run directory, or null when nothing is written
     * @param teacherWait   seconds waited for the teacher so far, for the progress bar
     * @param cacheHitRate  the teacher-output cache's hit rate, or NaN, for the progress bar
     * @param own           the loop's own listeners, called before the checkpoint writer
     */
    static List<TrainingListener> standard(RunDirectory run, RunOptions options,
                                           DoubleSupplier teacherWait, DoubleSupplier cacheHitRate,
                                           List<TrainingListener> own) {
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(new DivergenceGuard(run == null ? null : run.root().resolve("checkpoints").toString()));
        if (options.timeLimitSeconds() > 0) {
            listeners.add(new TimeLimit(options.timeLimitSeconds()));
        }
        if (options.progress()) {
            listeners.add(new ProgressReporter(teacherWait, cacheHitRate));
        }
        if (run != null) {
            listeners.add(new MetricsWriter(run));
        }
        listeners.addAll(own);
        if (run != null) {
            listeners.add(new CheckpointWriter(run, options.checkpointEvery()));
        }
        return listeners;
    }
}
