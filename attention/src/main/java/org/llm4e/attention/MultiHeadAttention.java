package org.llm4e.attention;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;
import org.llm4e.positional.RotaryEmbedding;

/**
 * The attention layer: projections to queries, keys and values, per-head scaled dot-product attention, concatenation
 * and an output projection — multi-head (MHA), grouped-query (GQA) or multi-query (MQA) attention depending on
 * {@code numKvHeads}, with optional rotary position embedding.
 *
 * <pre>
 *   q_t = W^Q h_t,  k_t = W^K h_t,  v_t = W^V h_t            (W in nn.Linear layout [out, in]: y = x Wᵀ)
 *   [q_{t,1}; …; q_{t,H}] = q_t,  [k_{t,1}; …; k_{t,G}] = k_t, [v_{t,1}; …; v_{t,G}] = v_t
 *   q, k ← RoPE(q, t), RoPE(k, t)                             (when a RotaryEmbedding is set)
 *   o_{t,i} = Σ_j softmax_j(q_{t,i}ᵀ k_{j,g(i)} · scale) v_{j,g(i)},   g(i) = i / (H/G)
 *   u_t = W^O [o_{t,1}; …; o_{t,H}]
 * </pre>
 *
 * <p>From 一文了解Deepseek系列中的MLA技术.md (MLA img 2–3, DeepSeek-V2 eqs. 1–8) and
 * 为什么会发展出Multi-Query-Attention和Group-Query-Attention.md (attention catalog §1, §9). {@code G = H} is MHA (K/V
 * weights not shared across heads); {@code G = 1} is MQA (one K/V head for all queries); between them GQA shares one
 * K/V head per group of {@code H/G} consecutive query heads (Llama's {@code repeat_kv}). The KV cache and the K/V
 * projection shrink by {@code H/G}; the attention FLOPs (QKᵀ, PV) do not, because K and V are broadcast.
 *
 * <p>Matches {@code torch.nn.MultiheadAttention} without biases for {@code G = H} (head {@code h} uses output features
 * {@code [h·headDim, (h+1)·headDim)}), and Hugging Face Llama attention with RoPE. Parameter names are Hugging Face's
 * ({@code q_proj.weight}, {@code k_proj.weight}, {@code v_proj.weight}, {@code o_proj.weight}).
 *
 * <p><b>State.</b> A layer is a stateful working object (not thread-safe): {@link #forward(Tensor)} keeps what
 * {@link #backward(Tensor)} needs, and backward adds into the parameters' gradients (as torch's autograd does).
 */
public final class MultiHeadAttention {
    private final int dModel;
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final boolean causal;
    private final double scale;
    private final RotaryEmbedding rope;
    private final AttentionBias bias;
    private final AttentionBackend backend;
    private final Parameter wq;
    private final Parameter wk;
    private final Parameter wv;
    private final Parameter wo;
    private long kvTokensProjected;

    // Saved by forward for backward.
    private Tensor savedX;
    private Tensor savedQ;
    private Tensor savedK;
    private Tensor savedV;
    private Tensor savedConcat;
    private AttentionResult savedAttn;
    private int[] savedPositions;
    private AttentionMask savedMask;

    private MultiHeadAttention(Builder b) {
        this.dModel = b.dModel;
        this.numHeads = b.numHeads;
        this.numKvHeads = b.numKvHeads;
        this.headDim = b.headDim;
        this.causal = b.causal;
        this.scale = Double.isNaN(b.scale) ? 1.0 / Math.sqrt(headDim) : b.scale;
        this.rope = b.rope;
        this.bias = b.bias;
        this.backend = b.backend;
        int qOut = numHeads * headDim;
        int kvOut = numKvHeads * headDim;
        // Init as nn.Linear's scale: uniform-like magnitude 1/√in; here normal with std 1/√in from the library's
        // documented generator, so a layer built with the same seed is the same on every JDK.
        this.wq = init("q_proj.weight", b.seed, qOut, dModel);
        this.wk = init("k_proj.weight", b.seed + 1, kvOut, dModel);
        this.wv = init("v_proj.weight", b.seed + 2, kvOut, dModel);
        this.wo = init("o_proj.weight", b.seed + 3, dModel, qOut);
    }

