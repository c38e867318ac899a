package org.llm4e.quantization;

/**
 * ggml's Q6_K super-block format, byte-exact to ggml's reference quantizer {@code quantize_row_q6_K_ref}
 * (including {@code make_qx_quants}' scale search).
 *
 * <pre>
 *   super-block of 256 (210 bytes): ql[128] @0 | qh[64] @128 | int8 scales[16] @192 | d fp16 @208    6.5625 bits/weight
 *   16 sub-blocks of 16:  x̂ = (d · scᵢ) · (q − 32),  q ∈ 0 … 63,  scᵢ ∈ −128 … 127
 *   per sub-block: scaleᵢ = make_qx_quants(nmax 32, weights x²): inverse scale −32 / max (max = the first element
 *                  of largest |x|, signed), then 18 trials −(32 + 0.1·k) / max, k = −9 … 9, k ≠ 0, each scored by
 *                  the weighted least-squares fit (Σwxl)² / Σwl²
 *   super-block:   max scale = the first scaleᵢ of largest |scaleᵢ|; below 1e−15 the block is all zero bytes;
 *                  iscale = −128 / max scale, d = fp16(1 / iscale), scᵢ = min(127, nearest(iscale · scaleᵢ)),
 *                  q = clamp(nearest(x / (d · scᵢ)), −32, 31) + 32 (a sub-block with d · scᵢ = 0 keeps its search
 *                  levels)
 *   packing:       per 128 elements (ql from 64h, qh from 32h), l = 0 … 31:
 *                  ql[l] = q[l] &amp; 15 | (q[l+64] &amp; 15) ≪ 4,  ql[l+32] = q[l+32] &amp; 15 | (q[l+96] &amp; 15) ≪ 4,
 *                  qh[l] = q[l] ≫ 4 | (q[l+32] ≫ 4) ≪ 2 | (q[l+64] ≫ 4) ≪ 4 | (q[l+96] ≫ 4) ≪ 6
 * </pre>
 *
 * <p>The 6-bit row of the GGUF table in {@code 大模型量化认知的三重境界.md} (figure 5: "close to FP16 precision").
 * {@code nearest} is ggml's {@code nearest_int} (round half to even); float expressions in C order as {@link Q4_K}.
 * When d underflows to (−)0 in fp16 the whole block dequantizes to zeros, as in ggml.
 */
public final class Q6_K {
    /** Elements per super-block. */
    public static final int BLOCK_SIZE = 256;

    /** Bytes per super-block. */
    public static final int BYTES_PER_BLOCK = 210;

    private static final float GROUP_MAX_EPS = 1e-15f;

    private Q6_K() {}

    /**
     * Quantizes a whole array.
     *
     * @param x the values; the length must be a multiple of 256
     * @return the blocks, {@code x.length / 256 · 210} bytes
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
        GgmlBlocks.checkQuantize("Q6_K", x, xOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        int[] levels = new int[BLOCK_SIZE];
        float[] scales = new float[16];
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int xb = xOff + b * BLOCK_SIZE;
            int o = outOff + b * BYTES_PER_BLOCK;
            float maxScale = 0f;
            float maxAbsScale = 0f;
            for (int ib = 0; ib < 16; ib++) {
                float scale = makeQxQuants(16, 32, x, xb + 16 * ib, levels, 16 * ib);
                scales[ib] = scale;
                float abs = Math.abs(scale);
                if (abs > maxAbsScale) {
                    maxAbsScale = abs;
                    maxScale = scale;
                }
            }
            java.util.Arrays.fill(out, o, o + BYTES_PER_BLOCK, (byte) 0);
            if (maxAbsScale < GROUP_MAX_EPS) {
                GgmlBlocks.putHalf(out, o + 208, 0f);
                continue;
            }
            float iscale = -128f / maxScale;
            GgmlBlocks.putHalf(out, o + 208, 1 / iscale);
            for (int ib = 0; ib < 16; ib++) {
                out[o + 192 + ib] = (byte) Math.min(127, GgmlBlocks.nearestInt(iscale * scales[ib]));
            }
            float dAll = GgmlBlocks.getHalf(out, o + 208);
            for (int j = 0; j < 16; j++) {
                float d = dAll * out[o + 192 + j];
                if (d == 0f) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = GgmlBlocks.nearestInt(x[xb + 16 * j + ii] / d);
                    levels[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
                }
            }
            for (int j = 0, ql = o, qh = o + 128; j < BLOCK_SIZE; j += 128, ql += 64, qh += 32) {
                for (int l = 0; l < 32; l++) {
                    int q1 = levels[j + l] & 0xF;
                    int q2 = levels[j + l + 32] & 0xF;
                    int q3 = levels[j + l + 64] & 0xF;
                    int q4 = levels[j + l + 96] & 0xF;
                    out[ql + l] = (byte) (q1 | q3 << 4);
                    out[ql + l + 32] = (byte) (q2 | q4 << 4);
                    out[qh + l] = (byte) ((levels[j + l] >> 4)
                            | (levels[j + l + 32] >> 4) << 2
                            | (levels[j + l + 64] >> 4) << 4
                            | (levels[j + l + 96] >> 4) << 6);
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
        GgmlBlocks.checkDequantize("Q6_K", blocks, inOff, n, BLOCK_SIZE, out, outOff, BYTES_PER_BLOCK);
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = inOff + b * BYTES_PER_BLOCK;
            int y = outOff + b * BLOCK_SIZE;
            float d = GgmlBlocks.getHalf(blocks, o + 208);
            for (int half = 0; half < 2; half++) {
                int ql = o + 64 * half;
                int qh = o + 128 + 32 * half;
                int sc = o + 192 + 8 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = blocks[qh + l] & 0xFF;
                    int a = blocks[ql + l] & 0xFF;
                    int c = blocks[ql + l + 32] & 0xFF;
                    int q1 = ((a & 0xF) | ((h >> 0) & 3) << 4) - 32;
                    int q2 = ((c & 0xF) | ((h >> 2) & 3) << 4) - 32;
                    int q3 = ((a >> 4) | ((h >> 4) & 3) << 4) - 32;
                    int q4 = ((c >> 4) | ((h >> 6) & 3) << 4) - 32;
                    out[y + 128 * half + l] = d * blocks[sc + is] * q1;
                    out[y + 128 * half + l + 32] = d * blocks[sc + is + 2] * q2;
                    out[y + 128 * half + l + 64] = d * blocks[sc + is + 4] * q3;
                    out[y + 128 * half + l + 96] = d * blocks[sc + is + 6] * q4;
                }
            }
        }
    }

    /**
     * ggml's {@code make_qx_quants(n, nmax, x, L, rmse_type = 1, qw = NULL)}: weights x², levels (offset by nmax)
     * into {@code levels[lOff …]}, the signed scale returned.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, int[] levels, int lOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[lOff + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = GgmlBlocks.nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            levels[lOff + i] = l + nmax;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = GgmlBlocks.nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = GgmlBlocks.nearestInt(iscale * x[xOff + i]);
                    levels[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }
}
