package org.distillery.student.demo;

import org.distillery.student.options.OptimizerOptions;

/**
 * Sizes of the masked-LM demo: the teacher pretrained here, the students distilled from it, the downstream
 * fine-tune.
 *
 * @param name               preset name
 * @param maxLength          tokens per sequence
 * @param batchSize          sequences per step
 * @param teacherLayers      teacher encoder layers
 * @param hidden             width of teacher and students (DistilBERT keeps the width and halves the depth)
 * @param teacherSteps       teacher pretraining steps
 * @param studentLayers      student encoder layers (every other teacher layer)
 * @param studentSteps       steps of each student
 * @param seeds              seeds per student variant
 * @param heldOutMax         held-out sequences scored
 * @param downstreamEpochs   epochs of each downstream fine-tune
 * @param labelFraction      share of SpamAssassin training labels the fine-tunes see
 */
public record MlmDemoPreset(String name, int maxLength, int batchSize, int teacherLayers, int hidden,
                            int teacherSteps, int studentLayers, int studentSteps, int seeds, int heldOutMax,
                            int downstreamEpochs, double labelFraction) {
    public MlmDemoPreset {
        if (seeds < 1 || seeds > 20) {
            throw new IllegalArgumentException("--seeds must be between 1 and 20, got " + seeds);
        }
    }

    /** Seed of the teacher, the splits and the first student. */
    public static final long SEED = 42;

    /** The default run (about 15 minutes on 2 cores), {@code --quick} (under 4) and {@code tiny} (for tests). */
    public static MlmDemoPreset named(String name) {
        return switch (name) {
            case "default" -> new MlmDemoPreset(name, 32, 32, 2, 128, 2000, 1, 400, 3, 1024, 30, 0.05);
            case "quick" -> new MlmDemoPreset(name, 32, 32, 2, 128, 600, 1, 120, 1, 512, 30, 0.05);
            case "tiny" -> new MlmDemoPreset(name, 32, 16, 2, 32, 30, 1, 12, 2, 64, 2, 0.5);
            default -> throw new IllegalArgumentException("--preset must be tiny, quick or default, got '" + name
                    + "'");
        };
    }

    OptimizerOptions teacherOptimizer() {
        return OptimizerOptions.DEFAULTS.withEpochs(1000).withMaxSteps(teacherSteps).withBatchSize(batchSize)
                .withLearningRate(3e-3f).withSeed(SEED);
    }

    OptimizerOptions studentOptimizer(long seed) {
        return OptimizerOptions.DEFAULTS.withEpochs(1000).withMaxSteps(studentSteps).withBatchSize(batchSize)
                .withLearningRate(1e-3f).withSeed(seed);
    }
}
