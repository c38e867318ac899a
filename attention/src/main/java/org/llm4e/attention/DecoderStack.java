package org.llm4e.attention;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.activations.norm.RMSNorm;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * A decoder-only language model made of {@link TransformerBlock}s: token embedding, the blocks, a final RMSNorm and
 * the output head that turns each position's vector into next-token logits.
 *
 * <pre>
 *   x₀ = E[tokens]                       E: [vocab, dModel]   (nn.Embedding, N(0, 1) init)
 *   x_{l+1} = Block_l(x_l, positionOffset)      l = 0 … L−1
 *   logits = RMSNorm(x_L) W_headᵀ        W_head: [vocab, dModel]
 * </pre>
 *
 * <p>The shape of Hugging Face's {@code LlamaForCausalLM}, with its parameter names: {@code model.embed_tokens.weight},
 * {@code model.layers.i.<block names>}, {@code model.norm.weight} and {@code lm_head.weight} (untied). Together with
 * {@link CrossEntropy} and an optimizer from {@code llm4e-optimizers} this is everything a training loop needs; the
 * tests train a two-block stack to copy a sequence.
 *
 * <p>Stateful and not thread-safe, like its blocks: {@link #forward(int[][], int)} keeps what
 * {@link #backward(Tensor)} needs and backward adds into the gradients.
 */
public final class DecoderStack {
    private final int vocabSize;
    private final int dModel;
    private final List<TransformerBlock> blocks;
    private final Parameter embedding;
    private final RMSNorm norm;
    private final Parameter head;
    private final List<Parameter> parameters;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    private int[][] lastTokens;
    private Tensor lastNormed;

    /**
     * A stack over the given blocks, with random embedding and head.
     *
     * @param vocabSize the number of token ids, ≥ 1
     * @param blocks the blocks, at least one, all with the same {@code dModel}
     * @param seed the seed of the embedding and head weights
     * @throws IllegalArgumentException if the vocabulary is empty, there is no block or the widths differ
     */
    public DecoderStack(int vocabSize, List<TransformerBlock> blocks, long seed) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        if (blocks == null || blocks.isEmpty()) {
            throw new IllegalArgumentException("blocks must hold at least one TransformerBlock");
        }
        this.vocabSize = vocabSize;
        this.dModel = blocks.get(0).dModel();
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).dModel() != dModel) {
                throw new IllegalArgumentException(
                        "blocks[" + i + "] has dModel " + blocks.get(i).dModel() + " but blocks[0] has " + dModel);
            }
        }
        this.blocks = List.copyOf(blocks);
        this.embedding = new Parameter(
                "model.embed_tokens.weight",
                Tensor.randn(seed, vocabSize, dModel).data());
        Tensor h = Tensor.randn(seed + 1, vocabSize, dModel);
        Kernels.scale((float) (1.0 / Math.sqrt(dModel)), h.data(), 0, h.size());
        this.head = new Parameter("lm_head.weight", h.data());
        this.norm = new RMSNorm(dModel, blocks.get(0).rmsNormEps());
        List<Parameter> ps = new ArrayList<>();
        ps.add(embedding);
        for (int i = 0; i < blocks.size(); i++) {
            for (Parameter p : blocks.get(i).parameters()) {
                ps.add(new Parameter("model.layers." + i + "." + p.name(), p.data(), p.grad()));
            }
        }
        Parameter g = norm.parameters().get(0);
        ps.add(new Parameter("model.norm.weight", g.data(), g.grad()));
        ps.add(head);
        for (Parameter p : ps) {
            byName.put(p.name(), p);
        }
        this.parameters = Collections.unmodifiableList(ps);
    }

    /**
     * Every weight under Hugging Face's {@code LlamaForCausalLM} names.
     *
     * @return the live parameters
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * Loads weights by their full Hugging Face names ({@code model.layers.0.self_attn.q_proj.weight}, …); names not
     * given keep their values.
     *
     * @param weights tensors by name
     * @throws IllegalArgumentException if a name is unknown or a size differs
     */
    public void loadWeights(Map<String, Tensor> weights) {
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Parameter p = byName.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException(
                        "unknown weight name " + e.getKey() + "; expected one of " + byName.keySet());
            }
            if (e.getValue() == null || e.getValue().size() != p.size()) {
                throw new IllegalArgumentException(e.getKey() + " has "
                        + (e.getValue() == null
                                ? "null"
                                : Arrays.toString(e.getValue().shape())) + " but needs "
                        + p.size() + " elements");
            }
        }
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Parameter p = byName.get(e.getKey());
            System.arraycopy(e.getValue().data(), 0, p.data(), 0, p.size());
        }
    }

    /**
     * Next-token logits for every position (causal).
     *
     * @param tokens ids {@code [batch][seq]}, each in {@code [0, vocabSize)}
     * @param positionOffset the absolute position of the first token
     * @return logits {@code [batch, seq, vocabSize]}
     * @throws IllegalArgumentException if the batch is ragged or an id is out of range
     */
    public Tensor forward(int[][] tokens, int positionOffset) {
        return run(tokens, positionOffset, null);
    }

    /**
     * Prefill or decode with one cache per block (from {@link #newCaches(int, int)}); not differentiable.
     *
     * @param tokens the new ids {@code [batch][s]}
     * @param positionOffset the absolute position of the first new token
     * @param caches one cache per block
     * @return logits {@code [batch, s, vocabSize]}
     * @throws IllegalArgumentException if the ids, the offset or the caches do not fit
     */
    public Tensor forward(int[][] tokens, int positionOffset, List<KvCache> caches) {
        if (caches == null || caches.size() != blocks.size()) {
            throw new IllegalArgumentException("caches must hold one cache per block (" + blocks.size() + "), got "
                    + (caches == null ? "null" : caches.size()));
        }
        return run(tokens, positionOffset, caches);
    }

    /**
     * One empty cache per block.
     *
     * @param batch the batch size
     * @param maxSeq the longest sequence
     * @return the caches
     */
    public List<KvCache> newCaches(int batch, int maxSeq) {
        List<KvCache> caches = new ArrayList<>();
        for (TransformerBlock b : blocks) {
            caches.add(b.newCache(batch, maxSeq));
        }
        return caches;
    }

    private Tensor run(int[][] tokens, int positionOffset, List<KvCache> caches) {
        if (tokens == null || tokens.length == 0 || tokens[0] == null || tokens[0].length == 0) {
            throw new IllegalArgumentException("tokens must be a non-empty [batch][seq] array");
        }
        int batch = tokens.length;
        int seq = tokens[0].length;
        Tensor x = Tensor.zeros(batch, seq, dModel);
        for (int b = 0; b < batch; b++) {
            if (tokens[b] == null || tokens[b].length != seq) {
                throw new IllegalArgumentException("tokens[" + b + "] has length "
                        + (tokens[b] == null ? "null" : tokens[b].length) + " but tokens[0] has " + seq);
            }
            for (int t = 0; t < seq; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException(
                            "tokens[" + b + "][" + t + "] must be in [0, " + vocabSize + "), got " + id);
                }
                System.arraycopy(embedding.data(), id * dModel, x.data(), (b * seq + t) * dModel, dModel);
            }
        }
        for (int l = 0; l < blocks.size(); l++) {
            x = caches == null
                    ? blocks.get(l).forward(x, positionOffset)
                    : blocks.get(l).forward(x, positionOffset, caches.get(l));
        }
        Tensor n = norm.forward(x);
        Tensor logits = Tensor.zeros(batch, seq, vocabSize);
        Kernels.sgemm(
                false,
                true,
                batch * seq,
                vocabSize,
                dModel,
                1f,
                n.data(),
                0,
                dModel,
                head.data(),
                0,
                dModel,
                0f,
                logits.data(),
                0,
                vocabSize);
        lastTokens = caches == null ? tokens : null;
        lastNormed = n;
        return logits;
    }

    /**
     * Backpropagates {@code dLogits} through the last uncached forward pass into every parameter's gradient.
     *
     * @param dLogits {@code [batch, seq, vocabSize]}, e.g. {@link CrossEntropy.Result#dLogits()}
     * @throws IllegalStateException if there was no uncached forward pass
     * @throws IllegalArgumentException if the shape differs from the logits'
     */
    public void backward(Tensor dLogits) {
        if (lastTokens == null) {
            throw new IllegalStateException(
                    "backward needs a preceding forward(tokens, positionOffset) without caches");
        }
        int batch = lastTokens.length;
        int seq = lastTokens[0].length;
        int rows = batch * seq;
        if (dLogits == null || dLogits.size() != rows * vocabSize) {
            throw new IllegalArgumentException("dLogits has shape "
                    + (dLogits == null ? "null" : Arrays.toString(dLogits.shape())) + " but the logits have shape ["
                    + batch + ", " + seq + ", " + vocabSize + "]");
        }
        float[] dz = dLogits.data();
        // logits = n W_headᵀ  ⇒  dW_head += dzᵀ n,  dn = dz W_head
        Kernels.sgemm(
                true,
                false,
                vocabSize,
                dModel,
                rows,
                1f,
                dz,
                0,
                vocabSize,
                lastNormed.data(),
                0,
                dModel,
                1f,
                head.grad(),
                0,
                dModel);
        Tensor dn = Tensor.zeros(batch, seq, dModel);
        Kernels.sgemm(
                false,
                false,
                rows,
                dModel,
                vocabSize,
                1f,
                dz,
                0,
                vocabSize,
                head.data(),
                0,
                dModel,
                0f,
                dn.data(),
                0,
                dModel);
        Tensor dx = norm.backward(dn);
        for (int l = blocks.size() - 1; l >= 0; l--) {
            dx = blocks.get(l).backward(dx);
        }
        float[] g = dx.data();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                Kernels.axpy(1f, g, (b * seq + t) * dModel, embedding.grad(), lastTokens[b][t] * dModel, dModel);
            }
        }
    }

    /**
     * The blocks.
     *
     * @return an unmodifiable list
     */
    public List<TransformerBlock> blocks() {
        return blocks;
    }

    /**
     * The vocabulary size.
     *
     * @return vocabSize
     */
    public int vocabSize() {
        return vocabSize;
    }
}
