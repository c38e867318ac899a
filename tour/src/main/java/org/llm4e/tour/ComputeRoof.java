package org.llm4e.tour;

import org.llm4e.core.Parallel;
import org.llm4e.core.Simd;

/**
 * The machine's compute roof, measured: how many float multiply-adds per second the cores can retire when nothing
 * waits on memory.
 *
 * <p>A fused multiply-add {@code a ← a·m + c} is two floating-point operations. A core with {@code P} FMA units,
 * vectors of {@code L} float lanes and clock {@code f} peaks at
 *
 * <pre>
 *   peak = 2 · L · P · f        (FLOP/s per core; × cores for the machine)
 * </pre>
 *
 * <p>but the FMA unit has a latency of several cycles, so a single chain {@code a ← a·m + c} would wait on itself.
 * The kernel therefore keeps twelve independent accumulators in registers (latency × units ≤ 12 on current x86 and
 * ARM cores) and touches no memory at all. The Vector API kernel (loaded through {@link Simd#load}) measures the
 * vector roof; without {@code --add-modules jdk.incubator.vector} the scalar kernel measures the scalar roof
 * ({@code L = 1}), which is what a loop the JIT cannot vectorise can reach at best.
 *
 * <p>No matrix multiplication can beat this figure; a well-blocked SGEMM reaches 70–90 % of it.
 */
public final class ComputeRoof {
    /** The kernel: {@code iterations} rounds of independent FMAs on registers. */
    public interface FmaKernel {
        /**
         * Runs the FMA chains.
         *
         * @param iterations rounds; each does {@link #flopsPerIteration()} floating-point operations
         * @param seed an addend the JIT cannot know, so the work cannot be folded away
         * @return a value depending on every accumulator, so the work cannot be dropped
         */
        float run(int iterations, float seed);

        /**
         * Floating-point operations per round.
         *
         * @return 2 × accumulators × lanes
         */
        int flopsPerIteration();

        /**
         * The float lanes per FMA.
         *
         * @return 1 for the scalar kernel, the vector length otherwise
         */
        int lanes();
    }

    private static final FmaKernel KERNEL =
            Simd.load(FmaKernel.class, "org.llm4e.tour.internal.simd.PanamaFmaKernel", new ScalarFmaKernel());

    @SuppressWarnings("unused") // written so the JIT keeps the kernel's result
    private static volatile float sink;

    private ComputeRoof() {}

    /**
     * The kernel in use.
     *
     * @return the Vector API kernel when available, else the scalar one
     */
    public static FmaKernel kernel() {
        return KERNEL;
    }

    /**
     * Measures the roof on {@code threads} threads of the library pool.
     *
     * @param threads how many threads run the kernel at once, ≥ 1
     * @param minSeconds how long to measure, about
     * @return GFLOP/s summed over the threads
     */
    public static double gflops(int threads, double minSeconds) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        // warm up until the JIT has compiled the kernel (the Vector API is very slow in the interpreter), then find a
        // round count that takes about 20 ms
        // (long calls, so the loop's back-edge counters trigger compilation; a count, not only a time, because on a
        // busy machine 300 ms of wall clock may be one interpreted call)
        long warmUntil = System.nanoTime() + 300_000_000L;
        for (int calls = 0; calls < 8 || System.nanoTime() < warmUntil; calls++) {
            sink = KERNEL.run(1 << 16, 1e-3f);
        }
        int iterations = 1 << 12;
        long elapsed = 0;
        while (elapsed < 20_000_000L && iterations < (1 << 30)) {
            iterations <<= 1;
            long t0 = System.nanoTime();
            sink = KERNEL.run(iterations, 1e-3f);
            elapsed = System.nanoTime() - t0;
        }
        int rounds = iterations;
        double seconds = Timing.bestSeconds(
                () -> Parallel.withParallelism(threads, () -> {
                    Parallel.forRange(0, threads, 1, (lo, hi) -> {
                        for (int t = lo; t < hi; t++) {
                            sink = KERNEL.run(rounds, 1e-3f + t);
                        }
                    });
                    return null;
                }),
                minSeconds);
        return (double) threads * rounds * KERNEL.flopsPerIteration() / seconds * 1e-9;
    }

    /** Twelve scalar FMA chains; {@link Math#fma(float, float, float)} compiles to one scalar FMA instruction. */
    static final class ScalarFmaKernel implements FmaKernel {
        @Override
        public float run(int iterations, float seed) {
            float m = 0.999_999f;
            float a0 = 1f, a1 = 2f, a2 = 3f, a3 = 4f, a4 = 5f, a5 = 6f;
            float a6 = 7f, a7 = 8f, a8 = 9f, a9 = 10f, a10 = 11f, a11 = 12f;
            for (int i = 0; i < iterations; i++) {
                a0 = Math.fma(a0, m, seed);
                a1 = Math.fma(a1, m, seed);
                a2 = Math.fma(a2, m, seed);
                a3 = Math.fma(a3, m, seed);
                a4 = Math.fma(a4, m, seed);
                a5 = Math.fma(a5, m, seed);
                a6 = Math.fma(a6, m, seed);
                a7 = Math.fma(a7, m, seed);
                a8 = Math.fma(a8, m, seed);
                a9 = Math.fma(a9, m, seed);
                a10 = Math.fma(a10, m, seed);
                a11 = Math.fma(a11, m, seed);
            }
            return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        }

        @Override
        public int flopsPerIteration() {
            return 2 * 12;
        }

        @Override
        public int lanes() {
            return 1;
        }
    }
}
