package org.llm4e.quantization;

/**
 * ggml's Q8_K block format, the activation side of the K-quant dot products ({@link GgmlDot#dotQ4_KQ8_K}), byte-exact
 * to ggml's {@code quantize_row_q8_K_ref}.
 *
 * <pre>
 *   block of 256 (292 bytes):  d float32 @0 | int8 qs[256] @4 | int16 bsums[16] @260
 *   max = the value of largest magnitude (first one on ties);  iscale = f32(−127 / max)
 *   q = min(127, nearest_int(f32(iscale · x)))     (nearest_int: half to even)
 *   bsums[k] = Σ q over elements 16k … 16k+15       (lets the K-quant dots apply the mins once per 16 elements)
 *   d = f32(1 / iscale)                              (an all-zero block stores d = 0, zero codes and zero sums)
 * </pre>
 *
 * <p>ggml uses −127 rather than −128 "for IQ2_XXS" (its comment), so codes stay in [−127, 127]. Unlike the weight
 * formats the scale is a float32, not an fp16: Q8_K is never stored in files, only made on the fly from activations.
 * Layout from {@code ggml-common.h}; where ggml leaves {@code bsums} uninitialised for an all-zero block, this class
 * writes zeros.
 */
public final class Q8_K {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 256;

    /** Bytes per block. */
    public static final int BYTES_PER_BLOCK = 292;

    private Q8_K() {}

    /**
     * Quantizes activations.
     *
     * @param x the values; the length must be a multiple of 256
     * @return the blocks, {@code x.length / 256 · 292} bytes
     * @throws IllegalArgumentException if the length is not a multiple of 256
     */
    public static byte[] quantize(float[] x) {
        GgmlBlocks.checkQuantize("Q8_K", x, 0, x.length, BLOCK_SIZE, new byte[0], 0, 0);
        byte[] out = new byte[x.length / BLOCK_SIZE * BYTES_PER_BLOCK];
        quantize(x, 0, x.length, out, 0);
        return out;
    }

    /**
     * Quantizes {@code n} activations from {@code x[xOff]} into blocks at {@code out[outOff]}, without allocating
     * (the form a matrix-vector product that reuses its buffers calls).
     *
     * @param x source
     * @param xOff first value
     * @param n number of values, a multiple of 256
     * @param out destination
     * @param outOff first byte
     * @throws IllegalArgumentException if n is not a multiple of 256 or a range falls outside its array
     */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        GgmlBlocks.checkQuantize("Q8_K", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int xo = xOff + b * BLOCK_SIZE;
            int o = outOff + b * BYTES_PER_BLOCK;
            float max = 0f;
            float amax = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float ax = Math.abs(x[xo + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xo + j];
                }
            }
            if (amax == 0f) {
                // d = 0, codes 0, sums 0 (written: the destination may be a reused buffer)
                java.util.Arrays.fill(out, o, o + BYTES_PER_BLOCK, (byte) 0);
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                out[o + 4 + j] = (byte) Math.min(127, GgmlBlocks.nearestInt(iscale * x[xo + j]));
            }
            for (int k = 0; k < 16; k++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    sum += out[o + 4 + 16 * k + i];
                }
                out[o + 260 + 2 * k] = (byte) sum;
                out[o + 261 + 2 * k] = (byte) (sum >> 8);
            }
            int d = Float.floatToRawIntBits(1f / iscale);
            for (int k = 0; k < 4; k++) {
                out[o + k] = (byte) (d >>> (8 * k));
            }
        }
    }

    /**
     * Dequantizes blocks: x̂ = d · q.
     *
     * @param blocks Q8_K blocks
     * @param n number of values, a multiple of 256
     * @return n floats
     * @throws IllegalArgumentException if n is not a multiple of 256 or the blocks are too short
     */
    public static float[] dequantize(byte[] blocks, int n) {
        float[] out = new float[n];
        GgmlBlocks.checkDequantize("Q8_K", blocks, 0, n, BLOCK_SIZE, out, 0, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            float d = scale(blocks, b * BYTES_PER_BLOCK);
            for (int j = 0; j < BLOCK_SIZE; j++) {
                out[b * BLOCK_SIZE + j] = d * blocks[b * BYTES_PER_BLOCK + 4 + j];
            }
        }
        return out;
    }

    /** The float32 scale of the block at {@code o}. */
    static float scale(byte[] b, int o) {
        return Float.intBitsToFloat(
                (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24);
    }

    /** bsums[k] of the block at {@code o}. */
    static int bsum(byte[] b, int o, int k) {
        return (short) ((b[o + 260 + 2 * k] & 0xFF) | (b[o + 261 + 2 * k] & 0xFF) << 8);
    }
}
