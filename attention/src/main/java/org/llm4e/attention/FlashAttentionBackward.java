package org.llm4e.attention;

import org.llm4e.attention.internal.TileKernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * FlashAttention-2's backward pass: the gradients of attention recomputed tile by tile from Q, K, V, the output O and
 * the saved log-sum-exp L, without storing P.
 *
 * <pre>
 *   Δ_i = rowsum(dO ∘ O)_i                                  (FlashAttention-2's D_i)
 *   per tile (i, j):  S = scale · Q_i K_jᵀ (+ bias, masked),  P = exp(S − L_i)   (recomputed, already normalised)
 *                     dV_j += Pᵀ dO_i
 *                     dP = dO_i V_jᵀ,  dS = P ∘ (dP − Δ_i)
 *                     dK_j += scale · dSᵀ Q_i,   dQ_i += scale · dS K_j
 * </pre>
 *
 * <p>From FlashAttentionv2相比于v1有哪些更新？.md (attention catalog §7: "backward stores L = m + log ℓ"; the equations
 * are the FlashAttention-2 paper's, which the article cites). The GPU kernel adds dQ with atomics from the thread
 * blocks that own the key/value tiles; to keep the sums in a fixed order, so that results do not depend on the thread
 * count, this version makes two passes: one parallel over key/value tiles that owns dK and dV (each tile sums its
 * query heads and query blocks in order), one parallel over query tiles that owns dQ. Both recompute P from L, which
 * is the "spend compute to save memory" trade the article describes. Causal tiles entirely in the future are skipped;
 * rows with no allowed key ({@code L = −∞}) contribute nothing. Agrees with
 * {@link ScaledDotProductAttention#backward} to float32 rounding.
 */
public final class FlashAttentionBackward {
    private FlashAttentionBackward() {}

    static AttentionGradients backward(
            ScaledDotProductAttention.Dims d,
            Tensor q,
            Tensor k,
            Tensor v,
            Tensor out,
            Tensor lse,
            Tensor dO,
            AttentionMask mask,
            AttentionBias bias,
            int blockQ,
            int blockK,
            TileKernels kernels) {
        float[] qa = q.data();
        float[] ka = k.data();
        float[] va = v.data();
        float[] la = lse.data();
        float[] g = dO.data();
        Tensor delta = Tensor.zeros(d.batch, d.heads, d.qSeq);
        float[] da = delta.data();
        float[] oa = out.data();
        for (int row = 0; row < da.length; row++) {
            float s = 0f;
            for (int c = 0; c < d.valueDim; c++) {
                s += g[row * d.valueDim + c] * oa[row * d.valueDim + c];
            }
            da[row] = s;
        }
        Tensor dQ = Tensor.zeros(q.shape());
        Tensor dK = Tensor.zeros(k.shape());
        Tensor dV = Tensor.zeros(v.shape());
        float scale = (float) d.scale;
        int kBlocks = (d.kvSeq + blockK - 1) / blockK;
        int qBlocks = (d.qSeq + blockQ - 1) / blockQ;
        float[] dq = dQ.data();
        float[] dk = dK.data();
        float[] dv = dV.data();
        int bq = Math.min(blockQ, d.qSeq);
        int bk = Math.min(blockK, d.kvSeq);
        int maxTile = bq * bk;
        // Pass 1: each key/value tile owns its rows of dK and dV; K_j and V_j are packed transposed once per tile.
        Parallel.forRange(0, d.batch * d.kvHeads * kBlocks, 1, (lo, hi) -> {
            float[] p = new float[maxTile];
            float[] ds = new float[maxTile];
            float[] kT = new float[d.headDim * bk];
            float[] vT = new float[d.valueDim * bk];
            for (int t = lo; t < hi; t++) {
                int bkv = t / kBlocks;
                int c0 = (t % kBlocks) * blockK;
                int cols = Math.min(blockK, d.kvSeq - c0);
                int b = bkv / d.kvHeads;
                int kvh = bkv % d.kvHeads;
                int kOff = d.kOffset(b, kvh) + c0 * d.headDim;
                int vOff = d.vOffset(b, kvh) + c0 * d.valueDim;
                ScoreBlock.transpose(ka, kOff, d.headDim, cols, d.headDim, kT);
                ScoreBlock.transpose(va, vOff, d.valueDim, cols, d.valueDim, vT);
                for (int h = kvh * d.group; h < (kvh + 1) * d.group; h++) {
                    int bh = b * d.heads + h;
                    for (int r0 = 0; r0 < d.qSeq; r0 += blockQ) {
                        int rows = Math.min(blockQ, d.qSeq - r0);
                        if (c0 >= mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq)) {
                            continue; // causal: the whole tile is in the future
                        }
                        int row0 = bh * d.qSeq + r0;
                        // P = exp(S − L) (row-major), dP = dO_i V_jᵀ, dS = P ∘ (dP − Δ)
                        ScoreBlock.compute(d, kernels, qa, kT, mask, bias, b, h, r0, rows, c0, cols, p);
                        kernels.expShifted(true, rows, cols, p, 0, cols, la, row0);
                        kernels.gemm(
                                false,
                                rows,
                                cols,
                                d.valueDim,
                                1f,
                                g,
                                row0 * d.valueDim,
                                d.valueDim,
                                vT,
                                0,
                                cols,
                                0f,
                                ds,
                                0,
                                cols);
                        for (int r = 0; r < rows; r++) {
                            float dr = da[row0 + r];
                            for (int at = r * cols; at < (r + 1) * cols; at++) {
                                ds[at] = p[at] * (ds[at] - dr);
                            }
                        }
                        // dV_j += Pᵀ dO_i,  dK_j += scale · dSᵀ Q_i
                        kernels.gemm(
                                true,
                                cols,
                                d.valueDim,
                                rows,
                                1f,
                                p,
                                0,
                                cols,
                                g,
                                row0 * d.valueDim,
                                d.valueDim,
                                1f,
                                dv,
                                vOff,
                                d.valueDim);
                        kernels.gemm(
                                true,
                                cols,
                                d.headDim,
                                rows,
                                scale,
                                ds,
                                0,
                                cols,
                                qa,
                                row0 * d.headDim,
                                d.headDim,
                                1f,
                                dk,
                                kOff,
                                d.headDim);
                    }
                }
            }
        });
        // Pass 2: each query tile owns its rows of dQ; Q_i and dO_i are packed transposed once per tile and the
        // score tiles are kept transposed (one row per key).
        Parallel.forRange(0, d.batch * d.heads * qBlocks, 1, (lo, hi) -> {
            float[] p = new float[maxTile];
            float[] ds = new float[maxTile];
            float[] qT = new float[d.headDim * bq];
            float[] gT = new float[d.valueDim * bq];
            for (int t = lo; t < hi; t++) {
                int bh = t / qBlocks;
                int r0 = (t % qBlocks) * blockQ;
                int rows = Math.min(blockQ, d.qSeq - r0);
                int b = bh / d.heads;
                int h = bh % d.heads;
                int kvh = h / d.group;
                int row0 = bh * d.qSeq + r0;
                ScoreBlock.transpose(qa, row0 * d.headDim, d.headDim, rows, d.headDim, qT);
                ScoreBlock.transpose(g, row0 * d.valueDim, d.valueDim, rows, d.valueDim, gT);
                int kvEnd = mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq);
                for (int c0 = 0; c0 < kvEnd; c0 += blockK) {
                    int cols = Math.min(blockK, d.kvSeq - c0);
                    int kOff = d.kOffset(b, kvh) + c0 * d.headDim;
                    // Pᵀ = exp(Sᵀ − L), dPᵀ = V_j dO_iᵀ, dSᵀ = Pᵀ ∘ (dPᵀ − Δ)
                    ScoreBlock.computeTransposed(d, kernels, qT, ka, mask, bias, b, h, kvh, r0, rows, c0, cols, p);
                    kernels.expShifted(false, cols, rows, p, 0, rows, la, row0);
                    kernels.gemm(
                            false,
                            cols,
                            rows,
                            d.valueDim,
                            1f,
                            va,
                            d.vOffset(b, kvh) + c0 * d.valueDim,
                            d.valueDim,
                            gT,
                            0,
                            rows,
                            0f,
                            ds,
                            0,
                            rows);
                    for (int c = 0; c < cols; c++) {
                        for (int r = 0; r < rows; r++) {
                            int at = c * rows + r;
                            ds[at] = p[at] * (ds[at] - da[row0 + r]);
                        }
                    }
                    // dQ_i += scale · dS K_j  (dS = (dSᵀ)ᵀ, read transposed in place)
                    kernels.gemm(
                            true,
                            rows,
                            d.headDim,
                            cols,
                            scale,
                            ds,
                            0,
                            rows,
                            ka,
                            kOff,
                            d.headDim,
                            1f,
                            dq,
                            row0 * d.headDim,
                            d.headDim);
                }
            }
        });
        return new AttentionGradients(dQ, dK, dV, delta);
    }
}
