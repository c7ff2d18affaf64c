package org.distillery.student.train;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The batches of a run, step by step: each epoch visits every example once, in an order drawn from the seed and the
 * epoch, so any step's batch can be made again (for prefetching and for resuming) without replaying the run. An
 * epoch's order is drawn once, not per batch.
 * <p>
 * Grouped by length (DistilBERT's grouped batches, in the mega-batch form): the shuffled order is cut into runs of
 * {@link #GROUP_BATCHES} batches, each run is sorted by token length, cut into batches, and the full batches are
 * shuffled (the one short batch of an epoch stays last). A batch then holds examples of similar length and is padded
 * little, while which examples meet and in what order the batches come is still drawn from the seed.
 */
public final class EpochBatches {
    private final Dataset data;
    private final PaddedTokenizer tokenizer;
    private final int batchSize;
    private final long seed;
    /** Each example's token count (without padding) when grouping by length, else null. */
    private final int[] lengths;
    /** Batches per sorted run when grouping by length. */
    public static final int GROUP_BATCHES = 50;
    /** The orders of the last two epochs asked for: prefetching reaches into the next epoch near an epoch's end. */
    private final Map<Integer, List<Integer>> orders = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, List<Integer>> eldest) {
            return size() > 2;
        }
    };

    public EpochBatches(Dataset data, PaddedTokenizer tokenizer, int batchSize, long seed) {
        this(data, tokenizer, batchSize, seed, false);
    }

    /** @param groupByLength batches of examples of similar length */
    public EpochBatches(Dataset data, PaddedTokenizer tokenizer, int batchSize, long seed, boolean groupByLength) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the training data is empty");
        }
        this.data = data;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        this.seed = seed;
        this.lengths = groupByLength ? lengths(data, tokenizer) : null;
    }

    /** Token counts of every example, tokenized as training will. */
    private static int[] lengths(Dataset data, PaddedTokenizer tokenizer) {
        int[] lengths = new int[data.size()];
        List<Example> examples = data.examples();
        for (int from = 0; from < examples.size(); from += 256) {
            List<Example> part = examples.subList(from, Math.min(examples.size(), from + 256));
            TokenIds ids = tokenizer.encode(part.stream().map(Example::text).toList(),
                    part.stream().map(Example::pair).toList());
            for (int r = 0; r < part.size(); r++) {
                for (int i = 0; i < ids.length(); i++) {
                    lengths[from + r] += (int) ids.attentionMask()[r * ids.length() + i];
                }
            }
        }
        return lengths;
    }

    /** Padded token positions over one epoch's batches (the cost grouping by length lowers). */
    public long paddedTokens(int epoch) {
        int[] counts = lengths != null ? lengths : lengths(data, tokenizer);
        List<Integer> order = order(epoch);
        long padded = 0;
        for (int from = 0; from < order.size(); from += batchSize) {
            int to = Math.min(order.size(), from + batchSize);
            int longest = 0;
            for (int i = from; i < to; i++) {
                longest = Math.max(longest, counts[order.get(i)]);
            }
            padded += (long) longest * (to - from);
        }
        return padded;
    }

    /** Steps in one epoch. */
    public int perEpoch() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /** The batch of {@code step} (counted from the start of the run). */
    public synchronized Batch batch(int step) {
        int epoch = step / perEpoch();
        List<Integer> epochOrder = order(epoch);
        int from = (step % perEpoch()) * batchSize;
        int to = Math.min(data.size(), from + batchSize);
        List<String> texts = new ArrayList<>(to - from);
        List<String> pairs = new ArrayList<>(to - from);
        long[] labels = new long[to - from];
        for (int i = from; i < to; i++) {
            Example e = data.examples().get(epochOrder.get(i));
            texts.add(e.text());
            pairs.add(e.pair());
            labels[i - from] = e.label();
        }
        TokenIds tokens = tokenizer.encode(texts, pairs);
        return new Batch(step, tokens, labels);
    }

    /** The examples of an epoch in training order (indices into the data). */
    List<Integer> order(int epoch) {
        return orders.computeIfAbsent(epoch, e -> {
            List<Integer> shuffled = new ArrayList<>(data.size());
            for (int i = 0; i < data.size(); i++) {
                shuffled.add(i);
            }
            Collections.shuffle(shuffled, new Random(seed * 31 + e));
            return lengths == null ? shuffled : grouped(shuffled, new Random(seed * 31 + e + 0x5DEECE66DL));
        });
    }

    /** The shuffled order regrouped by length (see the class comment). */
    private List<Integer> grouped(List<Integer> shuffled, Random random) {
        int run = batchSize * GROUP_BATCHES;
        List<List<Integer>> full = new ArrayList<>();
        List<Integer> shortBatch = List.of();
        for (int from = 0; from < shuffled.size(); from += run) {
            List<Integer> part = new ArrayList<>(shuffled.subList(from, Math.min(shuffled.size(), from + run)));
            part.sort(Comparator.comparingInt(i -> -lengths[i])); // stable: ties keep the shuffled order
            for (int b = 0; b < part.size(); b += batchSize) {
                List<Integer> batch = part.subList(b, Math.min(part.size(), b + batchSize));
                if (batch.size() == batchSize) {
                    full.add(batch);
                } else {
                    shortBatch = batch;
                }
            }
        }
        Collections.shuffle(full, random);
        List<Integer> order = new ArrayList<>(shuffled.size());
        full.forEach(order::addAll);
        order.addAll(shortBatch);
        return order;
    }
}
