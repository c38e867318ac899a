package org.llm4e.attention;

import org.llm4e.attention.internal.TileKernels;
import org.llm4e.positional.AttentionBias;

/**
 * One tile of scores for the tiled kernels: {@code S = scale · Q[r0 : r0+rows] K[c0 : c0+cols]ᵀ + bias}, with
 * {@code −∞} where the mask disallows, written row-major ({@code rows × cols}) or transposed ({@code cols × rows});
 * the products run on {@link TileKernels}.
 */
final class ScoreBlock {
    private ScoreBlock() {}

    /**
     * Whether a tile needs element-wise masking: always with key padding or a bias; under a causal mask only when the
     * tile crosses the diagonal (its last key lies beyond what its first query row may see).
     */
    static boolean needsElementwise(
            ScaledDotProductAttention.Dims d, AttentionMask mask, AttentionBias bias, int r0, int c0, int cols) {
        return mask.hasKeyPadding() || bias != null || c0 + cols > mask.keyLimit(r0, d.qSeq, d.kvSeq);
    }

    /** The maximum of {@code s[off .. off+n)} ({@code −∞} when empty), allocation-free. */
    static float max(float[] s, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) {
            m = Math.max(m, s[i]);
        }
        return m;
    }

    /** {@code s[i] ← exp(s[i] − shift)} over the slice, returning the sum; allocation-free. */
    static float expAndSum(float[] s, int off, int n, float shift) {
        float sum = 0f;
        for (int i = off; i < off + n; i++) {
            float e = (float) Math.exp(s[i] - shift);
            s[i] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * Packs a tile transposed: {@code dst[x·rows + r] = src[off + r·ld + x]} for {@code rows × width} elements, so that
     * the tile kernels read Kᵀ, Vᵀ, Qᵀ or dOᵀ row by row (unit stride, as their B operand needs). Callers pack each
     * tile once and reuse it for a whole row or column of tiles, so this O(tile) copy is amortised over
     * O(tile · blocks) multiply-adds.
     */
    static void transpose(float[] src, int off, int ld, int rows, int width, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int from = off + r * ld;
            for (int x = 0; x < width; x++) {
                dst[x * rows + r] = src[from + x];
            }
        }
    }

    /**
     * The row-major tile {@code s[r·cols + c]}; {@code kT} is the key tile packed transposed
     * ({@code headDim × cols}, see {@link #transpose}).
     */
    static void compute(
            ScaledDotProductAttention.Dims d,
            TileKernels kernels,
            float[] qa,
            float[] kT,
            AttentionMask mask,
            AttentionBias bias,
            int b,
            int h,
            int r0,
            int rows,
            int c0,
            int cols,
            float[] s) {
        int qOff = ((b * d.heads + h) * d.qSeq + r0) * d.headDim;
        // S = scale · Q_i (K_jᵀ): allocation-free tile kernel (core's sgemm would pack panels of its own per call).
        kernels.gemm(false, rows, cols, d.headDim, (float) d.scale, qa, qOff, d.headDim, kT, 0, cols, 0f, s, 0, cols);
        applyMaskAndBias(d, mask, bias, b, h, r0, rows, c0, cols, s, false);
    }

    /**
     * The transposed tile {@code s[c·rows + r]} (one row per key, one column per query); {@code qT} is the query tile
     * packed transposed ({@code headDim × rows}, see {@link #transpose}).
     */
    static void computeTransposed(
            ScaledDotProductAttention.Dims d,
            TileKernels kernels,
            float[] qT,
            float[] ka,
            AttentionMask mask,
            AttentionBias bias,
            int b,
            int h,
            int kvh,
            int r0,
            int rows,
            int c0,
            int cols,
            float[] s) {
        int kOff = d.kOffset(b, kvh) + c0 * d.headDim;
        // Sᵀ = scale · K_j (Q_iᵀ)
        kernels.gemm(false, cols, rows, d.headDim, (float) d.scale, ka, kOff, d.headDim, qT, 0, rows, 0f, s, 0, rows);
        applyMaskAndBias(d, mask, bias, b, h, r0, rows, c0, cols, s, true);
    }

    /** {@code −∞} where the mask disallows, {@code + bias} elsewhere, for a tile in either layout. */
    private static void applyMaskAndBias(
            ScaledDotProductAttention.Dims d,
            AttentionMask mask,
            AttentionBias bias,
            int b,
            int h,
            int r0,
            int rows,
            int c0,
            int cols,
            float[] s,
            boolean transposed) {
        if (!needsElementwise(d, mask, bias, r0, c0, cols)) {
            return;
        }
        int shift = d.kvSeq - d.qSeq;
        for (int r = 0; r < rows; r++) {
            int i = r0 + r;
            for (int c = 0; c < cols; c++) {
                int j = c0 + c;
                int at = transposed ? c * rows + r : r * cols + c;
                if (!mask.allowed(b, i, j, d.qSeq, d.kvSeq)) {
                    s[at] = Float.NEGATIVE_INFINITY;
                } else if (bias != null) {
                    s[at] += bias.bias(h, i + shift, j);
                }
            }
        }
    }
}
