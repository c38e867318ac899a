package org.llm4e.attention;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RotaryEmbedding;

/**
 * Multi-head Latent Attention (DeepSeek-V2): queries and keys/values are compressed to low-rank latents, only the KV
 * latent and one small rotary key are cached, and the position lives in extra "decoupled" RoPE dimensions so that the
 * up-projections can be absorbed into the query and output projections at inference.
 *
 * <pre>
 *   c^Q_t   = W^DQ h_t                                   query latent        (d_c′)
 *   q^C_t   = W^UQ c^Q_t = [q^C_{t,1}; …; q^C_{t,n_h}]    content queries     (n_h · d_h)
 *   q^R_t   = RoPE(W^QR c^Q_t) = [q^R_{t,1}; …]           rotary queries      (n_h · d_h^R)
 *   c^KV_t  = W^DKV h_t                                  ┐ cached            (d_c)
 *   k^R_t   = RoPE(W^KR h_t)                             ┘ ONE key, all heads (d_h^R)
 *   k^C_t   = W^UK c^KV_t,   v^C_t = W^UV c^KV_t          per-head content keys and values
 *   q_{t,i} = [q^C_{t,i}; q^R_{t,i}],   k_{j,i} = [k^C_{j,i}; k^R_j]
 *   o_{t,i} = Σ_{j≤t} softmax_j( q_{t,i}ᵀ k_{j,i} / √(d_h + d_h^R) ) v^C_{j,i}
 *   u_t     = W^O [o_{t,1}; …; o_{t,n_h}]
 *
 *   score split:  q_{t,i}ᵀ k_{j,i} = q^C_{t,i}ᵀ k^C_{j,i} + q^R_{t,i}ᵀ k^R_j
 * </pre>
 *
 * <p>From 一文了解Deepseek系列中的MLA技术.md (MLA img 7 and 10, DeepSeek-V2 eqs. 9–11 and 37–47; attention catalog
 * §10). This class is the <em>explicit</em> path, the training form: every key and value is up-projected from its
 * latent. {@link #absorb()} returns the <em>absorbed</em> path, the inference form, in which
 * {@code W^UQ_iᵀ W^UK_i} and {@code W^O_i W^UV_i} are precomputed per head (see {@link AbsorbedLatentAttention}); the
 * two give the same output. Absorption needs the content part of the score to be position-free, which is why RoPE
 * may not sit between {@code W^Q} and {@code W^UK} (the rotation {@code R_m} would make {@code W^UQᵀ R_mᵀ R_n W^UK}
 * depend on the positions) and why DeepSeek adds the separate rotary dimensions.
 *
 * <p>Departures and choices: the article writes the absorption as {@code x_tᵀ (W^{qT} W^{UK}) c^KV_t} (plain
 * {@code W^q}); with query compression, as here and in DeepSeek-V2, the absorbed matrix is {@code W^UQ_iᵀ W^UK_i}
 * applied to {@code c^Q}; {@code qLoraRank(0)} (no query compression, DeepSeek-V2-Lite) gives the article's form.
 * DeepSeek-V2's checkpoints also RMS-normalise {@code c^Q} and {@code c^KV}; the article's
 * formulas have no norm, so neither does this class. The decoding mask is causal by default because the formula's sum
 * runs over {@code j ≤ t}. Sizes follow DeepSeek's config keys ({@code q_lora_rank}, {@code kv_lora_rank},
 * {@code qk_nope_head_dim}, {@code qk_rope_head_dim}, {@code v_head_dim}); the parameters are named after the
 * article's matrices ({@code W_DQ, W_UQ, W_QR, W_DKV, W_UK, W_KR, W_UV, W_O}) in {@code nn.Linear} layout
 * {@code [out, in]}. DeepSeek's fused {@code q_b_proj}, {@code kv_a_proj_with_mqa} and {@code kv_b_proj} are the
 * row-wise concatenations (per head for the {@code b} projections) of these.
 *
 * <p>The cache ({@link LatentKvCache}) holds {@code d_c + d_h^R} elements per token and layer, independent of the
 * number of heads. With the explicit path a decode step re-up-projects every cached latent into {@code k^C} and
 * {@code v^C} (the cost the article says would defeat caching); the absorbed path reads the latents as they are.
 *
 * <p>A layer is a stateful working object and not thread-safe while its weights change.
 */
