package org.llm4e.quantization;

/**
 * ggml's Q5_1 block format, byte-exact to ggml's reference quantizer {@code quantize_row_q5_1_ref}.
 *
 * <pre>
 *   block of 32 (24 bytes):  d fp16 @0 | m fp16 @2 | uint32 qh @4 | uint8 qs[16] @8          6 bits per weight
 *   d = f32(f32(max − min) / 31) ;  id = d ≠ 0 ? 1/d : 0
 *   q = (uint8) trunc(f32(f32(f32(x − min) · id) + 0.5))      (no clamp, as ggml)
 *   qs, qh as {@link Q5_0} ;  m = fp16(min)
 *   x̂ = f32(f32(q · fp16(d)) + fp16(m))
 * </pre>
 *
 * <p>The asymmetric sibling of {@link Q5_0}. Arithmetic as {@link Q8_0}.
 */
public final class Q5_1 {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 32;

    /** Bytes per block. */
    public static final int BYTES_PER_BLOCK = 24;

    private Q5_1() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 32
     * @return the blocks, {@code x.length / 32 · 24} bytes
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
        GgmlBlocks.checkQuantize("Q5_1", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int xi = xOff + b * BLOCK_SIZE;
            int o = outOff + b * BYTES_PER_BLOCK;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float v = x[xi + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 31f;
            float id = d != 0f ? 1f / d : 0f;
            GgmlBlocks.putHalf(out, o, d);
            GgmlBlocks.putHalf(out, o + 2, min);
            int qh = 0;
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q0 = ((int) ((x[xi + j] - min) * id + 0.5f)) & 0xFF;
                int q1 = ((int) ((x[xi + 16 + j] - min) * id + 0.5f)) & 0xFF;
                out[o + 8 + j] = (byte) ((q0 & 0xF) | (q1 & 0xF) << 4);
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            for (int k = 0; k < 4; k++) {
                out[o + 4 + k] = (byte) (qh >>> (8 * k));
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
        GgmlBlocks.checkDequantize("Q5_1", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            int y = outOff + b * BLOCK_SIZE;
            float d = GgmlBlocks.getHalf(blocks, o);
            float m = GgmlBlocks.getHalf(blocks, o + 2);
            int qh = (blocks[o + 4] & 0xFF)
                    | (blocks[o + 5] & 0xFF) << 8
                    | (blocks[o + 6] & 0xFF) << 16
                    | (blocks[o + 7] & 0xFF) << 24;
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q = blocks[o + 8 + j] & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                out[y + j] = ((q & 0xF) | h0) * d + m;
                out[y + 16 + j] = ((q >>> 4) | h1) * d + m;
            }
        }
    }
}
