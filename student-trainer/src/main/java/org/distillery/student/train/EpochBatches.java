package org.distillery.student.train;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The batches of a run, step by step: each epoch visits every example once, in an order drawn from the seed and the
 * epoch, so any step's batch can be made again (for prefetching and for resuming) without replaying the run. An
 * epoch's order is drawn once, not per batch.
 */
public final class EpochBatches {
    private final Dataset data;
    private final PaddedTokenizer tokenizer;
    private final int batchSize;
    private final long seed;
    /** The orders of the last two epochs asked for: prefetching reaches into the next epoch near an epoch's end. */
    private final Map<Integer, List<Integer>> orders = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, List<Integer>> eldest) {
            return size() > 2;
        }
    };

    public EpochBatches(Dataset data, PaddedTokenizer tokenizer, int batchSize, long seed) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the training data is empty");
        }
        this.data = data;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        this.seed = seed;
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

    private List<Integer> order(int epoch) {
        return orders.computeIfAbsent(epoch, e -> {
            List<Integer> shuffled = new ArrayList<>(data.size());
            for (int i = 0; i < data.size(); i++) {
                shuffled.add(i);
            }
            Collections.shuffle(shuffled, new Random(seed * 31 + e));
            return shuffled;
        });
    }
}
