package org.llm4e.quantization;

/**
 * ggml's Q4_0 block format, byte-exact to ggml's reference quantizer {@code quantize_row_q4_0_ref}.
 *
 * <pre>
 *   block of 32 (18 bytes):  d fp16 @0 | uint8 qs[16] @2          4.5 bits per weight
 *   max = the first element with the largest |x| (strict scan), with its sign
 *   d = f32(max / −8) ;  id = d ≠ 0 ? f32(1 / d) : 0
 *   q = min(15, trunc(f32(f32(x · id) + 8.5)))                     (0 … 15, truncation toward zero)
 *   qs[j] = q[j] | q[j + 16] ≪ 4     (low nibble: element j, high nibble: element j + 16)
 *   x̂ = f32((q − 8) · fp16(d))
 * </pre>
 *
 * <p>Dividing by −8 maps the element of largest magnitude exactly onto level 0 (−8·d = max), so the 4-bit grid
 * uses its one extra negative level on the side of the largest value. An all-zero block stores d = −0.0
 * (bytes {@code 00 80}) and q = 8. Arithmetic in float32, one rounding per operation in C order (see
 * {@link Q8_0}); matches ggml's bytes and {@code dequantize_row_q4_0} bit for bit.
 */
public final class Q4_0 {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 32;

    /** Bytes per block. */
    public static final int BYTES_PER_BLOCK = 18;

    private Q4_0() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 32
     * @return the blocks, {@code x.length / 32 · 18} bytes
     * @throws IllegalArgumentException if the length is not a multiple of 32
     */
    public static byte[] quantize(float[] x) {
        byte[] out = new byte[x.length / BLOCK_SIZE * BYTES_PER_BLOCK];
        quantize(x, 0, x.length, out, 0);
        return out;
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
        GgmlBlocks.checkQuantize("Q4_0", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int xi = xOff + b * BLOCK_SIZE;
            int o = outOff + b * BYTES_PER_BLOCK;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float v = x[xi + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            GgmlBlocks.putHalf(out, o, d);
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q0 = Math.min(15, (int) (x[xi + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (x[xi + 16 + j] * id + 8.5f));
                out[o + 2 + j] = (byte) (q0 | q1 << 4);
            }
        }
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
        GgmlBlocks.checkDequantize("Q4_0", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            int y = outOff + b * BLOCK_SIZE;
            float d = GgmlBlocks.getHalf(blocks, o);
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q = blocks[o + 2 + j] & 0xFF;
                out[y + j] = ((q & 0xF) - 8) * d;
                out[y + 16 + j] = ((q >>> 4) - 8) * d;
            }
        }
    }
}