public final class MultiHeadLatentAttention {
    private final int dModel;
    private final int numHeads;
    private final int qLoraRank;
    /** The width W^UQ and W^QR read: {@code qLoraRank}, or {@code dModel} without query compression. */
    private final int qIn;

    private final int kvLoraRank;
    private final int qkNopeHeadDim;
    private final int qkRopeHeadDim;
    private final int vHeadDim;
    private final boolean causal;
    private final double scale;
    private final RotaryEmbedding rope;
    private final Parameter wdq;
    private final Parameter wuq;
    private final Parameter wqr;
    private final Parameter wdkv;
    private final Parameter wuk;
    private final Parameter wkr;
    private final Parameter wuv;
    private final Parameter wo;

    private MultiHeadLatentAttention(Builder b) {
        this.dModel = b.dModel;
        this.numHeads = b.numHeads;
        this.qLoraRank = b.qLoraRank;
        this.kvLoraRank = b.kvLoraRank;
        this.qkNopeHeadDim = b.qkNopeHeadDim;
        this.qkRopeHeadDim = b.qkRopeHeadDim;
        this.vHeadDim = b.vHeadDim;
        this.causal = b.causal;
        this.scale = Double.isNaN(b.scale) ? 1.0 / Math.sqrt(qkNopeHeadDim + qkRopeHeadDim) : b.scale;
        this.rope =
                b.rope != null ? b.rope : RotaryEmbedding.builder(qkRopeHeadDim).build();
        this.qIn = qLoraRank > 0 ? qLoraRank : dModel;
        this.wdq = qLoraRank > 0 ? Projections.initialParameter("W_DQ", b.seed, qLoraRank, dModel) : null;
        this.wuq = Projections.initialParameter("W_UQ", b.seed + 1, numHeads * qkNopeHeadDim, qIn);
        this.wqr = Projections.initialParameter("W_QR", b.seed + 2, numHeads * qkRopeHeadDim, qIn);
        this.wdkv = Projections.initialParameter("W_DKV", b.seed + 3, kvLoraRank, dModel);
        this.wuk = Projections.initialParameter("W_UK", b.seed + 4, numHeads * qkNopeHeadDim, kvLoraRank);
        this.wkr = Projections.initialParameter("W_KR", b.seed + 5, qkRopeHeadDim, dModel);
        this.wuv = Projections.initialParameter("W_UV", b.seed + 6, numHeads * vHeadDim, kvLoraRank);
        this.wo = Projections.initialParameter("W_O", b.seed + 7, dModel, numHeads * vHeadDim);
    }

    /**
     * A builder; {@code dModel}, {@code numHeads}, {@code qLoraRank}, {@code kvLoraRank}, {@code qkNopeHeadDim} and
     * {@code qkRopeHeadDim} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link MultiHeadLatentAttention}; names follow DeepSeek-V2's {@code config.json}. */
    public static final class Builder {
        private int dModel = -1;
        private int numHeads = -1;
        private int qLoraRank = -1;
        private int kvLoraRank = -1;
        private int qkNopeHeadDim = -1;
        private int qkRopeHeadDim = -1;
        private int vHeadDim = -1;
        private boolean causal = true;
        private double scale = Double.NaN;
        private RotaryEmbedding rope;
        private long seed;

        private Builder() {}

        /**
         * The model width (DeepSeek's {@code hidden_size}).
         *
         * @param dModel ≥ 1
         * @return this builder
         */
        public Builder dModel(int dModel) {
            this.dModel = dModel;
            return this;
        }

