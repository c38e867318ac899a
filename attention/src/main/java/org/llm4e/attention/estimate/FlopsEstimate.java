package org.llm4e.attention.estimate;

/**
 * Parameter counts and the FLOPs of prefill and decode, in PERF's detailed and quick forms.
 *
 * <pre>
 *   params  = V·h + L·(3·h·I + 2·h·(n_kv·d_h) + h·(n_h·d_h) + (n_h·d_h)·h)      (= emb + L·(ffn + qkv + o))
 *   prefill per layer (s tokens, r = n_kv/n_h):
 *     Q 2sh²   K 2sh²r   V 2sh²r   QKᵀ 2s²h   AV 2s²h   O 2sh²   FFN 3·2shI
 *   quick closed form:  (4(1+r)·s·h² + 4·s²·h + 6·s·h·I) · L · b
 *   decode per token:   the same projections and FFN with s = 1, attention 2·2·(s_prompt + (1+n)/2)·h
 *   rule of thumb:      prefill 2·b·s·N,  decode 2·b·N per step          (1 MAC = 2 FLOPs)
 *   matmul [M×N]·[N×K]: 2·M·N·K  (exact count M·K·(2N−1))
 * </pre>
 *
 * <p>From 模型部署不求人！从TTFT到Throughput的性能估算终极公式.md and its notebook ({@code calculate_total_parameters},
 * {@code calculate_prefilling_FLOPs}, {@code calculate_prefilling_FLOPs_quick},
 * {@code calculate_decoding_FLOPs_per_token}, {@code calculate_decoding_FLOPs_onestep}),
 * 如何评判大模型的输出速度？首Token延迟和其余Token延迟有什么不同？.md and 大模型部署三要素：显存、计算与通信深度解析.md (attention catalog
 * §16). The parameter count ignores biases, norms and an untied LM head, as the article's function does; its
 * {@code 2·h·h·(n_kv/n_h) + h·h} is written here with {@code n_h·d_h} and {@code n_kv·d_h} so that models with
 * {@code n_h·d_h ≠ h} are counted right (for Qwen2.5-32B the two agree: 31 984 189 440). The attention FLOPs use
 * {@code h} for {@code n_h·d_h} as the article does. Errata: the article rounds decode to "0.06 TFLOPs" (exactly
 * 0.0644); DEPLOY3's table "prefill 2·s²·d, decode 2·s·d²" is dimensionally inconsistent and not implemented; its 3×3
 * matmul example counts 45 FLOPs (the exact {@code M·K·(2N−1)}) against the rule's 54, which it blames on "boundary
 * handling".
 */
public final class FlopsEstimate {
    private FlopsEstimate() {}

    /**
     * A per-part FLOPs count.
     *
     * @param projections Q, K, V and O projections
     * @param attention {@code QKᵀ} and {@code AV}
     * @param ffn the SwiGLU feed-forward network
     */
    public record Breakdown(double projections, double attention, double ffn) {
        /**
         * The sum of the parts.
         *
         * @return total FLOPs
         */
        public double total() {
            return projections + attention + ffn;
        }
    }

    /**
     * The embedding parameters {@code V·h}.
     *
     * @param c the model
     * @return the count
     */
    public static long embeddingParameters(ModelConfig c) {
        return (long) c.vocabSize() * c.hiddenSize();
    }

    /**
     * The parameters of one layer: {@code 3·h·I + 2·h·n_kv·d_h + 2·h·n_h·d_h}.
     *
     * @param c the model
     * @return the count
     */
    public static long layerParameters(ModelConfig c) {
        long h = c.hiddenSize();
        long ffn = 3L * h * c.intermediateSize();
        long qkv = 2L * h * c.numKvHeads() * c.headDim() + h * c.numHeads() * c.headDim();
        long o = (long) c.numHeads() * c.headDim() * h;
        return ffn + qkv + o;
    }

    /**
     * The total parameter count (PERF's {@code calculate_total_parameters}).
     *
     * @param c the model
     * @return {@code emb + L·layer}
     */
    public static long parameterCount(ModelConfig c) {
        return embeddingParameters(c) + (long) c.numLayers() * layerParameters(c);
    }