    /**
     * A builder; {@code dModel} and {@code numHeads} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link MultiHeadAttention}. */
    public static final class Builder {
        private int dModel = -1;
        private int numHeads = -1;
        private int numKvHeads = -1;
        private int headDim = -1;
        private boolean causal;
        private double scale = Double.NaN;
        private RotaryEmbedding rope;
        private AttentionBias bias;
        private AttentionBackend backend = AttentionBackend.sdpa();
        private long seed = 0;

        private Builder() {}

        /**
         * The model width (torch's {@code embed_dim}).
         *
         * @param dModel ≥ 1
         * @return this builder
         */
        public Builder dModel(int dModel) {
            this.dModel = dModel;
            return this;
        }

        /**
         * The number of query heads (torch's {@code num_heads}).
         *
         * @param numHeads ≥ 1
         * @return this builder
         */
        public Builder numHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /**
         * The number of key/value heads: {@code numHeads} (default) for MHA, 1 for MQA, a divisor in between for GQA.
         *
         * @param numKvHeads ≥ 1, dividing {@code numHeads}
         * @return this builder
         */
        public Builder numKvHeads(int numKvHeads) {
            this.numKvHeads = numKvHeads;
            return this;
        }

        /**
         * The width of one head (default {@code dModel / numHeads}).
         *
         * @param headDim ≥ 1
         * @return this builder
         */
        public Builder headDim(int headDim) {
            this.headDim = headDim;
            return this;
        }

        /**
         * Whether each token attends only to itself and earlier tokens (default false).
         *
         * @param causal the causal flag
         * @return this builder
         */
        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /**
         * The score scale (default {@code 1/√headDim}).
         *
         * @param scale finite
         * @return this builder
         */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        /**
         * Rotary position embedding applied to queries and keys after the projection (null: none).
         *
         * @param rope a RoPE whose {@code headDim} equals this layer's
         * @return this builder
         */
        public Builder rope(RotaryEmbedding rope) {
            this.rope = rope;
            return this;
        }

        /**
         * An additive attention bias such as ALiBi (null: none).
         *
         * @param bias the bias, called with absolute positions
         * @return this builder
         */
        public Builder bias(AttentionBias bias) {
            this.bias = bias;
            return this;
        }

        /**
         * The attention kernel of the forward and backward passes: {@link AttentionBackend#sdpa()} (default) or
         * {@link AttentionBackend#flash()}.
         *
         * @param backend the backend
         * @return this builder
         * @throws IllegalArgumentException if {@code backend} is null
         */
        public Builder backend(AttentionBackend backend) {
            if (backend == null) {
                throw new IllegalArgumentException("backend must not be null (use AttentionBackend.sdpa())");
            }
            this.backend = backend;
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
         * @throws IllegalArgumentException if a size is missing or inconsistent
         */
        public MultiHeadAttention build() {
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
            if (!Double.isNaN(scale) && !Double.isFinite(scale)) {
                throw new IllegalArgumentException("scale must be finite, got " + scale);
            }
            if (rope != null && rope.headDim() != headDim) {
                throw new IllegalArgumentException(
                        "rope has headDim " + rope.headDim() + " but the layer has headDim " + headDim);
            }
            return new MultiHeadAttention(this);
        }
    }

    private static Parameter init(String name, long seed, int out, int in) {
        Tensor w = Tensor.randn(seed, out, in);
        Kernels.scale((float) (1.0 / Math.sqrt(in)), w.data(), 0, w.size());
        return new Parameter(name, w.data());
    }

    /**
     * Replaces the weights with Hugging Face / nn.Linear tensors ({@code [out, in]}); missing names are left as they
     * are.
     *
     * @param weights by name: {@code q_proj.weight} {@code [numHeads·headDim, dModel]}, {@code k_proj.weight} and
     *     {@code v_proj.weight} {@code [numKvHeads·headDim, dModel]}, {@code o_proj.weight} {@code [dModel,
     *     numHeads·headDim]}
     * @throws IllegalArgumentException if a name is unknown or a shape differs, naming both shapes
     */
    public void loadWeights(Map<String, Tensor> weights) {
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Parameter p = parameter(e.getKey());
            int[] expected = shapeOf(p);
            Tensor t = e.getValue();
            if (t == null || !Arrays.equals(t.shape(), expected)) {
                throw new IllegalArgumentException(e.getKey() + " has shape "
                        + (t == null ? "null" : Arrays.toString(t.shape())) + " but the layer needs "
                        + Arrays.toString(expected));
            }
            System.arraycopy(t.data(), 0, p.data(), 0, p.size());
        }
    }