        /**
         * The number of heads {@code n_h} ({@code num_attention_heads}).
         *
         * @param numHeads ≥ 1
         * @return this builder
         */
        public Builder numHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /**
         * The query latent width {@code d_c′} ({@code q_lora_rank}; 1536 in DeepSeek-V2), or 0 for no query
         * compression ({@code q_lora_rank: null} in DeepSeek-V2-Lite): then {@code W^UQ} and {@code W^QR} read
         * {@code h_t} directly, {@code c^Q_t = h_t}, and the absorbed query matrix is the article's plain
         * {@code W^{qT} W^UK}.
         *
         * @param qLoraRank ≥ 0
         * @return this builder
         */
        public Builder qLoraRank(int qLoraRank) {
            this.qLoraRank = qLoraRank;
            return this;
        }

        /**
         * The KV latent width {@code d_c} ({@code kv_lora_rank}; 512 in DeepSeek-V2), the bulk of the cache.
         *
         * @param kvLoraRank ≥ 1
         * @return this builder
         */
        public Builder kvLoraRank(int kvLoraRank) {
            this.kvLoraRank = kvLoraRank;
            return this;
        }

        /**
         * The per-head width of content queries and keys {@code d_h} ({@code qk_nope_head_dim}; 128).
         *
         * @param qkNopeHeadDim ≥ 1
         * @return this builder
         */
        public Builder qkNopeHeadDim(int qkNopeHeadDim) {
            this.qkNopeHeadDim = qkNopeHeadDim;
            return this;
        }

        /**
         * The width of the decoupled rotary query per head and of the shared rotary key {@code d_h^R}
         * ({@code qk_rope_head_dim}; 64).
         *
         * @param qkRopeHeadDim ≥ 2 and even
         * @return this builder
         */
        public Builder qkRopeHeadDim(int qkRopeHeadDim) {
            this.qkRopeHeadDim = qkRopeHeadDim;
            return this;
        }

        /**
         * The per-head value width ({@code v_head_dim}; default {@code qkNopeHeadDim}).
         *
         * @param vHeadDim ≥ 1
         * @return this builder
         */
        public Builder vHeadDim(int vHeadDim) {
            this.vHeadDim = vHeadDim;
            return this;
        }

        /**
         * Whether token t attends only to tokens j ≤ t (default true, the article's formula).
         *
         * @param causal the causal flag
         * @return this builder
         */
        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /**
         * The score scale (default {@code 1/√(d_h + d_h^R)}).
         *
         * @param scale finite
         * @return this builder
         */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        /**
         * The rotary embedding of the decoupled dimensions (default base 10000, half-split layout).
         *
         * @param rope a RoPE whose {@code headDim} equals {@code qkRopeHeadDim}
         * @return this builder
         */
        public Builder rope(RotaryEmbedding rope) {
            this.rope = rope;
            return this;
        }

        /**
         * The seed of the initial weights (default 0).
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the layer with random initial weights.
         *
         * @return the layer
         * @throws IllegalArgumentException if a size is missing or out of range
         */
        public MultiHeadLatentAttention build() {
            atLeast("dModel", dModel, 1);
            atLeast("numHeads", numHeads, 1);
            atLeast("qLoraRank", qLoraRank, 0);
            atLeast("kvLoraRank", kvLoraRank, 1);
            atLeast("qkNopeHeadDim", qkNopeHeadDim, 1);
            atLeast("qkRopeHeadDim", qkRopeHeadDim, 2);
            if (qkRopeHeadDim % 2 != 0) {
                throw new IllegalArgumentException(
                        "qkRopeHeadDim must be even (RoPE rotates pairs), got " + qkRopeHeadDim);
            }
            if (vHeadDim == -1) {
                vHeadDim = qkNopeHeadDim;
            }
            atLeast("vHeadDim", vHeadDim, 1);
            if (!Double.isNaN(scale) && !Double.isFinite(scale)) {
                throw new IllegalArgumentException("scale must be finite, got " + scale);
            }
            if (rope != null && rope.headDim() != qkRopeHeadDim) {
                throw new IllegalArgumentException(
                        "rope has headDim " + rope.headDim() + " but qkRopeHeadDim is " + qkRopeHeadDim);
            }
            return new MultiHeadLatentAttention(this);
        }

