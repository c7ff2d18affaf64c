package org.distillery.student.report;

import org.junit.jupiter.api.Test;

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
    void isUndefinedWhenTheTeacherDoesNotLead() {
        assertNull(DistillationRatio.of(0.95, 0.95, 0.97), "a tie would divide by zero");
        assertNull(DistillationRatio.of(0.94, 0.95, 0.97), "a teacher behind the student would flip the sign");
        assertNull(DistillationRatio.of(Double.NaN, 0.90, 0.93));
    }
}
