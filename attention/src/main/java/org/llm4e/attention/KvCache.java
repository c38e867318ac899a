package org.llm4e.attention;

import java.util.Arrays;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/**
 * The key/value cache of incremental decoding: the keys and values of every token seen so far, so that each new
 * token computes only its own K and V and attends to the cached ones.
 *
 * <pre>
 *   prefill:  K ← [k_0 … k_{P−1}],  V ← [v_0 … v_{P−1}];   O = causal attention of the P prompt queries
 *   decode:   K ← [K; k_t],  V ← [V; v_t];                 o_t = softmax(scale · q_t Kᵀ) V
 * </pre>
 *
 * <p>From 一文了解Deepseek系列中的MLA技术.md (appendix 1), 如何评判大模型的输出速度？首Token延迟和其余Token延迟有什么不同？.md and
 * 大模型output-token为什么比input-token贵？.md (attention catalog §8). Queries are not cached: each step needs only its
 * newest query. With a cache, generating {@code n} tokens after a {@code P}-token prompt computes {@code P + n − 1}
 * K/V rows instead of {@code P + (P+1) + … + (P+n−1)} (the article's example: 12 instead of 42).
 *
 * <p>{@link #attend} appends the new keys and values and then runs causal attention of the new queries over the
 * whole cache. Because {@link AttentionMask#causal()} is bottom-right aligned, one call with several tokens (prefill,
 * or a chunk of a chunked prefill) and a call with a single token (decode) are the same code, and the outputs equal
 * the rows of one causal pass over the full sequence.
 *
 * <p>Memory: {@code 2 · batch · kvHeads · capacity · headDim · 4} bytes (float32), allocated up front. With GQA the
 * cache shrinks by {@code heads / kvHeads} compared to MHA; MQA keeps a single kv head.
 *
 * <p>A cache is a stateful working object and not thread-safe.
 */
public final class KvCache {
    private final int batch;
    private final int kvHeads;
    private final int headDim;
    private final int valueDim;
    private final int capacity;
    private final float[] keys;
    private final float[] values;
    private int length;
    private long appendedTokens;
    private int startPosition;

    /**
     * An empty cache whose values have the key width.
     *
     * @param batch the batch size, ≥ 1
     * @param kvHeads the number of kv heads, ≥ 1
     * @param headDim the key (and value) width, ≥ 1
     * @param capacity the largest number of tokens it holds, ≥ 1
     * @throws IllegalArgumentException if a size is not positive
     */
    public KvCache(int batch, int kvHeads, int headDim, int capacity) {
        this(batch, kvHeads, headDim, headDim, capacity);
    }

    /**
     * An empty cache.
     *
     * @param batch the batch size, ≥ 1
     * @param kvHeads the number of kv heads, ≥ 1
     * @param headDim the key width, ≥ 1
     * @param valueDim the value width, ≥ 1
     * @param capacity the largest number of tokens it holds, ≥ 1
     * @throws IllegalArgumentException if a size is not positive
     */
    public KvCache(int batch, int kvHeads, int headDim, int valueDim, int capacity) {
        positive("batch", batch);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("valueDim", valueDim);
        positive("capacity", capacity);
        this.batch = batch;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.valueDim = valueDim;
        this.capacity = capacity;
        this.keys = new float[Math.multiplyExact(Math.multiplyExact(batch * kvHeads, capacity), headDim)];
        this.values = new float[Math.multiplyExact(Math.multiplyExact(batch * kvHeads, capacity), valueDim)];
    }

    /**
     * Appends the keys and values of new tokens.
     *
     * @param k new keys {@code [batch, kvHeads, s, headDim]}
     * @param v new values {@code [batch, kvHeads, s, valueDim]}
     * @throws IllegalArgumentException if the shapes do not match the cache or the cache would overflow
     */
    public void append(Tensor k, Tensor v) {
        int s = checkNew("k", k, headDim);
        int sv = checkNew("v", v, valueDim);
        if (s != sv) {
            throw new IllegalArgumentException("k " + Arrays.toString(k.shape()) + " and v "
                    + Arrays.toString(v.shape()) + " must hold the same number of tokens");
        }
        if (length + s > capacity) {
            throw new IllegalArgumentException(
                    "appending " + s + " tokens to a cache holding " + length + " exceeds its capacity " + capacity);
        }
        for (int bh = 0; bh < batch * kvHeads; bh++) {
            System.arraycopy(k.data(), bh * s * headDim, keys, (bh * capacity + length) * headDim, s * headDim);
            System.arraycopy(v.data(), bh * s * valueDim, values, (bh * capacity + length) * valueDim, s * valueDim);
        }
        length += s;
        appendedTokens += s;
    }

