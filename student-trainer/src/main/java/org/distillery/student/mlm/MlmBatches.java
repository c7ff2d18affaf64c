package org.distillery.student.mlm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The sequences of each epoch in batches: shuffled by seed and epoch; when grouping by length (DistilBERT's
 * {@code --group_by_size}), runs of {@link #GROUP_BATCHES} batches are sorted by length, cut into batches and the
 * batches shuffled, the short last batch kept last.
 */
public final class MlmBatches {
    /** Batches per sorted run when grouping by length. */
    public static final int GROUP_BATCHES = 50;
    private final List<int[]> sequences;
    private final int batchSize;
    private final long seed;
    private final boolean groupByLength;
    private int cachedEpoch = -1;
    private List<List<Integer>> cachedBatches;

    public MlmBatches(List<int[]> sequences, int batchSize, long seed, boolean groupByLength) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("the masked-LM training corpus is empty");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.sequences = sequences;
        this.batchSize = batchSize;
        this.seed = seed;
        this.groupByLength = groupByLength;
    }

    /** Steps in one epoch. */
    public int perEpoch() {
        return (sequences.size() + batchSize - 1) / batchSize;
    }

    /** The sequences of {@code step} (counted from the start of the run). */
    public synchronized List<int[]> batch(int step) {
        int epoch = step / perEpoch();
        if (epoch != cachedEpoch) {
            cachedBatches = batches(epoch);
            cachedEpoch = epoch;
        }
        List<int[]> out = new ArrayList<>();
        for (int i : cachedBatches.get(step % perEpoch())) {
            out.add(sequences.get(i));
        }
        return out;
    }

    /** Padded token positions over one epoch's batches (what grouping by length lowers). */
    public long paddedTokens(int epoch) {
        long padded = 0;
        for (List<Integer> b : batches(epoch)) {
            padded += (long) b.size() * b.stream().mapToInt(i -> sequences.get(i).length).max().orElse(0);
        }
        return padded;
    }

    private List<List<Integer>> batches(int epoch) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            order.add(i);
        }
        Random random = new Random(seed * 31 + epoch);
        Collections.shuffle(order, random);
        if (groupByLength) {
            int run = batchSize * GROUP_BATCHES;
            for (int from = 0; from < order.size(); from += run) {
                order.subList(from, Math.min(order.size(), from + run))
                        .sort(Comparator.comparingInt(i -> sequences.get(i).length));
            }
        }
        List<List<Integer>> batches = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batchSize) {
            batches.add(new ArrayList<>(order.subList(from, Math.min(order.size(), from + batchSize))));
        }
        if (groupByLength) {
            List<Integer> last = batches.get(batches.size() - 1).size() < batchSize
                    ? batches.remove(batches.size() - 1) : null;
            Collections.shuffle(batches, random);
            if (last != null) {
                batches.add(last);
            }
        }
        return batches;
    }
}
