package org.llm4e.attention.estimate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The sizes of a decoder-only transformer that the inference estimates need, in Hugging Face {@code config.json}
 * terms, with a few built-in models and a reader for {@code config.json}.
 *
 * <p>From 模型部署不求人！从TTFT到Throughput的性能估算终极公式.md (the Qwen2.5-32B {@code config} dict and the notebook's
 * Qwen2.5-0.5B), 如何评判大模型的输出速度？首Token延迟和其余Token延迟有什么不同？.md (Llama-3.1-70B),
 * vLLM使用PagedAttention轻松、快速且廉价地提供LLM服务（中文版翻译）.md (LLaMA-13B) and the DeepSeek-V2 paper cited by
 * 一文了解Deepseek系列中的MLA技术.md (attention catalog §10, §16, §21). Erratum: PERF's sentence "40 attention heads,
 * each with 8 kv heads, each head hidden 5120" misreads Qwen2.5-32B's config: there are 8 kv heads in all and
 * {@code head_dim = 5120 / 40 = 128}.
 *
 * @param name a label
 * @param hiddenSize {@code hidden_size} h
 * @param intermediateSize {@code intermediate_size} I of the SwiGLU FFN
 * @param numLayers {@code num_hidden_layers} L
 * @param numHeads {@code num_attention_heads} n_h
 * @param numKvHeads {@code num_key_value_heads} n_kv (= n_h for MHA, 1 for MQA)
 * @param headDim the per-head width d_h ({@code head_dim}, else {@code hidden_size / num_attention_heads}; for MLA
 *     {@code qk_nope_head_dim})
 * @param vocabSize {@code vocab_size} V
 * @param kvLoraRank MLA's {@code kv_lora_rank} d_c, 0 for other attention
 * @param qkRopeHeadDim MLA's {@code qk_rope_head_dim} d_h^R, 0 for other attention
 * @param bytesPerParam bytes per weight and cache element (2 for bf16/fp16)
 */
