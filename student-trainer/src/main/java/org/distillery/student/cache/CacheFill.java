package org.distillery.student.cache;

import org.distillery.common.ensemble.MemberSampler;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.client.TeacherOutputs;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.options.TeacherOptions;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

/**
 * Precomputes a dataset's teacher answers into the cache at the fleet's full speed: examples sorted by length (so
 * little is padded) in teacher-side batches larger than training batches, a window of them in flight over every
 * teacher of the target. Examples already cached are skipped, so a fill that was stopped continues where it
 * stopped. With {@code --n-teachers-to-sample k}, every k-member set of the ensemble is filled: a training run's
 * draws then always hit.
 */
public final class CacheFill {
    /**
     * What a fill did.
     *
     * @param examples     examples asked for, over every member set
     * @param alreadyThere of those, found in the cache
     * @param memberSets   member sets filled
     * @param seconds      wall time
     */
    public record Result(long examples, long alreadyThere, int memberSets, double seconds) {
        /** Examples per second over the fill. */
        public double examplesPerSecond() {
            return examples / Math.max(1e-9, seconds);
        }
    }

    private CacheFill() {
    }

    /**
     * Fills {@code cache} with the answers {@code options} ask for, for every example of {@code data}.
     *
     * @param features feature outputs the training run will ask for besides the logits
     * @param batch    examples per teacher request (at most the server's limit)
     * @param inFlight requests in flight at once
     */
    public static Result fill(TeacherConnection teacher, TeacherOptions options, List<String> features, Dataset data,
                              PaddedTokenizer tokenizer, TeacherCache cache, int batch, int inFlight,
                              PrintStream out) throws InterruptedException {
        if (batch < 1 || inFlight < 1) {
            throw new IllegalArgumentException("--fill-batch and --in-flight must be >= 1, got " + batch + " and "
                    + inFlight);
        }
        int limit = teacher.info().getMaxRequestExamples();
        if (limit > 0 && batch > limit) {
            out.println("--fill-batch " + batch + " is above the server's limit of " + limit + " examples per "
                    + "request; using " + limit);
            batch = limit;
        }
        List<List<Example>> chunks = chunksByLength(data, tokenizer, batch);
        List<Long> seeds = memberSetSeeds(options.model(), teacher.info().getMembersList(),
                options.nTeachersToSample());
        long started = System.nanoTime();
        long examples = 0;
        long there = 0;
        try (TeacherClient client = teacher.client(new TeacherNeeds(true, features))) {
            CachingTeacher caching = teacher.cached(client, cache);
            Deque<CompletableFuture<TeacherOutputs>> window = new ArrayDeque<>();
            int done = 0;
            int total = chunks.size() * seeds.size();
            for (long seed : seeds) {
                for (List<Example> chunk : chunks) {
                    if (window.size() >= inFlight) {
                        there += await(window.removeFirst(), client.timeoutSeconds());
                        report(out, ++done, total, started);
                    }
                    TokenIds tokens = tokenizer.encode(chunk.stream().map(Example::text).toList(),
                            chunk.stream().map(Example::pair).toList());
                    window.addLast(caching.request(tokens, options.nTeachersToSample(), seed));
                    examples += chunk.size();
                }
            }
            while (!window.isEmpty()) {
                there += await(window.removeFirst(), client.timeoutSeconds());
                report(out, ++done, total, started);
            }
        }
        return new Result(examples, there, seeds.size(), (System.nanoTime() - started) / 1e9);
    }

    private static int await(CompletableFuture<TeacherOutputs> f, long timeoutSeconds) throws InterruptedException {
        try {
            return f.get(timeoutSeconds, TimeUnit.SECONDS).fromCache();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cache fill: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cache fill: the teacher did not answer within " + timeoutSeconds + " s");
        }
    }

    private static void report(PrintStream out, int done, int total, long started) {
        if (done == total || done % 20 == 0) {
            out.printf("cache fill: %d/%d requests, %.0f s%n", done, total, (System.nanoTime() - started) / 1e9);
        }
    }

    /** The examples in batches of similar length, longest first (a slow start, then a steady rate). */
    static List<List<Example>> chunksByLength(Dataset data, PaddedTokenizer tokenizer, int batch) {
        List<Example> examples = data.examples();
        int[] lengths = new int[examples.size()];
        for (int from = 0; from < examples.size(); from += 256) {
            List<Example> part = examples.subList(from, Math.min(examples.size(), from + 256));
            TokenIds ids = tokenizer.encode(part.stream().map(Example::text).toList(),
                    part.stream().map(Example::pair).toList());
            for (int r = 0; r < part.size(); r++) {
                lengths[from + r] = CacheKeys.length(ids, r);
            }
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, examples.size()).boxed().toList());
        order.sort(Comparator.<Integer>comparingInt(i -> -lengths[i]).thenComparingInt(i -> i));
        List<List<Example>> chunks = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batch) {
            chunks.add(order.subList(from, Math.min(order.size(), from + batch)).stream()
                    .map(examples::get).toList());
        }
        return chunks;
    }

    /**
     * One request seed per member set to fill: the seed 0 when every member runs, else for each k-member set the
     * first seed from which the server's draw ({@link MemberSampler}) gives that set.
     */
    static List<Long> memberSetSeeds(String model, List<String> members, int k) {
        if (k == 0 || k == members.size()) {
            return List.of(0L);
        }
        List<List<String>> sets = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        long combinations = binomial(members.size(), k);
        for (long seed = 0; sets.size() < combinations; seed++) {
            if (seed > 1_000_000L) {
                throw new IllegalStateException("no seed draws every " + k + "-member set of " + members);
            }
            List<String> drawn = MemberSampler.sample(model, members, k, seed);
            if (!sets.contains(drawn)) {
                sets.add(drawn);
                seeds.add(seed);
            }
        }
        return seeds;
    }

    private static long binomial(int n, int k) {
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }
}
