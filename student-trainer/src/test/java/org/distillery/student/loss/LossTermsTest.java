package org.distillery.student.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.distillery.student.options.FeatureLoss;
import org.distillery.student.options.ObjectiveOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each loss term, and the objective that sums them, against values worked out by hand. */
class LossTermsTest {
    private NDManager manager;
    private static final float[][] STUDENT = {{1, 0, -1}, {0.5f, 2, 0}};
    private static final float[][] TEACHER = {{0.2f, 2, 0.5f}, {1, 0, 3}};
    private static final long[] LABELS = {1, 2};

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private StepData step(float[][] pooled, float[][] teacherFeature, boolean withTeacher) {
        TeacherBatch teacher = withTeacher ? new TeacherBatch(manager.create(TEACHER),
                teacherFeature == null ? Map.of() : Map.of("pooled_output", manager.create(teacherFeature))) : null;
        return new StepData(manager.create(STUDENT), manager.create(pooled), manager.create(LABELS), teacher,
                new ParameterStore(manager, false), true);
    }

    private StepData step() {
        return step(new float[][]{{1, 0}, {0, 2}}, new float[][]{{0, 1}, {0, 4}}, true);
    }

    private static double[] d(float[] row) {
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = row[i];
        }
        return out;
    }

    @Test
    void hardLabelCrossEntropy() {
        double expected = -(DistillationLossesTest.logSoftmax(d(STUDENT[0]), 1)[1]
                + DistillationLossesTest.logSoftmax(d(STUDENT[1]), 1)[2]) / 2;
        HardLabelCrossEntropy term = new HardLabelCrossEntropy(0.3f);
        assertEquals(expected, term.compute(step()).getFloat(), 1e-6);
        assertEquals(0.3f, term.weight());
        assertTrue(!term.needs().any(), "hard labels need no teacher");
    }

    @Test
    void hardLabelCrossEntropyLeavesUnlabelledExamplesOut() {
        HardLabelCrossEntropy term = new HardLabelCrossEntropy(1f);
        double second = -DistillationLossesTest.logSoftmax(d(STUDENT[1]), 1)[2];
        assertEquals(second, term.compute(withLabels(new long[]{-1, 2})).getFloat(), 1e-6,
                "the mean over the labelled example alone");
        NDArray logits = manager.create(STUDENT);
        logits.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray none = term.compute(new StepData(logits, manager.create(new float[][]{{1, 0}, {0, 2}}),
                    manager.create(new long[]{-1, -1}), null, new ParameterStore(manager, false), true));
            assertEquals(0f, none.getFloat(), "a batch without labels adds nothing");
            collector.backward(none);
        }
        assertEquals(0f, logits.getGradient().abs().sum().getFloat(), "and moves nothing");
        assertEquals(term.compute(step()).getFloat(), term.compute(withLabels(LABELS)).getFloat(),
                "fully labelled: the plain mean");
    }

    private StepData withLabels(long[] labels) {
        return new StepData(manager.create(STUDENT), manager.create(new float[][]{{1, 0}, {0, 2}}),
                manager.create(labels), null, new ParameterStore(manager, false), true);
    }

    @Test
    void softLabelKlIsScaledByTemperatureSquared() {
        double expected = (DistillationLossesTest.kl(d(STUDENT[0]), d(TEACHER[0]), 2)
                + DistillationLossesTest.kl(d(STUDENT[1]), d(TEACHER[1]), 2)) / 2 * 4;
        assertEquals(expected, new SoftLabelKl(1f, 2f).compute(step()).getFloat(), 1e-6);
        assertEquals(TeacherNeeds.LOGITS, new SoftLabelKl(1f, 2f).needs());
    }

    @Test
    void softLabelCrossEntropy() {
        double expected = 0;
        for (int r = 0; r < 2; r++) {
            double[] ls = DistillationLossesTest.logSoftmax(d(STUDENT[r]), 2);
            double[] lt = DistillationLossesTest.logSoftmax(d(TEACHER[r]), 2);
            for (int i = 0; i < 3; i++) {
                expected -= Math.exp(lt[i]) * ls[i] / 2;
            }
        }
        assertEquals(expected, new SoftLabelCrossEntropy(1f, 2f).compute(step()).getFloat(), 1e-6);
    }

    @Test
    void logitsMse() {
        double sum = 0;
        for (int r = 0; r < 2; r++) {
            for (int i = 0; i < 3; i++) {
                sum += Math.pow(STUDENT[r][i] - TEACHER[r][i], 2);
            }
        }
        assertEquals(sum / 6, new LogitsMse(1f).compute(step()).getFloat(), 1e-6);
    }

    @Test
    void featureMatchMseAndCosineWithoutProjectionWhenWidthsAgree() {
        FeatureMatch mse = new FeatureMatch(1f, FeatureLoss.MSE, "pooled_output", 2);
        mse.initialize(manager, 2);
        assertTrue(mse.parameters().isEmpty(), "equal widths: no projection");
        // (1,0) vs (0,1) and (0,2) vs (0,4): squared differences 1, 1, 0, 4 over 4 cells.
        assertEquals(1.5, mse.compute(step()).getFloat(), 1e-6);
        FeatureMatch cosine = new FeatureMatch(1f, FeatureLoss.COSINE, "pooled_output", 2);
        cosine.initialize(manager, 2);
        // Orthogonal rows: 1 − 0; parallel rows: 1 − 1; mean 0.5.
        assertEquals(0.5, cosine.compute(step()).getFloat(), 1e-6);
        assertEquals(List.of("pooled_output"), mse.needs().features());
    }

    @Test
    void featureMatchProjectsWhenWidthsDiffer() {
        FeatureMatch term = new FeatureMatch(1f, FeatureLoss.MSE, "pooled_output", 3);
        term.initialize(manager, 2);
        Map<String, NDArray> parameters = term.parameters();
        NDArray weight = parameters.get("projection_weight");
        NDArray bias = parameters.get("projection_bias");
        assertEquals(List.of(3L, 2L), List.of(weight.getShape().get(0), weight.getShape().get(1)));
        float[] w = weight.toFloatArray();
        float[] b = bias.toFloatArray();
        float[][] pooled = {{1, 0}, {0, 2}};
        float[][] target = {{0, 1, 2}, {1, 0, -1}};
        double sum = 0;
        for (int r = 0; r < 2; r++) {
            for (int o = 0; o < 3; o++) {
                double projected = w[o * 2] * pooled[r][0] + w[o * 2 + 1] * pooled[r][1] + b[o];
                sum += Math.pow(projected - target[r][o], 2);
            }
        }
        assertEquals(sum / 6, term.compute(step(pooled, target, true)).getFloat(), 1e-5);
    }

    @Test
    void relationalTermsReadTheTeacherFeature() {
        float[][] s = {{0, 0}, {3, 0}, {0, 4}};
        float[][] scaled = {{0, 0}, {15, 0}, {0, 20}};
        StepData data = new StepData(manager.create(new float[][]{{0, 0}, {0, 0}, {0, 0}}), manager.create(s),
                manager.create(new long[]{0, 0, 0}), new TeacherBatch(manager.create(new float[][]{{0}, {0}, {0}}),
                Map.of("hidden", manager.create(scaled))), new ParameterStore(manager, false), true);
        // A scaled copy has the same normalised distances and the same angles.
        assertEquals(0, new RkdDistance(1f, "hidden").compute(data).getFloat(), 1e-6);
        assertEquals(0, new RkdAngle(1f, "hidden").compute(data).getFloat(), 1e-6);
        assertEquals(List.of("hidden"), new RkdAngle(1f, "hidden").needs().features());
    }

    @Test
    void softmaxRegressionGoesThroughTheTeachersHead() {
        // Head: 3 labels over width 2; student pooled (1, 0) and (0, 2).
        TeacherHead head = new TeacherHead(new float[]{1, 0, 0, 1, 1, 1}, new float[]{0.1f, 0, -0.1f}, 3, 2);
        SoftmaxRegression term = new SoftmaxRegression(1f, 2f, head);
        term.initialize(manager, 2);
        // x·Wᵀ + b = (1.1, 0, 0.9) and (0.1, 2, 1.9).
        double expected = (DistillationLossesTest.kl(new double[]{1.1, 0, 0.9}, d(TEACHER[0]), 2)
                + DistillationLossesTest.kl(new double[]{0.1, 2, 1.9}, d(TEACHER[1]), 2)) / 2 * 4;
        assertEquals(expected, term.compute(step()).getFloat(), 1e-6);
    }

    @Test
    void objectiveSumsWeightedTermsAndSkipsTeacherTermsWithoutAnAnswer() {
        Objective objective = new Objective(List.of(new HardLabelCrossEntropy(0.25f), new LogitsMse(2f)));
        double ce = new HardLabelCrossEntropy(1f).compute(step()).getFloat();
        double mse = new LogitsMse(1f).compute(step()).getFloat();
        Objective.Value both = objective.compute(step());
        assertEquals(0.25 * ce + 2 * mse, both.total().getFloat(), 1e-5);
        assertEquals(List.of("hard_label", "logits_mse"), List.copyOf(both.terms().keySet()));
        Objective.Value labelsOnly = objective.compute(step(new float[][]{{1, 0}, {0, 2}}, null, false));
        assertEquals(0.25 * ce, labelsOnly.total().getFloat(), 1e-6);
        assertEquals(List.of("hard_label"), List.copyOf(labelsOnly.terms().keySet()));
        assertNull(labelsOnly.teacherKl());
        assertNull(labelsOnly.teacherAgreement());
        // Student argmax 0 and 1, teacher 1 and 2: no row agrees.
        assertEquals(0f, both.teacherAgreement().getFloat());
        Objective.Value agreeing = objective.compute(new StepData(manager.create(TEACHER),
                manager.create(new float[][]{{1, 0}, {0, 2}}), manager.create(LABELS),
                new TeacherBatch(manager.create(TEACHER), Map.of()), new ParameterStore(manager, false), true));
        assertEquals(1f, agreeing.teacherAgreement().getFloat());
    }

    @Test
    void objectiveNeedsAreTheUnionOfItsTerms() {
        Objective objective = new Objective(List.of(new HardLabelCrossEntropy(1f), new RkdDistance(1f, "a"),
                new SoftLabelKl(1f, 2f), new RkdAngle(1f, "a"), new FeatureMatch(1f, FeatureLoss.MSE, "b", 4)));
        assertEquals(new TeacherNeeds(true, List.of("a", "b")), objective.needs());
        assertEquals(TeacherNeeds.NONE, new Objective(List.of(new HardLabelCrossEntropy(1f))).needs());
    }

    @Test
    void objectiveFromOptions() {
        TeacherFacts facts = new TeacherFacts(Map.of("logits", 2, "pooled_output", 8), null);
        ObjectiveOptions options = new ObjectiveOptions(0.5f, 0.5f, org.distillery.student.options.SoftLabelLoss
                .CROSS_ENTROPY, 2f, 0f, 1f, FeatureLoss.COSINE, "pooled_output", 0f, 0.1f, 0f, 0f, 1f);
        assertEquals(List.of("hard_label", "soft_label", "output_feature", "rkd_angle"),
                Objective.from(options, facts).terms().stream().map(LossTerm::name).toList());
        assertTrue(Objective.from(options, facts).terms().get(1) instanceof SoftLabelCrossEntropy);
        IllegalArgumentException noTeacher = assertThrows(IllegalArgumentException.class,
                () -> Objective.from(options, null));
        assertTrue(noTeacher.getMessage().contains("need a teacher"), noTeacher.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Objective.from(
                options, new TeacherFacts(Map.of("logits", 2), null)));
        assertTrue(missing.getMessage().contains("no output 'pooled_output'"), missing.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new Objective(List.of()));
        assertTrue(empty.getMessage().contains("no terms"), empty.getMessage());
    }
}
