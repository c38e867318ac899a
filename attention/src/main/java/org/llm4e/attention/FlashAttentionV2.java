package org.llm4e.attention;

import java.util.concurrent.atomic.LongAdder;
import org.llm4e.attention.internal.TileKernels;
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
 * accumulator, the query tile packed transposed and three {@code blockQ} vectors per worker, whatever the sequence
 * length. The tile products {@code S = scale·Q_i K_jᵀ} and {@code Õ += P̃ V_j} and the online-softmax step run on
 * {@code TileKernels} (a Vector API register-tiled kernel with a scalar reference beside it): they allocate nothing,
 * so a whole call allocates only its output and its per-worker tiles, O(T) bytes where naive attention needs O(T²).
 * The score tile is kept transposed (one row per key) so that each query's running maximum and sum are lane-wise
 * vector operations; Q_i is packed once per query block and reused for every key block. Query blocks are distributed
 * over the library pool; each row's
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
            int blockK,
            TileKernels kernels) {
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
            float[] qT = new float[d.headDim * bq];
            float[] s = new float[bq * bk];
            float[] acc = new float[bq * d.valueDim];
            float[] m = new float[bq];
            float[] l = new float[bq];
            float[] rescale = new float[bq];
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
                // Q_i is packed transposed once and serves every key block of the row of tiles.
                ScoreBlock.transpose(qa, (bh * d.qSeq + r0) * d.headDim, d.headDim, rows, d.headDim, qT);
                // Causal block skipping: keys at or beyond the last row's limit are masked for the whole block.
                int kvEnd = mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq);
                for (int c0 = 0; c0 < kvEnd; c0 += blockK) {
                    int cols = Math.min(blockK, d.kvSeq - c0);
                    // The tile is kept transposed, one row per key: each query's max and sum are then lane-wise.
                    ScoreBlock.computeTransposed(d, kernels, qT, ka, mask, bias, b, h, kvh, r0, rows, c0, cols, s);
                    computed++;
                    // m_new = max(m, rowmax S), P̃ = exp(S − m_new), ℓ = e^{m − m_new} ℓ + rowsum P̃ (rows with
                    // nothing allowed yet keep (−∞, 0) and get P̃ = 0).
                    kernels.softmaxStepColumns(cols, rows, s, 0, rows, m, l, rescale);
                    for (int r = 0; r < rows; r++) {
                        float alpha = rescale[r];
                        if (alpha != 1f) { // Õ ← diag(e^{m − m_new}) Õ
                            for (int c = r * d.valueDim; c < (r + 1) * d.valueDim; c++) {
                                acc[c] *= alpha;
                            }
                        }
                    }
                    // Õ += P̃ V_j  (P̃ = (P̃ᵀ)ᵀ, read transposed in place)
                    kernels.gemm(
                            true,
                            rows,
                            d.valueDim,
                            cols,
                            1f,
                            s,
                            0,
                            rows,
                            va,
                            d.vOffset(b, kvh) + c0 * d.valueDim,
                            d.valueDim,
                            1f,
                            acc,
                            0,
                            d.valueDim);
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
     * The scratch memory one worker uses, independent of the sequence length, when the head width equals the value
     * width: see {@link #workspaceBytesPerWorker(int, int, int, int)}.
     *
     * @param blockQ query rows per block
     * @param blockK keys per block
     * @param valueDim the value width (and head width)
     * @return bytes per worker thread
     */
    public static long workspaceBytesPerWorker(int blockQ, int blockK, int valueDim) {
        return workspaceBytesPerWorker(blockQ, blockK, valueDim, valueDim);
    }

    /**
     * The scratch memory one worker uses, independent of the sequence length: the packed query tile, the score tile,
     * the accumulator and three row vectors (m, ℓ and the rescaling factors).
     *
     * @param blockQ query rows per block
     * @param blockK keys per block
     * @param headDim the query/key width
     * @param valueDim the value width
     * @return bytes per worker thread
     */
    public static long workspaceBytesPerWorker(int blockQ, int blockK, int headDim, int valueDim) {
        return 4L * ((long) headDim * blockQ + (long) blockQ * blockK + (long) blockQ * valueDim + 3L * blockQ);
    }
}
