package org.llm4e.attention.estimate;

/**
 * Time estimates from FLOPs and bandwidth: TTFT, TPOT, latency, throughput, and the bandwidth bound of decode.
 *
 * <pre>
 *   TTFT       = prefill FLOPs / (peak FLOPS · utilisation)
 *   throughput = peak FLOPS · utilisation / decode FLOPs per step · batch        (tokens/s)
 *   TPOT       = 1 / single-request throughput
 *   latency    = TTFT + TPOT · n          (the article's n; n − 1 on request, since TTFT already emits token 1)
 *   TPS        = n / latency
 *   bandwidth bound (derived):  t_token ≥ (weight bytes + KV bytes read) / HBM bandwidth
 *   roofline batch:             peak FLOPS / (2 · bandwidth / bytes per param)
 * </pre>
 *
 * <p>From 模型部署不求人！从TTFT到Throughput的性能估算终极公式.md, 如何评判大模型的输出速度？首Token延迟和其余Token延迟有什么不同？.md,
 * 大模型的latency（延迟）和throughput（吞吐量）有什么区别.md and 大模型output-token为什么比input-token贵？.md (attention catalog
 * §15, §17). Errata: PERF's 2466 token/s divides by the rounded 0.06 TFLOPs (2297 with the exact 0.0644) and its quick
 * "64 TFLOPs" prefill seems to use 1000 tokens (2·1024·32e9 is 65.5 TFLOPs); TTFT's "10.3 tokens/s" for
 * Llama-3.1-70B on 10 A100s is 1K-token <em>prompts</em> per second and holds with 1K = 1000 (10.296; 10.05 with
 * 1024). The bandwidth bound is not in the articles (OUTPUT-COST argues it only in words); it is derived here and
 * labelled so.
 */
public final class InferenceEstimate {
    private InferenceEstimate() {}

    /** Which count of decode steps the latency formula multiplies TPOT by. */
    public enum LatencyConvention {
        /** The article's {@code TTFT + TPOT · n}. */
        ARTICLE_N,
        /** {@code TTFT + TPOT · (n − 1)}: the first token is already out at TTFT. */
        N_MINUS_ONE
    }

    /**
     * Time to first token.
     *
     * @param prefillFlops the prefill FLOPs
     * @param peakFlops the accelerator's peak FLOP/s
     * @param utilization the fraction of peak reached, in (0, 1]
     * @return seconds
     * @throws IllegalArgumentException if the utilisation is out of range
     */
    public static double ttftSeconds(double prefillFlops, double peakFlops, double utilization) {
        checkUtil(utilization);
        return prefillFlops / (peakFlops * utilization);
    }

    /**
     * Decode throughput in generated tokens per second.
     *
     * @param peakFlops peak FLOP/s
     * @param utilization in (0, 1]
     * @param flopsPerStep FLOPs of one decode step of the whole batch
     * @param batch sequences per step, ≥ 1
     * @return tokens per second
     * @throws IllegalArgumentException if the utilisation or the batch is out of range
     */
    public static double decodeTokensPerSecond(double peakFlops, double utilization, double flopsPerStep, int batch) {
        checkUtil(utilization);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        return peakFlops * utilization / flopsPerStep * batch;
    }

    /**
     * End-to-end latency of one request.
     *
     * @param ttftSeconds the time to first token
     * @param tpotSeconds the time per output token
     * @param generatedTokens n ≥ 1
     * @param convention n or n − 1 decode steps
     * @return seconds
     * @throws IllegalArgumentException if {@code generatedTokens} is not positive
     */
    public static double latencySeconds(
            double ttftSeconds, double tpotSeconds, long generatedTokens, LatencyConvention convention) {
        if (generatedTokens < 1) {
            throw new IllegalArgumentException("generatedTokens must be >= 1, got " + generatedTokens);
        }
        long steps = convention == LatencyConvention.ARTICLE_N ? generatedTokens : generatedTokens - 1;
        return ttftSeconds + tpotSeconds * steps;
    }

    /**
     * Tokens per second of a single request.
     *
     * @param generatedTokens n
     * @param latencySeconds its latency
     * @return {@code n / latency}
     */
    public static double tokensPerSecond(long generatedTokens, double latencySeconds) {
        return generatedTokens / latencySeconds;
    }

