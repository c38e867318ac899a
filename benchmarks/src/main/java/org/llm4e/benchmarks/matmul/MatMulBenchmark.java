package org.llm4e.benchmarks.matmul;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.llm4e.core.KernelProvider;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.ScalarKernels;
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
 * Square SGEMM {@code C = A·B} ({@code size × size}, float32, row-major) by llm4e and its peers, side by side in one
 * run:
 *
 * <ul>
 *   <li>{@code llm4eScalar}: {@link ScalarKernels} (the readable, blocked reference), 1 thread;
 *   <li>{@code llm4eSimd1Thread}: the Vector API kernel (packed, 6×32 register tile), 1 thread;
 *   <li>{@code llm4eSimdAllCores}: the same on the library pool ({@code -Dllm4e.threads}, default the core count);
 *   <li>{@code ejml}: EJML {@code CommonOps_FDRM.mult}, 1 thread;
 *   <li>{@code ejmlConcurrent}: EJML {@code CommonOps_MT_FDRM.mult} with {@code EjmlConcurrency.setMaxThreads} set to
 *       the same count as llm4e's pool;
 *   <li>{@code nd4j1Thread}, {@code nd4j2Threads}: ND4J's {@code mmuli}, which calls OpenBLAS {@code sgemm}, with
 *       OpenBLAS limited to 1 and 2 threads ({@code Nd4j.factory().blas().setMaxThreads}).
 * </ul>
 *
 * <p><b>Units.</b> The primary score is products per second. The auxiliary counter {@code gflops} counts
 * {@code 2·size³} floating-point operations per product (a multiply and an add per term, the usual convention), in 10⁹
 * per second. The roof on the target machine (2 Zen 4 cores, AVX-512 double-pumped on 256-bit units): 32 FLOP per cycle
 * per core, ≈83 GFLOP/s per core at 2.6 GHz.
 *
 * <p><b>Conditions to report.</b> The JDK ({@code jdkVersion} and {@code vmVersion} in the JMH JSON), {@code
 * -Dllm4e.threads} (the pool size: the "all cores" rows use it and {@code ejmlConcurrent} is given the same), and that
 * the machine was otherwise idle. Example, the acceptance run: {@code java -jar benchmarks/target/benchmarks.jar
 * MatMulBenchmark -p size=1024 -rf json}. The scalar rows take seconds per product at 2048; leave them out with
 * {@code -e llm4eScalar} when only the fast rows matter.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
public class MatMulBenchmark {

    /** Matrix side: 256 (fits in L2), 512 (L3), 1024 (12 MiB for the three matrices), 2048 (48 MiB, beyond L3). */
    @State(Scope.Benchmark)
    public static class Problem {
        /** The side of the square matrices. */
        @Param({"256", "512", "1024", "2048"})
        public int size;

        float[] a;
        float[] b;
        float[] c;
        FMatrixRMaj ea;
        FMatrixRMaj eb;
        FMatrixRMaj ec;

