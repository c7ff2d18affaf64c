package org.distillery.teacher.vocabulary;

import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.VocabularySelection;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns logits into log-probabilities, {@code log softmax(logits / T)} over the last axis computed in double per
 * row, and keeps the part a {@link VocabularyOptions} asks for:
 * <ul>
 *   <li>DENSE: all of them;</li>
 *   <li>TOP_K: the k largest, largest first, ties by lower id (k past the axis: the whole axis, sorted); with a
 *       sample tail, then draws from the rest of the distribution, each distinct token once (by count descending
 *       then id) with weight rest × count / draws, the k carrying their probability as weight;</li>
 *   <li>SAMPLE: k draws with replacement by inverse CDF (binary search on the cumulative sum); each distinct token
 *       once, by count descending then id, with weight count / k; rows padded to the widest with id 0, value 0 and
 *       weight 0. A row's draws depend only on the seed and the row's index, so equal requests get equal answers.</li>
 * </ul>
 */
public final class VocabularySelector {
    private VocabularySelector() {
    }

    /**
     * Applies a selection to float logits of shape {@code [..., vocabulary]}.
     *
     * @param name the output's name, for messages
     * @throws ServingException INVALID_ARGUMENT for a scalar, or when SAMPLE meets a row that is not a
     *                          distribution (NaN or infinite logits)
     */
    public static SelectedVocabulary select(String name, float[] logits, long[] shape, VocabularyOptions options) {
        if (shape.length == 0) {
            throw ServingException.invalidArgument("vocabulary on output '" + name + "': it is a scalar, expected "
                    + "a last axis to take the softmax over");
        }
        int width = Math.toIntExact(shape[shape.length - 1]);
        int rows = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            rows = Math.toIntExact(Math.multiplyExact((long) rows, shape[i]));
        }
        if (options.mode() == VocabularySelection.Mode.TOP_K) {
            SelectedVocabulary head = topK(logits, shape, rows, width, options);
            // with a tail asked for, weights come even when the head is the whole axis (the tail then empty)
            return options.sampleTail() > 0 ? withTail(name, logits, head, rows, width, options) : head;
        }
        if (options.mode() == VocabularySelection.Mode.SAMPLE) {
            return sample(name, logits, shape, rows, width, options);
        }
        return dense(logits, shape, rows, width, options.temperature());
    }

    /** {@code out[i] = x[base + i] / T - logsumexp(x[base..] / T)}, in double. */
    static void logSoftmax(float[] x, int base, int width, double temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < width; i++) {
            double z = x[base + i] / temperature;
            out[i] = z;
            if (z > max) {
                max = z;
            }
        }
        double sum = 0;
        for (int i = 0; i < width; i++) {
            sum += Math.exp(out[i] - max);
        }
        double logSum = max + Math.log(sum);
        for (int i = 0; i < width; i++) {
            out[i] -= logSum;
        }
    }

    private static SelectedVocabulary dense(float[] logits, long[] shape, int rows, int width, double temperature) {
        float[] values = new float[logits.length];
        double[] row = new double[width];
        for (int r = 0; r < rows; r++) {
            logSoftmax(logits, r * width, width, temperature, row);
            for (int i = 0; i < width; i++) {
                values[r * width + i] = (float) row[i];
            }
        }
        return new SelectedVocabulary(values, shape.clone(), null, null);
    }

    private static SelectedVocabulary topK(float[] logits, long[] shape, int rows, int width,
                                           VocabularyOptions options) {
        int k = Math.min(options.k(), width);
        float[] values = new float[Math.multiplyExact(rows, k)];
        int[] indices = new int[values.length];
        double[] row = new double[width];
        int[] heap = new int[k];
        for (int r = 0; r < rows; r++) {
            logSoftmax(logits, r * width, width, options.temperature(), row);
            // A heap of the k best so far with the worst on top: O(width log k).
            int size = 0;
            for (int i = 0; i < width; i++) {
                if (size < k) {
                    heap[size] = i;
                    siftUp(heap, size++, row);
                } else if (better(i, heap[0], row)) {
                    heap[0] = i;
                    siftDown(heap, size, row);
                }
            }
            // Taking the worst off the top k times fills the row from its end: largest first.
            for (int j = k - 1; j >= 0; j--) {
                int id = heap[0];
                heap[0] = heap[--size];
                siftDown(heap, size, row);
                indices[r * k + j] = id;
                values[r * k + j] = (float) row[id];
            }
        }
        long[] outShape = shape.clone();
        outShape[outShape.length - 1] = k;
        return new SelectedVocabulary(values, outShape, indices, null);
    }

    /**
     * The top k with draws from the rest: per row, the head's tokens weighted by their probability, then the
     * distinct tail draws weighted by rest × count / draws; rows padded to the widest with id 0, value 0, weight 0.
     */
    private static SelectedVocabulary withTail(String name, float[] logits, SelectedVocabulary head, int rows,
                                               int width, VocabularyOptions options) {
        int k = (int) head.shape()[head.shape().length - 1];
        int draws = options.sampleTail();
        double[] row = new double[width];
        double[] cumulative = new double[width];
        int[] counts = new int[width];
        boolean[] inHead = new boolean[width];
        int[][] ids = new int[rows][];
        float[][] logProbs = new float[rows][];
        float[][] weights = new float[rows][];
        int widest = 0;
        for (int r = 0; r < rows; r++) {
            logSoftmax(logits, r * width, width, options.temperature(), row);
            for (int j = 0; j < k; j++) {
                inHead[head.indices()[r * k + j]] = true;
            }
            double rest = 0;
            for (int i = 0; i < width; i++) {
                rest += inHead[i] ? 0 : Math.exp(row[i]);
                cumulative[i] = rest;
            }
            if (Double.isNaN(rest) || Double.isInfinite(rest)) {
                throw ServingException.invalidArgument("vocabulary TOP_K with sample_tail on output '" + name
                        + "': row " + r + " is no distribution to draw from (its logits hold NaN or infinite values)");
            }
            int[] drawn = new int[Math.min(draws, width)];
            int distinct = 0;
            if (rest > 0) {
                SplittableRandom random = new SplittableRandom(rowSeed(options.seed(), r));
                for (int d = 0; d < draws; d++) {
                    int id = search(cumulative, width, random.nextDouble() * rest);
                    if (counts[id]++ == 0) {
                        drawn[distinct++] = id;
                    }
                }
            }
            long[] order = new long[distinct];
            byCount(counts, drawn, distinct, order);
            ids[r] = new int[k + distinct];
            logProbs[r] = new float[k + distinct];
            weights[r] = new float[k + distinct];
            for (int j = 0; j < k; j++) {
                int id = head.indices()[r * k + j];
                ids[r][j] = id;
                logProbs[r][j] = head.values()[r * k + j];
                weights[r][j] = (float) Math.exp(row[id]);
                inHead[id] = false;
            }
            for (int j = 0; j < distinct; j++) {
                int id = (int) order[j];
                ids[r][k + j] = id;
                logProbs[r][k + j] = (float) row[id];
                weights[r][k + j] = (float) (rest * counts[id] / draws);
                counts[id] = 0;
            }
            widest = Math.max(widest, k + distinct);
        }
        int size = Math.multiplyExact(rows, widest);
        float[] values = new float[size];
        int[] indices = new int[size];
        float[] w = new float[size];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(logProbs[r], 0, values, r * widest, ids[r].length);
            System.arraycopy(ids[r], 0, indices, r * widest, ids[r].length);
            System.arraycopy(weights[r], 0, w, r * widest, ids[r].length);
        }
        long[] outShape = head.shape().clone();
        outShape[outShape.length - 1] = widest;
        return new SelectedVocabulary(values, outShape, indices, w);
    }

    /** True when token a ranks above token b: a larger log-probability, or an equal one and a lower id. */
    private static boolean better(int a, int b, double[] row) {
        int c = Double.compare(row[a], row[b]);
        return c > 0 || (c == 0 && a < b);
    }

    private static void siftUp(int[] heap, int at, double[] row) {
        int i = at;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(heap[parent], heap[i], row)) {
                return;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, double[] row) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int worst = left;
            if (left + 1 < size && better(heap[left], heap[left + 1], row)) {
                worst = left + 1;
            }
            if (!better(heap[i], heap[worst], row)) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static SelectedVocabulary sample(String name, float[] logits, long[] shape, int rows, int width,
                                             VocabularyOptions options) {
        int k = options.k();
        double[] row = new double[width];
        double[] cumulative = new double[width];
        int[] counts = new int[width];
        int[] drawn = new int[Math.min(k, width)];
        long[] order = new long[drawn.length];
        int[][] ids = new int[rows][];
        float[][] logProbs = new float[rows][];
        int[][] rowCounts = new int[rows][];
        int widest = 0;
        for (int r = 0; r < rows; r++) {
            logSoftmax(logits, r * width, width, options.temperature(), row);
            double total = 0;
            for (int i = 0; i < width; i++) {
                total += Math.exp(row[i]);
                cumulative[i] = total;
            }
            if (!(total > 0) || Double.isInfinite(total)) {
                // Float inputs may carry NaN or infinities, which reach the logits: the request's values, not a
                // server fault. DENSE and TOP_K pass such rows through as NaN, as raw outputs do; draws cannot.
                throw ServingException.invalidArgument("vocabulary SAMPLE on output '" + name + "': row " + r
                        + " is no distribution to draw from (its logits hold NaN or infinite values)");
            }
            SplittableRandom random = new SplittableRandom(rowSeed(options.seed(), r));
            int distinct = 0;
            for (int d = 0; d < k; d++) {
                int id = search(cumulative, width, random.nextDouble() * total);
                if (counts[id]++ == 0) {
                    drawn[distinct++] = id;
                }
            }
            byCount(counts, drawn, distinct, order);
            ids[r] = new int[distinct];
            logProbs[r] = new float[distinct];
            rowCounts[r] = new int[distinct];
            for (int j = 0; j < distinct; j++) {
                int id = (int) order[j];
                ids[r][j] = id;
                logProbs[r][j] = (float) row[id];
                rowCounts[r][j] = counts[id];
                counts[id] = 0;
            }
            widest = Math.max(widest, distinct);
        }
        int size = Math.multiplyExact(rows, widest);
        float[] values = new float[size];
        int[] indices = new int[size];
        float[] weights = new float[size];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < ids[r].length; j++) {
                values[r * widest + j] = logProbs[r][j];
                indices[r * widest + j] = ids[r][j];
                weights[r * widest + j] = rowCounts[r][j] / (float) k;
            }
        }
        long[] outShape = shape.clone();
        outShape[outShape.length - 1] = widest;
        return new SelectedVocabulary(values, outShape, indices, weights);
    }

    /**
     * Puts the first {@code distinct} drawn ids into {@code order} by count descending, then id ascending: one sort
     * of (MAX_K − count, id) packed in a long; the id is the low 32 bits.
     */
    private static void byCount(int[] counts, int[] drawn, int distinct, long[] order) {
        for (int j = 0; j < distinct; j++) {
            order[j] = ((long) (VocabularyOptions.MAX_K - counts[drawn[j]]) << 32) | drawn[j];
        }
        Arrays.sort(order, 0, distinct);
    }

    /**
     * The first token whose cumulative probability is above {@code u}: token i is drawn for u in
     * [cumulative[i-1], cumulative[i]), so a token of probability 0 never is.
     */
    static int search(double[] cumulative, int width, double u) {
        int lo = 0;
        int hi = width - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // u rounded up to the total: the last token with any probability.
        while (lo > 0 && cumulative[lo] <= u && cumulative[lo] == cumulative[lo - 1]) {
            lo--;
        }
        return lo;
    }

    /** A row's stream: the seed and the row index mixed (a 64-bit finalizer), so neighbouring rows are unrelated. */
    static long rowSeed(long seed, long row) {
        long z = seed + (row + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
