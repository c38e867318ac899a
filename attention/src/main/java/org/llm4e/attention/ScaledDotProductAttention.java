package org.llm4e.attention;

import java.util.Arrays;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * Scaled dot-product attention, the readable reference every other attention kernel in this module is tested
 * against.
 *
 * <pre>
 *   Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V
 *
 *   S = scale · Q Kᵀ + bias          (scale = 1/√headDim unless given)
 *   S_ij = −∞ where the mask disallows (i, j)
 *   P = softmax(S) row by row        (safe softmax: subtract the row maximum m_i first)
 *   O = P V                          lse_i = m_i + log Σ_j exp(S_ij − m_i)
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md and FlashAttentionv2相比于v1有哪些更新？.md (attention
 * catalog §1). The article's figures drop the factor {@code 1/√d_k} for readability; this class applies it, as the
 * text's formula does. Matches the explicit PyTorch computation {@code softmax(scale·Q@Kᵀ masked with −inf) @ V} and
 * {@code torch.nn.MultiheadAttention}'s inner attention, except for rows with no allowed key: those give output 0
 * and log-sum-exp {@code −∞} here, where torch gives NaN.
 *
 * <p><b>Layouts.</b> {@code q} is {@code [batch, heads, qSeq, headDim]}, {@code k} is {@code [batch, kvHeads, kvSeq,
 * headDim]} and {@code v} is {@code [batch, kvHeads, kvSeq, valueDim]}. {@code kvHeads} must divide {@code heads};
 * query head {@code h} uses kv head {@code h / (heads / kvHeads)} (Llama's {@code repeat_kv}: consecutive query
 * heads share a kv head). {@code kvHeads = heads} is multi-head attention, {@code kvHeads = 1} multi-query attention,
 * anything between grouped-query attention (为什么会发展出Multi-Query-Attention和Group-Query-Attention.md).
 *
 * <p><b>Masks and biases.</b> See {@link AttentionMask} for the bottom-right causal rule. The additive bias is called
 * with absolute positions in the key frame, {@code bias(h, i + kvSeq − qSeq, j)}, the same alignment as the causal
 * rule, so a KV-cache decode step sees the bias its token would see in the full sequence.
 *
 * <p><b>Computation.</b> Each (batch, head) pair is cut into blocks of {@value #ROW_BLOCK} query rows; a block's
 * scores come from one {@code sgemm} on slices of q and k, its output from one {@code sgemm} of P and v. The score
 * matrix of a block is materialised ({@code rows × kvSeq} floats); FlashAttention is the version that never does.
 * Under a causal mask the keys beyond the block's last visible key are not computed at all. Blocks run in parallel
 * on the library pool; their size does not depend on the thread count, so neither do the results.
 */
public final class ScaledDotProductAttention {
    /** Query rows processed together; fixed, so that results do not depend on the thread count. */
    static final int ROW_BLOCK = 32;

    private ScaledDotProductAttention() {}

    /**
     * Attention with the default scale {@code 1/√headDim} and no bias.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @return the output {@code [batch, heads, qSeq, valueDim]}
     * @throws IllegalArgumentException if the shapes do not fit together or the mask does not fit them
     */
    public static Tensor forward(Tensor q, Tensor k, Tensor v, AttentionMask mask) {
        return forwardWithStats(q, k, v, mask, null, defaultScale(q), false).output();
    }

    /**
     * Attention with a custom scale.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param scale the factor applied to {@code Q Kᵀ} (finite)
     * @return the output {@code [batch, heads, qSeq, valueDim]}
     * @throws IllegalArgumentException if the shapes do not fit together, the mask does not fit them, or the scale is
     *     not finite
     */
    public static Tensor forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, double scale) {
        return forwardWithStats(q, k, v, mask, null, scale, false).output();
    }

    /**
     * Attention with an additive bias (ALiBi, T5, Shaw) and the default scale.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param bias added to every score, called as {@code bias(h, i + kvSeq − qSeq, j)}
     * @return the output {@code [batch, heads, qSeq, valueDim]}
     * @throws IllegalArgumentException if the shapes do not fit together or the mask does not fit them
     */
    public static Tensor forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias) {
        return forwardWithStats(q, k, v, mask, requireBias(bias), defaultScale(q), false)
                .output();
    }

    /**
     * Attention with an additive bias and a custom scale.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param bias added to every score, called as {@code bias(h, i + kvSeq − qSeq, j)}
     * @param scale the factor applied to {@code Q Kᵀ} (finite)
     * @return the output {@code [batch, heads, qSeq, valueDim]}
     * @throws IllegalArgumentException if the shapes do not fit together, the mask does not fit them, or the scale is
     *     not finite
     */
    public static Tensor forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale) {
        return forwardWithStats(q, k, v, mask, requireBias(bias), scale, false).output();
    }

    /**
     * Attention returning the log-sum-exp of every row and the weights, with the default scale and no bias.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @return output, log-sum-exp and weights
     * @throws IllegalArgumentException if the shapes do not fit together or the mask does not fit them
     */
    public static AttentionResult forwardWithStats(Tensor q, Tensor k, Tensor v, AttentionMask mask) {
        return forwardWithStats(q, k, v, mask, null, defaultScale(q), true);
    }

    /**
     * Attention returning the log-sum-exp of every row and, on request, the weights.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param bias added to every score as {@code bias(h, i + kvSeq − qSeq, j)}, or null for none
     * @param scale the factor applied to {@code Q Kᵀ} (finite)
     * @param returnWeights whether to materialise {@code P} ({@code [batch, heads, qSeq, kvSeq]})
     * @return output, log-sum-exp and the weights (null unless requested)
     * @throws IllegalArgumentException if the shapes do not fit together, the mask does not fit them, or the scale is
     *     not finite
     */
    public static AttentionResult forwardWithStats(
            Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale, boolean returnWeights) {
        Dims d = Dims.of(q, k, v, mask, scale);
        return compute(d, q.data(), k.data(), v.data(), mask, bias, returnWeights);
    }

    /** The forward pass on validated dimensions; k and v may be the strided storage of a {@link KvCache}. */
    static AttentionResult compute(
            Dims d, float[] qa, float[] ka, float[] va, AttentionMask mask, AttentionBias bias, boolean returnWeights) {
        Tensor out = Tensor.zeros(d.batch, d.heads, d.qSeq, d.valueDim);
        Tensor lse = Tensor.zeros(d.batch, d.heads, d.qSeq);
        Tensor weights = returnWeights ? Tensor.zeros(d.batch, d.heads, d.qSeq, d.kvSeq) : null;
        float[] oa = out.data();
        float[] la = lse.data();
        int blocks = (d.qSeq + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.forRange(0, d.batch * d.heads * blocks, 1, (lo, hi) -> {
            float[] scratch = returnWeights ? null : new float[Math.min(ROW_BLOCK, d.qSeq) * d.kvSeq];
            for (int t = lo; t < hi; t++) {
                int bh = t / blocks;
                int r0 = (t % blocks) * ROW_BLOCK;
                int rows = Math.min(ROW_BLOCK, d.qSeq - r0);
                int b = bh / d.heads;
                int h = bh % d.heads;
                int kvh = h / d.group;
                float[] p = returnWeights ? weights.data() : scratch;
                int pOff = returnWeights ? (bh * d.qSeq + r0) * d.kvSeq : 0;
                int n = probabilities(d, qa, ka, mask, bias, b, h, kvh, r0, rows, p, pOff, la);
                // O[rows] = P[rows, 0:n] · V[0:n]; keys ≥ n have weight 0 (causal), so they are not read.
                Kernels.sgemm(
                        false,
                        false,
                        rows,
                        d.valueDim,
                        n,
                        1f,
                        p,
                        pOff,
                        d.kvSeq,
                        va,
                        d.vOffset(b, kvh),
                        d.valueDim,
                        0f,
                        oa,
                        (bh * d.qSeq + r0) * d.valueDim,
                        d.valueDim);
            }
        });
        return new AttentionResult(out, lse, weights);
    }

    /**
     * The gradients of {@link #forward(Tensor, Tensor, Tensor, AttentionMask, AttentionBias, double)} with respect to
     * q, k and v (the bias is not trained). P is recomputed from q and k, as FlashAttention's backward does.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask the mask of the forward pass
     * @param bias the bias of the forward pass, or null
     * @param scale the scale of the forward pass
     * @param dO the gradient of the output {@code [batch, heads, qSeq, valueDim]}
     * @return dQ, dK, dV and Δ
     * @throws IllegalArgumentException if the shapes do not fit together, naming them
     */
    public static AttentionGradients backward(
            Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale, Tensor dO) {
        Dims d = Dims.of(q, k, v, mask, scale);
        int[] expected = {d.batch, d.heads, d.qSeq, d.valueDim};
        if (dO == null || !Arrays.equals(dO.shape(), expected)) {
            throw new IllegalArgumentException("dO has shape " + (dO == null ? "null" : Arrays.toString(dO.shape()))
                    + " but the output has shape " + Arrays.toString(expected));
        }
        Tensor dQ = Tensor.zeros(q.shape());
        Tensor dK = Tensor.zeros(k.shape());
        Tensor dV = Tensor.zeros(v.shape());
        Tensor delta = Tensor.zeros(d.batch, d.heads, d.qSeq);
        float[] qa = q.data();
        float[] ka = k.data();
        float[] va = v.data();
        float[] doa = dO.data();
        float alpha = (float) scale;
        // One task per (batch, kv head): the query heads of a group add into the same dK, dV slices, so they run in
        // one task, in a fixed order, which keeps the sums independent of the thread count.
        Parallel.forRange(0, d.batch * d.kvHeads, 1, (lo, hi) -> {
            int maxRows = Math.min(ROW_BLOCK, d.qSeq);
            float[] p = new float[maxRows * d.kvSeq];
            float[] dp = new float[maxRows * d.kvSeq];
            float[] lseScratch = new float[d.batch * d.heads * d.qSeq];
            for (int t = lo; t < hi; t++) {
                int b = t / d.kvHeads;
                int kvh = t % d.kvHeads;
                int kOff = d.kOffset(b, kvh);
                int vOff = d.vOffset(b, kvh);
                for (int h = kvh * d.group; h < (kvh + 1) * d.group; h++) {
                    int bh = b * d.heads + h;
                    for (int r0 = 0; r0 < d.qSeq; r0 += ROW_BLOCK) {
                        int rows = Math.min(ROW_BLOCK, d.qSeq - r0);
                        int n = probabilities(d, qa, ka, mask, bias, b, h, kvh, r0, rows, p, 0, lseScratch);
                        if (n == 0) {
                            continue; // every row fully masked: P = 0, nothing flows back
                        }
                        int doOff = (bh * d.qSeq + r0) * d.valueDim;
                        int qOff = (bh * d.qSeq + r0) * d.headDim;
                        // dV += Pᵀ dO
                        Kernels.sgemm(
                                true,
                                false,
                                n,
                                d.valueDim,
                                rows,
                                1f,
                                p,
                                0,
                                d.kvSeq,
                                doa,
                                doOff,
                                d.valueDim,
                                1f,
                                dV.data(),
                                vOff,
                                d.valueDim);
                        // dP = dO Vᵀ
                        Kernels.sgemm(
                                false,
                                true,
                                rows,
                                n,
                                d.valueDim,
                                1f,
                                doa,
                                doOff,
                                d.valueDim,
                                va,
                                vOff,
                                d.valueDim,
                                0f,
                                dp,
                                0,
                                d.kvSeq);
                        for (int r = 0; r < rows; r++) {
                            int off = r * d.kvSeq;
                            // Δ_i = Σ_j P_ij dP_ij equals rowsum(dO ∘ O) because O_i = Σ_j P_ij v_j.
                            float di = Kernels.dot(p, off, dp, off, n);
                            delta.data()[bh * d.qSeq + r0 + r] = di;
                            for (int j = 0; j < n; j++) {
                                dp[off + j] = p[off + j] * (dp[off + j] - di); // dS
                            }
                        }
                        // dQ = scale · dS K ; dK += scale · dSᵀ Q
                        Kernels.sgemm(
                                false, false, rows, d.headDim, n, alpha, dp, 0, d.kvSeq, ka, kOff, d.headDim, 0f,
                                dQ.data(), qOff, d.headDim);
                        Kernels.sgemm(
                                true, false, n, d.headDim, rows, alpha, dp, 0, d.kvSeq, qa, qOff, d.headDim, 1f,
                                dK.data(), kOff, d.headDim);
                    }
                }
            }
        });
        return new AttentionGradients(dQ, dK, dV, delta);
    }

    /**
     * The default scale {@code 1/√headDim} of a query tensor.
     *
     * @param q queries {@code [batch, heads, seq, headDim]}
     * @return {@code 1 / √q.dim(3)}
     * @throws IllegalArgumentException if {@code q} is not rank 4
     */
    public static double defaultScale(Tensor q) {
        if (q == null || q.rank() != 4) {
            throw new IllegalArgumentException(
                    "q must be [batch, heads, seq, headDim], got " + (q == null ? "null" : Arrays.toString(q.shape())));
        }
        return 1.0 / Math.sqrt(q.dim(3));
    }

    /**
     * Computes the softmax rows {@code r0 .. r0+rows−1} of one (batch, head) into {@code p} (row stride kvSeq) and
     * their log-sum-exp into {@code lse}; returns the number of leading key columns that can be non-zero. Columns at
     * or beyond it are zero in {@code p} only when {@code p} is the weights tensor, which starts zeroed.
     */
    static int probabilities(
            Dims d,
            float[] qa,
            float[] ka,
            AttentionMask mask,
            AttentionBias bias,
            int b,
            int h,
            int kvh,
            int r0,
            int rows,
            float[] p,
            int pOff,
            float[] lse) {
        int bh = b * d.heads + h;
        // The causal limit grows with the row, so the last row of the block bounds the whole block.
        int n = mask.keyLimit(r0 + rows - 1, d.qSeq, d.kvSeq);
        if (n > 0) {
            Kernels.sgemm(
                    false,
                    true,
                    rows,
                    n,
                    d.headDim,
                    (float) d.scale,
                    qa,
                    (bh * d.qSeq + r0) * d.headDim,
                    d.headDim,
                    ka,
                    d.kOffset(b, kvh),
                    d.headDim,
                    0f,
                    p,
                    pOff,
                    d.kvSeq);
        }
        int shift = d.kvSeq - d.qSeq;
        for (int r = 0; r < rows; r++) {
            int i = r0 + r;
            int off = pOff + r * d.kvSeq;
            for (int j = 0; j < n; j++) {
                if (!mask.allowed(b, i, j, d.qSeq, d.kvSeq)) {
                    p[off + j] = Float.NEGATIVE_INFINITY;
                } else if (bias != null) {
                    p[off + j] += bias.bias(h, i + shift, j);
                }
            }
            float m = Kernels.max(p, off, n);
            if (m == Float.NEGATIVE_INFINITY) {
                // No allowed key: the library's rule is output 0 and lse −∞ (torch would give NaN).
                Arrays.fill(p, off, off + n, 0f);
                lse[bh * d.qSeq + i] = Float.NEGATIVE_INFINITY;
                continue;
            }
            float sum = Kernels.expAndSum(p, off, p, off, n, m);
            Kernels.scale(1f / sum, p, off, n);
            lse[bh * d.qSeq + i] = (float) (m + Math.log(sum));
        }
        return n;
    }

    private static AttentionBias requireBias(AttentionBias bias) {
        if (bias == null) {
            throw new IllegalArgumentException("bias must not be null (use the overload without a bias)");
        }
        return bias;
    }

    /** The validated dimensions of one attention call. */
    static final class Dims {
        final int batch;
        final int heads;
        final int kvHeads;
        final int group;
        final int qSeq;
        final int kvSeq;
        final int headDim;
        final int valueDim;
        final int kvStride;
        final double scale;

        Dims(
                int batch,
                int heads,
                int kvHeads,
                int qSeq,
                int kvSeq,
                int kvStride,
                int headDim,
                int valueDim,
                double scale) {
            this.batch = batch;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.group = heads / kvHeads;
            this.qSeq = qSeq;
            this.kvSeq = kvSeq;
            this.headDim = headDim;
            this.valueDim = valueDim;
            this.kvStride = kvStride;
            this.scale = scale;
        }

        int kOffset(int b, int kvh) {
            return (b * kvHeads + kvh) * kvStride * headDim;
        }

        int vOffset(int b, int kvh) {
            return (b * kvHeads + kvh) * kvStride * valueDim;
        }

        static Dims of(Tensor q, Tensor k, Tensor v, AttentionMask mask, double scale) {
            rank4("q", q, "[batch, heads, qSeq, headDim]");
            rank4("k", k, "[batch, kvHeads, kvSeq, headDim]");
            rank4("v", v, "[batch, kvHeads, kvSeq, valueDim]");
            if (mask == null) {
                throw new IllegalArgumentException("mask must not be null (use AttentionMask.none())");
            }
            if (!Double.isFinite(scale)) {
                throw new IllegalArgumentException("scale must be finite, got " + scale);
            }
            String qs = Arrays.toString(q.shape());
            String ks = Arrays.toString(k.shape());
            String vs = Arrays.toString(v.shape());
            if (k.dim(0) != q.dim(0) || v.dim(0) != q.dim(0)) {
                throw new IllegalArgumentException(
                        "batch sizes differ: q " + qs + ", k " + ks + ", v " + vs + " (dimension 0 must agree)");
            }
            if (k.dim(3) != q.dim(3)) {
                throw new IllegalArgumentException(
                        "headDim mismatch: q " + qs + " and k " + ks + " must agree in dimension 3");
            }
            if (k.dim(1) != v.dim(1) || k.dim(2) != v.dim(2)) {
                throw new IllegalArgumentException(
                        "k " + ks + " and v " + vs + " must agree in kvHeads and kvSeq (dimensions 1 and 2)");
            }
            int heads = q.dim(1);
            int kvHeads = k.dim(1);
            if (kvHeads == 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("heads of q " + qs + " (" + heads
                        + ") must be a multiple of kvHeads of k " + ks + " (" + kvHeads + ")");
            }
            mask.validate(q.dim(0), k.dim(2));
            return new Dims(q.dim(0), heads, kvHeads, q.dim(2), k.dim(2), k.dim(2), q.dim(3), v.dim(3), scale);
        }

        private static void rank4(String name, Tensor t, String layout) {
            if (t == null) {
                throw new IllegalArgumentException(name + " must not be null");
            }
            if (t.rank() != 4) {
                throw new IllegalArgumentException(
                        name + " must be " + layout + ", got shape " + Arrays.toString(t.shape()));
            }
        }
    }
}
