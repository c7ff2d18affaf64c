package org.distillery.common.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfFloatsTest {
    @Test
    void halfKnownBitPatterns() {
        assertEquals((short) 0x3c00, HalfFloats.floatToHalf(1f));
        assertEquals((short) 0xc000, HalfFloats.floatToHalf(-2f));
        assertEquals((short) 0x7bff, HalfFloats.floatToHalf(65504f));
        assertEquals((short) 0x7c00, HalfFloats.floatToHalf(70000f));
        assertEquals((short) 0x0001, HalfFloats.floatToHalf(0x1p-24f));
        assertEquals((short) 0x0000, HalfFloats.floatToHalf(0x1p-26f));
        assertEquals((short) 0x3555, HalfFloats.floatToHalf(1f / 3f));
        assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(Float.NaN))));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.halfToFloat(HalfFloats.floatToHalf(Float.NEGATIVE_INFINITY)));
    }

    @Test
    void everyHalfRoundTripsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfFloats.halfToFloat(h);
            if (Float.isNaN(f)) {
                continue;
            }
            assertEquals(h, HalfFloats.floatToHalf(f), "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void halfRoundsToNearestEven() {
        // 1 + 2^-11 is exactly between 1 and the next half (1 + 2^-10): ties go to the even mantissa, 1.
        assertEquals((short) 0x3c00, HalfFloats.floatToHalf(1f + 0x1p-11f));
        // 1 + 3 * 2^-11 is between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up.
        assertEquals((short) 0x3c02, HalfFloats.floatToHalf(1f + 3 * 0x1p-11f));
        // Relative error of fp16 is at most 2^-11 in the normal range.
        for (float v = -1000f; v < 1000f; v += 0.37f) {
            float back = HalfFloats.halfToFloat(HalfFloats.floatToHalf(v));
            assertTrue(Math.abs(back - v) <= Math.abs(v) * 0x1p-11f + 1e-7f, v + " -> " + back);
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, HalfFloats.floatToBfloat16(1f));
        assertEquals(1f, HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-6f, HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(1f + 3 * 0x1p-8f)));
        assertTrue(Float.isNaN(HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(Float.NaN))));
        for (float v = -1000f; v < 1000f; v += 0.37f) {
            float back = HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(v));
            assertTrue(Math.abs(back - v) <= Math.abs(v) * 0x1p-8f, v + " -> " + back);
        }
    }
}
