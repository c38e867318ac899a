package org.llm4e.quantization;

/**
 * ggml's Q5_0 block format, byte-exact to ggml's reference quantizer {@code quantize_row_q5_0_ref}.
 *
 * <pre>
 *   block of 32 (22 bytes):  d fp16 @0 | uint32 qh @2 (little-endian) | uint8 qs[16] @6          5.5 bits per weight
 *   max = the first element with the largest |x|, with its sign ;  d = f32(max / −16) ;  id = d ≠ 0 ? 1/d : 0
 *   q = min(31, trunc(f32(f32(x · id) + 16.5)))                       (0 … 31)
 *   qs[j] = (q[j] &amp; 15) | (q[j + 16] &amp; 15) ≪ 4 ;  bit j of qh = bit 4 of q[j]   (j = 0 … 31)
 *   x̂ = f32((q − 16) · fp16(d))
 * </pre>
 *
 * <p>{@link Q4_0} with a fifth bit per weight kept in a separate 32-bit mask. An all-zero block stores d = −0.0.
 * Arithmetic as {@link Q8_0}.
 */
public final class Q5_0 {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 32;

    /** Bytes per block. */
    public static final int BYTES_PER_BLOCK = 22;

    private Q5_0() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 32
     * @return the blocks, {@code x.length / 32 · 22} bytes
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
        GgmlBlocks.checkQuantize("Q5_0", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
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
            float d = max / -16f;
            float id = d != 0f ? 1f / d : 0f;
            GgmlBlocks.putHalf(out, o, d);
            int qh = 0;
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q0 = Math.min(31, (int) (x[xi + j] * id + 16.5f));
                int q1 = Math.min(31, (int) (x[xi + 16 + j] * id + 16.5f));
                out[o + 6 + j] = (byte) ((q0 & 0xF) | (q1 & 0xF) << 4);
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            for (int k = 0; k < 4; k++) {
                out[o + 2 + k] = (byte) (qh >>> (8 * k));
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
        GgmlBlocks.checkDequantize("Q5_0", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            int y = outOff + b * BLOCK_SIZE;
            float d = GgmlBlocks.getHalf(blocks, o);
            int qh = (blocks[o + 2] & 0xFF)
                    | (blocks[o + 3] & 0xFF) << 8
                    | (blocks[o + 4] & 0xFF) << 16
                    | (blocks[o + 5] & 0xFF) << 24;
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q = blocks[o + 6 + j] & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                out[y + j] = (((q & 0xF) | h0) - 16) * d;
                out[y + 16 + j] = (((q >>> 4) | h1) - 16) * d;
            }
        }
    }
}
