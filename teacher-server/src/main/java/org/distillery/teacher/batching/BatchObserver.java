package org.distillery.teacher.batching;

/**
 * What a {@link DynamicBatcher} tells about its work, for metrics. Called on the batcher's worker thread, inside the
 * serving path: implementations must be quick and must not throw. The default methods do nothing.
 */
public interface BatchObserver {
    /** Observes nothing. */
    BatchObserver NONE = new BatchObserver() {
    };

    /** A request waited {@code nanos} in the queue before its batch started. */
    default void waited(long nanos) {
    }

    /** ONNX Runtime ran a merged batch of {@code examples} rows in {@code nanos}. */
    default void ran(int examples, long nanos) {
    }
}
