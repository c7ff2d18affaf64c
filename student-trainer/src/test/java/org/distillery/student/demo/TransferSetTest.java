package org.distillery.student.demo;

import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;
import org.distillery.student.data.TinySentiment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The students' data in the transfer-set scenario: few labels, all the text. */
class TransferSetTest {
    private final Dataset train = TinySentiment.make(400, 3);

    @Test
    void keepsAStratifiedShareOfLabelsAndGivesTheDistilledStudentAllTheText() {
        TransferSet set = TransferSet.of(train, 0.05, 42);
        int[] counts = train.labelCounts();
        int[] kept = set.distilled().labelCounts();
        for (int label = 0; label < counts.length; label++) {
            assertEquals(Math.round(counts[label] * 0.05), kept[label], "label " + label + " keeps 5 %");
        }
        assertEquals(set.labelled(), set.distilled().labelledCount());
        assertEquals(train.size(), set.distilled().size(), "the distilled student sees every example");
        for (int i = 0; i < train.size(); i++) {
            Example original = train.examples().get(i);
            Example seen = set.distilled().examples().get(i);
            assertEquals(original.text(), seen.text());
            assertTrue(seen.label() == original.label() || seen.label() == Example.UNLABELLED);
        }
        assertEquals(20, set.repeats(), "400 / 20 labelled");
        assertEquals(set.labelled() * set.repeats(), set.undistilled().size(),
                "the undistilled student's epoch is as long as the distilled student's");
        assertEquals(set.undistilled().size(), set.undistilled().labelledCount(), "and has labels only");
        List<Example> labelled = set.distilled().examples().stream().filter(Example::labelled).toList();
        assertEquals(labelled, set.undistilled().examples().subList(0, set.labelled()));
        assertArrayEquals(TransferSet.of(train, 0.05, 42).distilled().labelCounts(), kept, "drawn from the seed");
        assertEquals(set.distilled(), TransferSet.of(train, 0.05, 42).distilled());
    }

    @Test
    void keepsAtLeastOneLabelOfEachClassAndEveryLabelWithFractionOne() {
        TransferSet few = TransferSet.of(TinySentiment.make(20, 1), 0.01, 42);
        assertArrayEquals(new int[]{1, 1}, few.distilled().labelCounts());
        TransferSet all = TransferSet.of(train, 1.0, 42);
        assertEquals(train.size(), all.labelled());
        assertEquals(1, all.repeats());
        assertEquals(train.examples(), all.distilled().examples());
        assertThrows(IllegalArgumentException.class, () -> TransferSet.of(train, 0, 42));
        TransferSet full = TransferSet.full(train);
        assertEquals(train, full.distilled());
        assertEquals(train, full.undistilled());
    }
}