public record ModelConfig(
        String name,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int kvLoraRank,
        int qkRopeHeadDim,
        int bytesPerParam) {

    /**
     * Validates the sizes.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public ModelConfig {
        positive("hiddenSize", hiddenSize);
        positive("intermediateSize", intermediateSize);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("numKvHeads", numKvHeads);
        positive("headDim", headDim);
        positive("vocabSize", vocabSize);
        positive("bytesPerParam", bytesPerParam);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("numKvHeads must divide numHeads = " + numHeads + ", got " + numKvHeads);
        }
        if (kvLoraRank < 0 || qkRopeHeadDim < 0) {
            throw new IllegalArgumentException(
                    "kvLoraRank and qkRopeHeadDim must be >= 0, got " + kvLoraRank + " and " + qkRopeHeadDim);
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    /**
     * A dense GQA/MHA/MQA model in bf16.
     *
     * @param name a label
     * @param hidden hidden_size
     * @param intermediate intermediate_size
     * @param layers num_hidden_layers
     * @param heads num_attention_heads
     * @param kvHeads num_key_value_heads
     * @param vocab vocab_size
     * @return the config, {@code headDim = hidden / heads}
     * @throws IllegalArgumentException if a size is out of range
     */
    public static ModelConfig dense(
            String name, int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab) {
        return new ModelConfig(name, hidden, intermediate, layers, heads, kvHeads, hidden / heads, vocab, 0, 0, 2);
    }

    /**
     * Qwen2.5-32B (PERF): h 5120, I 27648, 64 layers, 40 heads, 8 kv heads, vocab 152064, bf16.
     *
     * @return the config
     */
    public static ModelConfig qwen25_32b() {
        return dense("Qwen2.5-32B", 5120, 27648, 64, 40, 8, 152064);
    }

    /**
     * Qwen2.5-0.5B (PERF notebook): h 896, I 4864, 24 layers, 14 heads, 2 kv heads of 64, vocab 151936.
     *
     * @return the config
     */
    public static ModelConfig qwen25_05b() {
        return dense("Qwen2.5-0.5B", 896, 4864, 24, 14, 2, 151936);
    }

    /**
     * LLaMA-13B (VLLM's 1.7 GB example): h 5120, I 13824, 40 layers, 40 heads (MHA), vocab 32000.
     *
     * @return the config
     */
    public static ModelConfig llama13b() {
        return dense("LLaMA-13B", 5120, 13824, 40, 40, 40, 32000);
    }

    /**
     * Llama-3.1-70B (TTFT): h 8192, I 28672, 80 layers, 64 heads, 8 kv heads, vocab 128256.
     *
     * @return the config
     */
    public static ModelConfig llama31_70b() {
        return dense("Llama-3.1-70B", 8192, 28672, 80, 64, 8, 128256);
    }

    /**
     * DeepSeek-V2's attention sizes [C]: h 5120, 60 layers, 128 heads of 128, MLA with d_c 512 and d_h^R 64, vocab
     * 102400. Its FFN is a mixture of experts, so {@link FlopsEstimate#parameterCount} (dense formula) does not apply;
     * the intermediate size given is the dense layers' 12288.
     *
     * @return the config
     */
    public static ModelConfig deepSeekV2() {
        return new ModelConfig("DeepSeek-V2", 5120, 12288, 60, 128, 128, 128, 102400, 512, 64, 2);
    }

    /**
     * Whether the attention is MLA (a latent KV cache).
     *
     * @return {@code kvLoraRank > 0}
     */
    public boolean isMla() {
        return kvLoraRank > 0;
    }

    /**
     * The kv-head ratio r = n_kv / n_h of PERF's formulas.
     *
     * @return numKvHeads / numHeads
     */
    public double kvRatio() {
        return (double) numKvHeads / numHeads;
    }

    /** An unreadable config file: names the file, the character offset and the reason. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * A format error.
         *
         * @param message the file, the offset and the reason
         */
        public FormatException(String message) {
            super(message);
        }
    }

    /**
     * Reads a Hugging Face {@code config.json} ({@code hidden_size, intermediate_size, num_hidden_layers,
     * num_attention_heads}, optional {@code num_key_value_heads, head_dim, vocab_size, torch_dtype, kv_lora_rank,
     * qk_rope_head_dim, qk_nope_head_dim}).
     *
     * @param file the file
     * @return the config, named after the file's {@code _name_or_path} or else its parent folder
     * @throws IOException if the file cannot be read
     * @throws FormatException if it is not JSON or misses a required key (naming the file, offset or key)
     */
    public static ModelConfig fromConfigJson(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        Path parent = file.toAbsolutePath().getParent();
        return parse(
                text,
                file.toString(),
                parent == null ? file.toString() : parent.getFileName().toString());
    }

    /**
     * Reads the text of a {@code config.json}.
     *
     * @param json the JSON text
     * @param name the label when the JSON has no {@code _name_or_path}
     * @return the config
     * @throws FormatException if it is not JSON or misses a required key
     */
    public static ModelConfig fromConfigJson(String json, String name) throws FormatException {
        return parse(json, "<" + name + ">", name);
    }

    @SuppressWarnings("unchecked")
    private static ModelConfig parse(String text, String source, String defaultName) throws FormatException {
        Object root;
        try {
            root = ConfigJson.parse(text);
        } catch (ConfigJson.SyntaxError e) {
            throw new FormatException(source + ": at character " + e.offset + ": " + e.getMessage());
        }
        if (!(root instanceof Map)) {
            throw new FormatException(source + ": at character 0: the top level must be a JSON object");
        }
        Map<String, Object> m = (Map<String, Object>) root;
        int hidden = required(m, "hidden_size", source);
        int heads = required(m, "num_attention_heads", source);
        int layers = required(m, "num_hidden_layers", source);
        int intermediate = required(m, "intermediate_size", source);
        int kvHeads = optional(m, "num_key_value_heads", heads);
        int kvLora = optional(m, "kv_lora_rank", 0);
        int rope = kvLora > 0 ? optional(m, "qk_rope_head_dim", 0) : 0;
        int headDim =
                kvLora > 0 ? optional(m, "qk_nope_head_dim", hidden / heads) : optional(m, "head_dim", hidden / heads);
        int vocab = optional(m, "vocab_size", 1);
        Object dtype = m.get("torch_dtype");
        int bytes = "float32".equals(dtype) ? 4 : 2;
        Object n = m.get("_name_or_path");
        String name = n instanceof String && !((String) n).isEmpty() ? (String) n : defaultName;
        try {
            return new ModelConfig(
                    name, hidden, intermediate, layers, heads, kvHeads, headDim, vocab, kvLora, rope, bytes);
        } catch (IllegalArgumentException e) {
            throw new FormatException(source + ": " + e.getMessage());
        }
    }

    private static int required(Map<String, Object> m, String key, String source) throws FormatException {
        Object v = m.get(key);
        if (!(v instanceof Double)) {
            throw new FormatException(source + ": the key \"" + key + "\" must be a number, got " + v);
        }
        return (int) (double) (Double) v;
    }

    private static int optional(Map<String, Object> m, String key, int fallback) {
        Object v = m.get(key);
        return v instanceof Double ? (int) (double) (Double) v : fallback;
    }
}