    /**
     * TTFT img 4: prompts processed per second by a cluster, {@code gpus · peak · utilisation / (2N · prompt)}.
     *
     * @param gpus accelerators
     * @param peakFlops peak FLOP/s of one
     * @param utilization in (0, 1]
     * @param parameters N
     * @param promptTokens tokens per prompt
     * @return prompts per second
     * @throws IllegalArgumentException if the utilisation is out of range
     */
    public static double promptsPerSecond(
            int gpus, double peakFlops, double utilization, double parameters, long promptTokens) {
        checkUtil(utilization);
        return gpus * peakFlops * utilization / (2 * parameters * promptTokens);
    }

    /**
     * The memory-bandwidth lower bound of one decode step [derived]: every weight and the cache read once.
     *
     * @param weightBytes bytes of weights
     * @param kvBytesRead bytes of KV cache read in the step
     * @param bandwidthBytesPerSecond HBM bandwidth
     * @return seconds per step
     */
    public static double bandwidthBoundSecondsPerStep(
            double weightBytes, double kvBytesRead, double bandwidthBytesPerSecond) {
        return (weightBytes + kvBytesRead) / bandwidthBytesPerSecond;
    }

    /**
     * The batch size at which decode turns from bandwidth-bound to compute-bound [derived].
     *
     * @param gpu the accelerator
     * @param bytesPerParam bytes per weight
     * @return {@code peak / (2 · bandwidth / bytesPerParam)}
     */
    public static double rooflineBatch(Gpu gpu, int bytesPerParam) {
        return gpu.peakFlops() / (2 * gpu.bandwidthBytesPerSecond() / bytesPerParam);
    }

    /**
     * One row of the estimate table of a model on an accelerator.
     *
     * @param parameters the parameter count
     * @param prefillFlops prefill FLOPs (detailed)
     * @param decodeFlopsPerStep average decode FLOPs per step (detailed)
     * @param ttftSeconds time to first token
     * @param tpotSeconds time per output token, compute-bound
     * @param latencySeconds latency with the article's convention
     * @param tokensPerSecond decode throughput, compute-bound
     * @param bandwidthBoundTpotSeconds time per output token, bandwidth-bound (weights + average cache)
     * @param kvCacheBytes the cache at the end of generation
     */
    public record Report(
            long parameters,
            double prefillFlops,
            double decodeFlopsPerStep,
            double ttftSeconds,
            double tpotSeconds,
            double latencySeconds,
            double tokensPerSecond,
            double bandwidthBoundTpotSeconds,
            long kvCacheBytes) {}

    /**
     * The article's estimate of a model on one accelerator.
     *
     * @param c the model
     * @param gpu the accelerator
     * @param utilization in (0, 1] (the article uses 1; "about 60 %" in practice)
     * @param batch b ≥ 1
     * @param promptTokens s ≥ 1
     * @param outputTokens n ≥ 1
     * @return the report
     * @throws IllegalArgumentException if a count or the utilisation is out of range
     */
    public static Report estimate(
            ModelConfig c, Gpu gpu, double utilization, int batch, long promptTokens, long outputTokens) {
        long params = FlopsEstimate.parameterCount(c);
        double prefill = FlopsEstimate.prefill(c, batch, promptTokens).total();
        double decode = FlopsEstimate.decodePerToken(c, batch, promptTokens, outputTokens)
                .total();
        double ttft = ttftSeconds(prefill, gpu.peakFlops(), utilization);
        double tps = decodeTokensPerSecond(gpu.peakFlops(), utilization, decode, batch);
        double tpot = batch / tps;
        double latency = latencySeconds(ttft, tpot, outputTokens, LatencyConvention.ARTICLE_N);
        double avgKv = KvCacheSize.bytesPerToken(c) * (double) batch * (promptTokens + (1 + outputTokens) / 2.0);
        double bound =
                bandwidthBoundSecondsPerStep((double) params * c.bytesPerParam(), avgKv, gpu.bandwidthBytesPerSecond());
        return new Report(
                params,
                prefill,
                decode,
                ttft,
                tpot,
                latency,
                tps,
                bound,
                KvCacheSize.bytes(c, batch, promptTokens + outputTokens));
    }

    private static void checkUtil(double u) {
        if (!(u > 0 && u <= 1)) {
            throw new IllegalArgumentException("utilization must be in (0, 1], got " + u);
        }
    }
}
