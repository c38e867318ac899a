package org.llm4e.attention;

import java.util.Objects;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * Which kernel computes {@code softmax(scale · Q Kᵀ + bias) V} inside a layer: the reference
 * {@link ScaledDotProductAttention} (materialises each block's score rows) or {@link FlashAttention} (tiles with the
 * online softmax and never stores the score matrix). Both compute the same function; they differ in memory traffic and
 * in float32 rounding only.
 *
 * <pre>
 *   sdpa():          S = scale·QKᵀ + bias, P = softmax(S), O = P V               (weights available on request)
 *   flash(kernel):   per key tile j:  m ← max(m, rowmax S_j),  ℓ ← e^{m_old − m} ℓ + rowsum e^{S_j − m},
 *                    O ← e^{m_old − m} O + e^{S_j − m} V_j;   O / ℓ,  lse = m + log ℓ   (weights never formed)
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md and FlashAttentionv2相比于v1有哪些更新？.md (attention
 * catalog §1–7). Each backend has its backward pass: SDPA recomputes P row block by row block
 * ({@link ScaledDotProductAttention#backward}), FlashAttention-2 recomputes it tile by tile from the saved
 * log-sum-exp ({@link FlashAttention#backward}); both give the same gradients to float32 rounding.
 *
 * <p>With a {@link KvCache}, the SDPA backend reads the cache's storage in place; the FlashAttention backend reads a
 * contiguous copy of the cached keys and values ({@link KvCache#keys()}), which costs one extra pass over the cache
 * per call (the same order of work as the attention itself reads).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AttentionBackend {
    private static final AttentionBackend SDPA = new AttentionBackend(null);

    private final FlashAttention flash;

    private AttentionBackend(FlashAttention flash) {
        this.flash = flash;
    }

    /**
     * The reference scaled dot-product attention (the default of every layer).
     *
     * @return the SDPA backend
     */
    public static AttentionBackend sdpa() {
        return SDPA;
    }

    /**
     * FlashAttention-2 with 64 × 64 tiles.
     *
     * @return a FlashAttention backend
     */
    public static AttentionBackend flash() {
        return flash(FlashAttention.builder().build());
    }

    /**
     * A configured FlashAttention kernel (version and tile sizes).
     *
     * @param kernel the kernel, for example {@code FlashAttention.builder().version(V1).blockQ(32).build()}
     * @return a FlashAttention backend
     * @throws IllegalArgumentException if {@code kernel} is null
     */
    public static AttentionBackend flash(FlashAttention kernel) {
        if (kernel == null) {
            throw new IllegalArgumentException("kernel must not be null (use AttentionBackend.sdpa() for SDPA)");
        }
        return new AttentionBackend(kernel);
    }

    /**
     * Whether this backend is FlashAttention.
     *
     * @return true for {@link #flash(FlashAttention)}, false for {@link #sdpa()}
     */
    public boolean isFlash() {
        return flash != null;
    }

    /**
     * Whether this backend can return the attention weights P (only SDPA forms them).
     *
     * @return true for SDPA
     */
    public boolean providesWeights() {
        return flash == null;
    }

    /**
     * Attention of {@code q} over {@code k}, {@code v}.
     *
     * @param q queries {@code [batch, heads, qSeq, headDim]}
     * @param k keys {@code [batch, kvHeads, kvSeq, headDim]}
     * @param v values {@code [batch, kvHeads, kvSeq, valueDim]}
     * @param mask which keys each query may attend
     * @param bias additive bias called as {@code bias(h, i + kvSeq − qSeq, j)}, or null
     * @param scale the score scale (finite)
     * @param returnWeights whether to return P; ignored (null weights) by FlashAttention, which never forms it
     * @return output, log-sum-exp and (SDPA, on request) the weights
     * @throws IllegalArgumentException if the shapes, mask or scale do not fit
     */
    public AttentionResult attend(
            Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale, boolean returnWeights) {
        if (flash == null) {
            return ScaledDotProductAttention.forwardWithStats(q, k, v, mask, bias, scale, returnWeights);
        }
        FlashAttention.Result r = flash.forward(q, k, v, mask, bias, scale);
        return new AttentionResult(r.output(), r.logSumExp(), null);
    }

    /**
     * Attention of {@code q} (the newest {@code q.dim(2)} tokens) over everything in {@code cache}, without appending.
     *
     * @param cache the cache holding the keys and values
     * @param q queries {@code [batch, heads, s, headDim]}
     * @param mask the mask over the cached keys
     * @param scale the score scale
     * @param bias an additive bias in absolute positions, or null
     * @return output and log-sum-exp
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public AttentionResult query(KvCache cache, Tensor q, AttentionMask mask, double scale, AttentionBias bias) {
        Objects.requireNonNull(cache, "cache");
        if (flash == null) {
            return cache.query(q, mask, scale, bias);
        }
        FlashAttention.Result r = flash.forward(q, cache.keys(), cache.values(), mask, bias, scale);
        return new AttentionResult(r.output(), r.logSumExp(), null);
    }

    /**
     * The gradients of {@link #attend} with respect to q, k and v.
     *
     * @param q the queries of the forward pass
     * @param k the keys of the forward pass
     * @param v the values of the forward pass
     * @param forward the result of the forward pass (FlashAttention uses its output and log-sum-exp)
     * @param dO the gradient of the output {@code [batch, heads, qSeq, valueDim]}
     * @param mask the mask of the forward pass
     * @param bias the bias of the forward pass, or null
     * @param scale the scale of the forward pass
     * @return dQ, dK, dV and Δ
     * @throws IllegalArgumentException if the shapes do not fit, naming them
     */
    public AttentionGradients backward(
            Tensor q,
            Tensor k,
            Tensor v,
            AttentionResult forward,
            Tensor dO,
            AttentionMask mask,
            AttentionBias bias,
            double scale) {
        if (flash == null) {
            return ScaledDotProductAttention.backward(q, k, v, mask, bias, scale, dO);
        }
        if (forward == null) {
            throw new IllegalArgumentException(
                    "forward must not be null: FlashAttention's backward needs its output " + "and log-sum-exp");
        }
        return flash.backward(
                q, k, v, new FlashAttention.Result(forward.output(), forward.logSumExp(), 0, 0), dO, mask, bias, scale);
    }

    @Override
    public String toString() {
        return flash == null
                ? "sdpa"
                : "flash(" + flash.version() + ", blockQ=" + flash.blockQ() + ", blockK=" + flash.blockK() + ")";
    }
}
