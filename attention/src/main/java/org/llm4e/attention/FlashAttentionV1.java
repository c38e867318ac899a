package org.llm4e.attention;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import org.llm4e.attention.internal.TileKernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * FlashAttention (v1)'s forward pass: the key/value blocks form the outer loop, the query blocks the inner loop; each
 * step rescales the partial output of the rows it touches so that it is always correctly normalised.
 *
 * <pre>
 *   O = 0, ℓ = 0, m = −∞ for every row
 *   for each key/value block K_j, V_j:                       ("copy block to SRAM")
 *     for each query block Q_i:
 *       S = scale · Q_i K_jᵀ (+ bias, −∞ where masked)
 *       m_new = max(m_i, rowmax S),  P̃ = exp(S − m_new)
 *       ℓ_new = e^{m_i − m_new} ℓ_i + rowsum P̃
 *       O_i = diag(ℓ_new)⁻¹ (diag(ℓ_i e^{m_i − m_new}) O_i + P̃ V_j)     (divides at every step)
 *       m_i, ℓ_i = m_new, ℓ_new
 *   L = m + log ℓ
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md and FlashAttentionv2相比于v1有哪些更新？.md (attention catalog
 * §5–7, FA2 img 0 and img 2): with two key blocks the update is the article's {@code O^(2) = (ℓ^(1)/ℓ^(2)) O^(1) +
 * A^(2)/ℓ^(2) · V^(2)}, "rescaling to correct denominator". The article omits the maximum for clarity; it is kept
 * here, as in the paper (Dao et al., 2022). X = QKᵀ and A = softmax(X) are never materialised: per (batch, head) the
 * state is O (the output itself), m and ℓ — O(T·d) — plus one score tile.
 *
 * <p>Parallel over (batch, head) pairs, as v1 is (the article: v1 parallelises over batch and heads and walks the
 * sequence serially). Compared with {@link FlashAttentionV2}, v1 performs one division per row per visited key block
 * and writes the partial output back after every step. Causal block skipping, masks and biases as in v2.
 */
public final class FlashAttentionV1 {
    private FlashAttentionV1() {}

    static FlashAttention.Result forward(
            ScaledDotProductAttention.Dims d,
            float[] qa,
            float[] ka,
            float[] va,
            AttentionMask mask,
            AttentionBias bias,
            int blockQ,
            int blockK,
            TileKernels kernels) {
        Tensor out = Tensor.zeros(d.batch, d.heads, d.qSeq, d.valueDim);
        Tensor lse = Tensor.zeros(d.batch, d.heads, d.qSeq);
        float[] oa = out.data();
        float[] la = lse.data();
        LongAdder blocks = new LongAdder();
        LongAdder divisions = new LongAdder();
        Parallel.forRange(0, d.batch * d.heads, 1, (lo, hi) -> {
            int bq = Math.min(blockQ, d.qSeq);
            int bk = Math.min(blockK, d.kvSeq);
            float[] kT = new float[d.headDim * bk];
            float[] s = new float[bq * bk];
            float[] pv = new float[bq * d.valueDim];
            float[] m = new float[d.qSeq];
            float[] l = new float[d.qSeq];
            float[] carry = new float[bq];
            long computed = 0;
            long divided = 0;
            for (int bh = lo; bh < hi; bh++) {
                int b = bh / d.heads;
                int h = bh % d.heads;
                int kvh = h / d.group;
                Arrays.fill(m, Float.NEGATIVE_INFINITY);
                Arrays.fill(l, 0f);
                for (int c0 = 0; c0 < d.kvSeq; c0 += blockK) {
                    int cols = Math.min(blockK, d.kvSeq - c0);
                    // K_j is packed transposed once ("copied to SRAM") and serves every query block.
                    ScoreBlock.transpose(ka, d.kOffset(b, kvh) + c0 * d.headDim, d.headDim, cols, d.headDim, kT);
                    for (int r0 = 0; r0 < d.qSeq; r0 += blockQ) {
                        int rows = Math.min(blockQ, d.qSeq - r0);
                        if (c0 >= mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq)) {
                            continue; // causal block skipping: the whole tile is in the future
                        }
                        ScoreBlock.compute(d, kernels, qa, kT, mask, bias, b, h, r0, rows, c0, cols, s);
                        computed++;
                        for (int r = 0; r < rows; r++) {
                            int i = r0 + r;
                            int off = r * cols;
                            float mNew = Math.max(m[i], ScoreBlock.max(s, off, cols));
                            if (mNew == Float.NEGATIVE_INFINITY) {
                                Arrays.fill(s, off, off + cols, 0f);
                                carry[r] = Float.NaN; // marks "row unchanged"
                                continue;
                            }
                            float rowSum = ScoreBlock.expAndSum(s, off, cols, mNew);
                            float kept = l[i] * (float) Math.exp(m[i] - mNew); // ℓ_i e^{m_i − m_new}
                            carry[r] = kept;
                            l[i] = kept + rowSum;
                            m[i] = mNew;
                        }
                        // P̃ V_j
                        kernels.gemm(
                                false,
                                rows,
                                d.valueDim,
                                cols,
                                1f,
                                s,
                                0,
                                cols,
                                va,
                                d.vOffset(b, kvh) + c0 * d.valueDim,
                                d.valueDim,
                                0f,
                                pv,
                                0,
                                d.valueDim);
                        for (int r = 0; r < rows; r++) {
                            if (Float.isNaN(carry[r])) {
                                continue;
                            }
                            int i = r0 + r;
                            float inv = 1f / l[i]; // v1 renormalises at every step
                            divided++;
                            float keep = carry[r] * inv;
                            int o = (bh * d.qSeq + i) * d.valueDim;
                            for (int c = 0; c < d.valueDim; c++) {
                                oa[o + c] = oa[o + c] * keep + pv[r * d.valueDim + c] * inv;
                            }
                        }
                    }
                }
                for (int i = 0; i < d.qSeq; i++) {
                    la[bh * d.qSeq + i] = l[i] == 0f ? Float.NEGATIVE_INFINITY : (float) (m[i] + Math.log(l[i]));
                }
            }
            blocks.add(computed);
            divisions.add(divided);
        });
        return new FlashAttention.Result(out, lse, blocks.sum(), divisions.sum());
    }

    /**
     * The scratch memory one worker uses when the head width equals the value width: see
     * {@link #workspaceBytesPerWorker(int, int, int, int, int)}.
     *
     * @param qSeq the number of query rows
     * @param blockQ query rows per block
     * @param blockK keys per block
     * @param valueDim the value width (and head width)
     * @return bytes per worker thread
     */
    public static long workspaceBytesPerWorker(int qSeq, int blockQ, int blockK, int valueDim) {
        return workspaceBytesPerWorker(qSeq, blockQ, blockK, valueDim, valueDim);
    }

    /**
     * The scratch memory one worker uses: the packed key tile, a score tile, a {@code P̃V} tile, and m and ℓ for
     * every query row of the (batch, head) pair it works on — linear in the sequence length.
     *
     * @param qSeq the number of query rows
     * @param blockQ query rows per block
     * @param blockK keys per block
     * @param headDim the query/key width
     * @param valueDim the value width
     * @return bytes per worker thread
     */
    public static long workspaceBytesPerWorker(int qSeq, int blockQ, int blockK, int headDim, int valueDim) {
        return 4L * ((long) headDim * blockK + (long) blockQ * blockK + (long) blockQ * valueDim + blockQ + 2L * qSeq);
    }
}
