package org.llm4e.attention;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * The KV cache of Multi-head Latent Attention: per token it holds only the compressed latent {@code c^KV_t} and the
 * one rotary key {@code k^R_t} shared by all heads, never the per-head keys and values.
 *
 * <pre>
 *   cached per token and layer:  [ c^KV_t (d_c) ; k^R_t (d_h^R) ]        d_c + d_h^R elements
 *   MHA would cache             [ k_{t,1} … k_{t,n_h} ; v_{t,1} … v_{t,n_h} ]   2 · n_h · d_h elements
 *
 *   DeepSeek-V2 (d_c = 512, d_h^R = 64, n_h = d_h = 128):  576 vs 32 768 elements, 56.9× smaller,
 *   the cache of GQA with 576 / (2 · 128) = 2.25 groups.
 * </pre>
 *
 * <p>From 一文了解Deepseek系列中的MLA技术.md (MLA img 10, DeepSeek-V2 eqs. 37–47, the boxed terms; attention catalog §10).
 * The numbers in the block above come from the DeepSeek-V2 paper the article cites, not from the article. Each
 * token's row is stored as {@code [c^KV; k^R]}, the layout of DeepSeek's {@code kv_a_proj_with_mqa} output (576 wide
 * in DeepSeek-V2/V3): the absorbed path of {@link MultiHeadLatentAttention} reads the row as the single shared key of
 * a multi-query attention and its first {@code d_c} elements as the shared value, so nothing is copied per step.
 * {@code k^R} is stored after its rotation, because its position never changes.
 *
 * <p>Storage is float32, {@code batch · capacity · (d_c + d_h^R) · 4} bytes allocated up front. A cache is a
 * stateful working object and not thread-safe.
 */
public final class LatentKvCache {
    private final int batch;
    private final int latentDim;
    private final int ropeDim;
    private final int rowWidth;
    private final int capacity;
    private final float[] rows;
    private int length;

    /**
     * An empty cache.
     *
     * @param batch the batch size, ≥ 1
     * @param latentDim the latent width {@code d_c} (DeepSeek's {@code kv_lora_rank}), ≥ 1
     * @param ropeDim the rotary key width {@code d_h^R} (DeepSeek's {@code qk_rope_head_dim}), ≥ 0
     * @param capacity the largest number of tokens it holds, ≥ 1
     * @throws IllegalArgumentException if a size is out of range
     */
    public LatentKvCache(int batch, int latentDim, int ropeDim, int capacity) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (latentDim < 1) {
            throw new IllegalArgumentException("latentDim must be >= 1, got " + latentDim);
        }
        if (ropeDim < 0) {
            throw new IllegalArgumentException("ropeDim must be >= 0, got " + ropeDim);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.batch = batch;
        this.latentDim = latentDim;
        this.ropeDim = ropeDim;
        this.rowWidth = latentDim + ropeDim;
        this.capacity = capacity;
        this.rows = new float[Math.multiplyExact(Math.multiplyExact(batch, capacity), rowWidth)];
    }

    /**
     * Appends the latents and rotary keys of new tokens.
     *
     * @param latents {@code c^KV} of the new tokens {@code [batch, s, latentDim]}
     * @param ropeKeys the rotated {@code k^R} of the new tokens {@code [batch, s, ropeDim]}
     * @throws IllegalArgumentException if the shapes do not fit the cache or it would overflow
     */
    public void append(Tensor latents, Tensor ropeKeys) {
        int s = check("latents", latents, latentDim);
        int sr = check("ropeKeys", ropeKeys, ropeDim);
        if (s != sr) {
            throw new IllegalArgumentException("latents " + Arrays.toString(latents.shape()) + " and ropeKeys "
                    + Arrays.toString(ropeKeys.shape()) + " must hold the same number of tokens");
        }
        if (length + s > capacity) {
            throw new IllegalArgumentException(
                    "appending " + s + " tokens to a cache holding " + length + " exceeds its capacity " + capacity);
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < s; t++) {
                int dst = (b * capacity + length + t) * rowWidth;
                System.arraycopy(latents.data(), (b * s + t) * latentDim, rows, dst, latentDim);
                System.arraycopy(ropeKeys.data(), (b * s + t) * ropeDim, rows, dst + latentDim, ropeDim);
            }
        }
        length += s;
    }

    /**
     * A copy of the cached latents.
     *
     * @return {@code [batch, length, latentDim]}
     */
    public Tensor latents() {
        return copy(0, latentDim);
    }

    /**
     * A copy of the cached rotary keys.
     *
     * @return {@code [batch, length, ropeDim]}
     */
    public Tensor ropeKeys() {
        return copy(latentDim, ropeDim);
    }

    private Tensor copy(int from, int width) {
        Tensor t = Tensor.zeros(batch, length, width);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < length; j++) {
                System.arraycopy(rows, (b * capacity + j) * rowWidth + from, t.data(), (b * length + j) * width, width);
            }
        }
        return t;
    }

    /**
     * The number of cached tokens.
     *
     * @return the length
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
     * The batch size.
     *
     * @return batch
     */
    public int batch() {
        return batch;
    }

    /**
     * The latent width {@code d_c}.
     *
     * @return latentDim
     */
    public int latentDim() {
        return latentDim;
    }

    /**
     * The rotary key width {@code d_h^R}.
     *
     * @return ropeDim
     */
    public int ropeDim() {
        return ropeDim;
    }

    /**
     * The elements cached per token: {@code d_c + d_h^R} (576 for DeepSeek-V2), whatever the number of heads.
     *
     * @return latentDim + ropeDim
     */
    public int elementsPerToken() {
        return rowWidth;
    }

    /**
     * The bytes of float32 storage this cache holds, {@code batch · capacity · (d_c + d_h^R) · 4}.
     *
     * @return the allocated bytes
     */
    public long bytes() {
        return 4L * rows.length;
    }

    /**
     * Keeps only the first {@code newLength} tokens.
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

    /** Forgets every cached token (the storage is kept). */
    public void clear() {
        length = 0;
    }

    /** The live storage, rows of {@code [c^KV; k^R]}, batch {@code b} starting at row {@code b · capacity}. */
    float[] rows() {
        return rows;
    }

    private int check(String name, Tensor t, int width) {
        if (t == null || t.rank() != 3 || t.dim(0) != batch || t.dim(2) != width) {
            throw new IllegalArgumentException(name + " has shape " + (t == null ? "null" : Arrays.toString(t.shape()))
                    + " but the cache holds [" + batch + ", s, " + width + "]");
        }
        return t.dim(1);
    }
}
