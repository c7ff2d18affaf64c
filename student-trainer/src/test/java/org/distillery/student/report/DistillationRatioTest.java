package org.distillery.student.report;

import org.distillery.student.eval.OnnxModelReport;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DistillationRatioTest {
    @Test
    void isTheShareOfTheTeachersLeadTheDistilledStudentRecovered() {
        assertEquals(0.5, DistillationRatio.of(0.96, 0.90, 0.93), 1e-12);
        assertEquals(0.0, DistillationRatio.of(0.96, 0.90, 0.90), 1e-12);
        assertEquals(-1.0, DistillationRatio.of(0.96, 0.90, 0.84), 1e-12, "distillation that hurts is negative");
        assertEquals(1.5, DistillationRatio.of(0.96, 0.90, 0.99), 1e-12, "beating the teacher is above 1");
    }

    @Test
    void textSaysByHowManyExamplesTheTeacherLeadsOrWhyThereIsNoRatio() {
        OnnxModelReport teacher = model(0.98, new int[][]{{60, 1}, {1, 38}});
        OnnxModelReport student = model(0.97, new int[][]{{60, 1}, {2, 37}});
        Double ratio = DistillationRatio.of(0.98, 0.97, 0.99);
        assertEquals("2.000 (the teacher leads the undistilled student by 1 of 100 test examples)",
                DistillationRatio.describe(ratio, teacher, student, "accuracy"));
        assertEquals("n/a (teacher 0.9700 does not beat the undistilled student 0.9800)",
                DistillationRatio.describe(null, student, teacher, "accuracy"));
    }

    private static OnnxModelReport model(double accuracy, int[][] confusion) {
        return new OnnxModelReport("m", 1, 1, 1, 0, Map.of("accuracy", accuracy), confusion);
    }

    @Test
    void isUndefinedWhenTheTeacherDoesNotLead() {
        assertNull(DistillationRatio.of(0.95, 0.95, 0.97), "a tie would divide by zero");
        assertNull(DistillationRatio.of(0.94, 0.95, 0.97), "a teacher behind the student would flip the sign");
        assertNull(DistillationRatio.of(Double.NaN, 0.90, 0.93));
    }
}
