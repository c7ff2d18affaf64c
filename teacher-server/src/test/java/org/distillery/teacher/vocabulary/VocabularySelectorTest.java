package org.distillery.teacher.vocabulary;

import io.grpc.Status;
import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.VocabularySelection;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arithmetic of the selections, without a server. */
class VocabularySelectorTest {
    private static VocabularyOptions options(VocabularySelection.Mode mode, int k, float temperature, long seed) {
        return VocabularyOptions.of(VocabularySelection.newBuilder().setMode(mode).setK(k)
                .setTemperature(temperature).setSeed(seed).build());
    }

    private static float[] logits(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        return x;
    }

    @Test
    void denseIsLogSoftmaxAtTheTemperature() {
        float[] x = {1f, 2f, 3f, 0f, 0f, 0f};
        SelectedVocabulary s = VocabularySelector.select("logits", x, new long[]{2, 3},
                options(VocabularySelection.Mode.DENSE, 0, 2f, 0));
        assertArrayEquals(new long[]{2, 3}, s.shape());
        assertNull(s.indices());
        assertNull(s.weights());
        double z = Math.log(Math.exp(0.5) + Math.exp(1) + Math.exp(1.5));
        assertEquals(0.5 - z, s.values()[0], 1e-6);
        assertEquals(1.5 - z, s.values()[2], 1e-6);
        assertEquals(Math.log(1 / 3.0), s.values()[4], 1e-6);
    }

    @Test
    void topKIsTheLargestFirstWithTiesByLowerId() {
        float[] x = {0f, 5f, 5f, 1f, 7f};
        SelectedVocabulary s = VocabularySelector.select("logits", x, new long[]{1, 5},
                options(VocabularySelection.Mode.TOP_K, 3, 0f, 0));
        assertArrayEquals(new int[]{4, 1, 2}, s.indices());
        assertArrayEquals(new long[]{1, 3}, s.shape());
        assertTrue(s.values()[0] > s.values()[1] && s.values()[1] == s.values()[2]);
        SelectedVocabulary whole = VocabularySelector.select("logits", x, new long[]{1, 5},
                options(VocabularySelection.Mode.TOP_K, 99, 0f, 0));
        assertArrayEquals(new int[]{4, 1, 2, 3, 0}, whole.indices());
    }

    @Test
    void topKAgreesWithSortingTheDenseRow() {
        int width = 500;
        float[] x = logits(3, 4 * width);
        VocabularyOptions top = options(VocabularySelection.Mode.TOP_K, 37, 1.5f, 0);
        SelectedVocabulary s = VocabularySelector.select("logits", x, new long[]{2, 2, width}, top);
        SelectedVocabulary dense = VocabularySelector.select("logits", x, new long[]{2, 2, width},
                options(VocabularySelection.Mode.DENSE, 0, 1.5f, 0));
        assertArrayEquals(new long[]{2, 2, 37}, s.shape());
        for (int r = 0; r < 4; r++) {
            Integer[] order = new Integer[width];
            for (int i = 0; i < width; i++) {
                order[i] = i;
            }
            int base = r * width;
            java.util.Arrays.sort(order, (a, b) -> Float.compare(dense.values()[base + b], dense.values()[base + a]));
            for (int j = 0; j < 37; j++) {
                assertEquals(dense.values()[base + order[j]], s.values()[r * 37 + j], 0f, "row " + r + " rank " + j);
                assertEquals(dense.values()[base + s.indices()[r * 37 + j]], s.values()[r * 37 + j], 0f);
            }
        }
    }

