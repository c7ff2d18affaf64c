package org.distillery.student.metrics;

import java.util.ArrayDeque;

/**
 * Examples per second over the most recent steps: the examples of the last {@code window} steps divided by the time
 * from the end of the step before them (or the last {@link #restart}) to the end of the latest. Times are
 * {@link System#nanoTime()} readings passed in, so the figure can be checked without a clock. Not thread-safe.
 */
final class RecentRate {
    private final int window;
    /** End times and examples; the first entry is the mark the window is measured from (its examples unused). */
    private final ArrayDeque<long[]> steps = new ArrayDeque<>();
    private long examples;

    RecentRate(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        this.window = window;
    }

    /** Starts measuring afresh from {@code nanos} (e.g. after a pause that is not training, like validation). */
    void restart(long nanos) {
        steps.clear();
        examples = 0;
        steps.add(new long[]{nanos, 0});
    }

    /** A step of {@code count} examples ended at {@code nanos}; returns the rate, or NaN before the first mark. */
    double add(long nanos, int count) {
        if (steps.isEmpty()) {
            restart(nanos);
            return Double.NaN;
        }
        steps.add(new long[]{nanos, count});
        examples += count;
        if (steps.size() > window + 1) {
            steps.poll();
            examples -= steps.peek()[1]; // the new first entry is now the mark: its examples fall out
        }
        long elapsed = nanos - steps.peek()[0];
        return elapsed <= 0 ? Double.NaN : examples / (elapsed / 1e9);
    }
}
