package org.distillery.student.mlm;

import org.distillery.common.text.TokenIds;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses and replaces the tokens a masked-LM batch predicts, the DistilBERT way: over the whole batch,
 * {@code ceil(maskProportion × real tokens)} positions are drawn without replacement with probability
 * ∝ count(token)^−smoothing (special tokens never), using the corpus' token counts; each chosen token is then
 * replaced by the mask token, a random token or kept (80/10/10 by default). Deterministic for a seed and a step.
 */
public final class MlmMasker {
    private final MaskingOptions options;
    private final SpecialTokens special;
    private final int vocab;
    private final double[] weights;

    /** @param counts occurrences of each token id in the corpus ({@link MlmCorpus#counts}) */
    public MlmMasker(MaskingOptions options, long[] counts, SpecialTokens special) {
        this.options = options;
        this.special = special;
        this.vocab = counts.length;
        this.weights = new double[counts.length];
        for (int id = 0; id < counts.length; id++) {
            weights[id] = special.isSpecial(id) ? 0 : Math.pow(Math.max(1, counts[id]), -options.smoothing());
        }
    }

    /** The probability weight of choosing {@code id} (before normalisation). */
    public double weight(int id) {
        return weights[id];
    }

    /** Masks {@code sequences} for {@code step}, drawing from {@code seed} and the step. */
    public MaskedBatch mask(int step, List<int[]> sequences, long seed) {
        int batch = sequences.size();
        int length = 0;
        for (int[] s : sequences) {
            length = Math.max(length, s.length);
        }
        long[] ids = new long[batch * length];
        long[] attention = new long[batch * length];
        Arrays.fill(ids, special.pad());
        int real = 0;
        for (int b = 0; b < batch; b++) {
            int[] s = sequences.get(b);
            for (int i = 0; i < s.length; i++) {
                ids[b * length + i] = s[i];
                attention[b * length + i] = 1;
                if (weights[s[i]] > 0) {
                    real++;
                }
            }
        }
        SplittableRandom random = new SplittableRandom(MlmCorpus.mix(seed * 1_000_003L + step) ^ 0x6A09E667F3BCC909L);
        int wanted = Math.min(real, (int) Math.ceil(options.maskProportion() * real));
        // weighted sampling without replacement: the `wanted` largest keys log(u) / w (Efraimidis–Spirakis)
        double[] keys = new double[batch * length];
        Arrays.fill(keys, Double.NEGATIVE_INFINITY);
        for (int p = 0; p < ids.length; p++) {
            double w = attention[p] == 1 ? weights[(int) ids[p]] : 0;
            if (w > 0) {
                keys[p] = Math.log(1 - random.nextDouble()) / w;
            }
        }
        boolean[] chosen = new boolean[ids.length];
        if (wanted > 0) {
            double[] sorted = keys.clone();
            Arrays.sort(sorted);
            double threshold = sorted[sorted.length - wanted];
            int taken = 0;
            for (int p = 0; p < ids.length && taken < wanted; p++) {
                if (keys[p] > threshold) {
                    chosen[p] = true;
                    taken++;
                }
            }
            for (int p = 0; p < ids.length && taken < wanted; p++) {
                if (keys[p] == threshold && !chosen[p]) {
                    chosen[p] = true;
                    taken++;
                }
            }
        }
        int[] perExample = new int[batch];
        int n = 0;
        for (int p = 0; p < ids.length; p++) {
            if (chosen[p]) {
                perExample[p / length]++;
                n++;
            }
        }
        int width = Math.max(1, Arrays.stream(perExample).max().orElse(0));
        int[] positions = new int[batch * width];
        Arrays.fill(positions, -1);
        long[] flat = new long[n];
        long[] targets = new long[n];
        int[] filled = new int[batch];
        int k = 0;
        for (int p = 0; p < ids.length; p++) {
            if (!chosen[p]) {
                continue;
            }
            int b = p / length;
            positions[b * width + filled[b]++] = p % length;
            flat[k] = p;
            targets[k++] = ids[p];
            double r = random.nextDouble();
            if (r < options.wordMask()) {
                ids[p] = special.mask();
            } else if (r < options.wordMask() + options.wordRandom()) {
                ids[p] = random.nextInt(vocab);
            }
        }
        TokenIds inputs = new TokenIds(ids, attention, new long[batch * length], batch, length);
        return new MaskedBatch(step, inputs, positions, width, flat, targets);
    }
}
