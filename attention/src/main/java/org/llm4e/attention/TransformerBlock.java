package org.llm4e.attention;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.activations.SiLU;
import org.llm4e.activations.SwiGluFeedForward;
import org.llm4e.activations.norm.RMSNorm;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RotaryEmbedding;

/**
 * One Llama decoder block, composed from the library's parts: {@link RMSNorm} and {@link SwiGluFeedForward} from
 * {@code activations}, {@link RotaryEmbedding} from {@code positional-encoding}, and this module's
 * {@link MultiHeadAttention} (GQA), {@link ScaledDotProductAttention} / {@link FlashAttention} and {@link KvCache}.
 *
 * <pre>
 *   a   = RMSNorm(x; g_attn)                      r = 1/√(mean(x²) + ε),  a = x·r ⊙ g
 *   q   = a W_qᵀ → [B,H,S,Dh],  k = a W_kᵀ, v = a W_vᵀ → [B,G,S,Dh]      (G = numKvHeads, GQA)
 *   q̃,k̃ = RoPE(q, p), RoPE(k, p)                 p = positionOffset + t
 *   o   = softmax(q̃ k̃ᵀ/√Dh + causal) v            query head h uses kv head h / (H/G)
 *   h   = x + concat(o) W_oᵀ                      (residual)
 *   f   = RMSNorm(h; g_ffn)
 *   out = h + (SiLU(f W1ᵀ) ⊙ f W3ᵀ) W2ᵀ           (residual; or a {@link MixtureOfExperts} in place of the FFN)
 * </pre>
 *
 * <p>This is the picture the articles build towards: the pre-norm block of Llama as Hugging Face's
 * {@code LlamaDecoderLayer} computes it (RMSNorm with ε inside the root, {@code rotate_half} RoPE, {@code repeat_kv}
 * GQA, no biases). Articles: 为什么大型语言模型都在使用SwiGLU作为激活函数？.md (the FFN), 从欧拉公式的美到旋转位置编码RoPE.md
 * (RoPE), 为什么会发展出Multi-Query-Attention和Group-Query-Attention.md (GQA), 看懂FlashAttention需要的数学储备是？.md
 * (the attention kernel) and 一文了解Deepseek系列中的MLA技术.md (the KV cache). RMSNorm is not in the articles (catalog,
 * part C); it is the external definition of Zhang and Sennrich, as Llama uses it. Matches the float64 PyTorch block of
 * {@code golden/transformer_block.json} to float32 rounding, forward, KV-cache decoding and gradients.
 *
 * <p><b>Weights</b> use Hugging Face Llama names ({@code input_layernorm.weight}, {@code self_attn.q_proj.weight},
 * {@code self_attn.k_proj.weight}, {@code self_attn.v_proj.weight}, {@code self_attn.o_proj.weight},
 * {@code post_attention_layernorm.weight}, {@code mlp.gate_proj.weight} = W1, {@code mlp.up_proj.weight} = W3,
 * {@code mlp.down_proj.weight} = W2) in the {@code nn.Linear} layout {@code [out, in]}, both in
 * {@link #loadWeights(Map)} and in {@link #parameters()}; with a mixture of experts the FFN names are Mixtral's
 * ({@code block_sparse_moe.gate.weight}, {@code block_sparse_moe.experts.i.w1.weight}, …).
 *
 * <p><b>Attention backend.</b> {@link Builder#backend(AttentionBackend)} selects SDPA (default) or FlashAttention for
 * the forward pass, with or without a cache, and for the backward pass (SDPA's backward, or FlashAttention-2's tiled
 * backward from the saved log-sum-exp). Only SDPA can report the attention weights in
 * {@link #forwardWithIntermediates(Tensor, int)}.
 *
 * <p><b>RoPE scaling.</b> Any {@link org.llm4e.positional.RopeScaling} of the embedding is used as is. For dynamic NTK,
 * pass {@code rope.forSequenceLength(n)} yourself: the block does not change the base between calls, since keys
 * already in a cache were rotated with the old one.
 *
 * <p><b>State.</b> A block is a stateful working object and not thread-safe: {@link #forward(Tensor, int)} keeps what
 * {@link #backward(Tensor)} needs, and backward <i>adds</i> into the parameters' gradients, as torch's autograd does.
 */
