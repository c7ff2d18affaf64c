package org.distillery.common.tensor;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the fp16/bf16 conversions of {@link HalfFloats}. Each 2-byte group of the input is a 16-bit pattern that
 * must decode and re-encode to itself (a NaN comes back as the same NaN with its quiet bit set); each 4-byte group is
 * a float32 whose conversion must match a reference rounding (nearest, ties to even, overflow to infinity) computed
 * independently in double arithmetic. Under plain {@code mvn test} the inputs in
 * {@code HalfFloatsFuzzTestInputs/} are replayed; {@code bin/fuzz} fuzzes.
 */
class HalfFloatsFuzzTest {
    @FuzzTest
    void conversionsRoundTripAndRoundToNearestEven(byte[] input) {
        for (int i = 0; i + 1 < input.length; i += 2) {
            short bits = (short) ((input[i] & 0xff) | (input[i + 1] & 0xff) << 8);
            checkHalfRoundTrip(bits);
            checkBfloat16RoundTrip(bits);
        }
        for (int i = 0; i + 3 < input.length; i += 4) {
            int bits = (input[i] & 0xff) | (input[i + 1] & 0xff) << 8 | (input[i + 2] & 0xff) << 16
                    | (input[i + 3] & 0xff) << 24;
            float value = Float.intBitsToFloat(bits);
            checkRounding(value, HalfFloats.halfToFloat(HalfFloats.floatToHalf(value)), -24, -14, 10, 0x1p16);
            checkRounding(value, HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(value)), -133, -126, 7,
                    0x1p128);
        }
    }

    private static void checkHalfRoundTrip(short bits) {
        float value = HalfFloats.halfToFloat(bits);
        short back = HalfFloats.floatToHalf(value);
        boolean nan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
        assertEquals(nan, Float.isNaN(value), () -> hex(bits) + " decodes to " + value);
        short expected = nan ? (short) (bits | 0x200) : bits;
        assertEquals(expected, back, () -> "fp16 " + hex(bits) + " -> " + value + " -> " + hex(back));
    }

    private static void checkBfloat16RoundTrip(short bits) {
        float value = HalfFloats.bfloat16ToFloat(bits);
        short back = HalfFloats.floatToBfloat16(value);
        boolean nan = (bits & 0x7f80) == 0x7f80 && (bits & 0x7f) != 0;
        assertEquals(nan, Float.isNaN(value), () -> hex(bits) + " decodes to " + value);
        short expected = nan ? (short) (bits | 0x40) : bits;
        assertEquals(expected, back, () -> "bf16 " + hex(bits) + " -> " + value + " -> " + hex(back));
    }

    /**
     * Checks a float32 → 16-bit → float32 trip against rounding in double arithmetic: the spacing of the 16-bit
     * format at the value ({@code 2^minQuantumExp} below {@code 2^minNormalExp}, else {@code 2^(exp - mantissaBits)}),
     * {@link Math#rint} for ties to even, and infinity from {@code overflow} on.
     */
    private static void checkRounding(float value, float actual, int minQuantumExp, int minNormalExp,
                                      int mantissaBits, double overflow) {
        if (Float.isNaN(value)) {
            assertTrue(Float.isNaN(actual), () -> value + " lost its NaN: " + actual);
            assertEquals(Float.floatToRawIntBits(value) < 0, Float.floatToRawIntBits(actual) < 0,
                    () -> "sign of NaN " + Integer.toHexString(Float.floatToRawIntBits(value)));
            return;
        }
        double expected;
        if (Float.isInfinite(value)) {
            expected = value;
        } else {
            int exponent = Math.getExponent(value);
            int quantumExp = exponent < minNormalExp ? minQuantumExp : exponent - mantissaBits;
            double quantum = Math.scalb(1.0, quantumExp);
            expected = Math.rint(value / quantum) * quantum;
            if (Math.abs(expected) >= overflow) {
                expected = Math.copySign(Double.POSITIVE_INFINITY, value);
            }
        }
        float want = (float) expected;
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(actual),
                () -> "float " + Integer.toHexString(Float.floatToRawIntBits(value)) + " (" + value + ") became "
                        + actual + ", expected " + want);
    }

    private static String hex(short bits) {
        return String.format("0x%04x", bits & 0xffff);
    }
}
