package org.distillery.student.train;

import org.distillery.common.testing.TestTokenizers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batches grouped by length: every example once per epoch, drawn from the seed, far less padding. */
@Timeout(60)
class EpochBatchesTest {
    @TempDir
    Path dir;

    /** 1,000 texts of 1 to 60 words. */
    private static Dataset mixedLengths() {
        Random random = new Random(7);
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "away"};
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int n = 1 + (random.nextDouble() < 0.8 ? random.nextInt(8) : random.nextInt(60));
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < n; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            examples.add(new Example(text.toString().trim(), "", i % 2));
        }
        return new Dataset("mixed", examples, List.of("a", "b"));
    }

    /** The epoch's order, checked to be a permutation with only the last batch short. */
    private static List<Integer> epoch(EpochBatches b, int epoch) {
        List<Integer> order = b.order(epoch);
        assertEquals(1000, new HashSet<>(order).size(), "every example once");
        assertEquals(1000, order.size());
        for (int s = epoch * b.perEpoch(); s < (epoch + 1) * b.perEpoch(); s++) {
            assertTrue(b.batch(s).size() == 32 || s == (epoch + 1) * b.perEpoch() - 1, "only the last is short");
        }
        return order;
    }

    @Test
    void groupedBatchesVisitEveryExampleOnceInASeededOrderWithLessPadding() throws Exception {
        Dataset data = mixedLengths();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("t.json")), 64,
                null)) {
            EpochBatches plain = new EpochBatches(data, tokenizer, 32, 3);
            EpochBatches grouped = new EpochBatches(data, tokenizer, 32, 3, true);
            EpochBatches again = new EpochBatches(data, tokenizer, 32, 3, true);
            EpochBatches otherSeed = new EpochBatches(data, tokenizer, 32, 4, true);
            assertEquals(plain.perEpoch(), grouped.perEpoch());
            for (int e = 0; e < 2; e++) {
                assertEquals(epoch(grouped, e), epoch(again, e), "the same seed, the same batches");
            }
            assertNotEquals(epoch(grouped, 0), epoch(grouped, 1), "each epoch its own order");
            assertNotEquals(epoch(grouped, 0), epoch(otherSeed, 0));
            long plainPadded = plain.paddedTokens(0);
            long groupedPadded = grouped.paddedTokens(0);
            assertTrue(groupedPadded < 0.6 * plainPadded, "padded positions " + groupedPadded + " vs " + plainPadded);

            Set<Integer> lengthsSeen = new HashSet<>();
            for (int s = 0; s < grouped.perEpoch(); s++) {
                lengthsSeen.add(grouped.batch(s).tokens().length());
            }
            assertTrue(lengthsSeen.size() > 5, "batches of many lengths, in a shuffled order: " + lengthsSeen);
        }
    }
}
