package org.distillery.student.cli;

import org.distillery.student.options.RunOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The run directory, checkpoints, resume, time limit and metrics endpoint; defaults from {@link RunOptions#DEFAULTS}.
 */
public final class RunMixin {
    private static final RunOptions D = RunOptions.DEFAULTS;

    @Option(names = "--run-dir", required = true, description = "Run directory for config, metrics, checkpoints.")
    Path runDir;
    @Option(names = "--checkpoint-every", description = "Save checkpoints/last.ckpt every N steps; always at epoch "
            + "ends and the end (default: ${DEFAULT-VALUE}).")
    int checkpointEvery = D.checkpointEvery();
    @Option(names = "--resume", description = "Continue the run in --run-dir from checkpoints/last.ckpt.")
    boolean resume;
    @Option(names = "--time-limit-s", description = "Stop after this much training time, with a final checkpoint; "
            + "0 = none (default: ${DEFAULT-VALUE}).")
    double timeLimit = D.timeLimitSeconds();
    @Option(names = "--metrics-port", paramLabel = "N", description = "Serve Prometheus metrics at "
            + "http://HOST:N/metrics while the run lasts; 0 picks a free port, printed at the start (default: off).")
    Integer metricsPort = D.metricsPort();

    /** The validated options; {@code progress} from the common options. */
    public RunOptions options(boolean progress) {
        return new RunOptions(runDir, checkpointEvery, resume, timeLimit, progress, metricsPort);
    }
}