        private static void atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(
                        name + " must be >= " + min + (value == -1 ? " and is required" : "") + ", got " + value);
            }
        }
    }

    /**
     * The trainable weights in the order {@code W_DQ, W_UQ, W_QR, W_DKV, W_UK, W_KR, W_UV, W_O} ({@code W_DQ} only
     * with query compression).
     *
     * @return the eight (or seven) projection parameters (live arrays)
     */
    public List<Parameter> parameters() {
        return wdq == null
                ? List.of(wuq, wqr, wdkv, wuk, wkr, wuv, wo)
                : List.of(wdq, wuq, wqr, wdkv, wuk, wkr, wuv, wo);
    }

    /**
     * Replaces weights by name ({@code [out, in]} tensors); missing names are left as they are.
     *
     * @param weights by name: {@code W_DQ [d_c′, dModel]}, {@code W_UQ [n_h·d_h, d_c′]}, {@code W_QR [n_h·d_h^R,
     *     d_c′]}, {@code W_DKV [d_c, dModel]}, {@code W_UK [n_h·d_h, d_c]}, {@code W_KR [d_h^R, dModel]},
     *     {@code W_UV [n_h·d_v, d_c]}, {@code W_O [dModel, n_h·d_v]}
     * @throws IllegalArgumentException if a name is unknown or a shape differs, naming both shapes
     */
    public void loadWeights(Map<String, Tensor> weights) {
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Parameter p = parameters().stream()
                    .filter(q -> q.name().equals(e.getKey()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown weight name " + e.getKey()
                            + "; expected one of W_DQ, W_UQ, W_QR, W_DKV, W_UK, W_KR, W_UV, W_O"));
            int[] expected = shapeOf(p.name());
            Tensor t = e.getValue();
            if (t == null || !Arrays.equals(t.shape(), expected)) {
                throw new IllegalArgumentException(e.getKey() + " has shape "
                        + (t == null ? "null" : Arrays.toString(t.shape())) + " but the layer needs "
                        + Arrays.toString(expected));
            }
            System.arraycopy(t.data(), 0, p.data(), 0, p.size());
        }
    }

    /**
     * The shape of a weight.
     *
     * @param name one of the names of {@link #parameters()}
     * @return its {@code [out, in]} shape
     * @throws IllegalArgumentException if the name is unknown
     */
    public int[] shapeOf(String name) {
        switch (name) {
            case "W_DQ":
                if (wdq == null) {
                    throw new IllegalArgumentException("W_DQ does not exist when qLoraRank = 0 (no query compression)");
                }
                return new int[] {qLoraRank, dModel};
            case "W_UQ":
                return new int[] {numHeads * qkNopeHeadDim, qIn};
            case "W_QR":
                return new int[] {numHeads * qkRopeHeadDim, qIn};
            case "W_DKV":
                return new int[] {kvLoraRank, dModel};
            case "W_UK":
                return new int[] {numHeads * qkNopeHeadDim, kvLoraRank};
            case "W_KR":
                return new int[] {qkRopeHeadDim, dModel};
            case "W_UV":
                return new int[] {numHeads * vHeadDim, kvLoraRank};
            case "W_O":
                return new int[] {dModel, numHeads * vHeadDim};
            default:
                throw new IllegalArgumentException("unknown weight name " + name
                        + "; expected one of W_DQ, W_UQ, W_QR, W_DKV, W_UK, W_KR, W_UV, W_O");
        }
    }

    /**
     * Every intermediate of one explicit forward pass (for tests and the lesson).
     *
     * @param queryLatent {@code c^Q} {@code [batch, seq, qLoraRank]} (a copy of {@code x} when qLoraRank is 0)
     * @param contentQueries {@code q^C} {@code [batch, heads, seq, qkNopeHeadDim]}
     * @param ropeQueries {@code q^R} after RoPE {@code [batch, heads, seq, qkRopeHeadDim]}
     * @param kvLatent {@code c^KV} of the new tokens {@code [batch, seq, kvLoraRank]} (what is cached)
     * @param ropeKeys {@code k^R} of the new tokens after RoPE {@code [batch, seq, qkRopeHeadDim]} (cached)
     * @param contentKeys {@code k^C} of every attended token {@code [batch, heads, kvSeq, qkNopeHeadDim]}
     * @param values {@code v^C} of every attended token {@code [batch, heads, kvSeq, vHeadDim]}
     * @param attention the per-head attention over {@code [q^C; q^R]}, {@code [k^C; k^R]} and {@code v^C}
     * @param output {@code u} {@code [batch, seq, dModel]}
     */
    public record Intermediates(
            Tensor queryLatent,
            Tensor contentQueries,
            Tensor ropeQueries,
            Tensor kvLatent,
            Tensor ropeKeys,
            Tensor contentKeys,
            Tensor values,
            AttentionResult attention,
            Tensor output) {}

    /**
     * The explicit path over a sequence starting at position 0.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shape does not fit
     */
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /**
     * The explicit path over a sequence whose first token is at absolute position {@code positionOffset}.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the position of {@code x}'s first token, ≥ 0
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shape or the offset is invalid
     */
    public Tensor forward(Tensor x, int positionOffset) {
        return run(x, positionOffset, null, false).output();
    }

    /**
     * The explicit path returning every intermediate, with the attention weights.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the position of {@code x}'s first token, ≥ 0
     * @return the intermediates
     * @throws IllegalArgumentException if the shape or the offset is invalid
     */
    public Intermediates forwardWithIntermediates(Tensor x, int positionOffset) {
        return run(x, positionOffset, null, true);
    }

    /**
     * Prefill or decode with the explicit path: appends the new tokens' {@code c^KV} and {@code k^R} to the cache,
     * re-up-projects every cached latent to per-head keys and values, and attends (causally, when the layer is
     * causal) over the whole cache. The output rows equal those of one {@link #forward(Tensor, int)} over the whole
     * sequence.
     *
     * @param x the new tokens {@code [batch, s, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token, equal to the cache length
     * @param cache a cache from {@link #newCache(int, int)}
     * @return the output rows {@code [batch, s, dModel]}
     * @throws IllegalArgumentException if the shapes do not fit or {@code positionOffset} differs from the cache
     *     length
     */
    public Tensor forward(Tensor x, int positionOffset, LatentKvCache cache) {
        checkCache(cache, x, positionOffset);
        return run(x, positionOffset, cache, false).output();
    }

    /**
     * An empty cache for this layer: {@code kvLoraRank + qkRopeHeadDim} elements per token.
     *
     * @param batch the batch size
     * @param maxSeq the longest sequence it will hold
     * @return the cache
     * @throws IllegalArgumentException if a size is not positive
     */
    public LatentKvCache newCache(int batch, int maxSeq) {
        return new LatentKvCache(batch, kvLoraRank, qkRopeHeadDim, maxSeq);
    }

    /**
     * The absorbed (inference) form of the current weights: a snapshot, so train first and absorb afterwards (later
     * changes to {@link #parameters()} are not seen by the returned object).
     *
     * @return the absorbed layer
     */
    public AbsorbedLatentAttention absorb() {
        return new AbsorbedLatentAttention(this);
    }

    void checkCache(LatentKvCache cache, Tensor x, int positionOffset) {
        if (cache == null) {
            throw new IllegalArgumentException("cache must not be null");
        }
        if (cache.latentDim() != kvLoraRank || cache.ropeDim() != qkRopeHeadDim) {
            throw new IllegalArgumentException("cache holds latentDim " + cache.latentDim() + " and ropeDim "
                    + cache.ropeDim() + " but the layer needs " + kvLoraRank + " and " + qkRopeHeadDim);
        }
        if (x != null && x.rank() == 3 && x.dim(0) != cache.batch()) {
            throw new IllegalArgumentException("x has batch " + x.dim(0) + " but the cache has batch " + cache.batch());
        }
        if (positionOffset != cache.length()) {
            throw new IllegalArgumentException("positionOffset must equal the cache length " + cache.length()
                    + " (the absolute position of x's first token), got " + positionOffset);
        }
    }

    private Intermediates run(Tensor x, int positionOffset, LatentKvCache cache, boolean weights) {
        checkInput(x, positionOffset);
        int batch = x.dim(0);
        int seq = x.dim(1);
        int rows = batch * seq;
        float[] cQ = wdq == null ? x.data().clone() : Projections.linear(x.data(), rows, dModel, wdq.data(), qLoraRank);
        float[] qC = Projections.linear(cQ, rows, qIn, wuq.data(), numHeads * qkNopeHeadDim);
        float[] qR = Projections.linear(cQ, rows, qIn, wqr.data(), numHeads * qkRopeHeadDim);
        float[] cKV = Projections.linear(x.data(), rows, dModel, wdkv.data(), kvLoraRank);
        float[] kR = Projections.linear(x.data(), rows, dModel, wkr.data(), qkRopeHeadDim);
        ropeRows(qR, batch, seq, numHeads, positionOffset);
        ropeRows(kR, batch, seq, 1, positionOffset);

        // The latents every key and value are rebuilt from: the new tokens only, or the whole cache.
        Tensor latents = Tensor.of(cKV, batch, seq, kvLoraRank);
        Tensor ropeKeys = Tensor.of(kR, batch, seq, qkRopeHeadDim);
        Tensor allLatents = latents;
        Tensor allRopeKeys = ropeKeys;
        if (cache != null) {
            cache.append(latents, ropeKeys);
            allLatents = cache.latents();
            allRopeKeys = cache.ropeKeys();
        }
        int kvSeq = allLatents.dim(1);
        float[] kC =
                Projections.linear(allLatents.data(), batch * kvSeq, kvLoraRank, wuk.data(), numHeads * qkNopeHeadDim);
        float[] vC = Projections.linear(allLatents.data(), batch * kvSeq, kvLoraRank, wuv.data(), numHeads * vHeadDim);

        Tensor contentQ = Projections.splitHeads(qC, batch, seq, numHeads, qkNopeHeadDim);
        Tensor ropeQ = Projections.splitHeads(qR, batch, seq, numHeads, qkRopeHeadDim);
        Tensor contentK = Projections.splitHeads(kC, batch, kvSeq, numHeads, qkNopeHeadDim);
        Tensor v = Projections.splitHeads(vC, batch, kvSeq, numHeads, vHeadDim);
        Tensor q = concatLast(contentQ, ropeQ);
        // k^R is one key for all heads: broadcast it next to every head's content key.
        Tensor k = concatLast(contentK, broadcastHeads(allRopeKeys, numHeads));
        AttentionMask mask = causal ? AttentionMask.causal() : AttentionMask.none();
        AttentionResult attn = ScaledDotProductAttention.forwardWithStats(q, k, v, mask, null, scale, weights);
        float[] concat = Projections.mergeHeads(attn.output(), batch, seq, numHeads, vHeadDim)
                .data();
        Tensor out =
                Tensor.of(Projections.linear(concat, rows, numHeads * vHeadDim, wo.data(), dModel), batch, seq, dModel);
        return new Intermediates(
                Tensor.of(cQ, batch, seq, qIn), contentQ, ropeQ, latents, ropeKeys, contentK, v, attn, out);
    }

    void checkInput(Tensor x, int positionOffset) {
        if (x == null || x.rank() != 3 || x.dim(2) != dModel) {
            throw new IllegalArgumentException("x has shape " + (x == null ? "null" : Arrays.toString(x.shape()))
                    + " but the layer needs [batch, seq, " + dModel + "]");
        }
        if (positionOffset < 0) {
            throw new IllegalArgumentException("positionOffset must be >= 0, got " + positionOffset);
        }
    }

    /** Rotates each {@code [rows, heads·d_h^R]} head slice in place for its token's absolute position. */
    void ropeRows(float[] y, int batch, int seq, int heads, int positionOffset) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                for (int h = 0; h < heads; h++) {
                    rope.apply(y, ((b * seq + t) * heads + h) * qkRopeHeadDim, positionOffset + t);
                }
            }
        }
    }

    private static Tensor concatLast(Tensor a, Tensor b) {
        int rows = a.dim(0) * a.dim(1) * a.dim(2);
        int wa = a.dim(3);
        int wb = b.dim(3);
        Tensor t = Tensor.zeros(a.dim(0), a.dim(1), a.dim(2), wa + wb);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a.data(), r * wa, t.data(), r * (wa + wb), wa);
            System.arraycopy(b.data(), r * wb, t.data(), r * (wa + wb) + wa, wb);
        }
        return t;
    }

    /** {@code [batch, seq, width]} → {@code [batch, heads, seq, width]}, the same rows for every head. */
    private static Tensor broadcastHeads(Tensor x, int heads) {
        int batch = x.dim(0);
        int seqWidth = x.dim(1) * x.dim(2);
        Tensor t = Tensor.zeros(batch, heads, x.dim(1), x.dim(2));
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                System.arraycopy(x.data(), b * seqWidth, t.data(), (b * heads + h) * seqWidth, seqWidth);
            }
        }
        return t;
    }

    RotaryEmbedding rope() {
        return rope;
    }

    /**
     * The elements cached per token and layer, {@code kvLoraRank + qkRopeHeadDim} (576 for DeepSeek-V2), against
     * {@code 2 · numHeads · qkNopeHeadDim} for MHA with the same heads.
     *
     * @return the cache width
     */
    public int cacheElementsPerToken() {
        return kvLoraRank + qkRopeHeadDim;
    }

    /**
     * The model width.
     *
     * @return dModel
     */
    public int dModel() {
        return dModel;
    }

    /**
     * The number of heads {@code n_h}.
     *
     * @return numHeads
     */
    public int numHeads() {
        return numHeads;
    }

    /**
     * The query latent width {@code d_c′} (0: no query compression).
     *
     * @return qLoraRank
     */
    public int qLoraRank() {
        return qLoraRank;
    }

    /**
     * The width the query up-projections read: {@code qLoraRank}, or {@code dModel} without query compression.
     *
     * @return the query input width
     */
    public int queryInputDim() {
        return qIn;
    }

    /**
     * The KV latent width {@code d_c}.
     *
     * @return kvLoraRank
     */
    public int kvLoraRank() {
        return kvLoraRank;
    }

    /**
     * The content query/key width per head {@code d_h}.
     *
     * @return qkNopeHeadDim
     */
    public int qkNopeHeadDim() {
        return qkNopeHeadDim;
    }

    /**
     * The rotary width {@code d_h^R}.
     *
     * @return qkRopeHeadDim
     */
    public int qkRopeHeadDim() {
        return qkRopeHeadDim;
    }

    /**
     * The value width per head.
     *
     * @return vHeadDim
     */
    public int vHeadDim() {
        return vHeadDim;
    }

    /**
     * Whether the layer is causal.
     *
     * @return the causal flag
     */
    public boolean causal() {
        return causal;
    }

    /**
     * The score scale.
     *
     * @return scale
     */
    public double scale() {
        return scale;
    }

    Parameter weight(String name) {
        for (Parameter p : parameters()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown weight name " + name);
    }
}
