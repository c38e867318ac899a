package org.llm4e.attention;

import org.llm4e.attention.internal.TileKernels;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * FlashAttention on the CPU: exact attention, {@code softmax(scale · QKᵀ) V}, computed tile by tile with the online
 * softmax so that the {@code T × T} score matrix is never stored. The facade over {@link FlashAttentionV1} and
 * {@link FlashAttentionV2}.
 *
 * <pre>
 *   per query row, over key tiles j:   m ← max(m, rowmax S_j)
 *                                      ℓ ← e^{m_old − m} ℓ + rowsum e^{S_j − m}
 *                                      O ← rescaled O + e^{S_j − m} V_j
 *   O / ℓ at the end (v2) or at every step (v1);   log-sum-exp L = m + log ℓ
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md (the online-softmax recurrence, catalog §3–6) and
 * FlashAttentionv2相比于v1有哪些更新？.md (§7); the teaching versions of the recurrence are {@link SafeSoftmax},
 * {@link OnlineSoftmax}, {@link OnlineAttention} and {@link TiledOnlineAttention}. Results equal
 * {@link ScaledDotProductAttention} to float32 rounding, with the same layouts, GQA/MQA broadcasting, masks (bottom-right
 * causal alignment; rows with no allowed key give 0 and {@code −∞}) and additive biases.
 *
 * <p>Two forms: the static {@link #forward(Tensor, Tensor, Tensor, boolean, int, int, Version)} and the configured
 * instance {@code FlashAttention.builder().version(V2).blockQ(64).blockK(64).build().forward(q, k, v, mask, scale)}.
 * Instances are immutable and thread-safe.
 */
public final class FlashAttention {
    /** The two published loop orders. */
    public enum Version {
        /** Outer loop over key/value blocks, per-step normalisation, parallel over (batch, head). */
        V1,
        /** Outer loop over query blocks (parallel), deferred normalisation, causal block skipping. */
        V2
    }

    /**
     * The output of a FlashAttention call.
     *
     * @param output the attention output {@code [batch, heads, qSeq, valueDim]}
     * @param logSumExp the log-sum-exp of every score row {@code [batch, heads, qSeq]} (saved for the backward pass)
     * @param blocksComputed how many (query block, key block) tiles were computed, summed over batch and heads
     * @param divisions how many normalising divisions were performed (v1: one per row per visited tile; v2: one per
     *     row)
     */
    public record Result(Tensor output, Tensor logSumExp, long blocksComputed, long divisions) {}

    private final Version version;
    private final int blockQ;
    private final int blockK;

    private FlashAttention(Version version, int blockQ, int blockK) {
        this.version = version;
        this.blockQ = blockQ;
        this.blockK = blockK;
    }

    /**
     * A builder with the defaults {@code V2}, {@code blockQ = 64}, {@code blockK = 64}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link FlashAttention}. */
    public static final class Builder {
        private Version version = Version.V2;
        private int blockQ = 64;
        private int blockK = 64;

        private Builder() {}

        /**
         * The loop order.
         *
         * @param version {@code V1} or {@code V2}
         * @return this builder
         */
        public Builder version(Version version) {
            this.version = version;
            return this;
        }

        /**
         * Query rows per block (the paper's B_r).
         *
         * @param blockQ ≥ 1; larger than the sequence is allowed
         * @return this builder
         */
        public Builder blockQ(int blockQ) {
            this.blockQ = blockQ;
            return this;
        }

        /**
         * Keys per block (the paper's B_c).
         *
         * @param blockK ≥ 1; larger than the sequence is allowed
         * @return this builder
         */
        public Builder blockK(int blockK) {
            this.blockK = blockK;
            return this;
        }

        /**
         * Builds the configured kernel.
         *
         * @return the kernel
         * @throws IllegalArgumentException if the version is null or a block size is below 1
         */
        public FlashAttention build() {
            if (version == null) {
                throw new IllegalArgumentException("version must be V1 or V2, got null");
            }
            if (blockQ < 1) {
                throw new IllegalArgumentException("blockQ must be >= 1, got " + blockQ);
            }
            if (blockK < 1) {
                throw new IllegalArgumentException("blockK must be >= 1, got " + blockK);
            }
            return new FlashAttention(version, blockQ, blockK);
        }
    }

    /**
     * The 7-argument form: causal or unmasked attention with the default scale {@code 1/√headDim}.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param causal whether to apply the bottom-right causal mask
     * @param blockQ query rows per block, ≥ 1
     * @param blockK keys per block, ≥ 1
     * @param version {@code V1} or {@code V2}
     * @return output and log-sum-exp
     * @throws IllegalArgumentException if the shapes do not fit or a block size is below 1
     */
    public static Result forward(
            Tensor q, Tensor k, Tensor v, boolean causal, int blockQ, int blockK, Version version) {
        return builder()
                .version(version)
                .blockQ(blockQ)
                .blockK(blockK)
                .build()
                .forward(
                        q,
                        k,
                        v,
                        causal ? AttentionMask.causal() : AttentionMask.none(),
                        ScaledDotProductAttention.defaultScale(q));
    }

    /**
     * Attention with a mask and a scale.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param scale the factor applied to {@code QKᵀ} (finite)
     * @return output and log-sum-exp
     * @throws IllegalArgumentException if the shapes, the mask or the scale do not fit
     */
    public Result forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, double scale) {
        return forward(q, k, v, mask, null, scale);
    }

    /**
     * Attention with a mask, an additive bias and a scale.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param bias added to every score as {@code bias(h, i + kvSeq − qSeq, j)}, or null for none
     * @param scale the factor applied to {@code QKᵀ} (finite)
     * @return output and log-sum-exp
     * @throws IllegalArgumentException if the shapes, the mask or the scale do not fit
     */
    public Result forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale) {
        ScaledDotProductAttention.Dims d = ScaledDotProductAttention.Dims.of(q, k, v, mask, scale);
        return version == Version.V1
                ? FlashAttentionV1.forward(
                        d, q.data(), k.data(), v.data(), mask, bias, blockQ, blockK, TileKernels.PREFERRED)
                : FlashAttentionV2.forward(
                        d, q.data(), k.data(), v.data(), mask, bias, blockQ, blockK, TileKernels.PREFERRED);
    }

    /**
     * FlashAttention-2's backward pass, recomputing P tile by tile from the saved log-sum-exp (see
     * {@link FlashAttentionBackward}), with this instance's block sizes.
     *
     * @param q the queries of the forward pass
     * @param k the keys of the forward pass
     * @param v the values of the forward pass
     * @param forward the result of {@link #forward(Tensor, Tensor, Tensor, AttentionMask, AttentionBias, double)}
     * @param dO the gradient of the output {@code [batch, heads, qSeq, valueDim]}
     * @param mask the mask of the forward pass
     * @param bias the bias of the forward pass, or null
     * @param scale the scale of the forward pass
     * @return dQ, dK, dV and Δ = rowsum(dO ∘ O)
     * @throws IllegalArgumentException if the shapes do not fit, naming them
     */
    public AttentionGradients backward(
            Tensor q,
            Tensor k,
            Tensor v,
            Result forward,
            Tensor dO,
            AttentionMask mask,
            AttentionBias bias,
            double scale) {
        ScaledDotProductAttention.Dims d = ScaledDotProductAttention.Dims.of(q, k, v, mask, scale);
        int[] outShape = {d.batch, d.heads, d.qSeq, d.valueDim};
        if (forward == null || !java.util.Arrays.equals(forward.output().shape(), outShape)) {
            throw new IllegalArgumentException("forward output has shape "
                    + (forward == null
                            ? "null"
                            : java.util.Arrays.toString(forward.output().shape()))
                    + " but q, k, v give " + java.util.Arrays.toString(outShape));
        }
        if (dO == null || !java.util.Arrays.equals(dO.shape(), outShape)) {
            throw new IllegalArgumentException("dO has shape "
                    + (dO == null ? "null" : java.util.Arrays.toString(dO.shape())) + " but the output has shape "
                    + java.util.Arrays.toString(outShape));
        }
        return FlashAttentionBackward.backward(
                d,
                q,
                k,
                v,
                forward.output(),
                forward.logSumExp(),
                dO,
                mask,
                bias,
                blockQ,
                blockK,
                TileKernels.PREFERRED);
    }

    /**
     * The memory a single-threaded call allocates when the head width equals the value width (the usual case): see
     * {@link #workspaceBytes(int, int, int, int, int)}.
     *
     * @param batch the batch size
     * @param heads the query heads
     * @param qSeq the query length
     * @param valueDim the value width (and head width)
     * @return bytes allocated by one call on one thread
     */
    public long workspaceBytes(int batch, int heads, int qSeq, int valueDim) {
        return workspaceBytes(batch, heads, qSeq, valueDim, valueDim);
    }

    /**
     * The memory a single-threaded call allocates: the output and log-sum-exp, which grow linearly in the sequence
     * length, plus the worker's scratch (tiles and a packed query or key tile; for v1 also m and ℓ per row). Naive
     * attention would add {@code 4·qSeq·kvSeq} bytes per head for the score matrix.
     *
     * @param batch the batch size
     * @param heads the query heads
     * @param qSeq the query length
     * @param headDim the query/key width
     * @param valueDim the value width
     * @return bytes allocated by one call on one thread
     */
    public long workspaceBytes(int batch, int heads, int qSeq, int headDim, int valueDim) {
        long outputs = 4L * batch * heads * qSeq * ((long) valueDim + 1);
        int bq = Math.min(blockQ, qSeq);
        long scratch = version == Version.V1
                ? FlashAttentionV1.workspaceBytesPerWorker(qSeq, bq, blockK, headDim, valueDim)
                : FlashAttentionV2.workspaceBytesPerWorker(bq, blockK, headDim, valueDim);
        return outputs + scratch;
    }

    /**
     * The configured version.
     *
     * @return V1 or V2
     */
    public Version version() {
        return version;
    }

    /**
     * Query rows per block.
     *
     * @return blockQ
     */
    public int blockQ() {
        return blockQ;
    }

    /**
     * Keys per block.
     *
     * @return blockK
     */
    public int blockK() {
        return blockK;
    }
}