    @Test
    void sampleCountsDistinctTokensAndPadsRows() {
        int width = 50;
        float[] x = logits(5, 3 * width);
        x[2 * width + 7] = 80f; // row 2 is (almost) all on token 7
        VocabularyOptions sample = options(VocabularySelection.Mode.SAMPLE, 64, 0f, 42);
        SelectedVocabulary s = VocabularySelector.select("logits", x, new long[]{3, width}, sample);
        int widest = (int) s.shape()[1];
        assertEquals(s.shape()[1] * 3, s.values().length);
        for (int r = 0; r < 3; r++) {
            double total = 0;
            Set<Integer> seen = new HashSet<>();
            int previousCount = Integer.MAX_VALUE;
            for (int j = 0; j < widest; j++) {
                float w = s.weights()[r * widest + j];
                total += w;
                if (w == 0f) {
                    assertEquals(0, s.indices()[r * widest + j]);
                    assertEquals(0f, s.values()[r * widest + j]);
                    continue;
                }
                int count = Math.round(w * 64);
                assertTrue(count <= previousCount, "counts descend");
                previousCount = count;
                assertTrue(seen.add(s.indices()[r * widest + j]), "distinct");
            }
            assertEquals(1.0, total, 1e-6);
        }
        assertEquals(7, s.indices()[2 * widest]);
        assertEquals(1f, s.weights()[2 * widest]);
        assertEquals(1f, s.weights()[2 * widest] + s.weights()[2 * widest + 1], 0f, "padding after it");
        // Same seed, same draws; another seed, other draws.
        SelectedVocabulary again = VocabularySelector.select("logits", x, new long[]{3, width}, sample);
        assertArrayEquals(s.indices(), again.indices());
        assertArrayEquals(s.weights(), again.weights());
        SelectedVocabulary other = VocabularySelector.select("logits", x, new long[]{3, width},
                options(VocabularySelection.Mode.SAMPLE, 64, 0f, 43));
        assertTrue(!java.util.Arrays.equals(s.indices(), other.indices()));
    }

    @Test
    void aTokenOfProbabilityZeroIsNeverDrawn() {
        double[] cumulative = {0.0, 0.25, 0.25, 1.0, 1.0};
        assertEquals(1, VocabularySelector.search(cumulative, 5, 0.0));
        assertEquals(1, VocabularySelector.search(cumulative, 5, 0.2499));
        assertEquals(3, VocabularySelector.search(cumulative, 5, 0.25));
        assertEquals(3, VocabularySelector.search(cumulative, 5, 0.999));
        assertEquals(3, VocabularySelector.search(cumulative, 5, 1.0), "rounded up to the total");
        float[] x = {Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY};
        SelectedVocabulary s = VocabularySelector.select("logits", x, new long[]{1, 3},
                options(VocabularySelection.Mode.SAMPLE, 100, 0f, 1));
        assertArrayEquals(new int[]{1}, s.indices());
        assertArrayEquals(new float[]{1f}, s.weights());
    }

    @Test
    void aRowOfNaNCannotBeSampled() {
        float[] x = {Float.NaN, 0f};
        ServingException e = assertThrows(ServingException.class, () -> VocabularySelector.select("logits", x,
                new long[]{1, 2}, options(VocabularySelection.Mode.SAMPLE, 4, 0f, 1)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("row 0"), e.getMessage());
    }

    @Test
    void optionsRefuseWhatTheContractDoesNotAllow() {
        assertEquals(1.0, options(VocabularySelection.Mode.DENSE, 0, 0f, 0).temperature());
        String[][] cases = {
                {"TOP_K", "0", "1", "vocabulary.k for TOP_K must be in [1, 65536], got 0"},
                {"SAMPLE", "-1", "1", "got -1"},
                {"SAMPLE", "65537", "1", "got 65537"},
                {"DENSE", "5", "1", "mode is DENSE"},
                {"DENSE", "0", "-1", "temperature must be a finite number > 0 (0 = 1.0), got -1.0"},
                {"DENSE", "0", "NaN", "got NaN"},
                {"DENSE", "0", "Infinity", "got Infinity"},
        };
        for (String[] c : cases) {
            ServingException e = assertThrows(ServingException.class, () -> options(
                    VocabularySelection.Mode.valueOf(c[0]), Integer.parseInt(c[1]), Float.parseFloat(c[2]), 0));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains(c[3]), e.getMessage());
        }
    }
}
