package org.distillery.student.demo;

import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.StudentOptions;

/**
 * Sizes of one demo run: the teacher trained here, the students, and their training.
 *
 * @param name one of tiny (tests, seconds), quick (≤ 3 minutes), default (≤ 15 minutes) on 2 cores
 */
public record DemoPreset(String name, int maxLength, int teacherLayers, int teacherHidden, int teacherEpochs,
                         float teacherLr, int studentLayers, int studentHidden, int studentEpochs, float studentLr,
                         int batchSize, double validationFraction, double testFraction, int latencyRuns) {
    /** The seed of data splits, initialisation, order and dropout. */
    static final long SEED = 42;

    public static DemoPreset named(String name) {
        switch (name) {
            case "tiny":
                return new DemoPreset("tiny", 32, 1, 32, 8, 3e-3f, 1, 16, 8, 5e-3f, 16, 0.2, 0.2, 100);
            case "quick":
                return new DemoPreset("quick", 64, 2, 64, 2, 1e-3f, 1, 32, 2, 2e-3f, 32, 0.1, 0.1, 100);
            case "default":
                return new DemoPreset("default", 128, 4, 128, 4, 5e-4f, 2, 64, 3, 1e-3f, 32, 0.1, 0.1, 200);
            default:
                throw new IllegalArgumentException("preset must be tiny, quick or default, got '" + name + "'");
        }
    }

    StudentOptions teacher() {
        return new StudentOptions(org.distillery.student.model.StudentKind.BERT, teacherLayers, teacherHidden, 2,
                teacherHidden * 4, maxLength, 0.1f, null);
    }

    StudentOptions student() {
        return new StudentOptions(org.distillery.student.model.StudentKind.BERT, studentLayers, studentHidden, 2,
                studentHidden * 4, maxLength, 0.1f, null);
    }

    OptimizerOptions teacherOptimizer() {
        return OptimizerOptions.DEFAULTS.withEpochs(teacherEpochs).withLearningRate(teacherLr)
                .withBatchSize(batchSize).withSeed(SEED);
    }

    OptimizerOptions studentOptimizer() {
        return OptimizerOptions.DEFAULTS.withEpochs(studentEpochs).withLearningRate(studentLr)
                .withBatchSize(batchSize).withSeed(SEED);
    }
}
