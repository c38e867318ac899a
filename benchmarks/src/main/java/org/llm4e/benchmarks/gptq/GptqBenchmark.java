package org.llm4e.benchmarks.gptq;

import java.util.concurrent.TimeUnit;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.llm4e.core.Tensor;
import org.llm4e.quantization.Awq;
import org.llm4e.quantization.Gptq;
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
 * GPTQ on one square linear layer ({@code dim × dim}, 4 bits, groups of 128, blocks of 128) with {@code samples}
 * calibration rows: the whole quantization, its two phases (the Hessian {@code 2XᵀX/n}, and the Cholesky + column
 * loop given H), and the baselines round-to-nearest and AWQ's α search. The Hessian races EJML's
 * {@code CommonOps_DDRM.multTransA} (double, single-threaded), the same product GPTQ needs.
 *
 * <p>Units: ops/s (one op = one layer; seconds per layer = 1 / score) and the auxiliary {@code gflops}, GFLOP/s at a
 * nominal count: Hessian {@code n·d²} (half of the symmetric product, multiply + add), factorisations {@code d³}
 * (Cholesky, triangular inverse, product and Cholesky again ≈ d³/3 + d³/3 + d³/3), column loop {@code out·d²}
 * (column j updates the d − j later columns of every row, multiply + add). llm4e runs its rows and Hessian rows on
 * the library pool ({@code -Dllm4e.threads}, the machine's cores by default); EJML single-threaded. The
 * quantized-vs-float error of the same layers is printed by {@link GptqErrorTable} (deterministic, so not a JMH
 * measurement).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Thread)
public class GptqBenchmark {

    /** Layer width d (the layer is d × d). */
    @Param({"512", "1024"})
    public int dim;

    /** Calibration rows. */
    @Param({"2048"})
    public int samples;

    private Tensor w;
    private Tensor x;
    private double[] h;
    private DMatrixRMaj xd;
    private Gptq gptq;
    private Awq awq;

    /** GFLOP/s counter. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** Nominal floating-point operations, in units of 10⁹. */
        public double gflops;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gflops = 0;
        }
    }

    /** A correlated calibration set (X = Z M / √d + 0.5 N) and a Gaussian weight. */
    @Setup(Level.Trial)
    public void setUp() {
        w = Tensor.randn(1, dim, dim);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] *= 0.02f;
        }
        Tensor z = Tensor.randn(2, samples, dim);
        Tensor m = Tensor.randn(3, dim, dim);
        Tensor noise = Tensor.randn(4, samples, dim);
        Tensor zm = org.llm4e.core.Kernels.matmul(z, m);
        float[] xs = zm.data();
        float inv = (float) (1 / Math.sqrt(dim));
        for (int i = 0; i < xs.length; i++) {
            xs[i] = xs[i] * inv + 0.5f * noise.data()[i];
        }
        x = zm;
        h = Gptq.hessian(x);
        xd = new DMatrixRMaj(samples, dim);
        for (int i = 0; i < xs.length; i++) {
            xd.data[i] = xs[i];
        }
        gptq = Gptq.builder().bits(4).groupSize(128).blockSize(128).build();
        awq = Awq.builder().bits(4).groupSize(128).build();
    }

    private double hessianGflop() {
        return (double) samples * dim * dim / 1e9;
    }

    private double solveGflop() {
        return ((double) dim * dim * dim + (double) dim * dim * dim) / 1e9;
    }

    /**
     * The whole GPTQ of one layer.
     *
     * @param rates counter
     * @return the codes
     */
    @Benchmark
    public QuantizedTensor gptqLayer(Rates rates) {
        rates.gflops += hessianGflop() + solveGflop();
        return gptq.quantize(w, x);
    }

    /**
     * GPTQ given the Hessian: damping, EJML's Cholesky factorisations and the column loop.
     *
     * @param rates counter
     * @return the codes
     */
    @Benchmark
    public QuantizedTensor gptqGivenHessian(Rates rates) {
        rates.gflops += solveGflop();
        return gptq.quantizeWithHessian(w, h);
    }

    /**
     * llm4e's Hessian 2XᵀX/n (double accumulation, library pool).
     *
     * @param rates counter
     * @return H
     */
    @Benchmark
    public double[] hessianLlm4e(Rates rates) {
        rates.gflops += hessianGflop();
        return Gptq.hessian(x);
    }

    /**
     * EJML's XᵀX (double, one thread), the peer for the Hessian (the full product: twice the nominal work).
     *
     * @param rates counter
     * @return XᵀX
     */
    @Benchmark
    public DMatrixRMaj hessianEjml(Rates rates) {
        rates.gflops += hessianGflop();
        DMatrixRMaj out = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multTransA(xd, xd, out);
        return out;
    }

    /**
     * Round-to-nearest on the same grid (the baseline).
     *
     * @return the codes
     */
    @Benchmark
    public QuantizedTensor roundToNearest() {
        return gptq.roundToNearest(w);
    }

    /**
     * AWQ's α search (20 grid points, each a quantization and a layer-error evaluation).
     *
     * @return the result
     */
    @Benchmark
    public Awq.Result awqLayer() {
        return awq.quantize(w, x);
    }
}
