package org.llm4e.quantization;

/**
 * Dot products computed directly on ggml blocks, the scalar reference of ggml's generic CPU kernels
 * {@code ggml_vec_dot_q8_0_q8_0} and {@code ggml_vec_dot_q4_0_q8_0} (and {@code ggml_vec_dot_q4_K_q8_K}, see
 * {@link #dotQ4_KQ8_K}): the weights stay quantized, the activations are
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

    /**
     * Dot product of Q4_K weights with Q8_K activations ({@link Q8_K#quantize}), ggml's generic
     * {@code ggml_vec_dot_q4_K_q8_K} in its float32 order.
     *
     * <pre>
     *   per block:  aux32[l] += scale_j · Σ (q4 · q8) over the 8-element chunks of sub-block j, l = index mod 8  (exact)
     *               sumi = Σ_k bsums[k] · min_(k/2)                                                   (exact)
     *               d = f32(fp16(d) · d8);  sums[l] = f32(sums[l] + f32(d · aux32[l]))
     *               dmin = f32(fp16(dmin) · d8);  sumf = f32(sumf − f32(dmin · sumi))
     *   result:     sumf + sums[0] + … + sums[7]   (left to right)
     * </pre>
     *
     * <p>The mins never meet a weight: since x̂ = d·scale·q − dmin·min, their part of the dot product is
     * dmin · min · Σ q8 over the sub-block, which Q8_K's 16-element {@code bsums} give without a pass over the codes.
     *
     * @param x Q4_K blocks
     * @param xOff first byte of x
     * @param y Q8_K blocks
     * @param yOff first byte of y
     * @param n number of elements, a multiple of 256
     * @return the float32 dot product
     * @throws IllegalArgumentException if n is not a multiple of 256 or a range falls outside its array
     */
    public static float dotQ4_KQ8_K(byte[] x, int xOff, byte[] y, int yOff, int n) {
        if (n < 0 || n % 256 != 0) {
            throw new IllegalArgumentException("n must be a non-negative multiple of 256, got " + n);
        }
        long xBytes = (long) n / 256 * Q4_K.BYTES_PER_BLOCK;
        long yBytes = (long) n / 256 * Q8_K.BYTES_PER_BLOCK;
        if (xOff < 0 || xOff + xBytes > x.length) {
            throw new IllegalArgumentException(
                    "x needs " + xBytes + " bytes from offset " + xOff + ", has " + x.length);
        }
        if (yOff < 0 || yOff + yBytes > y.length) {
            throw new IllegalArgumentException(
                    "y needs " + yBytes + " bytes from offset " + yOff + ", has " + y.length);
        }
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        byte[] s = new byte[12];
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            int xb = xOff + b * Q4_K.BYTES_PER_BLOCK;
            int yb = yOff + b * Q8_K.BYTES_PER_BLOCK;
            System.arraycopy(x, xb + 4, s, 0, 12);
            java.util.Arrays.fill(aux32, 0);
            for (int j = 0; j < 8; j++) {
                int scale = Q4_K.scale(s, j);
                // Sub-block j: low nibbles of bytes 32·(j/2) … for even j, high nibbles for odd j.
                int q4 = xb + 16 + 32 * (j / 2);
                int shift = (j & 1) * 4;
                int q8 = yb + 4 + 32 * j;
                for (int c = 0; c < 32; c += 8) {
                    for (int l = 0; l < 8; l++) {
                        int a = ((x[q4 + c + l] & 0xFF) >>> shift) & 0xF;
                        aux32[l] += scale * (y[q8 + c + l] * a);
                    }
                }
            }
            int sumi = 0;
            for (int k = 0; k < 16; k++) {
                sumi += Q8_K.bsum(y, yb, k) * Q4_K.min(s, k / 2);
            }
            float d8 = Q8_K.scale(y, yb);
            float d = GgmlBlocks.getHalf(x, xb) * d8;
            for (int l = 0; l < 8; l++) {
                sums[l] += d * aux32[l];
            }
            float dmin = GgmlBlocks.getHalf(x, xb + 2) * d8;
            sumf -= dmin * sumi;
        }
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
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
