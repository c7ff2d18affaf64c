package org.distillery.student.demo;

import org.distillery.student.model.StudentKind;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.StudentOptions;

import java.util.List;

/**
 * Sizes of one demo run: the ensemble's members trained here, the students, and their training.
 *
 * @param name          one of tiny (tests, seconds), quick (≤ 3 minutes), default (≤ 15 minutes) on 2 cores
 * @param teachers      the ensemble's members, each trained on every training label with its own seed
 * @param studentEpochs epochs of every student; an epoch of the undistilled student in the transfer-set scenario
 *                      is as many steps as the distilled student's (see {@link TransferSet})
 * @param seeds         students trained per kind, with seeds {@link #SEED}, {@link #SEED} + 1, …
 */
public record DemoPreset(String name, int maxLength, List<Member> teachers, int teacherEpochs, float teacherLr,
                         int studentLayers, int studentHidden, int studentEpochs, float studentLr, int batchSize,
                         double validationFraction, double testFraction, int latencyRuns, int seeds) {
    /** The seed of data splits and of the label-scarce subset; the first student seed. */
    static final long SEED = 42;

    /**
     * One member of the teacher ensemble.
     *
     * @param name   its model name on the teacher server
     * @param seed   seed of its initialisation, data order and dropout
     */
    public record Member(String name, int layers, int hidden, long seed) {
    }

    public DemoPreset {
        teachers = List.copyOf(teachers);
    }

    public static DemoPreset named(String name) {
        switch (name) {
            case "tiny":
                return new DemoPreset("tiny", 32, List.of(new Member("teacher-a", 1, 32, SEED),
                        new Member("teacher-b", 1, 32, SEED + 1)), 8, 3e-3f, 1, 16, 4, 5e-3f, 16, 0.2, 0.2, 100, 1);
            case "quick":
                return new DemoPreset("quick", 64, List.of(new Member("teacher-a", 2, 64, SEED),
                        new Member("teacher-b", 2, 64, SEED + 1)), 1, 2e-3f, 1, 32, 1, 3e-3f, 32, 0.1, 0.1, 100, 1);
            case "default":
                return new DemoPreset("default", 64, List.of(new Member("teacher-a", 2, 128, SEED),
                        new Member("teacher-b", 2, 128, SEED + 1)), 2, 1e-3f, 1, 64, 2, 2e-3f, 32, 0.1, 0.1, 200,
                        3);
            default:
                throw new IllegalArgumentException("preset must be tiny, quick or default, got '" + name + "'");
        }
    }

    StudentOptions teacher(Member member) {
        return new StudentOptions(StudentKind.BERT, member.layers(), member.hidden(), 2, member.hidden() * 4,
                maxLength, 0.1f, null);
    }

    StudentOptions student() {
        return new StudentOptions(StudentKind.BERT, studentLayers, studentHidden, 2, studentHidden * 4, maxLength,
                0.1f, null);
    }

    OptimizerOptions teacherOptimizer(Member member) {
        return OptimizerOptions.DEFAULTS.withEpochs(teacherEpochs).withLearningRate(teacherLr)
                .withBatchSize(batchSize).withSeed(member.seed());
    }

    OptimizerOptions studentOptimizer(long seed) {
        return OptimizerOptions.DEFAULTS.withEpochs(studentEpochs).withLearningRate(studentLr)
                .withBatchSize(batchSize).withSeed(seed);
    }
}
