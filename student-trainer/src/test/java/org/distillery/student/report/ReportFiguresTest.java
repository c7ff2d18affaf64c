package org.distillery.student.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mean ± std over seeds, and two distilled students compared seed by seed. */
class ReportFiguresTest {
    @Test
    void spreadIsMeanAndSampleStandardDeviation() {
        Spread s = Spread.of(List.of(1.0, 2.0, 3.0));
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(1.0, s.std(), 1e-12);
        assertEquals("2.000 ± 1.000", s.format(3));
        assertTrue(s.aboveZero(), "2 − 1 > 0");
        assertFalse(Spread.of(List.of(0.0, 1.0, 2.0)).aboveZero(), "1 − 1 is not above 0");
        assertTrue(Spread.of(List.of(-3.0, -2.0, -1.0)).belowZero());
        Spread one = Spread.of(List.of(0.5));
        assertTrue(Double.isNaN(one.std()));
        assertEquals("0.500", one.format(3), "one value has no spread to show");
        assertFalse(one.aboveZero(), "and shows no gain");
    }

    @Test
    void modeComparisonNamesAWinnerOnlyBeyondTheSpread() {
        ModelRow mean = DistillationRatioTest.students("mean probs", 0.96, 0.95, 0.97);
        ModelRow sample = DistillationRatioTest.students("sample 1", 0.94, 0.93, 0.94);
        ModeComparison win = ModeComparison.of(mean, sample);
        assertEquals(0.0233, win.difference().get("accuracy").mean(), 1e-3);
        assertTrue(win.text().endsWith("mean probs wins (accuracy mean − std > 0)"), win.text());
        assertTrue(win.text().contains("of 200 test examples"), win.text());
        ModeComparison tie = ModeComparison.of(mean, DistillationRatioTest.students("sample 1", 0.97, 0.94, 0.96));
        assertTrue(tie.text().endsWith("neither wins beyond the spread"), tie.text());
        ModeComparison lose = ModeComparison.of(sample, mean);
        assertTrue(lose.text().endsWith("mean probs wins (accuracy mean + std < 0)"), lose.text());
        ModeComparison one = ModeComparison.of(DistillationRatioTest.students("a", 0.9),
                DistillationRatioTest.students("b", 0.8));
        assertTrue(one.text().endsWith("one seed, no spread: no winner can be named"), one.text());
    }
}
