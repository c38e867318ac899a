package org.llm4e.quantization;

/**
 * ggml's Q8_0 block format, byte-exact to ggml's reference quantizer {@code quantize_row_q8_0_ref}.
 *
 * <pre>
 *   block of 32 (34 bytes):  d fp16 @0 | int8 qs[32] @2          8.5 bits per weight
 *   amax = max|x| ;  d = f32(amax / 127) ;  id = d ≠ 0 ? f32(1 / d) : 0
 *   q = roundf(f32(x · id))     (C roundf: half away from zero)
 *   x̂ = f32(q · fp16(d))        (quantization uses the float32 d, dequantization the stored fp16 one)
 * </pre>
 *
 * <p>The "8-bit" row of the GGUF table in {@code 大模型量化认知的三重境界.md} (figure 5: Q8_0, "lossless", largest).
 * Layout from ggml's {@code ggml-common.h}; the arithmetic is ggml's, one float32 rounding per operation in C order
 * (no fused multiply-add), so the bytes equal those {@code llama-quantize} writes without an importance matrix. An
 * all-zero block stores d = 0 and codes 0. NaN input is not meaningful in ggml and is not checked.
 */
public final class Q8_0 {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 32;

    /** Bytes per block. */
    public static final int BYTES_PER_BLOCK = 34;

    private Q8_0() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 32
     * @return the blocks, {@code x.length / 32 · 34} bytes
     * @throws IllegalArgumentException if the length is not a multiple of 32
     */
    public static byte[] quantize(float[] x) {
        byte[] out = new byte[x.length / BLOCK_SIZE * BYTES_PER_BLOCK];
        quantize(x, 0, x.length, out, 0);
        return out;
    }

    /**
     * Quantizes {@code n} values from {@code x[xOff]} into blocks at {@code out[outOff]}.
     *
     * @param x source
     * @param xOff first value
     * @param n number of values, a multiple of 32
     * @param out destination
     * @param outOff first byte
     * @throws IllegalArgumentException if n is not a multiple of 32 or a range falls outside its array
     */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        GgmlBlocks.checkQuantize("Q8_0", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int xi = xOff + b * BLOCK_SIZE;
            int o = outOff + b * BYTES_PER_BLOCK;
            float amax = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float a = Math.abs(x[xi + j]);
                amax = amax > a ? amax : a; // ggml's MAX(a, b)
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            GgmlBlocks.putHalf(out, o, d);
            for (int j = 0; j < BLOCK_SIZE; j++) {
                out[o + 2 + j] = (byte) Rounding.halfAway(x[xi + j] * id);
            }
        }
    }

    /**
     * Dequantizes a whole array.
     *
     * @param blocks the blocks
     * @param n the number of values, a multiple of 32
     * @return n values
     * @throws IllegalArgumentException if n is not a multiple of 32 or there are too few bytes
     */
    public static float[] dequantize(byte[] blocks, int n) {
        float[] out = new float[Math.max(n, 0)];
        dequantize(blocks, 0, n, out, 0);
        return out;
    }

    /**
     * Dequantizes {@code n} values from blocks at {@code blocks[inOff]} into {@code out[outOff]}.
     *
     * @param blocks source blocks
     * @param inOff first byte
     * @param n number of values, a multiple of 32
     * @param out destination
     * @param outOff first value
     * @throws IllegalArgumentException if n is not a multiple of 32 or a range falls outside its array
     */
    public static void dequantize(byte[] blocks, int inOff, int n, float[] out, int outOff) {
        GgmlBlocks.checkDequantize("Q8_0", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            float d = GgmlBlocks.getHalf(blocks, o);
            for (int j = 0; j < BLOCK_SIZE; j++) {
                out[outOff + b * BLOCK_SIZE + j] = blocks[o + 2 + j] * d;
            }
        }
    }
}
