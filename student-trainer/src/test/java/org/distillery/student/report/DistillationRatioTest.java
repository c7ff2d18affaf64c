package org.distillery.student.report;

import org.distillery.student.eval.OnnxModelReport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationRatioTest {
    @Test
    void isTheShareOfTheTeachersLeadTheDistilledStudentRecovered() {
        assertEquals(0.5, DistillationRatio.of(0.96, 0.90, 0.93), 1e-12);
        assertEquals(0.0, DistillationRatio.of(0.96, 0.90, 0.90), 1e-12);
        assertEquals(-1.0, DistillationRatio.of(0.96, 0.90, 0.84), 1e-12, "distillation that hurts is negative");
        assertEquals(1.5, DistillationRatio.of(0.96, 0.90, 0.99), 1e-12, "beating the teacher is above 1");
    }

    @Test
    void isUndefinedWhenTheTeacherDoesNotLead() {
        assertNull(DistillationRatio.of(0.95, 0.95, 0.97), "a tie would divide by zero");
        assertNull(DistillationRatio.of(0.94, 0.95, 0.97), "a teacher behind the student would flip the sign");
        assertNull(DistillationRatio.of(Double.NaN, 0.90, 0.93));
    }

    /** A model of {@code accuracy} on 200 test examples per seed. */
    static OnnxModelReport model(String name, double accuracy) {
        int right = (int) Math.round(accuracy * 200);
        return new OnnxModelReport(name, 1, 1, 1, 0, Map.of("accuracy", accuracy, "f1", accuracy),
                new int[][]{{right / 2, 0}, {200 - right, right - right / 2}});
    }

    static ModelRow students(String name, double... accuracies) {
        List<OnnxModelReport> seeds = new ArrayList<>();
        Arrays.stream(accuracies).forEach(a -> seeds.add(model(name, a)));
        return ModelRow.seeds(name, seeds);
    }

    @Test
    void overSeedsItIsMeanAndSpreadAndClaimsAGainOnlyWhenMeanMinusStdIsPositive() {
        ModelRow teacher = ModelRow.single("ensemble", model("ensemble", 0.98));
        ModelRow undistilled = students("u", 0.90, 0.88, 0.90);
        RatioSummary gain = DistillationRatio.across(teacher, undistilled, students("d", 0.96, 0.95, 0.97),
                "accuracy");
        // per seed: 6/8, 7/10, 7/8
        assertEquals(List.of(0.75, 0.7, 0.875), gain.perSeed().stream().map(r -> Math.round(r * 1e6) / 1e6)
                .toList());
        assertEquals((0.75 + 0.7 + 0.875) / 3, gain.mean(), 1e-9);
        assertEquals(3, gain.definedSeeds());
        assertEquals(200, gain.testExamples());
        assertEquals((0.08 + 0.10 + 0.08) / 3 * 200, gain.teacherLeadExamples(), 1e-6);
        assertTrue(gain.gainShown());
        assertTrue(gain.text().startsWith("0.775 ± 0.090 over 3 seeds (the teacher leads the undistilled student by "
                + "17.3 of 200 test examples on average): mean − std > 0"), gain.text());

        RatioSummary noise = DistillationRatio.across(teacher, undistilled, students("d", 0.91, 0.87, 0.90),
                "accuracy");
        assertFalse(noise.gainShown());
        assertTrue(noise.text().endsWith("mean − std ≤ 0, the spread does not show a gain"), noise.text());

        RatioSummary one = DistillationRatio.across(teacher, students("u", 0.90), students("d", 0.97), "accuracy");
        assertFalse(one.gainShown(), "one seed has no spread");
        assertTrue(one.text().contains("one seed, no spread, so no claim of a gain"), one.text());
    }

    @Test
    void saysNaWhenTheTeacherDoesNotLeadAndCountsSeedsWhereItDoesNot() {
        ModelRow teacher = ModelRow.single("ensemble", model("ensemble", 0.90));
        RatioSummary none = DistillationRatio.across(teacher, students("u", 0.92, 0.91), students("d", 0.95, 0.95),
                "accuracy");
        assertEquals(Arrays.asList(null, null), none.perSeed());
        assertTrue(none.text().startsWith("n/a (the teacher, 0.9000, does not beat the undistilled student, "
                + "0.9150)"), none.text());
        RatioSummary some = DistillationRatio.across(teacher, students("u", 0.92, 0.85, 0.86),
                students("d", 0.95, 0.89, 0.89), "accuracy");
        assertEquals(2, some.definedSeeds());
        assertFalse(some.gainShown(), "not defined for every seed");
        assertTrue(some.text().contains("over the 2 of 3 seeds where the teacher leads"), some.text());
    }
}
