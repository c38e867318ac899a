package org.llm4e.quantization;

/**
 * Dot products computed directly on ggml blocks, the scalar reference of ggml's generic CPU kernels
 * {@code ggml_vec_dot_q8_0_q8_0} and {@code ggml_vec_dot_q4_0_q8_0}: the weights stay quantized, the activations are
 * quantized to {@link Q8_0} ({@link #quantizeActivations(float[])}), and each block contributes one integer dot
 * product times its two scales.
 *
 * <pre>
 *   Q8_0 · Q8_0:  sumf = 0;  per block b:  sumf = f32(sumf + f32((float) Σ xq·yq · f32(dx · dy)))
 *   Q4_0 · Q8_0:  sumf = 0;  per block b:  sumf = f32(sumf + f32(f32((float) Σ (q4 − 8)·yq · dx) · dy))
 *   dx, dy: the blocks' fp16 scales as floats;  Σ: exact int32 over the 32 elements
 * </pre>
 *
 * <p>Integer products are exact, so the result depends only on the per-block float operations, in ggml's order
 * (note the different grouping of the two kernels). This is why a quantized matrix-vector product reads 4.5 or 8.5
 * bits per weight instead of 32: the memory traffic, not the arithmetic, bounds a matrix-vector product. Matches
 * the {@code vec_dot} results of {@code golden/quantization_ggml.json} exactly.
 */
public final class GgmlDot {
    private GgmlDot() {}

    /**
     * Quantizes activations to Q8_0 as ggml's generic path does ({@code quantize_row_q8_0_ref}).
     *
     * @param y the activations, a multiple of 32
     * @return Q8_0 blocks
     * @throws IllegalArgumentException if the length is not a multiple of 32
     */
    public static byte[] quantizeActivations(float[] y) {
        return Q8_0.quantize(y);
    }

    /**
     * Dot product of two Q8_0 block runs.
     *
     * @param x Q8_0 blocks
     * @param xOff first byte of x
     * @param y Q8_0 blocks
     * @param yOff first byte of y
     * @param n number of elements, a multiple of 32
     * @return the float32 sum, in ggml's order
     * @throws IllegalArgumentException if n is not a multiple of 32 or a range falls outside its array
     */
    public static float dotQ8_0(byte[] x, int xOff, byte[] y, int yOff, int n) {
        check(x, xOff, Q8_0.BYTES_PER_BLOCK, y, yOff, n);
        float sumf = 0f;
        for (int b = 0; b < n / 32; b++) {
            int xb = xOff + b * Q8_0.BYTES_PER_BLOCK;
            int yb = yOff + b * Q8_0.BYTES_PER_BLOCK;
            int sumi = 0;
            for (int j = 0; j < 32; j++) {
                sumi += x[xb + 2 + j] * y[yb + 2 + j];
            }
            float dx = GgmlBlocks.getHalf(x, xb);
            float dy = GgmlBlocks.getHalf(y, yb);
            sumf += sumi * (dx * dy);
        }
        return sumf;
    }

    /**
     * Dot product of Q4_0 weights with Q8_0 activations.
     *
     * @param x Q4_0 blocks
     * @param xOff first byte of x
     * @param y Q8_0 blocks
     * @param yOff first byte of y
     * @param n number of elements, a multiple of 32
     * @return the float32 sum, in ggml's order
     * @throws IllegalArgumentException if n is not a multiple of 32 or a range falls outside its array
     */
    public static float dotQ4_0Q8_0(byte[] x, int xOff, byte[] y, int yOff, int n) {
        check(x, xOff, Q4_0.BYTES_PER_BLOCK, y, yOff, n);
        float sumf = 0f;
        for (int b = 0; b < n / 32; b++) {
            int xb = xOff + b * Q4_0.BYTES_PER_BLOCK;
            int yb = yOff + b * Q8_0.BYTES_PER_BLOCK;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = x[xb + 2 + j] & 0xFF;
                sumi += ((q & 0xF) - 8) * y[yb + 2 + j];
                sumi += ((q >>> 4) - 8) * y[yb + 2 + 16 + j];
            }
            float dx = GgmlBlocks.getHalf(x, xb);
            float dy = GgmlBlocks.getHalf(y, yb);
            sumf += (sumi * dx) * dy;
        }
        return sumf;
    }

    private static void check(byte[] x, int xOff, int xBlockBytes, byte[] y, int yOff, int n) {
        if (n < 0 || n % 32 != 0) {
            throw new IllegalArgumentException("n must be a non-negative multiple of 32, got " + n);
        }
        long xBytes = (long) n / 32 * xBlockBytes;
        long yBytes = (long) n / 32 * Q8_0.BYTES_PER_BLOCK;
        if (xOff < 0 || xOff + xBytes > x.length) {
            throw new IllegalArgumentException(
                    "x needs " + xBytes + " bytes from offset " + xOff + ", has " + x.length);
        }
        if (yOff < 0 || yOff + yBytes > y.length) {
            throw new IllegalArgumentException(
                    "y needs " + yBytes + " bytes from offset " + yOff + ", has " + y.length);
        }
    }
}
