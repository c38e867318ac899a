package org.llm4e.benchmarks.gptq;

import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;
import org.llm4e.quantization.Awq;
import org.llm4e.quantization.Gptq;
import org.llm4e.quantization.LayerError;
import org.llm4e.quantization.QuantError;

/**
 * The quantized-vs-float error of the layers {@link GptqBenchmark} times: for 4-bit round-to-nearest, GPTQ
 * (with and without act-order) and AWQ, the output error ‖(W − Ŵ)Xᵀ‖² relative to RTN's, the output SNR in dB and
 * the weight SNR. Deterministic, so it is a table rather than a JMH run:
 * {@code java -cp benchmarks/target/benchmarks.jar org.llm4e.benchmarks.gptq.GptqErrorTable [dim] [samples]}.
 */
public final class GptqErrorTable {
    private GptqErrorTable() {}

    /**
     * Prints the table.
     *
     * @param args optional layer width (default 512) and number of calibration rows (default 2048)
     */
    public static void main(String[] args) {
        int dim = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        Tensor w = Tensor.randn(1, dim, dim);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] *= 0.02f;
        }
        Tensor z = Tensor.randn(2, samples, dim);
        Tensor m = Tensor.randn(3, dim, dim);
        Tensor noise = Tensor.randn(4, samples, dim);
        Tensor x = Kernels.matmul(z, m);
        float inv = (float) (1 / Math.sqrt(dim));
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = x.data()[i] * inv + 0.5f * noise.data()[i];
        }
        double signal = LayerError.outputSse(w, Tensor.zeros(dim, dim), x);
        Gptq g = Gptq.builder().bits(4).groupSize(128).build();
        Tensor rtn = g.roundToNearest(w).dequantize();
        double rtnSse = LayerError.outputSse(w, rtn, x);
        System.out.printf("layer %d x %d, %d calibration rows, 4 bits, groups of 128%n", dim, dim, samples);
        System.out.printf(
                "%-22s %12s %12s %14s %14s%n", "scheme", "output SSE", "vs RTN", "output SNR dB", "weight SNR dB");
        row("round-to-nearest", w, rtn, x, rtnSse, signal);
        row("GPTQ", w, g.quantize(w, x).dequantize(), x, rtnSse, signal);
        row(
                "GPTQ act-order",
                w,
                Gptq.builder()
                        .bits(4)
                        .groupSize(128)
                        .actOrder(true)
                        .build()
                        .quantize(w, x)
                        .dequantize(),
                x,
                rtnSse,
                signal);
        Awq awq = Awq.builder().bits(4).groupSize(128).build();
        row("AWQ (RTN grid)", w, awq.roundToNearest(w).dequantize(), x, rtnSse, signal);
        row("AWQ", w, awq.quantize(w, x).dequantize(), x, rtnSse, signal);
    }

    private static void row(String name, Tensor w, Tensor wHat, Tensor x, double rtnSse, double signal) {
        double sse = LayerError.outputSse(w, wHat, x);
        System.out.printf(
                "%-22s %12.4f %12.4f %14.2f %14.2f%n",
                name,
                sse,
                sse / rtnSse,
                10 * Math.log10(signal / sse),
                QuantError.of(w, wHat).snrDb());
    }
}