    /**
     * Appends {@code k} and {@code v}, then runs causal attention of {@code q} (the same new tokens) over the whole
     * cache with the default scale.
     *
     * @param q new queries {@code [batch, heads, s, headDim]} (heads a multiple of kvHeads)
     * @param k new keys {@code [batch, kvHeads, s, headDim]}
     * @param v new values {@code [batch, kvHeads, s, valueDim]}
     * @return output {@code [batch, heads, s, valueDim]} and log-sum-exp
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public AttentionResult attend(Tensor q, Tensor k, Tensor v) {
        return attend(q, k, v, ScaledDotProductAttention.defaultScale(q), null);
    }

    /**
     * Appends {@code k} and {@code v}, then runs causal attention of {@code q} over the whole cache.
     *
     * @param q new queries {@code [batch, heads, s, headDim]} (heads a multiple of kvHeads)
     * @param k new keys {@code [batch, kvHeads, s, headDim]}
     * @param v new values {@code [batch, kvHeads, s, valueDim]}
     * @param scale the score scale
     * @param bias an additive bias in absolute positions, or null
     * @return output {@code [batch, heads, s, valueDim]} and log-sum-exp
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public AttentionResult attend(Tensor q, Tensor k, Tensor v, double scale, AttentionBias bias) {
        checkQueries(q, k);
        append(k, v);
        return query(q, AttentionMask.causal(), scale, bias);
    }

    /**
     * Runs attention of {@code q} over the cached tokens without appending (the queries are taken to be the last
     * {@code q.dim(2)} tokens for the causal rule).
     *
     * @param q queries {@code [batch, heads, s, headDim]}
     * @param mask the mask over the {@link #length()} cached keys
     * @param scale the score scale
     * @param bias an additive bias in absolute positions, or null
     * @return output and log-sum-exp
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public AttentionResult query(Tensor q, AttentionMask mask, double scale, AttentionBias bias) {
        if (q == null || q.rank() != 4 || q.dim(0) != batch || q.dim(3) != headDim || q.dim(1) % kvHeads != 0) {
            throw new IllegalArgumentException("q has shape " + (q == null ? "null" : Arrays.toString(q.shape()))
                    + " but the cache needs [" + batch + ", a multiple of " + kvHeads + ", s, " + headDim + "]");
        }
        if (mask == null) {
            throw new IllegalArgumentException("mask must not be null (use AttentionMask.none())");
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite, got " + scale);
        }
        mask.validate(batch, length);
        ScaledDotProductAttention.Dims d = new ScaledDotProductAttention.Dims(
                batch, q.dim(1), kvHeads, q.dim(2), length, capacity, headDim, valueDim, scale);
        return ScaledDotProductAttention.compute(d, q.data(), keys, values, mask, bias, false);
    }

    /**
     * A copy of the cached keys.
     *
     * @return {@code [batch, kvHeads, length, headDim]}
     */
    public Tensor keys() {
        return copy(keys, headDim);
    }

    /**
     * A copy of the cached values.
     *
     * @return {@code [batch, kvHeads, length, valueDim]}
     */
    public Tensor values() {
        return copy(values, valueDim);
    }

    /**
     * The number of cached tokens.
     *
     * @return the sequence length held
     */
    public int length() {
        return length;
    }

    /**
     * The capacity in tokens.
     *
     * @return the largest length
     */
    public int capacity() {
        return capacity;
    }

    /**
     * The number of tokens whose K and V were computed and appended since creation (not reset by {@link #clear()}):
     * the article's count of K/V computations.
     *
     * @return the total appended
     */
    public long appendedTokens() {
        return appendedTokens;
    }

    /**
     * The bytes of float32 storage this cache holds, {@code 2 · batch · kvHeads · capacity · headDim · 4} when values
     * have the key width.
     *
     * @return the allocated bytes of keys and values
     */
    public long bytes() {
        return 4L * (keys.length + (long) values.length);
    }

    /**
     * The number of kv heads.
     *
     * @return kvHeads
     */
    public int kvHeads() {
        return kvHeads;
    }

    /**
     * Keeps only the first {@code newLength} tokens (rolling back rejected draft tokens, or re-running a step).
     *
     * @param newLength the length to keep, in {@code [0, length()]}
     * @throws IllegalArgumentException if {@code newLength} is outside {@code [0, length()]}
     */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("newLength must be in [0, " + length + "], got " + newLength);
        }
        length = newLength;
    }

    /**
     * The absolute position of the first cached token (0 unless set): a cache can start in the middle of a sequence,
     * for example when a prompt is continued at position 8189. Layers check that new tokens start at
     * {@code startPosition() + length()}.
     *
     * @return the position of cached token 0
     */
    public int startPosition() {
        return startPosition;
    }

    /**
     * Sets the absolute position of the first token of an empty cache.
     *
     * @param startPosition ≥ 0
     * @throws IllegalArgumentException if the position is negative
     * @throws IllegalStateException if the cache is not empty
     */
    public void setStartPosition(int startPosition) {
        if (startPosition < 0) {
            throw new IllegalArgumentException("startPosition must be >= 0, got " + startPosition);
        }
        if (length != 0) {
            throw new IllegalStateException(
                    "startPosition can only be set on an empty cache, but it holds " + length + " tokens");
        }
        this.startPosition = startPosition;
    }

    /** Forgets every cached token (the storage and the start position are kept). */
    public void clear() {
        length = 0;
    }

    private Tensor copy(float[] src, int width) {
        Tensor t = Tensor.zeros(batch, kvHeads, length, width);
        for (int bh = 0; bh < batch * kvHeads; bh++) {
            System.arraycopy(src, bh * capacity * width, t.data(), bh * length * width, length * width);
        }
        return t;
    }

    private void checkQueries(Tensor q, Tensor k) {
        if (q == null || q.rank() != 4 || k == null || k.rank() != 4 || q.dim(2) != k.dim(2)) {
            throw new IllegalArgumentException("q " + (q == null ? "null" : Arrays.toString(q.shape())) + " and k "
                    + (k == null ? "null" : Arrays.toString(k.shape()))
                    + " must be rank 4 with the same number of new tokens (dimension 2)");
        }
    }

    private int checkNew(String name, Tensor t, int width) {
        if (t == null || t.rank() != 4 || t.dim(0) != batch || t.dim(1) != kvHeads || t.dim(3) != width) {
            throw new IllegalArgumentException(name + " has shape " + (t == null ? "null" : Arrays.toString(t.shape()))
                    + " but the cache holds [" + batch + ", " + kvHeads + ", s, " + width + "]");
        }
        return t.dim(2);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