    private Parameter parameter(String name) {
        switch (name) {
            case "q_proj.weight":
                return wq;
            case "k_proj.weight":
                return wk;
            case "v_proj.weight":
                return wv;
            case "o_proj.weight":
                return wo;
            default:
                throw new IllegalArgumentException("unknown weight name " + name
                        + "; expected q_proj.weight, k_proj.weight, v_proj.weight or o_proj.weight");
        }
    }

    private int[] shapeOf(Parameter p) {
        if (p == wq) {
            return new int[] {numHeads * headDim, dModel};
        }
        if (p == wo) {
            return new int[] {dModel, numHeads * headDim};
        }
        return new int[] {numKvHeads * headDim, dModel};
    }

    /**
     * The trainable weights, in the order q, k, v, o.
     *
     * @return the four projection parameters (live arrays)
     */
    public List<Parameter> parameters() {
        return List.of(wq, wk, wv, wo);
    }

    /**
     * The intermediate values of one forward pass, for inspection (the tour, golden tests).
     *
     * @param q the queries after projection (and RoPE) {@code [batch, heads, seq, headDim]}
     * @param k the keys after projection (and RoPE) {@code [batch, kvHeads, seq, headDim]}
     * @param v the values {@code [batch, kvHeads, seq, headDim]}
     * @param attention the attention output, log-sum-exp and weights
     * @param concat the heads concatenated {@code [batch, seq, heads·headDim]}
     * @param output the layer output {@code [batch, seq, dModel]}
     */
    public record Intermediates(
            Tensor q, Tensor k, Tensor v, AttentionResult attention, Tensor concat, Tensor output) {}

    /**
     * The layer applied to a sequence starting at position 0.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shape does not fit
     */
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /**
     * The layer applied to a sequence whose first token is at absolute position {@code positionOffset} (RoPE).
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the position of {@code x}'s first token, ≥ 0
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shape does not fit
     */
    public Tensor forward(Tensor x, int positionOffset) {
        return run(x, positionOffset, null, null, false).output();
    }

    /**
     * The layer with an extra mask (for example key padding) combined with the layer's causal setting.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the position of {@code x}'s first token, ≥ 0
     * @param mask an extra mask over the {@code seq} keys
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public Tensor forward(Tensor x, int positionOffset, AttentionMask mask) {
        return run(x, positionOffset, null, mask, false).output();
    }

    /**
     * The forward pass returning every intermediate, with the attention weights.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the position of {@code x}'s first token, ≥ 0
     * @return the intermediates
     * @throws IllegalArgumentException if the shape does not fit
     */
    public Intermediates forwardWithIntermediates(Tensor x, int positionOffset) {
        return run(x, positionOffset, null, null, true);
    }

    /**
     * Incremental decoding: projects the new tokens, appends their keys and values to {@code cache}, and attends
     * causally over the whole cache. Prefill passes the prompt (or a chunk of it), decode one token at a time; the
     * outputs equal the rows of one causal {@link #forward(Tensor, int)} over the whole sequence.
     *
     * @param x the new tokens {@code [batch, s, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token ({@link KvCache#startPosition()} plus the
     *     cache length before the call)
     * @param cache a cache from {@link #newCache(int, int)}
     * @return the output rows {@code [batch, s, dModel]}
     * @throws IllegalArgumentException if the shapes do not fit, or {@code positionOffset} differs from the cache
     *     length
     */
    public Tensor forward(Tensor x, int positionOffset, KvCache cache) {
        if (cache == null) {
            throw new IllegalArgumentException("cache must not be null");
        }
        if (positionOffset != cache.startPosition() + cache.length()) {
            throw new IllegalArgumentException("positionOffset must equal the cache's start position plus its length "
                    + (cache.startPosition() + cache.length()) + " (the absolute position of x's first token), got "
                    + positionOffset);
        }
        return run(x, positionOffset, cache, null, false).output();
    }

