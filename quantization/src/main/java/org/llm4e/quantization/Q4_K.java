package org.llm4e.quantization;

/**
 * ggml's Q4_K "K-quant" super-block format, byte-exact to ggml's reference quantizer {@code quantize_row_q4_K_ref}
 * (including {@code make_qkx2_quants}' scale search, in ggml's float32 operation order).
 *
 * <pre>
 *   super-block of 256 (144 bytes): d fp16 @0 | dmin fp16 @2 | scales[12] @4 | qs[128] @16        4.5 bits/weight
 *   8 sub-blocks of 32, each x̂ = (d · scᵢ) · q − (dmin · mᵢ)   with q ∈ 0 … 15, scᵢ, mᵢ ∈ 0 … 63 (6 bits)
 *
 *   per sub-block: weights wᵢ = sqrt(Σx² / 32) + |xᵢ|
 *                  (scale, min) = make_qkx2_quants(nmax 15, rmin −1, rdelta 0.1, nstep 20): start from min-max,
 *                  then for 21 trial inverse scales (−1 + 0.1·k + 15) / (max − min) round every x, fit scale and
 *                  min by weighted least squares, keep the fit with the least weighted squared error
 *   super-block:   scᵢ = min(63, nearest(63 / max scale · scaleᵢ)),  mᵢ likewise;  d = fp16(max scale / 63),
 *                  dmin = fp16(max min / 63); then every x is re-rounded against the stored (d · scᵢ, dmin · mᵢ):
 *                  q = clamp(nearest((x + dmin·mᵢ) / (d·scᵢ)), 0, 15)  (a sub-block with d·scᵢ = 0 keeps its
 *                  search levels)
 *   6-bit packing: j &lt; 4: scales[j] = scⱼ, scales[j+4] = mⱼ;  j ≥ 4: scales[j+4] = scⱼ &amp; 15 | (mⱼ &amp; 15) ≪ 4,
 *                  scales[j−4] |= (scⱼ ≫ 4) ≪ 6, scales[j] |= (mⱼ ≫ 4) ≪ 6
 *   qs:            per 64 elements, 32 bytes: low nibble element l, high nibble element l + 32
 * </pre>
 *
 * <p>The main 4-bit format of {@code Q4_K_M} in the GGUF table of {@code 大模型量化认知的三重境界.md} (figure 5).
 * {@code nearest} is ggml's {@code nearest_int}, round half to even. Every float expression is evaluated as C does
 * it (left to right, an int operand converted to float where it meets a float, one rounding per operation), which
 * is what makes the scale search reproduce ggml's bytes.
 */
public final class Q4_K {
    /** Elements per super-block. */
    public static final int BLOCK_SIZE = 256;

    /** Bytes per super-block. */
    public static final int BYTES_PER_BLOCK = 144;

    private Q4_K() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 256
     * @return the blocks, {@code x.length / 256 · 144} bytes
     * @throws IllegalArgumentException if the length is not a multiple of 256
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
     * @param n the number of values, a multiple of 256
     * @return n values
     * @throws IllegalArgumentException if n is not a multiple of 256 or there are too few bytes
     */
    public static float[] dequantize(byte[] blocks, int n) {
        float[] out = new float[Math.max(n, 0)];
        dequantize(blocks, 0, n, out, 0);
        return out;
    }

