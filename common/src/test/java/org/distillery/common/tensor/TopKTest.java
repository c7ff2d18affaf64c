package org.distillery.common.tensor;

import org.distillery.common.errors.ServingException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopKTest {
    @Test
    void picksLargestPerRowWithStableTies() {
        float[] data = {1f, 5f, 3f, 5f, 2f, 0f, -1f, -3f, 4f, 4f};
        TopK top = TopK.of("logits", data, new long[]{2, 5}, 3);
        assertArrayEquals(new long[]{2, 3}, top.shape);
        assertArrayEquals(new float[]{5f, 5f, 3f, 4f, 4f, 0f}, top.values);
        assertArrayEquals(new int[]{1, 3, 2, 3, 4, 0}, top.indices);
    }

    @Test
    void smallAndLargeKAgree() {
        Random random = new Random(3);
        float[] data = new float[4 * 50];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextInt(20); // many ties
        }
        TopK small = TopK.of("x", data, new long[]{4, 50}, 8);
        TopK large = TopK.of("x", data, new long[]{4, 50}, 9);
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 8; j++) {
                assertTrue(small.indices[r * 8 + j] == large.indices[r * 9 + j], "row " + r + " rank " + j);
            }
        }
    }

    @Test
    void kLargerThanAxisIsRejected() {
        ServingException e = assertThrows(ServingException.class,
                () -> TopK.of("logits", new float[6], new long[]{2, 3}, 4));
        assertTrue(e.getMessage().contains("'logits'") && e.getMessage().contains("[1, 3]")
                && e.getMessage().contains("got 4"), e.getMessage());
    }
}
