package org.llm4e.attention.estimate;

/**
 * How many bytes the KV cache takes: per token and layer, per token, per sequence, for MHA, GQA, MQA and MLA.
 *
 * <pre>
 *   elements per token and layer:   MHA 2·n_h·d_h    GQA 2·n_g·d_h    MQA 2·d_h    MLA d_c + d_h^R
 *   KV bytes = layers · elements · bytes_per_element · batch · tokens
 *   article (MHA, fp16):  4·b·l·h·(s + n)        (4 = 2 for K and V × 2 bytes)
 *   MLA as GQA:  groups = (d_c + d_h^R) / (2·d_h)    (DeepSeek-V2: 576 / 256 = 2.25)
 * </pre>
 *
 * <p>From 一文了解Deepseek系列中的MLA技术.md (the {@code 4blh(s+n)} formula, appendix 1), 为什么会发展出Multi-Query-Attention
 * 和Group-Query-Attention.md and vLLM使用PagedAttention轻松、快速且廉价地提供LLM服务（中文版翻译）.md (attention catalog §8–10,
 * §21). Errata and sources: {@code 4blh(s+n)} assumes MHA and fp16, so {@link #bytes} is the general form; the MLA
 * numbers (576 vs 32 768 elements, "GQA with 2.25 groups") are from the DeepSeek-V2 paper the article cites, not from
 * the article; VLLM's "up to 1.7 GB" per LLaMA-13B sequence is {@code 4·1·40·5120·2048 = 1 677 721 600} bytes
 * (1.68 GB, 1.56 GiB).
 */
public final class KvCacheSize {
    private KvCacheSize() {}

    /**
     * MHA: a key and a value per head.
     *
     * @param numHeads n_h
     * @param headDim d_h
     * @return {@code 2·n_h·d_h}
     */
    public static long mhaElements(int numHeads, int headDim) {
        return 2L * numHeads * headDim;
    }

    /**
     * GQA: a key and a value per kv group.
     *
     * @param groups n_g (kv heads)
     * @param headDim d_h
     * @return {@code 2·n_g·d_h}
     */
    public static long gqaElements(int groups, int headDim) {
        return 2L * groups * headDim;
    }

    /**
     * MQA: one key and one value for all heads.
     *
     * @param headDim d_h
     * @return {@code 2·d_h}
     */
    public static long mqaElements(int headDim) {
        return 2L * headDim;
    }

    /**
     * MLA: the latent and the shared rotary key.
     *
     * @param kvLoraRank d_c
     * @param qkRopeHeadDim d_h^R
     * @return {@code d_c + d_h^R}
     */
    public static long mlaElements(int kvLoraRank, int qkRopeHeadDim) {
        return (long) kvLoraRank + qkRopeHeadDim;
    }

    /**
     * The number of GQA groups whose cache equals MLA's.
     *
     * @param kvLoraRank d_c
     * @param qkRopeHeadDim d_h^R
     * @param headDim d_h
     * @return {@code (d_c + d_h^R) / (2·d_h)}
     */
    public static double equivalentGqaGroups(int kvLoraRank, int qkRopeHeadDim, int headDim) {
        return (double) mlaElements(kvLoraRank, qkRopeHeadDim) / (2.0 * headDim);
    }

    /**
     * The cached elements per token and layer of a model (MLA when {@link ModelConfig#isMla()}, else GQA with its kv
     * heads, which covers MHA and MQA).
     *
     * @param c the model
     * @return elements per token and layer
     */
    public static long elementsPerTokenPerLayer(ModelConfig c) {
        return c.isMla() ? mlaElements(c.kvLoraRank(), c.qkRopeHeadDim()) : gqaElements(c.numKvHeads(), c.headDim());
    }

    /**
     * Bytes per token over all layers, at the model's {@code bytesPerParam}.
     *
     * @param c the model
     * @return {@code layers · elements · bytes}
     */
    public static long bytesPerToken(ModelConfig c) {
        return (long) c.numLayers() * elementsPerTokenPerLayer(c) * c.bytesPerParam();
    }

    /**
     * The cache of a batch of sequences.
     *
     * @param c the model
     * @param batch sequences, ≥ 0
     * @param tokens tokens per sequence (prompt + generated), ≥ 0
     * @return bytes
     * @throws IllegalArgumentException if a count is negative
     */
    public static long bytes(ModelConfig c, int batch, long tokens) {
        if (batch < 0 || tokens < 0) {
            throw new IllegalArgumentException(
                    "batch and tokens must be >= 0, got batch " + batch + " and tokens " + tokens);
        }
        return bytesPerToken(c) * batch * tokens;
    }

    /**
     * The article's formula (MHA, fp16).
     *
     * @param batch b
     * @param layers l
     * @param hidden h
     * @param promptTokens s
     * @param generatedTokens n
     * @return {@code 4·b·l·h·(s + n)} bytes
     */
    public static long articleFormula(int batch, int layers, int hidden, long promptTokens, long generatedTokens) {
        return 4L * batch * layers * hidden * (promptTokens + generatedTokens);
    }
}
