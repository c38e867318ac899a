package org.llm4e.attention;

import org.llm4e.positional.AttentionBias;

/**
 * One tile of scores for the tiled kernels: {@code S = scale · Q[r0 : r0+rows] K[c0 : c0+cols]ᵀ + bias}, with
 * {@code −∞} where the mask disallows, written row-major with row stride {@code cols}.
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
     * {@code acc[r] += Σ_c p[r][c] · V[c0 + c]} for the tile's rows; the inner loop is an axpy, which the JIT
     * vectorises, and it allocates nothing.
     */
    static void accumulatePv(
            ScaledDotProductAttention.Dims d, float[] p, int rows, int cols, float[] va, int vOff, float[] acc) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float w = p[r * cols + c];
                if (w != 0f) {
                    int vj = vOff + c * d.valueDim;
                    int ar = r * d.valueDim;
                    for (int x = 0; x < d.valueDim; x++) {
                        acc[ar + x] += w * va[vj + x];
                    }
                }
            }
        }
    }

    static void compute(
            ScaledDotProductAttention.Dims d,
            float[] qa,
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
        int bh = b * d.heads + h;
        float scale = (float) d.scale;
        int qOff = (bh * d.qSeq + r0) * d.headDim;
        int kOff = d.kOffset(b, kvh) + c0 * d.headDim;
        // Plain loops on purpose: they allocate nothing, so a whole pass allocates O(T) bytes however many tiles it
        // visits. (core's sgemm packs panels into fresh arrays on every call, and its dot allocates a few dozen bytes
        // per call, either of which would make the allocation grow with the number of tiles, i.e. with T².)
        for (int r = 0; r < rows; r++) {
            int qi = qOff + r * d.headDim;
            for (int c = 0; c < cols; c++) {
                int kj = kOff + c * d.headDim;
                float acc = 0f;
                for (int x = 0; x < d.headDim; x++) {
                    acc += qa[qi + x] * ka[kj + x];
                }
                s[r * cols + c] = scale * acc;
            }
        }
        if (!needsElementwise(d, mask, bias, r0, c0, cols)) {
            return;
        }
        int shift = d.kvSeq - d.qSeq;
        for (int r = 0; r < rows; r++) {
            int i = r0 + r;
            for (int c = 0; c < cols; c++) {
                int j = c0 + c;
                if (!mask.allowed(b, i, j, d.qSeq, d.kvSeq)) {
                    s[r * cols + c] = Float.NEGATIVE_INFINITY;
                } else if (bias != null) {
                    s[r * cols + c] += bias.bias(h, i + shift, j);
                }
            }
        }
    }
}
