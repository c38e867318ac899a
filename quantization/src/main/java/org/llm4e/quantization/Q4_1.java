package org.llm4e.quantization;

/**
 * ggml's Q4_1 block format, byte-exact to ggml's reference quantizer {@code quantize_row_q4_1_ref}.
 *
 * <pre>
 *   block of 32 (20 bytes):  d fp16 @0 | m fp16 @2 | uint8 qs[16] @4          5 bits per weight
 *   min, max of the block ;  d = f32(f32(max − min) / 15) ;  id = d ≠ 0 ? f32(1 / d) : 0
 *   q = min(15, trunc(f32(f32(f32(x − min) · id) + 0.5)))
 *   qs[j] = q[j] | q[j + 16] ≪ 4 ;  m = fp16(min)
 *   x̂ = f32(f32(q · fp16(d)) + fp16(m))
 * </pre>
 *
 * <p>The asymmetric (min + scale) sibling of {@link Q4_0}. Arithmetic as {@link Q8_0}.
 */
public final class Q4_1 {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 32;

    /** Bytes per block. */
    public static final int BYTES_PER_BLOCK = 20;

    private Q4_1() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 32
     * @return the blocks, {@code x.length / 32 · 20} bytes
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
        GgmlBlocks.checkQuantize("Q4_1", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
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
            float d = (max - min) / 15f;
            float id = d != 0f ? 1f / d : 0f;
            GgmlBlocks.putHalf(out, o, d);
            GgmlBlocks.putHalf(out, o + 2, min);
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q0 = Math.min(15, (int) ((x[xi + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((x[xi + 16 + j] - min) * id + 0.5f));
                out[o + 4 + j] = (byte) (q0 | q1 << 4);
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
        GgmlBlocks.checkDequantize("Q4_1", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            int y = outOff + b * BLOCK_SIZE;
            float d = GgmlBlocks.getHalf(blocks, o);
            float m = GgmlBlocks.getHalf(blocks, o + 2);
            for (int j = 0; j < BLOCK_SIZE / 2; j++) {
                int q = blocks[o + 4 + j] & 0xFF;
                out[y + j] = (q & 0xF) * d + m;
                out[y + 16 + j] = (q >>> 4) * d + m;
            }
        }
    }
}
