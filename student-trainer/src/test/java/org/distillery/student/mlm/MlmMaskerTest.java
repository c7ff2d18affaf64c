package org.distillery.student.mlm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DistilBERT's masking: 15 % of real tokens, never special ones, 80/10/10, smoothing by count^−0.7. */
class MlmMaskerTest {
    private static final SpecialTokens SPECIAL = new SpecialTokens(2, 3, 4, 0);
    private static final int VOCAB = 50;

    private static List<int[]> sequences(int n, long seed) {
        Random random = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[12 + random.nextInt(20)];
            s[0] = SPECIAL.cls();
            for (int j = 1; j < s.length - 1; j++) {
                s[j] = 5 + random.nextInt(VOCAB - 5);
            }
            s[s.length - 1] = SPECIAL.sep();
            out.add(s);
        }
        return out;
    }

    private static long[] flatCounts() {
        long[] counts = new long[VOCAB];
        Arrays.fill(counts, 100);
        return counts;
    }

    @Test
    void masksFifteenPercentOfRealTokensNeverSpecialOnes() {
        List<int[]> batch = sequences(16, 1);
        MlmMasker masker = new MlmMasker(MaskingOptions.DISTILBERT, flatCounts(), SPECIAL);
        MaskedBatch m = masker.mask(3, batch, 42);
        int real = batch.stream().mapToInt(s -> s.length - 2).sum();
        assertEquals((int) Math.ceil(0.15 * real), m.predicted());
        int length = m.inputs().length();
        for (int n = 0; n < m.predicted(); n++) {
            int b = (int) (m.flat()[n] / length);
            int s = (int) (m.flat()[n] % length);
            assertEquals(batch.get(b)[s], m.targets()[n], "the target is the original token");
            assertFalse(SPECIAL.isSpecial((int) m.targets()[n]), "special tokens are never chosen");
            boolean listed = false;
            for (int k = 0; k < m.width(); k++) {
                listed |= m.positions()[b * m.width() + k] == s;
            }
            assertTrue(listed, "the position is listed for its example");
        }
        int listed = 0;
        for (int p : m.positions()) {
            listed += p >= 0 ? 1 : 0;
        }
        assertEquals(m.predicted(), listed);
        // padding: pad id and attention 0 past each sequence
        for (int b = 0; b < batch.size(); b++) {
            for (int s = batch.get(b).length; s < length; s++) {
                assertEquals(SPECIAL.pad(), m.inputs().inputIds()[b * length + s]);
                assertEquals(0, m.inputs().attentionMask()[b * length + s]);
            }
        }
        MaskedBatch again = masker.mask(3, batch, 42);
        assertArrayEquals(m.flat(), again.flat());
        assertArrayEquals(m.inputs().inputIds(), again.inputs().inputIds());
        assertFalse(Arrays.equals(m.flat(), masker.mask(4, batch, 42).flat()), "another step masks elsewhere");
    }

    @Test
    void replacesByTheEightyTenTenRule() {
        MlmMasker masker = new MlmMasker(MaskingOptions.DISTILBERT, flatCounts(), SPECIAL);
        int masked = 0;
        int kept = 0;
        int other = 0;
        for (int step = 0; step < 200; step++) {
            List<int[]> batch = sequences(8, step);
            MaskedBatch m = masker.mask(step, batch, 7);
            for (int n = 0; n < m.predicted(); n++) {
                long now = m.inputs().inputIds()[(int) m.flat()[n]];
                if (now == SPECIAL.mask()) {
                    masked++;
                } else if (now == m.targets()[n]) {
                    kept++;
                } else {
                    other++;
                }
            }
        }
        double total = masked + kept + other;
        assertEquals(0.8, masked / total, 0.02);
        // a random replacement equals the original 1 time in VOCAB
        assertEquals(0.1 + 0.1 / VOCAB, kept / total, 0.02);
        assertEquals(0.1 - 0.1 / VOCAB, other / total, 0.02);
    }

    @Test
    void smoothingChoosesRareTokensMoreOften() {
        long[] counts = flatCounts();
        counts[5] = 10_000; // frequent
        counts[6] = 10; // rare
        List<int[]> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int[] s = new int[22];
            s[0] = SPECIAL.cls();
            for (int j = 1; j < 21; j++) {
                s[j] = j % 2 == 0 ? 5 : 6;
            }
            s[21] = SPECIAL.sep();
            batch.add(s);
        }
        MlmMasker smoothed = new MlmMasker(MaskingOptions.DISTILBERT, counts, SPECIAL);
        MlmMasker uniform = new MlmMasker(new MaskingOptions(0.15, 0, 0.8, 0.1, 0.1), counts, SPECIAL);
        int[] rareSmoothed = new int[1];
        int[] rareUniform = new int[1];
        for (int step = 0; step < 50; step++) {
            for (long t : smoothed.mask(step, batch, 1).targets()) {
                rareSmoothed[0] += t == 6 ? 1 : 0;
            }
            for (long t : uniform.mask(step, batch, 1).targets()) {
                rareUniform[0] += t == 6 ? 1 : 0;
            }
        }
        int chosen = 50 * (int) Math.ceil(0.15 * 400);
        // (10000 / 10)^0.7 ≈ 126 times the weight: nearly every choice is the rare token; uniform: about half
        assertTrue(rareSmoothed[0] > 0.95 * chosen, rareSmoothed[0] + " of " + chosen);
        assertEquals(0.5, rareUniform[0] / (double) chosen, 0.05);
        assertEquals(Math.pow(10, -0.7), smoothed.weight(6), 1e-12);
        assertEquals(0, smoothed.weight(SPECIAL.mask()));
    }

    @Test
    void badMaskingOptionsSayWhatIsExpected() {
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
                () -> new MaskingOptions(0.15, 0.7, 0.8, 0.1, 0.2));
        assertTrue(sum.getMessage().contains("sum to 1") && sum.getMessage().contains("0.2"), sum.getMessage());
        IllegalArgumentException prop = assertThrows(IllegalArgumentException.class,
                () -> new MaskingOptions(0, 0.7, 0.8, 0.1, 0.1));
        assertTrue(prop.getMessage().contains("--mlm-mask-prop must be in (0, 1), got 0.0"), prop.getMessage());
    }
}
