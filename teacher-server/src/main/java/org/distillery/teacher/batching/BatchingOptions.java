package org.distillery.teacher.batching;

/**
 * Dynamic batching settings of one model.
 *
 * @param maxBatch           examples merged into one run (a single larger request still runs, alone)
 * @param maxQueueDelayMicros how long the first request of a batch waits for others
 * @param maxQueue           requests waiting per model; more are refused with RESOURCE_EXHAUSTED
 * @param maxBatchElements   memory budget of one run: examples × the padded elements per example of the widest
 *                           input (batch × sequence for token inputs); merging stops before it, and a single request
 *                           over it is refused with RESOURCE_EXHAUSTED
 */
public record BatchingOptions(int maxBatch, long maxQueueDelayMicros, int maxQueue, long maxBatchElements) {
    /**
     * Batches of up to 32 examples, 2 ms gathering, 1024 queued requests, 16384 elements per run (32 sequences of
     * 512 tokens): the one place for these defaults.
     */
    public static final BatchingOptions DEFAULTS = new BatchingOptions(32, 2000, 1024, 16384);

    /** The given batching with the default run budget. */
    public BatchingOptions(int maxBatch, long maxQueueDelayMicros, int maxQueue) {
        this(maxBatch, maxQueueDelayMicros, maxQueue, 16384);
    }

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
        if (maxBatchElements < 1) {
            throw new IllegalArgumentException("max batch elements must be >= 1, got " + maxBatchElements);
        }
    }

    /** {@link #DEFAULTS}. */
    public static BatchingOptions defaults() {
        return DEFAULTS;
    }
}