    /**
     * Prefill FLOPs, part by part ({@code calculate_prefilling_FLOPs}).
     *
     * @param c the model
     * @param batch b ≥ 1
     * @param promptTokens s ≥ 1
     * @return the breakdown
     * @throws IllegalArgumentException if a count is not positive
     */
    public static Breakdown prefill(ModelConfig c, int batch, long promptTokens) {
        positive("batch", batch);
        positive("promptTokens", promptTokens);
        double s = promptTokens;
        double h = c.hiddenSize();
        // r = n_kv/n_h applied as a final division keeps the products exact in double.
        double q = 2 * s * h * h;
        double kv = 2 * (2 * s * h * h * c.numKvHeads() / c.numHeads());
        double o = 2 * s * h * h;
        double attn = 2 * (2 * s * s * h);
        double ffn = 3 * 2 * s * h * c.intermediateSize();
        double layersBatch = (double) c.numLayers() * batch;
        return new Breakdown((q + kv + o) * layersBatch, attn * layersBatch, ffn * layersBatch);
    }

    /**
     * Prefill FLOPs in the quick closed form ({@code calculate_prefilling_FLOPs_quick}), equal to
     * {@link #prefill}'s total.
     *
     * @param c the model
     * @param batch b ≥ 1
     * @param promptTokens s ≥ 1
     * @return {@code (4(1+r)sh² + 4s²h + 6shI)·L·b}
     * @throws IllegalArgumentException if a count is not positive
     */
    public static double prefillQuick(ModelConfig c, int batch, long promptTokens) {
        positive("batch", batch);
        positive("promptTokens", promptTokens);
        double s = promptTokens;
        double h = c.hiddenSize();
        double fourSH2 = 4 * s * h * h;
        return (fourSH2 + fourSH2 * c.numKvHeads() / c.numHeads() + 4 * s * s * h + 6 * s * h * c.intermediateSize())
                * c.numLayers()
                * batch;
    }

    /**
     * Average decode FLOPs per generated token ({@code calculate_decoding_FLOPs_per_token}): attention over the
     * average cache length {@code s_prompt + (1 + n)/2}.
     *
     * @param c the model
     * @param batch b ≥ 1
     * @param promptTokens s ≥ 1
     * @param outputTokens n ≥ 1
     * @return the breakdown
     * @throws IllegalArgumentException if a count is not positive
     */
    public static Breakdown decodePerToken(ModelConfig c, int batch, long promptTokens, long outputTokens) {
        positive("outputTokens", outputTokens);
        return decodeAt(c, batch, promptTokens, (1 + outputTokens) / 2.0);
    }

    /**
     * Decode FLOPs of one step ({@code calculate_decoding_FLOPs_onestep}): attention over {@code s_prompt + step}.
     *
     * @param c the model
     * @param batch b ≥ 1
     * @param promptTokens s ≥ 1
     * @param step the step ≥ 0
     * @return the breakdown
     * @throws IllegalArgumentException if a count is out of range
     */
    public static Breakdown decodeStep(ModelConfig c, int batch, long promptTokens, long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return decodeAt(c, batch, promptTokens, step);
    }

    private static Breakdown decodeAt(ModelConfig c, int batch, long promptTokens, double extra) {
        Breakdown one = prefill(c, batch, 1);
        positive("promptTokens", promptTokens);
        double attn = 2 * 2 * (promptTokens + extra) * c.hiddenSize() * c.numLayers() * batch;
        return new Breakdown(one.projections(), attn, one.ffn());
    }

    /**
     * The rule of thumb for prefill: 2 FLOPs per parameter per prompt token.
     *
     * @param parameters N
     * @param batch b
     * @param promptTokens s
     * @return {@code 2·b·s·N}
     */
    public static double prefillRuleOfThumb(double parameters, int batch, long promptTokens) {
        return 2.0 * batch * promptTokens * parameters;
    }

    /**
     * The rule of thumb for one decode step.
     *
     * @param parameters N
     * @param batch b
     * @return {@code 2·b·N}
     */
    public static double decodeStepRuleOfThumb(double parameters, int batch) {
        return 2.0 * batch * parameters;
    }

    /**
     * FLOPs of a matrix product by the rule "1 MAC = 2 FLOPs".
     *
     * @param m rows of the left matrix
     * @param n the inner dimension
     * @param k columns of the right matrix
     * @return {@code 2·m·n·k}
     */
    public static long matmul(long m, long n, long k) {
        return 2 * m * n * k;
    }

    /**
     * The exact count of multiplications and additions of a matrix product (n products and n − 1 sums per entry).
     *
     * @param m rows of the left matrix
     * @param n the inner dimension, ≥ 1
     * @param k columns of the right matrix
     * @return {@code m·k·(2n − 1)}
     */
    public static long matmulExact(long m, long n, long k) {
        return m * k * (2 * n - 1);
    }

    private static void positive(String name, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }
}