public final class TransformerBlock {
    /** Hugging Face Llama names of the attention-side weights. */
    public static final String INPUT_LAYERNORM = "input_layernorm.weight";
    /** Query projection {@code [numHeads·headDim, dModel]}. */
    public static final String Q_PROJ = "self_attn.q_proj.weight";
    /** Key projection {@code [numKvHeads·headDim, dModel]}. */
    public static final String K_PROJ = "self_attn.k_proj.weight";
    /** Value projection {@code [numKvHeads·headDim, dModel]}. */
    public static final String V_PROJ = "self_attn.v_proj.weight";
    /** Output projection {@code [dModel, numHeads·headDim]}. */
    public static final String O_PROJ = "self_attn.o_proj.weight";
    /** The gain of the second RMSNorm {@code [dModel]}. */
    public static final String POST_ATTENTION_LAYERNORM = "post_attention_layernorm.weight";
    /** W1, the gated projection {@code [hiddenDim, dModel]}. */
    public static final String GATE_PROJ = "mlp.gate_proj.weight";
    /** W3, the ungated projection {@code [hiddenDim, dModel]}. */
    public static final String UP_PROJ = "mlp.up_proj.weight";
    /** W2, the output projection {@code [dModel, hiddenDim]}. */
    public static final String DOWN_PROJ = "mlp.down_proj.weight";

    /** A buffer of older Hugging Face checkpoints, not a weight; skipped by {@link #loadWeights(Map)}. */
    static final String ROTARY_INV_FREQ = "self_attn.rotary_emb.inv_freq";

    private final int dModel;
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final int hiddenDim;
    private final double rmsNormEps;
    private final RotaryEmbedding rope;
    private final RMSNorm attnNorm;
    private final MultiHeadAttention attention;
    private final RMSNorm ffnNorm;
    private final SwiGluFeedForward ffn;
    private final MixtureOfExperts moe;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final List<Parameter> parameters;

    // Saved by an uncached forward for backward and for the diagnostic gradients.
    private int[] lastShape;
    private MultiHeadAttention.Intermediates lastAttention;
    private Tensor lastFfnAct;

