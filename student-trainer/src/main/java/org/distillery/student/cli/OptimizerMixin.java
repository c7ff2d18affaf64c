package org.distillery.student.cli;

import org.distillery.student.options.OptimizerOptions;
import picocli.CommandLine.Option;

/** The optimizer and schedule options; defaults from {@link OptimizerOptions#DEFAULTS}. */
public final class OptimizerMixin {
    private static final OptimizerOptions D = OptimizerOptions.DEFAULTS;

    @Option(names = "--epochs", description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
    int epochs = D.epochs();
    @Option(names = "--max-steps", description = "Stop after this many steps; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int maxSteps = D.maxSteps();
    @Option(names = "--batch-size", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize = D.batchSize();
    @Option(names = "--lr", description = "Peak learning rate of AdamW (default: ${DEFAULT-VALUE}).")
    float lr = D.learningRate();
    @Option(names = "--weight-decay", description = "AdamW's decoupled weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay = D.weightDecay();
    @Option(names = "--warmup", description = "Fraction of steps with a linearly rising learning rate, then linear "
            + "decay to 0 (default: ${DEFAULT-VALUE}).")
    float warmup = D.warmupFraction();
    @Option(names = "--clip-norm", description = "Largest global gradient norm; 0 = no clipping "
            + "(default: ${DEFAULT-VALUE}).")
    float clipNorm = D.clipNorm();
    @Option(names = "--seed", description = "Fixes data order, initialisation and dropout (default: ${DEFAULT-VALUE}).")
    long seed = D.seed();

    /** The validated options. */
    public OptimizerOptions options() {
        return new OptimizerOptions(epochs, maxSteps, batchSize, lr, weightDecay, warmup, clipNorm, seed);
    }
}
