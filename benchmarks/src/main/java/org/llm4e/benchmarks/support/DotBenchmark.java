package org.llm4e.benchmarks.support;

import java.util.concurrent.TimeUnit;
import org.llm4e.core.KernelProvider;
import org.llm4e.core.Kernels;
import org.llm4e.core.ScalarKernels;
import org.llm4e.core.Tensor;
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
 * The dot product {@code Σᵢ aᵢ·bᵢ}, three ways, on one thread: a plain Java loop, llm4e's scalar reference kernel and
 * llm4e's Vector API kernel.
 *
 * <p>A dot product of {@code n} floats does {@code 2n} floating-point operations and streams {@code 8n} bytes, so it is
 * compute-bound only while both vectors sit in L1/L2; beyond the last-level cache it is bound by memory bandwidth
 * (compare with {@link TriadBenchmark}). The sizes cover the three regimes: 4 KiB per vector (L1), 1 MiB (L2/L3) and
 * 64 MiB (memory, twice the 32 MiB L3).
 *
 * <p>Why the plain loop is slow: {@code acc += a[i]*b[i]} is a reduction that Java must evaluate in order (float
 * addition is not associative), so the JIT cannot vectorise it and every step waits for the previous addition's
 * latency: about one element per 3–4 cycles. llm4e's scalar kernel is the readable reference, the same in-order loop
 * behind the {@link KernelProvider} interface, so its row shows what the indirection costs (nothing, once inlined).
 * The Vector API kernel keeps a partial sum per lane (a different, documented summation order), which lets it run at
 * the machine's load bandwidth.
 *
 * <p>Units: the primary score is ops/s (one op = one dot product of length {@code n}); the auxiliary counters
 * {@code gflops} ({@code 2n·ops/s / 10⁹}) and {@code gbs} ({@code 8n·ops/s / 10⁹}, GB/s of input read) give the figures
 * with a physical limit. JDK and thread count (1) are in the JMH JSON ({@code jdkVersion}, {@code threads}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Thread)
public class DotBenchmark {

    /** Vector length: L1-resident, cache-resident, memory-bound. */
    @Param({"1024", "262144", "16777216"})
    public int n;

    private float[] a;
    private float[] b;
    private final KernelProvider scalar = new ScalarKernels();
    private final KernelProvider simd = Kernels.provider();

    /** Physical throughput counters, reported per second next to ops/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GFLOP done: 2n per dot product, in units of 10⁹. */
        public double gflops;

        /** GB read: 8n per dot product, in units of 10⁹. */
        public double gbs;

        /** Clears the counters before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gflops = 0;
            gbs = 0;
        }

        void count(int n) {
            gflops += 2e-9 * n;
            gbs += 8e-9 * n;
        }
    }

    /** Fills both vectors with a fixed pseudo-random sequence. */
    @Setup
    public void setUp() {
        a = Tensor.randn(1, n).data();
        b = Tensor.randn(2, n).data();
        if (!Kernels.vectorized()) {
            throw new IllegalStateException(
                    "the Vector API kernels did not load; run the fork with" + " --add-modules=jdk.incubator.vector");
        }
    }

    /**
     * The loop a newcomer writes: one accumulator, in order.
     *
     * @param rates the counters
     * @return the dot product
     */
    @Benchmark
    public float plainLoop(Rates rates) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += a[i] * b[i];
        }
        rates.count(n);
        return acc;
    }

    /**
     * llm4e's scalar reference kernel.
     *
     * @param rates the counters
     * @return the dot product
     */
    @Benchmark
    public float llm4eScalar(Rates rates) {
        float r = scalar.dot(a, 0, b, 0, n);
        rates.count(n);
        return r;
    }

    /**
     * llm4e's Vector API kernel.
     *
     * @param rates the counters
     * @return the dot product
     */
    @Benchmark
    public float llm4eSimd(Rates rates) {
        float r = simd.dot(a, 0, b, 0, n);
        rates.count(n);
        return r;
    }
}
