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
 * @param metricsPort      serve Prometheus metrics on this port while the run lasts (0: a free one), or null for
 *                         none
 */
public record RunOptions(Path runDir, int checkpointEvery, boolean resume, double timeLimitSeconds,
                         boolean progress, Integer metricsPort) {
    /** Nothing written, no time limit, no progress bar, no metrics endpoint. */
    public static final RunOptions DEFAULTS = new RunOptions(null, 0, false, 0, false, null);

    public RunOptions {
        Checks.atLeast("--checkpoint-every", 0, checkpointEvery);
        Checks.nonNegative("--time-limit-s (0 = none)", timeLimitSeconds);
        if (resume && runDir == null) {
            throw new IllegalArgumentException("--resume needs --run-dir");
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new IllegalArgumentException("--metrics-port must be in [0, 65535], got " + metricsPort);
        }
    }

    /** Writes into {@code dir}, without a progress bar. */
    public static RunOptions in(Path dir) {
        return new RunOptions(dir, DEFAULTS.checkpointEvery, false, DEFAULTS.timeLimitSeconds, false,
                DEFAULTS.metricsPort);
    }

    public RunOptions withCheckpointEvery(int steps) {
        return new RunOptions(runDir, steps, resume, timeLimitSeconds, progress, metricsPort);
    }

    public RunOptions resuming() {
        return new RunOptions(runDir, checkpointEvery, true, timeLimitSeconds, progress, metricsPort);
    }

    public RunOptions withTimeLimit(double seconds) {
        return new RunOptions(runDir, checkpointEvery, resume, seconds, progress, metricsPort);
    }

    public RunOptions withProgress(boolean show) {
        return new RunOptions(runDir, checkpointEvery, resume, timeLimitSeconds, show, metricsPort);
    }

    /** Serves metrics on {@code port} (0: a free one) while the run lasts; null for none. */
    public RunOptions withMetricsPort(Integer port) {
        return new RunOptions(runDir, checkpointEvery, resume, timeLimitSeconds, progress, port);
    }
}
