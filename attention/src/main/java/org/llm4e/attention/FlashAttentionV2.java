package org.llm4e.attention;

import java.util.concurrent.atomic.LongAdder;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * FlashAttention-2's forward pass: the query blocks form the outer loop and run in parallel, the key/value blocks the
 * inner loop; each query row keeps a running maximum m, a running sum ℓ and an <em>unnormalised</em> output Õ, and
 * divides once at the end.
 *
 * <pre>
 *   for each query block Q_i (in parallel):               Õ = 0, ℓ = 0, m = −∞
 *     for each key/value block K_j, V_j:
 *       S = scale · Q_i K_jᵀ (+ bias, −∞ where masked)
 *       m_new = max(m, rowmax S)
 *       P̃ = exp(S − m_new)
 *       ℓ = e^{m − m_new} ℓ + rowsum P̃
 *       Õ = diag(e^{m − m_new}) Õ + P̃ V_j
 *       m = m_new
 *     O_i = diag(ℓ)⁻¹ Õ            (the only division: one per row)
 *     L_i = m + log ℓ              (log-sum-exp, saved for the backward pass)
 * </pre>
 *
 * <p>From FlashAttentionv2相比于v1有哪些更新？.md (attention catalog §7): v2 keeps the numerator correctly scaled and the
 * denominator correct each step and delays the division to the end, saving one division per row per step; it swaps
 * v1's loops so that each query block owns its slice of O and needs no communication with the others, which lets the
 * query blocks run in parallel (the article's {@code num_m_block}). The v2-form equations are from the FlashAttention-2
 * paper (Dao, 2023), which the article cites.
 *
 * <p><b>Causal block skipping</b> (not in the articles; FlashAttention-2 paper): key blocks that start after the last
 * key a query block may see are not visited, and only blocks that cross the diagonal are masked element by element;
 * for {@code T} blocks on each side {@code T(T+1)/2} of the {@code T²} blocks are computed.
 *
 * <p>On a CPU the "SRAM" is the L1/L2 cache: a {@code blockQ × blockK} score tile, the {@code blockQ × valueDim}
 * accumulator and two {@code blockQ} vectors per worker, whatever the sequence length. Tile products are plain loops
 * that allocate nothing, so a whole call allocates only its output and its per-worker tiles: O(T) bytes where naive
 * attention needs O(T²). (core's kernels are not used inside the tile loop: its sgemm allocates packing panels per
 * call and its small-vector kernels allocate a little per call, which would add O(T²) allocation.) Query blocks are distributed over the library pool; each row's
 * arithmetic does not depend on which thread runs it, so results do not depend on the thread count. Masks and biases
 * follow {@link ScaledDotProductAttention}: bottom-right causal alignment, rows with no allowed key give 0 and
 * {@code −∞}.
 */
public final class FlashAttentionV2 {
    private FlashAttentionV2() {}

    static FlashAttention.Result forward(
            ScaledDotProductAttention.Dims d,
            float[] qa,
            float[] ka,
            float[] va,
            AttentionMask mask,
            AttentionBias bias,
            int blockQ,
            int blockK) {
        Tensor out = Tensor.zeros(d.batch, d.heads, d.qSeq, d.valueDim);
        Tensor lse = Tensor.zeros(d.batch, d.heads, d.qSeq);
        float[] oa = out.data();
        float[] la = lse.data();
        int qBlocks = (d.qSeq + blockQ - 1) / blockQ;
        LongAdder blocks = new LongAdder();
        LongAdder divisions = new LongAdder();
        Parallel.forRange(0, d.batch * d.heads * qBlocks, 1, (lo, hi) -> {
            int bq = Math.min(blockQ, d.qSeq);
            int bk = Math.min(blockK, d.kvSeq);
            float[] s = new float[bq * bk];
            float[] acc = new float[bq * d.valueDim];
            float[] m = new float[bq];
            float[] l = new float[bq];
            long computed = 0;
            long divided = 0;
            for (int t = lo; t < hi; t++) {
                int bh = t / qBlocks;
                int r0 = (t % qBlocks) * blockQ;
                int rows = Math.min(blockQ, d.qSeq - r0);
                int b = bh / d.heads;
                int h = bh % d.heads;
                int kvh = h / d.group;
                java.util.Arrays.fill(acc, 0, rows * d.valueDim, 0f);
                java.util.Arrays.fill(m, 0, rows, Float.NEGATIVE_INFINITY);
                java.util.Arrays.fill(l, 0, rows, 0f);
                // Causal block skipping: keys at or beyond the last row's limit are masked for the whole block.
                int kvEnd = mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq);
                for (int c0 = 0; c0 < kvEnd; c0 += blockK) {
                    int cols = Math.min(blockK, d.kvSeq - c0);
                    ScoreBlock.compute(d, qa, ka, mask, bias, b, h, kvh, r0, rows, c0, cols, s);
                    computed++;
                    for (int r = 0; r < rows; r++) {
                        int off = r * cols;
                        float mNew = Math.max(m[r], ScoreBlock.max(s, off, cols));
                        if (mNew == Float.NEGATIVE_INFINITY) {
                            // Nothing allowed for this row yet: its P̃ row is 0 and its state stays (−∞, 0, 0).
                            java.util.Arrays.fill(s, off, off + cols, 0f);
                            continue;
                        }
                        float rowSum = ScoreBlock.expAndSum(s, off, cols, mNew);
                        if (m[r] != mNew) {
                            float alpha = (float) Math.exp(m[r] - mNew); // e^{−∞} = 0 on the first visit
                            l[r] *= alpha;
                            for (int c = r * d.valueDim; c < (r + 1) * d.valueDim; c++) {
                                acc[c] *= alpha;
                            }
                            m[r] = mNew;
                        }
                        l[r] += rowSum;
                    }
                    // Õ += P̃ V_j
                    ScoreBlock.accumulatePv(d, s, rows, cols, va, d.vOffset(b, kvh) + c0 * d.valueDim, acc);
                }
                int oRow = bh * d.qSeq + r0;
                for (int r = 0; r < rows; r++) {
                    if (l[r] == 0f) {
                        la[oRow + r] = Float.NEGATIVE_INFINITY; // no allowed key: output stays 0
                        continue;
                    }
                    float inv = 1f / l[r]; // deferred normalisation: the row's only division
                    divided++;
                    for (int c = 0; c < d.valueDim; c++) {
                        oa[(oRow + r) * d.valueDim + c] = acc[r * d.valueDim + c] * inv;
                    }
                    la[oRow + r] = (float) (m[r] + Math.log(l[r]));
                }
            }
            blocks.add(computed);
            divisions.add(divided);
        });
        return new FlashAttention.Result(out, lse, blocks.sum(), divisions.sum());
    }

    /**
     * The scratch memory one worker uses, independent of the sequence length: the score tile, the accumulator and
     * the two row vectors.
     *
     * @param blockQ query rows per block
     * @param blockK keys per block
     * @param valueDim the value width
     * @return bytes per worker thread
     */
    public static long workspaceBytesPerWorker(int blockQ, int blockK, int valueDim) {
        return 4L * ((long) blockQ * blockK + (long) blockQ * valueDim + 2L * blockQ);
    }
}
