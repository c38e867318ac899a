package org.llm4e.benchmarks.quantization;

import java.util.concurrent.TimeUnit;
import org.llm4e.core.Tensor;
import org.llm4e.quantization.Bf16;
import org.llm4e.quantization.Fp16;
import org.llm4e.quantization.Fp8;
import org.llm4e.quantization.Fp8Tensor;
import org.llm4e.quantization.GgmlType;
import org.llm4e.quantization.LinearQuantizer;
import org.llm4e.quantization.Nf4;
import org.llm4e.quantization.Nf4Tensor;
import org.llm4e.quantization.QuantizedTensor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Quantize and dequantize throughput of every scheme of the quantization module's first part, on one thread, over a
 * 4096 × 4096 float32 weight (64 MiB, twice the 32 MiB L3, so the data streams from memory).
 *
 * <p>Schemes: symmetric INT8 per channel, symmetric INT4 per group of 128, asymmetric UINT8 per group of 128, NF4
 * (block 64) without and with double quantization, per-tensor scaled FP8 E4M3, and the plain FP16 and BF16
 * conversions, and ggml's block formats Q8_0, Q4_0, Q4_K and Q6_K (reference quantizers, Q4_K/Q6_K with their scale
 * search). Quantizing includes everything the API does: the finite check, the range pass and the encoding;
 * dequantizing allocates the float32 result.
 *
 * <p>Units: the primary score is ops/s (one op = the whole 16M-element tensor); the auxiliary counter {@code gbs} is
 * GB/s of float32 weight bytes processed ({@code 4n · ops/s / 10⁹}, the same count in both directions), to compare
 * with core's triad bandwidth (about 14 GB/s per thread here). JDK and thread count (1) are in the JMH JSON. The
 * peer for FP16/BF16 conversion (ND4J's cast) is in {@link HalfCastBenchmark}; none of the Java peers implements the
 * integer, NF4 or FP8 quantizers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Thread)
public class QuantizeBenchmark {

    /** The scheme. */
    @Param({
        "int8_sym_channel",
        "int4_sym_g128",
        "uint8_asym_g128",
        "nf4",
        "nf4_dq",
        "fp8_e4m3",
        "fp16",
        "bf16",
        "Q8_0",
        "Q4_0",
        "Q4_K",
        "Q6_K"
    })
    public String scheme;

    /** Rows and columns of the weight. */
    @Param({"4096"})
    public int dim;

    private Tensor w;
    private LinearQuantizer linear;
    private QuantizedTensor quantized;
    private Nf4Tensor nf4;
    private Fp8Tensor fp8;
    private short[] halves;
    private GgmlType ggml;
    private byte[] ggmlBlocks;

    /** GB/s counter. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GB of float32 weights processed, in units of 10⁹ bytes. */
        public double gbs;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
        }

        void count(long n) {
            gbs += 4e-9 * n;
        }
    }

    /** Builds the weight and the already-quantized forms. */
    @Setup(Level.Trial)
    public void setUp() {
        w = Tensor.randn(42, dim, dim);
        float[] d = w.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= 0.02f;
        }
        switch (scheme) {
            case "int8_sym_channel":
                linear = LinearQuantizer.builder().bits(8).perChannel().build();
                break;
            case "int4_sym_g128":
                linear = LinearQuantizer.builder().bits(4).perGroup(128).build();
                break;
            case "uint8_asym_g128":
                linear = LinearQuantizer.builder()
                        .bits(8)
                        .symmetric(false)
                        .signed(false)
                        .perGroup(128)
                        .build();
                break;
            default:
                linear = null;
        }
        if (linear != null) {
            quantized = linear.quantize(w);
        }
        nf4 = scheme.equals("nf4_dq") ? Nf4.quantize(d, 64, 256) : Nf4.quantize(d, 64);
        fp8 = Fp8.E4M3.quantizeScaled(d);
        if (scheme.startsWith("Q")) {
            ggml = GgmlType.valueOf(scheme);
            ggmlBlocks = new byte[(int) ggml.bytes(d.length)];
            ggml.quantize(d, 0, d.length, ggmlBlocks, 0);
        }
        halves = new short[d.length];
        for (int i = 0; i < d.length; i++) {
            halves[i] = scheme.equals("bf16") ? Bf16.encode(d[i]) : Fp16.encode(d[i]);
        }
    }

    /**
     * Quantizes the whole weight.
     *
     * @param rates the GB/s counter
     * @return the result (consumed by JMH)
     */
    @Benchmark
    public Object quantize(Rates rates) {
        float[] d = w.data();
        Object out;
        switch (scheme) {
            case "nf4":
                out = Nf4.quantize(d, 64);
                break;
            case "nf4_dq":
                out = Nf4.quantize(d, 64, 256);
                break;
            case "fp8_e4m3":
                out = Fp8.E4M3.quantizeScaled(d);
                break;
            case "fp16": {
                short[] h = new short[d.length];
                for (int i = 0; i < d.length; i++) {
                    h[i] = Fp16.encode(d[i]);
                }
                out = h;
                break;
            }
            case "bf16": {
                short[] h = new short[d.length];
                for (int i = 0; i < d.length; i++) {
                    h[i] = Bf16.encode(d[i]);
                }
                out = h;
                break;
            }
            case "Q8_0":
            case "Q4_0":
            case "Q4_K":
            case "Q6_K": {
                byte[] b = new byte[ggmlBlocks.length];
                ggml.quantize(d, 0, d.length, b, 0);
                out = b;
                break;
            }
            default:
                out = linear.quantize(w);
        }
        rates.count(d.length);
        return out;
    }

    /**
     * Dequantizes the whole weight.
     *
     * @param rates the GB/s counter
     * @return the result (consumed by JMH)
     */
    @Benchmark
    public Object dequantize(Rates rates) {
        Object out;
        switch (scheme) {
            case "nf4":
            case "nf4_dq":
                out = nf4.dequantize();
                break;
            case "fp8_e4m3":
                out = fp8.dequantize();
                break;
            case "fp16": {
                float[] f = new float[halves.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = Fp16.decode(halves[i]);
                }
                out = f;
                break;
            }
            case "bf16": {
                float[] f = new float[halves.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = Bf16.decode(halves[i]);
                }
                out = f;
                break;
            }
            case "Q8_0":
            case "Q4_0":
            case "Q4_K":
            case "Q6_K": {
                float[] f = new float[w.size()];
                ggml.dequantize(ggmlBlocks, 0, f.length, f, 0);
                out = f;
                break;
            }
            default:
                out = quantized.dequantize();
        }
        rates.count(w.size());
        return out;
    }
}
