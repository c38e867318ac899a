package org.llm4e.attention.estimate;

/**
 * An accelerator's peak dense tensor FLOPS (bf16/fp16), memory and memory bandwidth, for the time estimates.
 *
 * <p>From 模型部署不求人！从TTFT到Throughput的性能估算终极公式.md (PERF img 3: H20, L20, L2),
 * 如何评判大模型的输出速度？首Token延迟和其余Token延迟有什么不同？.md (TTFT img 2) and FlashAttentionv2相比于v1有哪些更新？.md
 * (FA2 img 3: A100) (attention catalog §17). The H800 figure of 1979 TFLOPS in TTFT img 2 is NVIDIA's with
 * structured sparsity; the dense figure, used here, is half of it (989.5) [C].
 *
 * @param name a label
 * @param peakFlops peak dense bf16/fp16 FLOP/s
 * @param memoryBytes memory in bytes (10⁹ per GB)
 * @param bandwidthBytesPerSecond memory bandwidth in bytes per second (10¹² per TB/s)
 */
public record Gpu(String name, double peakFlops, double memoryBytes, double bandwidthBytesPerSecond) {
    /**
     * Validates the figures.
     *
     * @throws IllegalArgumentException if a figure is not positive
     */
    public Gpu {
        if (!(peakFlops > 0) || !(memoryBytes > 0) || !(bandwidthBytesPerSecond > 0)) {
            throw new IllegalArgumentException("peakFlops, memoryBytes and bandwidthBytesPerSecond must be > 0, got "
                    + peakFlops + ", " + memoryBytes + ", " + bandwidthBytesPerSecond);
        }
    }

    /**
     * NVIDIA H20 (PERF img 3): 148 TFLOPS bf16, 96 GB HBM3, 4.0 TB/s.
     *
     * @return the GPU
     */
    public static Gpu h20() {
        return new Gpu("H20", 148e12, 96e9, 4.0e12);
    }

    /**
     * NVIDIA L20 (PERF img 3): 119.5 TFLOPS, 48 GB, 864 GB/s.
     *
     * @return the GPU
     */
    public static Gpu l20() {
        return new Gpu("L20", 119.5e12, 48e9, 864e9);
    }

    /**
     * NVIDIA L2 (PERF img 3): 96.5 TFLOPS, 24 GB, 300 GB/s.
     *
     * @return the GPU
     */
    public static Gpu l2() {
        return new Gpu("L2", 96.5e12, 24e9, 300e9);
    }

    /**
     * NVIDIA A100 40 GB (FA2 img 3, TTFT img 2): 312 TFLOPS fp16, 1.6 TB/s.
     *
     * @return the GPU
     */
    public static Gpu a100_40gb() {
        return new Gpu("A100-40GB", 312e12, 40e9, 1.6e12);
    }

    /**
     * NVIDIA A100 80 GB (FA2 img 3): 312 TFLOPS fp16, 2.0 TB/s.
     *
     * @return the GPU
     */
    public static Gpu a100_80gb() {
        return new Gpu("A100-80GB", 312e12, 80e9, 2.0e12);
    }

    /**
     * NVIDIA V100 16 GB (TTFT img 2): 125 TFLOPS fp16, 900 GB/s.
     *
     * @return the GPU
     */
    public static Gpu v100() {
        return new Gpu("V100", 125e12, 16e9, 900e9);
    }

    /**
     * NVIDIA H800 (TTFT img 2): 989.5 TFLOPS dense fp16 (the table's 1979 is with sparsity), 80 GB, 2 TB/s.
     *
     * @return the GPU
     */
    public static Gpu h800() {
        return new Gpu("H800", 989.5e12, 80e9, 2.0e12);
    }

    /**
     * NVIDIA T4 (TTFT img 2): 65 TFLOPS fp16, 16 GB, 320 GB/s.
     *
     * @return the GPU
     */
    public static Gpu t4() {
        return new Gpu("T4", 65e12, 16e9, 320e9);
    }
}
