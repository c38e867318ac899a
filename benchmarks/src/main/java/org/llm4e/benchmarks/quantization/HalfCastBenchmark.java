package org.llm4e.benchmarks.quantization;

import java.util.concurrent.TimeUnit;
import org.llm4e.quantization.Bf16;
import org.llm4e.quantization.Fp16;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * float32 → FP16 / BF16 conversion of 16M elements (64 MiB): llm4e's hand-written round-to-nearest-even encoders
 * against ND4J's native {@code castTo(HALF | BFLOAT16)} (libnd4j, C++; ND4J may use several threads, llm4e uses
 * one).
 *
 * <p>Units: ops/s (one op = the whole array) and the auxiliary {@code gbs}, GB/s of float32 input
 * ({@code 4n · ops/s / 10⁹}). JDK and llm4e's thread count (1) are in the JMH JSON; ND4J's OpenMP thread count
 * follows {@code OMP_NUM_THREADS} (the machine's 2 cores by default).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Thread)
public class HalfCastBenchmark {

    /** Elements. */
    @Param({"16777216"})
    public int n;

    private float[] x;
    private INDArray nd;

    /** GB/s counter. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GB of float32 input converted, in units of 10⁹ bytes. */
        public double gbs;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
        }
    }

    /** Random input in both representations. */
    @Setup(Level.Trial)
    public void setUp() {
        x = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        nd = Nd4j.createFromArray(x);
    }

    /**
     * llm4e FP16 encode.
     *
     * @param rates counter
     * @return the halves
     */
    @Benchmark
    public short[] llm4eFp16(Rates rates) {
        short[] h = new short[n];
        for (int i = 0; i < n; i++) {
            h[i] = Fp16.encode(x[i]);
        }
        rates.gbs += 4e-9 * n;
        return h;
    }

    /**
     * llm4e BF16 encode.
     *
     * @param rates counter
     * @return the bfloat16 values
     */
    @Benchmark
    public short[] llm4eBf16(Rates rates) {
        short[] h = new short[n];
        for (int i = 0; i < n; i++) {
            h[i] = Bf16.encode(x[i]);
        }
        rates.gbs += 4e-9 * n;
        return h;
    }

    /**
     * ND4J cast to HALF.
     *
     * @param rates counter
     * @return the cast array
     */
    @Benchmark
    public INDArray nd4jFp16(Rates rates) {
        INDArray out = nd.castTo(DataType.HALF);
        rates.gbs += 4e-9 * n;
        return out;
    }

    /**
     * ND4J cast to BFLOAT16.
     *
     * @param rates counter
     * @return the cast array
     */
    @Benchmark
    public INDArray nd4jBf16(Rates rates) {
        INDArray out = nd.castTo(DataType.BFLOAT16);
        rates.gbs += 4e-9 * n;
        return out;
    }
}
