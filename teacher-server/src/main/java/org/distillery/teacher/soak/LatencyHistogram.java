package org.distillery.teacher.soak;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies from many threads in fixed memory: logarithmic buckets 2 % wide from 10 µs to about 10 minutes, so a
 * percentile is exact to within 2 % however long the soak runs.
 */
final class LatencyHistogram {
    private static final double MIN_NANOS = 10_000;
    private static final double GROWTH = 1.02;
    private static final int BUCKETS = 1000;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        int bucket = nanos <= MIN_NANOS ? 0 : (int) Math.ceil(Math.log(nanos / MIN_NANOS) / Math.log(GROWTH));
        counts.incrementAndGet(Math.min(BUCKETS - 1, bucket));
    }

    long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The p-th percentile (0..100) in milliseconds (the upper edge of its bucket), or NaN when empty. */
    double percentileMillis(double p) {
        long[] snapshot = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts.get(i);
            total += snapshot[i];
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return MIN_NANOS * Math.pow(GROWTH, i) / 1e6;
            }
        }
        return MIN_NANOS * Math.pow(GROWTH, BUCKETS - 1) / 1e6;
    }
}
