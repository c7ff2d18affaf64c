package org.distillery.student.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Examples per second over a window of steps, with times given by hand. */
class RecentRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void spansTheLastStepsFromTheEndOfTheOneBefore() {
        RecentRate rate = new RecentRate(2);
        rate.restart(0);
        assertEquals(16.0, rate.add(SECOND, 16), 1e-9);                 // 16 in 1 s
        assertEquals(32.0 / 3, rate.add(3 * SECOND, 16), 1e-9);         // 32 in 3 s
        // The window holds two steps: the first falls out; 16 + 8 examples from t=1 s to t=4 s.
        assertEquals(24.0 / 3, rate.add(4 * SECOND, 8), 1e-9);
        assertEquals(12.0 / 2, rate.add(5 * SECOND, 4), 1e-9);          // 8 + 4 from t=3 s to t=5 s
    }

    @Test
    void restartingLeavesOutThePause() {
        RecentRate rate = new RecentRate(5);
        rate.restart(0);
        rate.add(SECOND, 10);
        rate.restart(100 * SECOND); // e.g. validation took 99 s
        assertEquals(20.0, rate.add(100 * SECOND + SECOND / 2, 10), 1e-9);
    }

    @Test
    void withoutAMarkTheFirstStepOnlyMarks() {
        RecentRate rate = new RecentRate(3);
        assertTrue(Double.isNaN(rate.add(SECOND, 8)));
        assertEquals(8.0, rate.add(2 * SECOND, 8), 1e-9);
        assertTrue(Double.isNaN(new RecentRate(1).add(0, 1)));
    }

    @Test
    void aWindowBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecentRate(0));
    }
}
