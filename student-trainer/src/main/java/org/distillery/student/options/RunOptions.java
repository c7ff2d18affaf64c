package org.distillery.student.options;

import java.nio.file.Path;

/**
 * Where a run keeps its files and how it is driven; none of it changes the trained weights.
 *
 * @param runDir           run directory (config, parameters, metrics, checkpoints), or null to write nothing
 * @param checkpointEvery  save {@code checkpoints/last.ckpt} every N steps (0: at epoch ends and the end only)
 * @param resume           continue the run in {@code runDir} from its last checkpoint
 * @param timeLimitSeconds stop (with a final checkpoint) after this much training time (0: none)
 * @param progress         show a progress bar
 */
public record RunOptions(Path runDir, int checkpointEvery, boolean resume, double timeLimitSeconds,
                         boolean progress) {
    /** Nothing written, no time limit, no progress bar. */
    public static final RunOptions DEFAULTS = new RunOptions(null, 0, false, 0, false);

    public RunOptions {
        Checks.atLeast("--checkpoint-every", 0, checkpointEvery);
        Checks.nonNegative("--time-limit-s (0 = none)", timeLimitSeconds);
        if (resume && runDir == null) {
            throw new IllegalArgumentException("--resume needs --run-dir");
        }
    }

    /** Writes into {@code dir}, without a progress bar. */
    public static RunOptions in(Path dir) {
        return new RunOptions(dir, 0, false, 0, false);
    }

    public RunOptions withCheckpointEvery(int steps) {
        return new RunOptions(runDir, steps, resume, timeLimitSeconds, progress);
    }

    public RunOptions resuming() {
        return new RunOptions(runDir, checkpointEvery, true, timeLimitSeconds, progress);
    }

    public RunOptions withTimeLimit(double seconds) {
        return new RunOptions(runDir, checkpointEvery, resume, seconds, progress);
    }

    public RunOptions withProgress(boolean show) {
        return new RunOptions(runDir, checkpointEvery, resume, timeLimitSeconds, show);
    }
}
