package org.distillery.common.tensor;

/**
 * Conversions between float32 and the two 16-bit float formats on the wire: IEEE 754 binary16 (fp16) and bfloat16.
 * Both directions round to nearest, ties to even; NaN stays NaN, overflow becomes infinity.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** Converts a float32 to IEEE 754 binary16 bits, rounding to nearest even. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) { // infinity or NaN
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) { // too large: infinity
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) { // subnormal half or zero
            if (halfExponent < -10) {
                return (short) sign;
            }
            int full = mantissa | 0x800000; // implicit leading one
            int shift = 14 - halfExponent;
            int half = full >>> shift;
            int remainder = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (remainder > halfway || (remainder == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (halfExponent << 10) | (mantissa >>> 13);
        int remainder = mantissa & 0x1fff;
        if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which correctly rounds up to the next binade or infinity
        }
        return (short) (sign | half);
    }

    /** Converts IEEE 754 binary16 bits to float32 (exact). */
    public static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mantissa * 2^-24
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** Converts a float32 to bfloat16 bits (the upper 16 bits), rounding to nearest even. */
    public static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff) != 0) {
            return (short) ((bits >>> 16) | 0x40); // quiet NaN, never rounded into infinity
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Converts bfloat16 bits to float32 (exact). */
    public static float bfloat16ToFloat(short value) {
        return Float.intBitsToFloat((value & 0xffff) << 16);
    }
}
