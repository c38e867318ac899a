package org.llm4e.benchmarks.support;

import java.util.concurrent.TimeUnit;
import org.llm4e.core.Parallel;
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
 * The memory-bandwidth roof: STREAM's triad {@code a[i] = b[i] + s·c[i]} over arrays far larger than the last-level
 * cache, on 1 and 2 threads of the llm4e pool.
 *
 * <p>Every memory-bound kernel of the library (optimizer steps, quantized mat-vec, a dot product over a large vector)
 * is measured against this figure: it cannot stream faster than the triad does. Each array has {@code mib} MiB
 * (default 64 MiB, three arrays = 192 MiB, six times the 32 MiB L3 of the machines this project is measured on), so
 * every iteration goes to DRAM.
 *
 * <p>Units, as STREAM counts them: one op moves {@code 12·n} bytes (read b and c, write a; the write-allocate read of
 * a, which the hardware also does, is not counted), reported by the auxiliary counter {@code gbs} in GB/s
 * ({@code 10⁹} bytes per second). The thread count is the {@code threads} parameter: the range is split into that many
 * contiguous chunks with {@link Parallel#forRange}; the JMH harness itself runs one thread. The JDK is in the JMH JSON
 * ({@code jdkVersion}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Thread)
public class TriadBenchmark {

    /** Threads of the llm4e pool that share the triad. */
    @Param({"1", "2"})
    public int threads;

    /** Size of each of the three arrays, in MiB. */
    @Param({"64"})
    public int mib;

    private float[] a;
    private float[] b;
    private float[] c;
    private final float s = 3f;

    /** GB moved, counted per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GB moved: 12n bytes per triad, in units of 10⁹. */
        public double gbs;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
        }
    }

    /** Allocates and touches the arrays (so the first iteration does not pay for page faults). */
    @Setup
    public void setUp() {
        int n = mib * (1 << 20) / Float.BYTES;
        a = new float[n];
        b = new float[n];
        c = new float[n];
        for (int i = 0; i < n; i++) {
            b[i] = i % 7;
            c[i] = i % 5;
        }
    }

    /**
     * One triad over the arrays.
     *
     * @param rates the counter
     * @return an element of the result, so the work is not dead code
     */
    @Benchmark
    public float triad(Rates rates) {
        float[] a = this.a, b = this.b, c = this.c;
        float s = this.s;
        int n = a.length;
        Parallel.withParallelism(threads, () -> {
            // chunks of at least 1 Mi elements: the hand-off costs microseconds, a chunk costs milliseconds
            Parallel.forRange(0, n, 1 << 20, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    a[i] = b[i] + s * c[i];
                }
            });
            return null;
        });
        rates.gbs += 12e-9 * n;
        return a[n - 1];
    }
}