    /**
     * A cache sized for this layer.
     *
     * @param batch the batch size
     * @param maxSeq the longest sequence it will hold
     * @return an empty cache with this layer's kv heads and head width
     */
    public KvCache newCache(int batch, int maxSeq) {
        return new KvCache(batch, numKvHeads, headDim, maxSeq);
    }

    private Intermediates run(Tensor x, int positionOffset, KvCache cache, AttentionMask extra, boolean weights) {
        if (x == null || x.rank() != 3 || x.dim(2) != dModel) {
            throw new IllegalArgumentException("x has shape " + (x == null ? "null" : Arrays.toString(x.shape()))
                    + " but the layer needs [batch, seq, " + dModel + "]");
        }
        if (positionOffset < 0) {
            throw new IllegalArgumentException("positionOffset must be >= 0, got " + positionOffset);
        }
        int batch = x.dim(0);
        int seq = x.dim(1);
        int rows = batch * seq;
        Tensor q = splitHeads(linear(x.data(), rows, dModel, wq.data(), numHeads * headDim), batch, seq, numHeads);
        Tensor k = splitHeads(linear(x.data(), rows, dModel, wk.data(), numKvHeads * headDim), batch, seq, numKvHeads);
        Tensor v = splitHeads(linear(x.data(), rows, dModel, wv.data(), numKvHeads * headDim), batch, seq, numKvHeads);
        kvTokensProjected += seq;
        int[] positions = new int[seq];
        for (int t = 0; t < seq; t++) {
            positions[t] = positionOffset + t;
        }
        if (rope != null) {
            q = rope.applyToHeads(q, positions);
            k = rope.applyToHeads(k, positions);
        }
        AttentionMask mask = causal ? AttentionMask.causal() : AttentionMask.none();
        if (extra != null) {
            mask = mask.and(extra);
        }
        AttentionResult attn;
        if (cache != null) {
            cache.append(k, v);
            int start = cache.startPosition();
            AttentionBias b = atPositions(bias, start);
            attn = backend.query(cache, q, mask, scale, b);
            savedX = null; // backward through a cache is not supported
        } else {
            // queries and keys are the same chunk, both starting at positionOffset
            AttentionBias b = atPositions(bias, positionOffset);
            attn = backend.attend(q, k, v, mask, b, scale, weights);
        }
        Tensor concat = mergeHeads(attn.output(), batch, seq, numHeads);
        Tensor out = Tensor.of(linear(concat.data(), rows, numHeads * headDim, wo.data(), dModel), batch, seq, dModel);
        if (cache == null) {
            savedX = x;
            savedQ = q;
            savedK = k;
            savedV = v;
            savedConcat = concat;
            savedAttn = attn;
            savedPositions = positions;
            savedMask = mask;
        }
        return new Intermediates(q, k, v, attn, concat, out);
    }

    /**
     * The bias seen by a kernel whose query and key indices both count from absolute position {@code start}: the
     * kernel's pair (i, j) is the pair (start + i, start + j) of the sequence. {@link AttentionBias#shifted(int)} moves
     * the queries only, which is right when the keys already count from 0; here both count from {@code start}, so
     * relative biases (T5, Shaw) see the true distance j − i and absolute ones the true positions.
     */
    private static AttentionBias atPositions(AttentionBias bias, int start) {
        if (bias == null || start == 0) {
            return bias;
        }
        return (head, query, key) -> bias.bias(head, query + start, key + start);
    }

