package org.distillery.teacher.batching;

/**
 * Dynamic batching settings of one model.
 *
 * @param maxBatch           examples merged into one run (a single larger request still runs, alone)
 * @param maxQueueDelayMicros how long the first request of a batch waits for others
 * @param maxQueue           requests waiting per model; more are refused with RESOURCE_EXHAUSTED
 */
public record BatchingOptions(int maxBatch, long maxQueueDelayMicros, int maxQueue) {
    /** Batches of up to 32 examples, 2 ms gathering, 1024 queued requests: the one place for these defaults. */
    public static final BatchingOptions DEFAULTS = new BatchingOptions(32, 2000, 1024);

    public BatchingOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        }
        if (maxQueueDelayMicros < 0) {
            throw new IllegalArgumentException("max queue delay must be >= 0 us, got " + maxQueueDelayMicros);
        }
        if (maxQueue < 1) {
            throw new IllegalArgumentException("max queue must be >= 1, got " + maxQueue);
        }
    }

    /** {@link #DEFAULTS}. */
    public static BatchingOptions defaults() {
        return DEFAULTS;
    }
}
