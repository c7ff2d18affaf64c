package org.distillery.student.options;

/**
 * How long and how fast the student learns: AdamW with linear warmup and decay, global-norm clipping, and the seed
 * that fixes data order, initialisation and dropout.
 *
 * @param epochs         passes over the training data
 * @param maxSteps       stop after this many steps (0: no limit)
 * @param batchSize      examples per step
 * @param learningRate   peak learning rate
 * @param weightDecay    AdamW's decoupled weight decay
 * @param warmupFraction share of the steps with a linearly rising learning rate
 * @param clipNorm       largest global gradient norm (0: no clipping)
 * @param seed           data order, initialisation and dropout
 */
public record OptimizerOptions(int epochs, int maxSteps, int batchSize, float learningRate, float weightDecay,
                               float warmupFraction, float clipNorm, long seed) {
    /** The defaults of every command: 3 epochs, batch 32, lr 5e-4, warmup 10 %, clipping at 1, seed 42. */
    public static final OptimizerOptions DEFAULTS = new OptimizerOptions(3, 0, 32, 5e-4f, 0.01f, 0.1f, 1f, 42);

    public OptimizerOptions {
        Checks.atLeast("epochs", 1, epochs);
        Checks.atLeast("max steps (0 = no limit)", 0, maxSteps);
        Checks.atLeast("batch size", 1, batchSize);
        Checks.positive("learning rate", learningRate);
        Checks.nonNegative("weight decay", weightDecay);
        Checks.fraction("warmup fraction", warmupFraction);
        Checks.nonNegative("clip norm", clipNorm);
    }

    public OptimizerOptions withEpochs(int value) {
        return new OptimizerOptions(value, maxSteps, batchSize, learningRate, weightDecay, warmupFraction, clipNorm,
                seed);
    }

    public OptimizerOptions withMaxSteps(int value) {
        return new OptimizerOptions(epochs, value, batchSize, learningRate, weightDecay, warmupFraction, clipNorm,
                seed);
    }

    public OptimizerOptions withBatchSize(int value) {
        return new OptimizerOptions(epochs, maxSteps, value, learningRate, weightDecay, warmupFraction, clipNorm,
                seed);
    }

    public OptimizerOptions withLearningRate(float value) {
        return new OptimizerOptions(epochs, maxSteps, batchSize, value, weightDecay, warmupFraction, clipNorm, seed);
    }

    public OptimizerOptions withSeed(long value) {
        return new OptimizerOptions(epochs, maxSteps, batchSize, learningRate, weightDecay, warmupFraction, clipNorm,
                value);
    }

    /** Steps per epoch for {@code examples} training examples (the last batch may be short). */
    public int stepsPerEpoch(int examples) {
        return (examples + batchSize - 1) / batchSize;
    }

    /** All steps of the run: epochs × steps per epoch, capped by {@code maxSteps}. */
    public int totalSteps(int examples) {
        int total = epochs * stepsPerEpoch(examples);
        return maxSteps > 0 ? Math.min(total, maxSteps) : total;
    }
}