    /**
     * Quantizes {@code n} values from {@code x[xOff]} into super-blocks at {@code out[outOff]}.
     *
     * @param x source
     * @param xOff first value
     * @param n number of values, a multiple of 256
     * @param out destination
     * @param outOff first byte
     * @throws IllegalArgumentException if n is not a multiple of 256 or a range falls outside its array
     */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        GgmlBlocks.checkQuantize("Q4_K", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        int[] levels = new int[BLOCK_SIZE];
        int[] aux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int xb = xOff + b * BLOCK_SIZE;
            int o = outOff + b * BYTES_PER_BLOCK;
            float maxScale = 0f;
            float maxMin = 0f;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0f;
                for (int l = 0; l < 32; l++) {
                    sumX2 += x[xb + 32 * j + l] * x[xb + 32 * j + l];
                }
                float avX = (float) Math.sqrt(sumX2 / 32f);
                for (int l = 0; l < 32; l++) {
                    weights[l] = avX + Math.abs(x[xb + 32 * j + l]);
                }
                float[] theMin = new float[1];
                scales[j] = makeQkx2Quants(32, 15, x, xb + 32 * j, weights, levels, 32 * j, theMin, aux, -1f, 0.1f, 20);
                mins[j] = theMin[0];
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            byte[] s = new byte[12];
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, GgmlBlocks.nearestInt(invScale * scales[j]) & 0xFF); // uint8_t, then MIN
                int lm = Math.min(63, GgmlBlocks.nearestInt(invMin * mins[j]) & 0xFF);
                if (j < 4) {
                    s[j] = (byte) ls;
                    s[j + 4] = (byte) lm;
                } else {
                    s[j + 4] = (byte) ((ls & 0xF) | (lm & 0xF) << 4);
                    s[j - 4] |= (byte) ((ls >> 4) << 6);
                    s[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            GgmlBlocks.putHalf(out, o, maxScale / 63f);
            GgmlBlocks.putHalf(out, o + 2, maxMin / 63f);
            System.arraycopy(s, 0, out, o + 4, 12);
            float dAll = GgmlBlocks.getHalf(out, o);
            float dminAll = GgmlBlocks.getHalf(out, o + 2);
            for (int j = 0; j < 8; j++) {
                int sc = scale(s, j);
                int m = min(s, j);
                float d = dAll * sc;
                if (d == 0f) {
                    continue;
                }
                float dm = dminAll * m;
                for (int ii = 0; ii < 32; ii++) {
                    int l = GgmlBlocks.nearestInt((x[xb + 32 * j + ii] + dm) / d);
                    levels[32 * j + ii] = Math.max(0, Math.min(15, l));
                }
            }
            for (int j = 0, q = o + 16; j < BLOCK_SIZE; j += 64, q += 32) {
                for (int l = 0; l < 32; l++) {
                    out[q + l] = (byte) (levels[j + l] | levels[j + l + 32] << 4);
                }
            }
        }
    }

    /**
     * Dequantizes {@code n} values from super-blocks at {@code blocks[inOff]} into {@code out[outOff]}.
     *
     * @param blocks source blocks
     * @param inOff first byte
     * @param n number of values, a multiple of 256
     * @param out destination
     * @param outOff first value
     * @throws IllegalArgumentException if n is not a multiple of 256 or a range falls outside its array
     */
    public static void dequantize(byte[] blocks, int inOff, int n, float[] out, int outOff) {
        GgmlBlocks.checkDequantize("Q4_K", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        byte[] s = new byte[12];
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            int y = outOff + b * BLOCK_SIZE;
            float d = GgmlBlocks.getHalf(blocks, o);
            float min = GgmlBlocks.getHalf(blocks, o + 2);
            System.arraycopy(blocks, o + 4, s, 0, 12);
            int q = o + 16;
            for (int j = 0, is = 0; j < BLOCK_SIZE; j += 64, is += 2, q += 32) {
                float d1 = d * scale(s, is);
                float m1 = min * min(s, is);
                float d2 = d * scale(s, is + 1);
                float m2 = min * min(s, is + 1);
                for (int l = 0; l < 32; l++) {
                    out[y++] = d1 * (blocks[q + l] & 0xF) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    out[y++] = d2 * ((blocks[q + l] & 0xFF) >>> 4) - m2;
                }
            }
        }
    }

    /** ggml's {@code get_scale_min_k4}, the scale half. */
    static int scale(byte[] q, int j) {
        return j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | ((q[j - 4] & 0xFF) >> 6) << 4;
    }

    /** ggml's {@code get_scale_min_k4}, the min half. */
    static int min(byte[] q, int j) {
        return j < 4 ? q[j + 4] & 63 : ((q[j + 4] & 0xFF) >> 4) | ((q[j] & 0xFF) >> 6) << 4;
    }

    /**
     * ggml's {@code make_qkx2_quants} with squared error ({@code use_mad = false}): levels into
     * {@code levels[lOff …]}, the offset (−min ≥ 0) into {@code theMin[0]}, the scale returned.
     */
    static float makeQkx2Quants(
            int n,
            int nmax,
            float[] x,
            int xOff,
            float[] weights,
            int[] levels,
            int lOff,
            float[] theMin,
            int[] aux,
            float rmin,
            float rdelta,
            int nstep) {
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[lOff + i] = 0;
            }
            theMin[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = GgmlBlocks.nearestInt(iscale * (x[xOff + i] - min));
            levels[lOff + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * levels[lOff + i] + min - x[xOff + i];
            diff = diff * diff;
            bestError += weights[i] * diff;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = GgmlBlocks.nearestInt(iscale * (x[xOff + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xOff + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xOff + i];
                    diff = diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, levels, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }
}
