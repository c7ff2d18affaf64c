package org.distillery.student.train;

import org.distillery.student.client.TeacherException;
import org.distillery.student.client.TeacherOutputs;
import org.distillery.student.client.TeacherSource;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Keeps teacher requests for the next {@code window} distilled steps in flight while the student trains on the
 * current one, so teacher compute hides behind student steps. Only steps for which {@code distilling} holds are
 * sent; each batch is made once and handed to the loop when its step comes.
 */
public final class TeacherPrefetcher implements AutoCloseable {
    private final TeacherSource client;
    private final int window;
    private final int sampleMembers;
    private final long seed;
    private final IntPredicate distilling;
    private final IntFunction<Batch> batches;
    private final Map<Integer, CompletableFuture<TeacherOutputs>> inFlight = new HashMap<>();
    private final Map<Integer, Batch> made = new HashMap<>();
    private long requests;
    private long waitNanos;
    private long examples;
    private long cacheHits;

    /**
     * @param sampleMembers ensemble members per request (0: all), drawn from {@code seed} and the step
     */
    public TeacherPrefetcher(TeacherSource client, int window, int sampleMembers, long seed, IntPredicate distilling,
                             IntFunction<Batch> batches) {
        this.client = client;
        this.window = window;
        this.sampleMembers = sampleMembers;
        this.seed = seed;
        this.distilling = distilling;
        this.batches = batches;
    }

    /**
     * The batch of {@code step} and the teacher's answer for it (null when the step is not distilled), after
     * sending the requests of the steps up to {@code step + window} (never beyond {@code last}).
     */
    public Batch.WithTeacher take(int step, int last) {
        for (int t = step; t <= Math.min(last, step + window); t++) {
            if (distilling.test(t) && !inFlight.containsKey(t)) {
                Batch b = made.computeIfAbsent(t, batches::apply);
                inFlight.put(t, client.request(b.tokens(), sampleMembers, seed * 1_000_003L + t));
                requests++;
            }
        }
        Batch batch = made.containsKey(step) ? made.remove(step) : batches.apply(step);
        CompletableFuture<TeacherOutputs> answer = inFlight.remove(step);
        TeacherOutputs outputs = answer == null ? null : await(answer, step);
        if (outputs != null) {
            examples += batch.size();
            cacheHits += outputs.fromCache();
        }
        return new Batch.WithTeacher(batch, outputs);
    }

    /** Share of the examples taken so far whose answer came from the teacher-output cache. */
    public double cacheHitRate() {
        return examples == 0 ? 0 : (double) cacheHits / examples;
    }

    private TeacherOutputs await(CompletableFuture<TeacherOutputs> future, int step) {
        long started = System.nanoTime();
        long timeout = client.timeoutSeconds();
        try {
            return future.get(timeout, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String message = cause instanceof TeacherException ? cause.getMessage() : String.valueOf(cause);
            throw new TrainingException("step " + step + ": " + message, cause);
        } catch (TimeoutException e) {
            throw new TrainingException("step " + step + ": the teacher did not answer within " + timeout + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while waiting for the teacher", e);
        } finally {
            waitNanos += System.nanoTime() - started;
        }
    }

    /** Requests sent by this prefetcher. */
    public long requests() {
        return requests;
    }

    /** Time the loop spent waiting for answers. */
    public double waitSeconds() {
        return waitNanos / 1e9;
    }

    /** Cancels what is still in flight. */
    @Override
    public void close() {
        inFlight.values().forEach(f -> f.cancel(false));
        inFlight.clear();
        made.clear();
    }
}
