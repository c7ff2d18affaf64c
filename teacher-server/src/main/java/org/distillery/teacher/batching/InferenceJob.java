package org.distillery.teacher.batching;

import io.grpc.Context;
import io.grpc.Deadline;
import org.distillery.teacher.runtime.HostTensor;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A validated request for one model: its inputs (batch axis first, all with the same batch size), the outputs it
 * wants, optionally the rows of its sequence outputs to keep, and the future the batcher completes. Jobs whose
 * deadline passed or whose call was cancelled are dropped before they run.
 */
public final class InferenceJob {
    private final Map<String, HostTensor> inputs;
    private final Set<String> outputs;
    private final int examples;
    private final Deadline deadline;
    private final Context context;
    private final RowSelector rows;
    private final long submittedNanos = System.nanoTime();
    private final CompletableFuture<JobResult> result = new CompletableFuture<>();

    /**
     * @param deadline may be null
     * @param context  the caller's context, checked for cancellation; may be null
     */
    public InferenceJob(Map<String, HostTensor> inputs, Set<String> outputs, int examples, Deadline deadline,
                        Context context) {
        this(inputs, outputs, examples, deadline, context, null);
    }

    /**
     * @param deadline may be null
     * @param context  the caller's context, checked for cancellation; may be null
     * @param rows     rows of the sequence outputs to keep, gathered while the batch is split; null keeps all
     */
    public InferenceJob(Map<String, HostTensor> inputs, Set<String> outputs, int examples, Deadline deadline,
                        Context context, RowSelector rows) {
        this.rows = rows;
        this.inputs = inputs;
        this.outputs = outputs;
        this.examples = examples;
        this.deadline = deadline;
        this.context = context;
    }

    public Map<String, HostTensor> inputs() {
        return inputs;
    }

    public Set<String> outputs() {
        return outputs;
    }

    /** The rows to keep of sequence outputs, or null for whole outputs. */
    public RowSelector rows() {
        return rows;
    }

    public int examples() {
        return examples;
    }

    /** Elements per example of the widest input: what one example costs a run once padded. */
    public long rowElements() {
        long widest = 1;
        for (HostTensor t : inputs.values()) {
            widest = Math.max(widest, t.size() / Math.max(1, t.batch()));
        }
        return widest;
    }

    long submittedNanos() {
        return submittedNanos;
    }

    /** Completed by the batcher; cancelling it drops the job if it has not run yet. */
    public CompletableFuture<JobResult> result() {
        return result;
    }

    boolean expired() {
        return deadline != null && deadline.isExpired();
    }

    boolean cancelled() {
        return result.isDone() || (context != null && context.isCancelled());
    }
}