    private TransformerBlock(Builder b) {
        this.dModel = b.dModel;
        this.numHeads = b.numHeads;
        this.numKvHeads = b.numKvHeads;
        this.headDim = b.headDim;
        this.hiddenDim = b.hiddenDim;
        this.rmsNormEps = b.rmsNormEps;
        this.rope = b.rope;
        this.attnNorm = new RMSNorm(dModel, rmsNormEps);
        this.ffnNorm = new RMSNorm(dModel, rmsNormEps);
        this.attention = MultiHeadAttention.builder()
                .dModel(dModel)
                .numHeads(numHeads)
                .numKvHeads(numKvHeads)
                .headDim(headDim)
                .causal(true)
                .rope(rope)
                .backend(b.backend)
                .seed(b.seed)
                .build();
        this.moe = b.moe;
        if (moe == null) {
            // Normal with std 1/√in, like the attention projections, from the library's documented generator.
            this.ffn = new SwiGluFeedForward(
                    Projections.initialWeight(b.seed + 10, hiddenDim, dModel),
                    Projections.initialWeight(b.seed + 11, dModel, hiddenDim),
                    Projections.initialWeight(b.seed + 12, hiddenDim, dModel));
        } else {
            this.ffn = null;
        }
        List<Parameter> mha = attention.parameters();
        name(Q_PROJ, mha.get(0));
        name(K_PROJ, mha.get(1));
        name(V_PROJ, mha.get(2));
        name(O_PROJ, mha.get(3));
        if (moe == null) {
            List<Parameter> f = ffn.parameters(); // w1, w2, w3
            name(GATE_PROJ, f.get(0));
            name(UP_PROJ, f.get(2));
            name(DOWN_PROJ, f.get(1));
        } else {
            for (Parameter p : moe.parameters()) {
                name("block_sparse_moe." + p.name(), p);
            }
        }
        name(INPUT_LAYERNORM, attnNorm.parameters().get(0));
        name(POST_ATTENTION_LAYERNORM, ffnNorm.parameters().get(0));
        this.parameters = Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    /** The component's parameter under its Hugging Face name, sharing the live data and gradient arrays. */
    private void name(String hfName, Parameter p) {
        byName.put(hfName, new Parameter(hfName, p.data(), p.grad()));
    }

    /**
     * A builder; {@code dModel}, {@code numHeads} and {@code hiddenDim} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link TransformerBlock} (names as Hugging Face's {@code LlamaConfig}). */
    public static final class Builder {
        private int dModel = -1;
        private int numHeads = -1;
        private int numKvHeads = -1;
        private int headDim = -1;
        private int hiddenDim = -1;
        private double rmsNormEps = 1e-6;
        private RotaryEmbedding rope;
        private AttentionBackend backend = AttentionBackend.sdpa();
        private MixtureOfExperts moe;
        private long seed;

        private Builder() {}

        /**
         * The model width ({@code hidden_size}).
         *
         * @param dModel ≥ 1
         * @return this builder
         */
        public Builder dModel(int dModel) {
            this.dModel = dModel;
            return this;
        }

        /**
         * The number of query heads ({@code num_attention_heads}).
         *
         * @param numHeads ≥ 1
         * @return this builder
         */
        public Builder numHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /**
         * The number of key/value heads ({@code num_key_value_heads}; default {@code numHeads}, i.e. MHA).
         *
         * @param numKvHeads ≥ 1, dividing numHeads
         * @return this builder
         */
        public Builder numKvHeads(int numKvHeads) {
            this.numKvHeads = numKvHeads;
            return this;
        }

        /**
         * The width of one head ({@code head_dim}; default {@code dModel / numHeads}).
         *
         * @param headDim ≥ 1, even when RoPE is used
         * @return this builder
         */
        public Builder headDim(int headDim) {
            this.headDim = headDim;
            return this;
        }

        /**
         * The FFN width ({@code intermediate_size}); ignored when a mixture of experts replaces the FFN.
         *
         * @param hiddenDim ≥ 1
         * @return this builder
         */
        public Builder hiddenDim(int hiddenDim) {
            this.hiddenDim = hiddenDim;
            return this;
        }

        /**
         * The ε of both RMSNorms ({@code rms_norm_eps}, default 1e-6 as {@code LlamaConfig}).
         *
         * @param rmsNormEps finite, ≥ 0
         * @return this builder
         */
        public Builder rmsNormEps(double rmsNormEps) {
            this.rmsNormEps = rmsNormEps;
            return this;
        }

        /**
         * The rotary embedding of queries and keys (default: base 10000, {@code HALF} layout, no scaling).
         *
         * @param rope an embedding with this block's head width
         * @return this builder
         */
        public Builder rope(RotaryEmbedding rope) {
            this.rope = rope;
            return this;
        }

        /**
         * The attention kernel (default {@link AttentionBackend#sdpa()}).
         *
         * @param backend SDPA or FlashAttention
         * @return this builder
         */
        public Builder backend(AttentionBackend backend) {
            this.backend = backend;
            return this;
        }

        /**
         * Replaces the SwiGLU FFN by a mixture of SwiGLU experts (Mixtral's block).
         *
         * @param moe a mixture with the block's model width, or null for the dense FFN
         * @return this builder
         */
        public Builder moe(MixtureOfExperts moe) {
            this.moe = moe;
            return this;
        }

        /**
         * The seed of the random initial weights (default 0); the norms start at 1.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the block with random initial weights
         * @throws IllegalArgumentException if a size is missing or inconsistent, naming it
         */
        public TransformerBlock build() {
            if (dModel < 1) {
                throw new IllegalArgumentException("dModel must be >= 1, got " + dModel);
            }
            if (numHeads < 1) {
                throw new IllegalArgumentException("numHeads must be >= 1, got " + numHeads);
            }
            if (numKvHeads == -1) {
                numKvHeads = numHeads;
            }
            if (numKvHeads < 1 || numHeads % numKvHeads != 0) {
                throw new IllegalArgumentException(
                        "numKvHeads must be >= 1 and divide numHeads = " + numHeads + ", got " + numKvHeads);
            }
            if (headDim == -1) {
                if (dModel % numHeads != 0) {
                    throw new IllegalArgumentException("dModel = " + dModel + " is not divisible by numHeads = "
                            + numHeads + "; set headDim explicitly");
                }
                headDim = dModel / numHeads;
            }
            if (headDim < 1) {
                throw new IllegalArgumentException("headDim must be >= 1, got " + headDim);
            }
            if (moe == null && hiddenDim < 1) {
                throw new IllegalArgumentException("hiddenDim must be >= 1, got " + hiddenDim);
            }
            if (moe != null && moe.dModel() != dModel) {
                throw new IllegalArgumentException(
                        "moe has dModel " + moe.dModel() + " but the block has dModel " + dModel);
            }
            if (!(rmsNormEps >= 0) || Double.isInfinite(rmsNormEps)) {
                throw new IllegalArgumentException("rmsNormEps must be finite and >= 0, got " + rmsNormEps);
            }
            if (backend == null) {
                throw new IllegalArgumentException("backend must not be null (use AttentionBackend.sdpa())");
            }
            if (rope == null) {
                if (headDim % 2 != 0) {
                    throw new IllegalArgumentException("headDim must be even for RoPE, got " + headDim);
                }
                rope = RotaryEmbedding.builder(headDim).build();
            } else if (rope.headDim() != headDim) {
                throw new IllegalArgumentException(
                        "rope has headDim " + rope.headDim() + " but the block has headDim " + headDim);
            }
            return new TransformerBlock(this);
        }
    }

    /**
     * Replaces weights by name (Hugging Face Llama names, {@code nn.Linear} layout); names not given keep their values.
     * The buffer {@code self_attn.rotary_emb.inv_freq}, which older Hugging Face checkpoints store, is skipped: the
     * frequencies come from this block's {@link RotaryEmbedding}.
     *
     * @param weights tensors by name, e.g. {@code self_attn.q_proj.weight → [numHeads·headDim, dModel]}
     * @throws IllegalArgumentException if a name is unknown (the message lists the valid ones) or a shape differs
     *     (naming both shapes)
     */
    public void loadWeights(Map<String, Tensor> weights) {
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null");
        }
        // Validate everything before copying anything, so a bad map leaves the block unchanged.
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            if (e.getKey().equals(ROTARY_INV_FREQ)) {
                continue;
            }
            Parameter p = byName.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException(
                        "unknown weight name " + e.getKey() + "; expected one of " + byName.keySet());
            }
            int[] expected = shapeOf(e.getKey());
            Tensor t = e.getValue();
            if (t == null || !Arrays.equals(t.shape(), expected)) {
                throw new IllegalArgumentException(e.getKey() + " has shape "
                        + (t == null ? "null" : Arrays.toString(t.shape())) + " but the block needs "
                        + Arrays.toString(expected));
            }
        }
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Parameter p = byName.get(e.getKey());
            if (p == null) {
                continue; // the rotary buffer
            }
            System.arraycopy(e.getValue().data(), 0, p.data(), 0, p.size());
        }
    }

    /**
     * Loads the weights of one layer from a whole model's state dict: the entries whose name starts with
     * {@code prefix} (e.g. {@code "model.layers.3."}), with the prefix removed; other entries are ignored.
     *
     * @param weights tensors by full name
     * @param prefix the layer's prefix
     * @return the number of tensors selected by the prefix
     * @throws IllegalArgumentException as {@link #loadWeights(Map)} for the selected entries
     */
    public int loadWeights(Map<String, Tensor> weights, String prefix) {
        if (weights == null || prefix == null) {
            throw new IllegalArgumentException("weights and prefix must not be null");
        }
        Map<String, Tensor> mine = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                mine.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        loadWeights(mine);
        return mine.size();
    }

    private int[] shapeOf(String name) {
        switch (name) {
            case INPUT_LAYERNORM:
            case POST_ATTENTION_LAYERNORM:
                return new int[] {dModel};
            case Q_PROJ:
                return new int[] {numHeads * headDim, dModel};
            case K_PROJ:
            case V_PROJ:
                return new int[] {numKvHeads * headDim, dModel};
            case O_PROJ:
                return new int[] {dModel, numHeads * headDim};
            case GATE_PROJ:
            case UP_PROJ:
                return new int[] {hiddenDim, dModel};
            case DOWN_PROJ:
                return new int[] {dModel, hiddenDim};
            default:
                return moe.shapeOf(name.substring("block_sparse_moe.".length()));
        }
    }

    /**
     * Every trainable weight under its Hugging Face name: q, k, v, o projections, the FFN (gate, up, down, or the
     * experts and router), then the two norms. The parameters share their arrays with the components, so an
     * optimizer stepping them trains the block.
     *
     * @return an unmodifiable list of live parameters
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * One parameter by its Hugging Face name.
     *
     * @param name e.g. {@code self_attn.q_proj.weight}
     * @return the live parameter
     * @throws IllegalArgumentException if the name is unknown, listing the valid ones
     */
    public Parameter parameter(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown weight name " + name + "; expected one of " + byName.keySet());
        }
        return p;
    }

    /**
     * A KV cache sized for this block.
     *
     * @param batch the batch size, ≥ 1
     * @param maxSeq the longest sequence it will hold, ≥ 1
     * @return an empty cache with {@code numKvHeads} heads of width {@code headDim}
     * @throws IllegalArgumentException if a size is not positive
     */
    public KvCache newCache(int batch, int maxSeq) {
        return attention.newCache(batch, maxSeq);
    }

    /**
     * The block applied causally to a whole sequence; keeps what {@link #backward(Tensor)} needs.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token, ≥ 0
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shape does not fit or the offset is negative
     */
    public Tensor forward(Tensor x, int positionOffset) {
        return run(x, positionOffset, null, false).out();
    }

    /**
     * Prefill or decode with a KV cache: appends the new tokens' rotated keys and values to {@code cache} and attends
     * causally over the whole cache. Running a prompt in one or several calls and then one token per call gives the
     * rows of one {@link #forward(Tensor, int)} over the whole sequence (to float32 rounding). Not differentiable:
     * {@link #backward(Tensor)} after this call throws.
     *
     * @param x the new tokens {@code [batch, s, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token; an empty cache starts there, a non-empty
     *     one needs {@code cache.startPosition() + cache.length()}
     * @param cache a cache from {@link #newCache(int, int)}
     * @return the output rows {@code [batch, s, dModel]}
     * @throws IllegalArgumentException if the shapes do not fit the block or the cache, or {@code positionOffset}
     *     does not continue the cached tokens
     */
    public Tensor forward(Tensor x, int positionOffset, KvCache cache) {
        if (cache == null) {
            throw new IllegalArgumentException("cache must not be null (use forward(x, positionOffset))");
        }
        if (cache.length() == 0 && positionOffset >= 0) {
            cache.setStartPosition(positionOffset); // an empty cache starts wherever the first chunk starts
        }
        return run(x, positionOffset, cache, false).out();
    }

    /**
     * The intermediate values of one forward pass, with the names of {@code golden/transformer_block.json}.
     *
     * @param attnNormRstd {@code 1/√(mean(x²) + ε)} of the first norm {@code [batch, seq]}
     * @param attnNormOut the normed input {@code a} {@code [batch, seq, dModel]}
     * @param q queries before RoPE {@code [batch, heads, seq, headDim]}
     * @param k keys before RoPE {@code [batch, kvHeads, seq, headDim]}
     * @param v values {@code [batch, kvHeads, seq, headDim]}
     * @param qRope queries after RoPE
     * @param kRope keys after RoPE
     * @param attnWeights the softmax probabilities {@code [batch, heads, seq, seq]}, null with FlashAttention
     * @param attnLse the log-sum-exp of every score row {@code [batch, heads, seq]}
     * @param attnOut the heads concatenated {@code [batch, seq, heads·headDim]}
     * @param attnProj {@code attnOut W_oᵀ} {@code [batch, seq, dModel]}
     * @param h the first residual sum {@code x + attnProj}
     * @param ffnNormRstd the second norm's {@code 1/√(mean(h²) + ε)} {@code [batch, seq]}
     * @param ffnNormOut the normed {@code f} {@code [batch, seq, dModel]}
     * @param ffnGate {@code f W1ᵀ} {@code [batch, seq, hiddenDim]} (null with a mixture of experts)
     * @param ffnUp {@code f W3ᵀ} (null with a mixture of experts)
     * @param ffnAct {@code SiLU(ffnGate) ⊙ ffnUp} (null with a mixture of experts)
     * @param ffnOut the FFN output {@code [batch, seq, dModel]}
     * @param out the block output {@code h + ffnOut}
     */
    public record Intermediates(
            Tensor attnNormRstd,
            Tensor attnNormOut,
            Tensor q,
            Tensor k,
            Tensor v,
            Tensor qRope,
            Tensor kRope,
            Tensor attnWeights,
            Tensor attnLse,
            Tensor attnOut,
            Tensor attnProj,
            Tensor h,
            Tensor ffnNormRstd,
            Tensor ffnNormOut,
            Tensor ffnGate,
            Tensor ffnUp,
            Tensor ffnAct,
            Tensor ffnOut,
            Tensor out) {}

    /**
     * The forward pass of {@link #forward(Tensor, int)} returning every intermediate (for the tour and for locating a
     * difference to a reference). Costs a few extra products: the projections before RoPE and the FFN's gate and up
     * are recomputed for inspection.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token, ≥ 0
     * @return the intermediates
     * @throws IllegalArgumentException if the shape does not fit or the offset is negative
     */
    public Intermediates forwardWithIntermediates(Tensor x, int positionOffset) {
        return run(x, positionOffset, null, true);
    }

    private Intermediates run(Tensor x, int positionOffset, KvCache cache, boolean inspect) {
        if (x == null || x.rank() != 3 || x.dim(2) != dModel) {
            throw new IllegalArgumentException("x has shape " + (x == null ? "null" : Arrays.toString(x.shape()))
                    + " but the block needs [batch, seq, " + dModel + "]");
        }
        if (positionOffset < 0) {
            throw new IllegalArgumentException("positionOffset must be >= 0, got " + positionOffset);
        }
        int batch = x.dim(0);
        int seq = x.dim(1);
        int rows = batch * seq;
        lastShape = null; // until this pass completes, and for good if it uses a cache
        lastAttention = null;
        lastFfnAct = null;

        Tensor a = attnNorm.forward(x);
        MultiHeadAttention.Intermediates mi = null;
        Tensor attnProj;
        if (cache != null) {
            attnProj = attention.forward(a, positionOffset, cache);
        } else if (inspect) {
            mi = attention.forwardWithIntermediates(a, positionOffset);
            attnProj = mi.output();
        } else {
            attnProj = attention.forward(a, positionOffset);
        }
        Tensor h = add(x, attnProj);
        Tensor f = ffnNorm.forward(h);
        Tensor f2 = f.reshape(rows, dModel);
        Tensor ffnOut = (moe == null ? ffn.forward(f2) : moe.forward(f2)).reshape(batch, seq, dModel);
        Tensor out = add(h, ffnOut);
        if (cache == null) {
            lastShape = x.shape();
        }
        if (!inspect) {
            return new Intermediates(
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, out);
        }
        List<Parameter> w = attention.parameters();
        Tensor q = Projections.splitHeads(
                Projections.linear(a.data(), rows, dModel, w.get(0).data(), numHeads * headDim),
                batch,
                seq,
                numHeads,
                headDim);
        Tensor k = Projections.splitHeads(
                Projections.linear(a.data(), rows, dModel, w.get(1).data(), numKvHeads * headDim),
                batch,
                seq,
                numKvHeads,
                headDim);
        Tensor gate = null;
        Tensor up = null;
        Tensor act = null;
        if (moe == null) {
            List<Parameter> fw = ffn.parameters();
            gate = Tensor.of(
                    Projections.linear(f.data(), rows, dModel, fw.get(0).data(), hiddenDim), batch, seq, hiddenDim);
            up = Tensor.of(
                    Projections.linear(f.data(), rows, dModel, fw.get(2).data(), hiddenDim), batch, seq, hiddenDim);
            act = Tensor.zeros(batch, seq, hiddenDim);
            for (int i = 0; i < act.size(); i++) {
                act.data()[i] = (float) (SiLU.silu(gate.data()[i]) * up.data()[i]);
            }
        }
        lastAttention = mi;
        lastFfnAct = act;
        return new Intermediates(
                rstd(x),
                a,
                q,
                k,
                mi.v(),
                mi.q(),
                mi.k(),
                mi.attention().weights(),
                mi.attention().logSumExp(),
                mi.concat(),
                attnProj,
                h,
                rstd(h),
                f,
                gate,
                up,
                act,
                ffnOut,
                out);
    }

    /**
     * Backpropagates through the last uncached forward pass: adds every weight's gradient into {@link #parameters()}
     * and returns the input gradient.
     *
     * <pre>
     *   dh = dOut + RMSNorm_ffn′ᵀ (FFN′ᵀ dOut)        dx = dh + RMSNorm_attn′ᵀ (Attention′ᵀ dh)
     * </pre>
     *
     * @param dOut the gradient of the output {@code [batch, seq, dModel]}
     * @return the gradient of the input {@code [batch, seq, dModel]}
     * @throws IllegalStateException if the last forward pass used a cache or there was none
     * @throws IllegalArgumentException if {@code dOut}'s shape differs from the output's
     */
    public Tensor backward(Tensor dOut) {
        return backwardWithIntermediates(dOut).dX();
    }

    /**
     * The gradients of the loss with respect to the block's input and its inner tensors, with the names of
     * {@code golden/transformer_block.json}'s {@code grad_intermediates}.
     *
     * @param dX the input gradient {@code [batch, seq, dModel]}
     * @param dH the gradient of the first residual sum {@code h}
     * @param dFfnNormOut the gradient of the second norm's output {@code f}
     * @param dFfnAct the gradient of {@code SiLU(f W1ᵀ) ⊙ f W3ᵀ} (null with a mixture of experts)
     * @param dAttnOut the gradient of the concatenated heads {@code [batch, seq, heads·headDim]}
     * @param dQRope the gradient of the rotated queries {@code [batch, heads, seq, headDim]} (null unless the forward
     *     pass was {@link #forwardWithIntermediates(Tensor, int)})
     * @param dKRope the gradient of the rotated keys, summed over the query heads sharing a kv head (same condition)
     * @param dV the gradient of the values (same condition)
     * @param dAttnNormOut the gradient of the first norm's output {@code a}
     */
    public record Gradients(
            Tensor dX,
            Tensor dH,
            Tensor dFfnNormOut,
            Tensor dFfnAct,
            Tensor dAttnOut,
            Tensor dQRope,
            Tensor dKRope,
            Tensor dV,
            Tensor dAttnNormOut) {}

    /**
     * {@link #backward(Tensor)} returning the inner gradients too (the attention ones only after
     * {@link #forwardWithIntermediates(Tensor, int)}, recomputed for inspection).
     *
     * @param dOut the gradient of the output {@code [batch, seq, dModel]}
     * @return the gradients
     * @throws IllegalStateException if the last forward pass used a cache or there was none
     * @throws IllegalArgumentException if {@code dOut}'s shape differs from the output's
     */
    public Gradients backwardWithIntermediates(Tensor dOut) {
        if (lastShape == null) {
            throw new IllegalStateException(
                    "backward needs a preceding forward(x, positionOffset) without a cache on this block");
        }
        if (dOut == null || !Arrays.equals(dOut.shape(), lastShape)) {
            throw new IllegalArgumentException("dOut has shape "
                    + (dOut == null ? "null" : Arrays.toString(dOut.shape())) + " but the output has shape "
                    + Arrays.toString(lastShape));
        }
        int batch = lastShape[0];
        int seq = lastShape[1];
        int rows = batch * seq;
        Tensor dOut2 = dOut.reshape(rows, dModel);
        Tensor dAct = null;
        if (moe == null && lastFfnAct != null) {
            // ffn_out = act W2ᵀ  ⇒  d act = dOut W2
            float[] w2 = ffn.parameters().get(1).data();
            dAct = Tensor.of(Projections.inputGrad(dOut.data(), rows, dModel, w2, hiddenDim), batch, seq, hiddenDim);
        }
        Tensor dF = (moe == null ? ffn.backward(dOut2) : moe.backward(dOut2)).reshape(batch, seq, dModel);
        Tensor dH = ffnNorm.backward(dF);
        Kernels.axpy(1f, dOut.data(), 0, dH.data(), 0, dH.size());
        int qOut = numHeads * headDim;
        // attn_proj = attn_out W_oᵀ  ⇒  d attn_out = dh W_o (the same product MultiHeadAttention.backward forms)
        float[] wo = attention.parameters().get(3).data();
        Tensor dAttnOut = Tensor.of(Projections.inputGrad(dH.data(), rows, dModel, wo, qOut), batch, seq, qOut);
        Tensor dQ = null;
        Tensor dK = null;
        Tensor dV = null;
        if (lastAttention != null) {
            AttentionGradients g = attention
                    .backend()
                    .backward(
                            lastAttention.q(),
                            lastAttention.k(),
                            lastAttention.v(),
                            lastAttention.attention(),
                            Projections.splitHeads(dAttnOut.data(), batch, seq, numHeads, headDim),
                            AttentionMask.causal(),
                            null,
                            attention.scale());
            dQ = g.dQ();
            dK = g.dK();
            dV = g.dV();
        }
        Tensor dA = attention.backward(dH);
        Tensor dX = attnNorm.backward(dA);
        Kernels.axpy(1f, dH.data(), 0, dX.data(), 0, dX.size());
        return new Gradients(dX, dH, dF, dAct, dAttnOut, dQ, dK, dV, dA);
    }

    /**
     * The floating-point operations of one causal forward pass (multiply and add counted separately): the seven
     * projections {@code 2·rows·(in·out)} and the attention products {@code 4·batch·heads·headDim·seq(seq+1)/2}
     * (causal pairs only). Norms, RoPE, softmax and SiLU are ignored (linear in the width).
     *
     * @param batch the batch size
     * @param seq the sequence length
     * @return the FLOPs
     */
    public double forwardFlops(int batch, int seq) {
        double rows = (double) batch * seq;
        double proj = (double) dModel * headDim * (2L * numHeads + 2L * numKvHeads);
        double ffnMacs = moe == null ? 3.0 * dModel * hiddenDim : moe.activeMacsPerToken();
        double attn = 4.0 * batch * numHeads * headDim * (seq * (seq + 1.0) / 2);
        return 2 * rows * (proj + ffnMacs) + attn;
    }

    private Tensor rstd(Tensor x) {
        int rows = x.size() / dModel;
        float[] r = new float[rows];
        float[] d = x.data();
        for (int i = 0; i < rows; i++) {
            double ss = 0;
            for (int j = 0; j < dModel; j++) {
                double v = d[i * dModel + j];
                ss += v * v;
            }
            r[i] = (float) (1.0 / Math.sqrt(ss / dModel + rmsNormEps));
        }
        return Tensor.of(r, x.dim(0), x.dim(1));
    }

    private static Tensor add(Tensor a, Tensor b) {
        Tensor c = a.copy();
        Kernels.axpy(1f, b.data(), 0, c.data(), 0, c.size());
        return c;
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
     * The number of query heads.
     *
     * @return numHeads
     */
    public int numHeads() {
        return numHeads;
    }

    /**
     * The number of key/value heads.
     *
     * @return numKvHeads
     */
    public int numKvHeads() {
        return numKvHeads;
    }

    /**
     * The width of one head.
     *
     * @return headDim
     */
    public int headDim() {
        return headDim;
    }

    /**
     * The FFN width (of the dense FFN; with a mixture of experts, of each expert).
     *
     * @return hiddenDim
     */
    public int hiddenDim() {
        return moe == null ? hiddenDim : moe.hiddenDim();
    }

    /**
     * The ε of both RMSNorms.
     *
     * @return rmsNormEps
     */
    public double rmsNormEps() {
        return rmsNormEps;
    }

    /**
     * The rotary embedding.
     *
     * @return the RoPE of queries and keys
     */
    public RotaryEmbedding rope() {
        return rope;
    }

    /**
     * The attention kernel of the forward pass.
     *
     * @return the backend
     */
    public AttentionBackend backend() {
        return attention.backend();
    }

    /**
     * The mixture of experts replacing the FFN, if any.
     *
     * @return the mixture, or null for the dense SwiGLU FFN
     */
    public MixtureOfExperts moe() {
        return moe;
    }
}
