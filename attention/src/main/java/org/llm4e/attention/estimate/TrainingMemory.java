package org.llm4e.attention.estimate;

/**
 * Memory per parameter of training and of the ZeRO / FSDP stages.
 *
 * <pre>
 *   FP32 + Adam (GPU-PAR img 2):  weights 4 + Adam states 8 + gradients 4 + activations/temp 8 = 24 B/param
 *   ZeRO per GPU over N GPUs (states = weights W, gradients G, optimizer O; activations not sharded):
 *     stage 0 (DDP)   W + G + O
 *     stage 1         W + G + O/N
 *     stage 2         W + (G + O)/N
 *     stage 3 (FSDP)  (W + G + O)/N
 *   weights only:  params · bytes  (DeepSeek-R1 671B: 1342 GB in BF16, 671 GB in FP8; GPT-3 175B: 700 GB in FP32)
 * </pre>
 *
 * <p>From Transformer架构的GPU并行和之前的NLP算法有什么不同？.md (the bytes-per-parameter table, DDP and FSDP) and
 * 大模型部署三要素：显存、计算与通信深度解析.md (attention catalog §18). The article's 24 B counts activations per parameter
 * as a high-end estimate; ZeRO shards only the model states, so {@link #zeroBytesPerGpu} leaves activations out. The
 * mixed-precision numbers ({@code 2 + 2 + 12}) are the ZeRO paper's (Rajbhandari et al. 2020) [C]. Erratum: DEPLOY3's
 * unit table prints 10³ for every prefix; here k, M, G, T are 10³, 10⁶, 10⁹, 10¹².
 *
 * @param weightBytes bytes per parameter of the weights
 * @param gradientBytes bytes per parameter of the gradients
 * @param optimizerBytes bytes per parameter of the optimizer state
 * @param activationBytes bytes per parameter set aside for activations and temporaries
 */
public record TrainingMemory(double weightBytes, double gradientBytes, double optimizerBytes, double activationBytes) {
    /**
     * The article's FP32 + Adam table: 4 + 4 + 8 + 8.
     *
     * @return the table
     */
    public static TrainingMemory fp32Adam() {
        return new TrainingMemory(4, 4, 8, 8);
    }

    /**
     * Mixed precision with Adam (ZeRO paper [C]): fp16 weights 2, fp16 gradients 2, fp32 master weights, momentum and
     * variance 12, activations not counted.
     *
     * @return the table
     */
    public static TrainingMemory mixedPrecisionAdam() {
        return new TrainingMemory(2, 2, 12, 0);
    }

    /**
     * Bytes per parameter, all parts.
     *
     * @return the sum
     */
    public double bytesPerParameter() {
        return weightBytes + gradientBytes + optimizerBytes + activationBytes;
    }

    /**
     * Model-state bytes per GPU under a ZeRO stage (activations excluded).
     *
     * @param stage 0, 1, 2 or 3
     * @param parameters the parameter count
     * @param gpus data-parallel GPUs, ≥ 1
     * @return bytes per GPU
     * @throws IllegalArgumentException if the stage or the GPU count is out of range
     */
    public double zeroBytesPerGpu(int stage, double parameters, int gpus) {
        if (gpus < 1) {
            throw new IllegalArgumentException("gpus must be >= 1, got " + gpus);
        }
        double w = weightBytes;
        double g = gradientBytes;
        double o = optimizerBytes;
        switch (stage) {
            case 0:
                return parameters * (w + g + o);
            case 1:
                return parameters * (w + g + o / gpus);
            case 2:
                return parameters * (w + (g + o) / gpus);
            case 3:
                return parameters * (w + g + o) / gpus;
            default:
                throw new IllegalArgumentException("stage must be 0, 1, 2 or 3, got " + stage);
        }
    }

    /**
     * Bytes of the weights alone.
     *
     * @param parameters the parameter count
     * @param bytesPerParam bytes per weight (2 for BF16, 1 for FP8, 4 for FP32)
     * @return {@code parameters · bytesPerParam}
     */
    public static double weightBytes(double parameters, double bytesPerParam) {
        return parameters * bytesPerParam;
    }
}
