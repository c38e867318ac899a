package org.llm4e.attention;

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
            int blockK) {
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
        int maxTile = Math.min(blockQ, d.qSeq) * Math.min(blockK, d.kvSeq);
        // Pass 1: each key/value tile owns its rows of dK and dV.
        Parallel.forRange(0, d.batch * d.kvHeads * kBlocks, 1, (lo, hi) -> {
            float[] p = new float[maxTile];
            float[] ds = new float[maxTile];
            for (int t = lo; t < hi; t++) {
                int bk = t / kBlocks;
                int c0 = (t % kBlocks) * blockK;
                int cols = Math.min(blockK, d.kvSeq - c0);
                int b = bk / d.kvHeads;
                int kvh = bk % d.kvHeads;
                int kOff = d.kOffset(b, kvh) + c0 * d.headDim;
                int vOff = d.vOffset(b, kvh) + c0 * d.valueDim;
                for (int h = kvh * d.group; h < (kvh + 1) * d.group; h++) {
                    int bh = b * d.heads + h;
                    for (int r0 = 0; r0 < d.qSeq; r0 += blockQ) {
                        int rows = Math.min(blockQ, d.qSeq - r0);
                        if (c0 >= mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq)) {
                            continue; // causal: the whole tile is in the future
                        }
                        tile(d, qa, ka, va, la, g, da, mask, bias, b, h, kvh, r0, rows, c0, cols, p, ds);
                        for (int r = 0; r < rows; r++) {
                            int row = bh * d.qSeq + r0 + r;
                            for (int c = 0; c < cols; c++) {
                                float pw = p[r * cols + c];
                                float sw = scale * ds[r * cols + c];
                                if (pw != 0f) {
                                    axpy(pw, g, row * d.valueDim, dv, vOff + c * d.valueDim, d.valueDim);
                                }
                                if (sw != 0f) {
                                    axpy(sw, qa, row * d.headDim, dk, kOff + c * d.headDim, d.headDim);
                                }
                            }
                        }
                    }
                }
            }
        });
        // Pass 2: each query tile owns its rows of dQ.
        Parallel.forRange(0, d.batch * d.heads * qBlocks, 1, (lo, hi) -> {
            float[] p = new float[maxTile];
            float[] ds = new float[maxTile];
            for (int t = lo; t < hi; t++) {
                int bh = t / qBlocks;
                int r0 = (t % qBlocks) * blockQ;
                int rows = Math.min(blockQ, d.qSeq - r0);
                int b = bh / d.heads;
                int h = bh % d.heads;
                int kvh = h / d.group;
                int kvEnd = mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq);
                for (int c0 = 0; c0 < kvEnd; c0 += blockK) {
                    int cols = Math.min(blockK, d.kvSeq - c0);
                    tile(d, qa, ka, va, la, g, da, mask, bias, b, h, kvh, r0, rows, c0, cols, p, ds);
                    int kOff = d.kOffset(b, kvh) + c0 * d.headDim;
                    for (int r = 0; r < rows; r++) {
                        int row = bh * d.qSeq + r0 + r;
                        for (int c = 0; c < cols; c++) {
                            float sw = scale * ds[r * cols + c];
                            if (sw != 0f) {
                                axpy(sw, ka, kOff + c * d.headDim, dq, row * d.headDim, d.headDim);
                            }
                        }
                    }
                }
            }
        });
        return new AttentionGradients(dQ, dK, dV, delta);
    }

    /** Fills {@code p} with {@code P = exp(S − L)} and {@code ds} with {@code dS = P ∘ (dO Vᵀ − Δ)} for one tile. */
    private static void tile(
            ScaledDotProductAttention.Dims d,
            float[] qa,
            float[] ka,
            float[] va,
            float[] la,
            float[] g,
            float[] da,
            AttentionMask mask,
            AttentionBias bias,
            int b,
            int h,
            int kvh,
            int r0,
            int rows,
            int c0,
            int cols,
            float[] p,
            float[] ds) {
        ScoreBlock.compute(d, qa, ka, mask, bias, b, h, kvh, r0, rows, c0, cols, p);
        int bh = b * d.heads + h;
        int vOff = d.vOffset(b, kvh) + c0 * d.valueDim;
        for (int r = 0; r < rows; r++) {
            int row = bh * d.qSeq + r0 + r;
            float lse = la[row];
            for (int c = 0; c < cols; c++) {
                int at = r * cols + c;
                // P is recomputed already normalised from the saved L; a row with L = −∞ had no allowed key.
                float pw = lse == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(p[at] - lse);
                p[at] = pw;
                float dp = 0f;
                int vj = vOff + c * d.valueDim;
                for (int x = 0; x < d.valueDim; x++) {
                    dp += g[row * d.valueDim + x] * va[vj + x];
                }
                ds[at] = pw * (dp - da[row]);
            }
        }
    }

    /** {@code y[yOff ..] += alpha · x[xOff ..]} over n elements (allocation-free; the JIT vectorises it). */
    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
