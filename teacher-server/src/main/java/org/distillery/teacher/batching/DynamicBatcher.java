package org.distillery.teacher.batching;

import org.distillery.common.errors.ServingException;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.OnnxModel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Merges jobs for one model into ONNX Runtime runs. A worker takes the first queued job, then gathers more until
 * the batch holds {@code maxBatch} examples or {@code maxQueueDelay} has passed since it took the first; a job that
 * does not fit waits for the next batch. A failed run fails only its own jobs. The queue is bounded: a full queue
 * refuses with RESOURCE_EXHAUSTED.
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class.getName());

    private final OnnxModel model;
    private final BatchingOptions options;
    private final Map<String, Long> padValues;
    private final BlockingQueue<InferenceJob> queue;
    private final Thread worker;
    private final BatchObserver observer;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong examplesRun = new AtomicLong();
    private final AtomicLong largestBatch = new AtomicLong();
    private volatile boolean closing;

    /**
     * @param padValues per input, the value padding fills dynamic axes with (0 where absent)
     */
    public DynamicBatcher(OnnxModel model, BatchingOptions options, Map<String, Long> padValues) {
        this(model, options, padValues, BatchObserver.NONE);
    }

    /**
     * @param padValues per input, the value padding fills dynamic axes with (0 where absent)
     * @param observer  told of each request's queue wait and each run (e.g. for metrics)
     */
    public DynamicBatcher(OnnxModel model, BatchingOptions options, Map<String, Long> padValues,
                          BatchObserver observer) {
        this.model = model;
        this.observer = observer;
        this.options = options;
        this.padValues = Map.copyOf(padValues);
        this.queue = new ArrayBlockingQueue<>(options.maxQueue());
        this.worker = new Thread(this::loop, "batcher-" + model.name());
        this.worker.setDaemon(true);
        this.worker.start();
    }

    public OnnxModel model() {
        return model;
    }

    public BatchingOptions options() {
        return options;
    }

    /** Queues a job; its future completes when its batch ran. */
    public void submit(InferenceJob job) {
        if (closing) {
            throw ServingException.unavailable("model '" + model.name() + "' is shutting down");
        }
        long cost = job.examples() * job.rowElements();
        if (cost > options.maxBatchElements()) {
            throw ServingException.resourceExhausted("model '" + model.name() + "': a request of "
                    + job.examples() + " examples × " + job.rowElements() + " elements each (" + cost
                    + ") is over the budget of one run, " + options.maxBatchElements() + " (--max-batch-elements)");
        }
        if (!queue.offer(job)) {
            throw ServingException.resourceExhausted("model '" + model.name() + "': queue is full ("
                    + options.maxQueue() + " requests waiting, --max-queue); retry later");
        }
        if (closing && queue.remove(job)) { // close() may have drained the queue between the check and the offer
            throw ServingException.unavailable("model '" + model.name() + "' is shutting down");
        }
        submitted.incrementAndGet();
    }

    /** Jobs accepted by {@link #submit} so far (whether or not they have run yet). */
    public long submitted() {
        return submitted.get();
    }

    /** ONNX Runtime runs so far. */
    public long runs() {
        return runs.get();
    }

    /** Examples run so far. */
    public long examplesRun() {
        return examplesRun.get();
    }

    /** Requests waiting in the queue now (not counting one held back for the next batch). */
    public int queueDepth() {
        return queue.size();
    }

    /** The most examples merged into one run so far. */
    public long largestBatch() {
        return largestBatch.get();
    }

    private void loop() {
        InferenceJob carry = null;
        long delayNanos = TimeUnit.MICROSECONDS.toNanos(options.maxQueueDelayMicros());
        while (true) {
            InferenceJob first;
            try {
                first = carry != null ? carry : queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            carry = null;
            if (first == null) {
                if (closing) {
                    break;
                }
                continue;
            }
            if (dropped(first)) {
                continue;
            }
            List<InferenceJob> batch = new ArrayList<>();
            batch.add(first);
            int examples = first.examples();
            long widest = first.rowElements();
            long until = System.nanoTime() + delayNanos;
            while (examples < options.maxBatch()) {
                InferenceJob next = queue.poll();
                if (next == null) {
                    long wait = until - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    try {
                        next = queue.poll(wait, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    if (next == null) {
                        break;
                    }
                }
                if (dropped(next)) {
                    continue;
                }
                long padded = (examples + next.examples()) * Math.max(widest, next.rowElements());
                if (examples + next.examples() > options.maxBatch() || padded > options.maxBatchElements()) {
                    carry = next;
                    break;
                }
                batch.add(next);
                examples += next.examples();
                widest = Math.max(widest, next.rowElements());
            }
            // Jobs whose deadline passed or whose caller left while the batch gathered are not run.
            if (batch.removeIf(this::dropped)) {
                examples = batch.stream().mapToInt(InferenceJob::examples).sum();
            }
            if (!batch.isEmpty()) {
                run(batch, examples);
            }
        }
        failRemaining(carry);
    }

    private boolean dropped(InferenceJob job) {
        if (job.cancelled()) {
            job.result().completeExceptionally(ServingException.cancelled("request cancelled before it ran"));
            return true;
        }
        if (job.expired()) {
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - job.submittedNanos());
            job.result().completeExceptionally(ServingException.deadlineExceeded("deadline passed after " + waitedMs
                    + " ms in the queue of model '" + model.name() + "'; the request was not run"));
            return true;
        }
        return false;
    }

    private void run(List<InferenceJob> batch, int examples) {
        try {
            runTogether(batch, examples);
        } catch (Throwable e) { // the worker survives anything a batch throws, out-of-memory included
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (batch.size() == 1) {
                LOG.log(Level.WARNING, "model '" + model.name() + "': run of " + examples + " examples failed: "
                        + message);
                InferenceJob job = batch.get(0);
                job.result().completeExceptionally(e instanceof ServingException ? e : ServingException.internal(
                        "ONNX Runtime failed on model '" + model.name() + "': " + message, e));
                return;
            }
            // One request can break a merged run (an id outside the vocabulary, a padding blow-up): run each alone,
            // so only the requests that fail by themselves fail.
            LOG.log(Level.INFO, "model '" + model.name() + "': merged run of " + batch.size() + " requests failed ("
                    + message + "); running them one by one");
            for (InferenceJob job : batch) {
                if (!dropped(job)) {
                    run(List.of(job), job.examples());
                }
            }
        }
    }

    private void runTogether(List<InferenceJob> batch, int examples) throws Exception {
        long start = System.nanoTime();
        BatchAssembler.Merged merged = BatchAssembler.merge(model.inputs(), batch, padValues);
        Set<String> wanted = new LinkedHashSet<>();
        batch.forEach(j -> wanted.addAll(j.outputs()));
        long runStart = System.nanoTime();
        Map<String, HostTensor> outputs = model.run(merged.inputs(), wanted);
        long end = System.nanoTime();
        long compute = end - start;
        observer.ran(examples, end - runStart);
        runs.incrementAndGet();
        examplesRun.addAndGet(examples);
        largestBatch.accumulateAndGet(examples, Math::max);
        int offset = 0;
        for (int i = 0; i < batch.size(); i++) {
            InferenceJob job = batch.get(i);
            observer.waited(start - job.submittedNanos());
            try {
                Map<String, HostTensor> own = BatchAssembler.split(merged, i, offset, job.examples(), outputs,
                        model.outputs(), job.outputs(), job.rows());
                job.result().complete(new JobResult(own, start - job.submittedNanos(), compute, examples));
            } catch (RuntimeException e) {
                job.result().completeExceptionally(e);
            }
            offset += job.examples();
        }
    }

    private void failRemaining(InferenceJob carry) {
        List<InferenceJob> left = new ArrayList<>();
        if (carry != null) {
            left.add(carry);
        }
        queue.drainTo(left);
        left.forEach(j -> j.result().completeExceptionally(
                ServingException.unavailable("model '" + model.name() + "' stopped before the request ran")));
    }

    /**
     * Stops accepting jobs, runs those already queued, and waits up to {@code graceMillis} for the worker;
     * jobs still queued then fail with UNAVAILABLE.
     *
     * @return true when the worker has stopped (false: it is still inside a run, so the session must stay open)
     */
    public boolean close(long graceMillis) {
        closing = true;
        try {
            worker.join(Math.max(1, graceMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt();
            try {
                worker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failRemaining(null);
        return !worker.isAlive();
    }

    @Override
    public void close() {
        close(5000);
    }
}
