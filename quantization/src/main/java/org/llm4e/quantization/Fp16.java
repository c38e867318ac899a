package org.llm4e.quantization;

/**
 * IEEE 754 binary16 ("FP16", half precision), encoded and decoded by hand with round-to-nearest-even.
 *
 * <pre>
 *   bits:   s | eeeee | mmmmmmmmmm          (1 / 5 / 10, bias 15)
 *   normal:    x = (−1)ˢ · 1.m · 2^(e − 15)   for 1 ≤ e ≤ 30
 *   subnormal: x = (−1)ˢ · 0.m · 2^(−14)      for e = 0
 *   e = 31:    ±∞ (m = 0) or NaN (m ≠ 0)
 *   max 65504, min normal 2^−14 ≈ 6.1035e−5, min subnormal 2^−24, machine epsilon 2^−10
 * </pre>
 *
 * <p>From {@code 10分钟理解大模型的量化.md} (figures 1–4): FP16 keeps 10 fraction bits and a 5-bit exponent, so it
 * is more precise than BF16 near 1 but overflows beyond 65504 (70000 becomes +∞). The article's π example,
 * 3.141592, is stored as {@code 0 10000 1001001000} = 0x4248 = 3.140625.
 *
 * <p>Rounding: a float32 has 13 more fraction bits than a half; the dropped bits decide, and an exact tie goes to
 * the encoding whose last bit is 0. The carry out of the fraction runs into the exponent, which is why rounding
 * 65520 gives +∞ and rounding the largest subnormal up gives the smallest normal. This matches Java 20's
 * {@code Float.floatToFloat16} / {@code Float.float16ToFloat}, numpy's {@code astype(float16)} and the F16C
 * instructions (NaN payloads aside: a NaN becomes a quiet NaN keeping the top payload bits).
 */
public final class Fp16 {
    /** The largest finite half, 65504. */
    public static final float MAX_VALUE = 65504f;

    /** The smallest positive normal half, 2^−14. */
    public static final float MIN_NORMAL = 0x1p-14f;

    /** The smallest positive subnormal half, 2^−24. */
    public static final float MIN_VALUE = 0x1p-24f;

    /** The distance from 1 to the next half, 2^−10. */
    public static final float EPSILON = 0x1p-10f;

    private Fp16() {}

    /**
     * Rounds a float32 to the nearest half (ties to even) and returns its 16 bits.
     *
     * @param x any float, including ±0, ±∞ and NaN
     * @return the binary16 bit pattern in the low 16 bits of a {@code short}
     */
    public static short encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            // ±∞ keeps its sign; a NaN stays a (quiet) NaN with the top 9 payload bits.
            return (short) (mant == 0 ? sign | 0x7C00 : sign | 0x7E00 | (mant >>> 13));
        }
        int e = exp - 127; // unbiased exponent of a float32 normal; float32 subnormals are < 2^-126
        if (exp == 0 || e < -25) {
            // Below half the smallest half subnormal (2^-25): rounds to a signed zero.
            return (short) sign;
        }
        if (e > 15) {
            return (short) (sign | 0x7C00); // ≥ 2^16 overflows even before rounding
        }
        if (e >= -14) {
            // Normal half: keep 10 of the 23 fraction bits, round the 13 dropped ones.
            int half = ((e + 15) << 10) | (mant >>> 13);
            int dropped = mant & 0x1FFF;
            if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) == 1)) {
                half++; // a carry out of the fraction increments the exponent (up to 0x7C00 = ∞)
            }
            return (short) (sign | half);
        }
        // Subnormal half: the value is sig · 2^(e − 23) with the hidden bit made explicit, and the half's unit
        // is 2^−24, so the half's fraction is sig shifted right by −(e + 1) places (14 … 24), rounded.
        int sig = mant | 0x800000;
        int shift = -(e + 1);
        int q = sig >>> shift;
        int rem = sig & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1) == 1)) {
            q++; // 0x3FF + 1 = 0x400 is exactly the smallest normal's encoding
        }
        return (short) (sign | q);
    }

    /**
     * Expands a half to the float32 with the same value (exact: every half is a float32).
     *
     * @param h the binary16 bit pattern
     * @return its value; NaN for NaN patterns
     */
    public static float decode(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0) {
            float v = mant * MIN_VALUE; // subnormal (or zero): exact, mant < 2^10
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /**
     * Rounds a float32 to the nearest half-precision value.
     *
     * @param x any float
     * @return {@code decode(encode(x))}
     */
    public static float round(float x) {
        return decode(encode(x));
    }

    /**
     * Rounds every element to half precision.
     *
     * @param x the input (not modified)
     * @return a new array of the rounded values
     */
    public static float[] round(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = round(x[i]);
        }
        return out;
    }

    /**
     * Encodes an array into little-endian bytes, two per element (the byte order of GGUF and safetensors).
     *
     * @param x the values
     * @return {@code 2 · x.length} bytes
     */
    public static byte[] encodeLittleEndian(float[] x) {
        byte[] out = new byte[2 * x.length];
        for (int i = 0; i < x.length; i++) {
            short h = encode(x[i]);
            out[2 * i] = (byte) h;
            out[2 * i + 1] = (byte) (h >>> 8);
        }
        return out;
    }
}