        /** Fills A and B with uniform values in [−1, 1). */
        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom r = new SplittableRandom(42);
            a = new float[size * size];
            b = new float[size * size];
            c = new float[size * size];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextDouble() * 2 - 1);
                b[i] = (float) (r.nextDouble() * 2 - 1);
            }
            ea = FMatrixRMaj.wrap(size, size, a);
            eb = FMatrixRMaj.wrap(size, size, b);
            ec = new FMatrixRMaj(size, size);
        }

        /** Floating-point operations in one product. */
        double flops() {
            return 2.0 * size * size * size;
        }
    }

    /** ND4J's copies of A and B with OpenBLAS limited to {@code threads} threads. */
    public abstract static class Nd4jProblem {
        INDArray a;
        INDArray b;
        INDArray c;

        void setUp(Problem p, int threads) {
            Nd4j.factory().blas().setMaxThreads(threads);
            a = Nd4j.create(p.a, new long[] {p.size, p.size}, DataType.FLOAT);
            b = Nd4j.create(p.b, new long[] {p.size, p.size}, DataType.FLOAT);
            c = Nd4j.create(DataType.FLOAT, p.size, p.size);
        }
    }

    /** ND4J on one OpenBLAS thread. */
    @State(Scope.Thread)
    public static class Nd4jOne extends Nd4jProblem {
        /**
         * Copies the problem into ND4J arrays.
         *
         * @param p the problem
         */
        @Setup(Level.Trial)
        public void setUp(Problem p) {
            setUp(p, 1);
        }
    }

    /** ND4J on two OpenBLAS threads. */
    @State(Scope.Thread)
    public static class Nd4jTwo extends Nd4jProblem {
        /**
         * Copies the problem into ND4J arrays.
         *
         * @param p the problem
         */
        @Setup(Level.Trial)
        public void setUp(Problem p) {
            setUp(p, 2);
        }
    }

    /** EJML's concurrent kernels on as many threads as llm4e's pool. */
    @State(Scope.Thread)
    public static class EjmlThreads {
        /** Sets EJML's thread count. */
        @Setup(Level.Trial)
        public void setUp() {
            EjmlConcurrency.setMaxThreads(Parallel.threads());
        }
    }

    /** {@code gflops}: 10⁹ floating-point operations per second ({@code 2·size³} per product). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        /** Accumulated GFLOP; JMH divides by the iteration time. */
        public double gflops;

        /** Clears the counter. */
        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }
    }

    private static final KernelProvider SCALAR = new ScalarKernels();

    /**
     * The scalar reference kernel on one thread.
     *
     * @param p the problem
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public float[] llm4eScalar(Problem p, Rate rate) {
        Parallel.withParallelism(1, () -> {
            SCALAR.sgemm(false, false, p.size, p.size, p.size, 1f, p.a, 0, p.size, p.b, 0, p.size, 0f, p.c, 0, p.size);
            return null;
        });
        rate.gflops += p.flops() * 1e-9;
        return p.c;
    }

    /**
     * The Vector API kernel on one thread.
     *
     * @param p the problem
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public float[] llm4eSimd1Thread(Problem p, Rate rate) {
        Parallel.withParallelism(1, () -> {
            Kernels.sgemm(false, false, p.size, p.size, p.size, 1f, p.a, 0, p.size, p.b, 0, p.size, 0f, p.c, 0, p.size);
            return null;
        });
        rate.gflops += p.flops() * 1e-9;
        return p.c;
    }

    /**
     * The Vector API kernel on every thread of the library pool.
     *
     * @param p the problem
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public float[] llm4eSimdAllCores(Problem p, Rate rate) {
        Kernels.sgemm(false, false, p.size, p.size, p.size, 1f, p.a, 0, p.size, p.b, 0, p.size, 0f, p.c, 0, p.size);
        rate.gflops += p.flops() * 1e-9;
        return p.c;
    }

    /**
     * EJML, single-threaded.
     *
     * @param p the problem
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public FMatrixRMaj ejml(Problem p, Rate rate) {
        CommonOps_FDRM.mult(p.ea, p.eb, p.ec);
        rate.gflops += p.flops() * 1e-9;
        return p.ec;
    }

    /**
     * EJML's concurrent multiplication.
     *
     * @param p the problem
     * @param threads sets EJML's thread count
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public FMatrixRMaj ejmlConcurrent(Problem p, EjmlThreads threads, Rate rate) {
        CommonOps_MT_FDRM.mult(p.ea, p.eb, p.ec);
        rate.gflops += p.flops() * 1e-9;
        return p.ec;
    }

    /**
     * ND4J (OpenBLAS) on one thread.
     *
     * @param p the problem
     * @param nd the ND4J arrays
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public INDArray nd4j1Thread(Problem p, Nd4jOne nd, Rate rate) {
        nd.a.mmuli(nd.b, nd.c);
        rate.gflops += p.flops() * 1e-9;
        return nd.c;
    }

    /**
     * ND4J (OpenBLAS) on two threads.
     *
     * @param p the problem
     * @param nd the ND4J arrays
     * @param rate the GFLOP counter
     * @return C
     */
    @Benchmark
    public INDArray nd4j2Threads(Problem p, Nd4jTwo nd, Rate rate) {
        nd.a.mmuli(nd.b, nd.c);
        rate.gflops += p.flops() * 1e-9;
        return nd.c;
    }
}
