package org.llm4e.quantization;

/**
 * bfloat16 ("BF16", brain floating point), encoded and decoded by hand with round-to-nearest-even.
 *
 * <pre>
 *   bits:   s | eeeeeeee | mmmmmmm          (1 / 8 / 7, bias 127: the top half of a float32)
 *   x = (−1)ˢ · 1.m · 2^(e − 127)   (subnormals, ±∞ and NaN exactly as float32)
 *   max ≈ 3.3895e38, machine epsilon 2^−7 = 0.0078125
 * </pre>
 *
 * <p>From {@code 10分钟理解大模型的量化.md} (figures 1–4; the article calls BF16 a "mixed-precision float"): BF16
 * keeps FP32's 8 exponent bits and so its range (70000 stays finite), at the price of 7 fraction bits (1 + 2^−9
 * rounds to 1). Figure 3 draws the conversion as truncating the fraction; that is how the figure's π,
 * {@code 0 10000000 1001001} = 0x4049 = 3.140625, comes out, and round-to-nearest-even gives the same bits
 * there. Truncation is not what hardware and PyTorch do in general, so this class rounds:
 *
 * <pre>
 *   bf16 = (bits + 0x7FFF + ((bits ≫ 16) &amp; 1)) ≫ 16
 * </pre>
 *
 * adds just under half a unit of the last kept place, plus one more when the kept part is odd, so that exact
 * ties go to even; the carry runs into the exponent (the largest floats round to +∞). NaN is handled first so
 * that the addition cannot turn it into ∞. This matches {@code torch.Tensor.to(torch.bfloat16)}.
 */
public final class Bf16 {
    /** The largest finite bfloat16, (2 − 2^−7) · 2^127 ≈ 3.3895e38. */
    public static final float MAX_VALUE = Float.intBitsToFloat(0x7F7F0000);

    /** The distance from 1 to the next bfloat16, 2^−7. */
    public static final float EPSILON = 0x1p-7f;

    private Bf16() {}

    /**
     * Rounds a float32 to the nearest bfloat16 (ties to even) and returns its 16 bits.
     *
     * @param x any float, including ±0, ±∞ and NaN
     * @return the bfloat16 bit pattern in the low 16 bits of a {@code short}
     */
    public static short encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return (short) ((bits >>> 16) | 0x40); // keep sign and top payload, force the quiet bit
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /**
     * Truncates a float32 to bfloat16 (drops the low 16 bits), as the article's figure 3 draws it.
     *
     * @param x any float
     * @return the top 16 bits of {@code x}
     */
    public static short truncate(float x) {
        return (short) (Float.floatToRawIntBits(x) >>> 16);
    }

    /**
     * Expands a bfloat16 to the float32 with the same value (exact).
     *
     * @param b the bfloat16 bit pattern
     * @return its value
     */
    public static float decode(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /**
     * Rounds a float32 to the nearest bfloat16 value.
     *
     * @param x any float
     * @return {@code decode(encode(x))}
     */
    public static float round(float x) {
        return decode(encode(x));
    }
}
