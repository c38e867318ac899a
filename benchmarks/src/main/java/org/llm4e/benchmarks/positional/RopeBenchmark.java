package org.llm4e.benchmarks.positional;

import java.util.concurrent.TimeUnit;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RopeLayout;
import org.llm4e.positional.RotaryEmbedding;
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
 * RoPE on the queries and keys of one Llama-sized layer, {@code [seq = 4096, heads = 32, headDim = 128]} each (64 MiB
 * per tensor, twice the 32 MiB L3), rotated in place: what the fast path of {@link RotaryEmbedding} buys.
 *
 * <ul>
 *   <li>{@code naive} — the formula as first written: {@code Math.cos}/{@code Math.sin} of {@code m·θ_j} evaluated for
 *       every element of every head (no table, no sharing across heads);
 *   <li>{@code uncached} — {@link RotaryEmbedding} with {@code maxPosition(0)}: cos/sin computed once per token and
 *       shared by its 32 heads of q and of k, then the scalar kernel;
 *   <li>{@code cachedScalar} — the precomputed cos/sin table ({@code maxPosition} 4096) and the scalar kernel;
 *   <li>{@code cachedSimd} — the same table and the Vector API kernel (16 float lanes on AVX-512).
 * </ul>
 *
 * <p>Unit: the auxiliary counter {@code gbs} counts the bytes the operation must stream, in GB (10⁹ B) per second:
 * q and k are each read and written once, {@code 4 · 2 · seq·heads·headDim · 4 B} ≈ 268 MB per op; the 2 MiB cos/sin
 * table is not counted. The roof is {@code support.TriadBenchmark} on the same thread count. Threads: the
 * {@code threads} parameter splits the sequence over that many chunks of the llm4e pool; the harness runs one thread.
 * No peer is raced: neither ND4J nor EJML has a rotary operation (in PyTorch it is four element-wise kernels,
 * {@code x·cos + rotate_half(x)·sin}). The layout parameter covers HF's {@code HALF} and Meta's {@code INTERLEAVED}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Thread)
public class RopeBenchmark {

    /** Threads of the llm4e pool. */
    @Param({"1", "2"})
    public int threads;

    /** The pair layout. */
    @Param({"HALF", "INTERLEAVED"})
    public RopeLayout layout;

    /** Tokens. */
    @Param({"4096"})
    public int seq;

    /** Heads of q and of k. */
    @Param({"32"})
    public int heads;

    /** Head dimension. */
    @Param({"128"})
    public int headDim;

    private Tensor q;
    private Tensor k;
    private int[] positions;
    private double[] invFreq;
    private RotaryEmbedding uncached;
    private RotaryEmbedding cachedScalar;
    private RotaryEmbedding cachedSimd;

    /** GB streamed, counted per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GB streamed: q and k read and written once. */
        public double gbs;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
        }
    }

    /** Allocates q and k and builds the three embeddings. */
    @Setup
    public void setUp() {
        q = Tensor.randn(1, seq, heads, headDim);
        k = Tensor.randn(2, seq, heads, headDim);
        positions = new int[seq];
        for (int t = 0; t < seq; t++) {
            positions[t] = t;
        }
        RotaryEmbedding.Builder b =
                RotaryEmbedding.builder(headDim).base(500000).layout(layout);
        uncached = b.maxPosition(0).simd(false).build();
        cachedScalar = b.maxPosition(seq).simd(false).build();
        cachedSimd = b.maxPosition(seq).simd(true).build();
        invFreq = cachedSimd.inverseFrequencies();
    }

    private double bytes() {
        return 4.0 * 2 * (double) seq * heads * headDim * Float.BYTES;
    }

    private float run(RotaryEmbedding rope, Rates rates) {
        Parallel.withParallelism(threads, () -> {
            rope.applyInPlace(q, positions);
            rope.applyInPlace(k, positions);
            return null;
        });
        rates.gbs += bytes() * 1e-9;
        return q.data()[0] + k.data()[k.size() - 1];
    }

    /**
     * Per-element cos/sin, the unoptimised formula.
     *
     * @param rates the counter
     * @return an element, so the work is not dead code
     */
    @Benchmark
    public float naive(Rates rates) {
        Parallel.withParallelism(threads, () -> {
            naiveInPlace(q.data());
            naiveInPlace(k.data());
            return null;
        });
        rates.gbs += bytes() * 1e-9;
        return q.data()[0] + k.data()[k.size() - 1];
    }

    private void naiveInPlace(float[] x) {
        int half = headDim / 2;
        boolean interleaved = layout == RopeLayout.INTERLEAVED;
        Parallel.forRange(0, seq, 16, (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                for (int h = 0; h < heads; h++) {
                    int off = (t * heads + h) * headDim;
                    for (int j = 0; j < half; j++) {
                        double angle = positions[t] * invFreq[j];
                        int ia = off + (interleaved ? 2 * j : j);
                        int ib = off + (interleaved ? 2 * j + 1 : j + half);
                        float a = x[ia];
                        float bb = x[ib];
                        x[ia] = (float) (a * Math.cos(angle) - bb * Math.sin(angle));
                        x[ib] = (float) (a * Math.sin(angle) + bb * Math.cos(angle));
                    }
                }
            }
        });
    }

    /**
     * cos/sin per token, shared by the heads, scalar kernel.
     *
     * @param rates the counter
     * @return an element
     */
    @Benchmark
    public float uncached(Rates rates) {
        return run(uncached, rates);
    }

    /**
     * Precomputed table, scalar kernel.
     *
     * @param rates the counter
     * @return an element
     */
    @Benchmark
    public float cachedScalar(Rates rates) {
        return run(cachedScalar, rates);
    }

    /**
     * Precomputed table, Vector API kernel.
     *
     * @param rates the counter
     * @return an element
     */
    @Benchmark
    public float cachedSimd(Rates rates) {
        return run(cachedSimd, rates);
    }
}