    /**
     * Backpropagates through the last {@link #forward(Tensor, int)} (not a cached one): adds the weight gradients
     * into {@link #parameters()} and returns the input gradient.
     *
     * @param dOut the gradient of the output {@code [batch, seq, dModel]}
     * @return the gradient of the input {@code [batch, seq, dModel]}
     * @throws IllegalStateException if there was no uncached forward pass
     * @throws IllegalArgumentException if {@code dOut}'s shape differs from the output's
     */
    public Tensor backward(Tensor dOut) {
        if (savedX == null) {
            throw new IllegalStateException("backward needs a preceding forward(x, positionOffset) without a cache");
        }
        int batch = savedX.dim(0);
        int seq = savedX.dim(1);
        int rows = batch * seq;
        int qOut = numHeads * headDim;
        int kvOut = numKvHeads * headDim;
        if (dOut == null || !Arrays.equals(dOut.shape(), savedX.shape())) {
            throw new IllegalArgumentException("dOut has shape "
                    + (dOut == null ? "null" : Arrays.toString(dOut.shape())) + " but the output has shape "
                    + Arrays.toString(savedX.shape()));
        }
        // out = concat W_oᵀ  ⇒  dConcat = dOut W_o,  dW_o += dOutᵀ concat
        float[] dConcat = new float[rows * qOut];
        Kernels.sgemm(
                false, false, rows, qOut, dModel, 1f, dOut.data(), 0, dModel, wo.data(), 0, qOut, 0f, dConcat, 0, qOut);
        Kernels.sgemm(
                true,
                false,
                dModel,
                qOut,
                rows,
                1f,
                dOut.data(),
                0,
                dModel,
                savedConcat.data(),
                0,
                qOut,
                1f,
                wo.grad(),
                0,
                qOut);
        Tensor dO = splitHeads(dConcat, batch, seq, numHeads);
        AttentionBias b = atPositions(bias, savedPositions[0]);
        AttentionGradients g = backend.backward(savedQ, savedK, savedV, savedAttn, dO, savedMask, b, scale);
        Tensor dQ = g.dQ();
        Tensor dK = g.dK();
        if (rope != null) {
            dQ = rope.backwardToHeads(dQ, savedPositions);
            dK = rope.backwardToHeads(dK, savedPositions);
        }
        float[] dX = new float[rows * dModel];
        float[] x = savedX.data();
        backLinear(mergeHeads(dQ, batch, seq, numHeads).data(), rows, qOut, wq, x, dX);
        backLinear(mergeHeads(dK, batch, seq, numKvHeads).data(), rows, kvOut, wk, x, dX);
        backLinear(mergeHeads(g.dV(), batch, seq, numKvHeads).data(), rows, kvOut, wv, x, dX);
        return Tensor.of(dX, batch, seq, dModel);
    }

    /** For y = x Wᵀ: dW += dyᵀ x and dX += dy W. */
    private void backLinear(float[] dy, int rows, int out, Parameter w, float[] x, float[] dX) {
        Kernels.sgemm(true, false, out, dModel, rows, 1f, dy, 0, out, x, 0, dModel, 1f, w.grad(), 0, dModel);
        Kernels.sgemm(false, false, rows, dModel, out, 1f, dy, 0, out, w.data(), 0, dModel, 1f, dX, 0, dModel);
    }

    /** {@code x Wᵀ} for x {@code [rows, in]} and W {@code [out, in]}. */
    private static float[] linear(float[] x, int rows, int in, float[] w, int out) {
        float[] y = new float[rows * out];
        Kernels.sgemm(false, true, rows, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
        return y;
    }

    /** {@code [batch·seq, heads·headDim]} → {@code [batch, heads, seq, headDim]}. */
    private Tensor splitHeads(float[] y, int batch, int seq, int heads) {
        Tensor t = Tensor.zeros(batch, heads, seq, headDim);
        float[] d = t.data();
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(
                            y,
                            ((b * seq + s) * heads + h) * headDim,
                            d,
                            ((b * heads + h) * seq + s) * headDim,
                            headDim);
                }
            }
        }
        return t;
    }

    /** {@code [batch, heads, seq, headDim]} → {@code [batch, seq, heads·headDim]}. */
    private Tensor mergeHeads(Tensor o, int batch, int seq, int heads) {
        Tensor t = Tensor.zeros(batch, seq, heads * headDim);
        float[] s = o.data();
        float[] d = t.data();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(
                            s,
                            ((b * heads + h) * seq + i) * headDim,
                            d,
                            ((b * seq + i) * heads + h) * headDim,
                            headDim);
                }
            }
        }
        return t;
    }

    /**
     * How many tokens had their keys and values projected since the layer was built: the article's count of K/V
     * computations (42 without a cache, 12 with one, for a 9-token prompt and 4 generated tokens).
     *
     * @return the running count
     */
    public long kvTokensProjected() {
        return kvTokensProjected;
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
     * The score scale.
     *
     * @return scale
     */
    public double scale() {
        return scale;
    }

    /**
     * The attention kernel of the forward pass.
     *
     * @return the backend
     */
    public AttentionBackend backend() {
        return backend;
    }
}
