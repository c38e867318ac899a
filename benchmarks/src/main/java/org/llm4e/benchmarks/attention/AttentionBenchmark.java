package org.llm4e.benchmarks.attention;

import java.util.concurrent.TimeUnit;
import org.llm4e.attention.AttentionMask;
import org.llm4e.attention.ScaledDotProductAttention;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * Scaled dot-product attention forward, {@code softmax(QKᵀ/√d) V}, for one batch of {@value #HEADS} heads of width
 * {@value #HEAD_DIM} and sequence length T ∈ {512, 1024, 2048}, causal and not.
 *
 * <p>Participants, in one run:
 *
 * <ul>
 *   <li>{@code llm4e}: {@link ScaledDotProductAttention#forward(Tensor, Tensor, Tensor, AttentionMask)}: blocks of 32
 *       query rows on the library pool, scores and output through core's {@code sgemm} on slices, causal blocks
 *       computing only the keys they can see;
 *   <li>{@code nd4jPrealloc}: ND4J 1.0.0-M2.1 (OpenBLAS) per head with preallocated arrays: {@code Nd4j.gemm} for
 *       {@code scale·QKᵀ} into S, an additive {@code −∞} mask ({@code addi}) when causal, the in-place {@code softmax}
 *       custom op, and {@code gemm} for {@code P V};
 *   <li>{@code nd4jPlain}: the same in ND4J's everyday API, allocating per call: {@code q.mmul(k.transpose())
 *       .muli(scale)}, {@code Transforms.softmax}, {@code .mmul(v)}.
 * </ul>
 *
 * <p>Unit: the {@code gflops} counter is 10⁹ floating-point operations per second, counting {@code 4·T²·d} per head
 * (2·T²·d for QKᵀ and 2·T²·d for PV, the usual attention count), halved for causal attention. Every participant is
 * credited with the same count, so the ratio of counters is the ratio of speeds.
 *
 * <p>Threads: llm4e uses its pool ({@code -Dllm4e.threads}, default the core count); OpenBLAS is set to the same
 * number ({@code Nd4j.factory().blas().setMaxThreads}). JMH calls with one thread. The JDK is the one running JMH.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class AttentionBenchmark {
    static final int HEADS = 8;
    static final int HEAD_DIM = 64;

    /** FLOP counter, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** 10⁹ floating-point operations. */
        public double gflops;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gflops = 0;
        }
    }

    /** Inputs for all participants. */
    @State(Scope.Thread)
    public static class Problem {
        /** Sequence length T. */
        @Param({"512", "1024", "2048"})
        public int seq;

        /** Causal mask or none. */
        @Param({"false", "true"})
        public boolean causal;

        Tensor q;
        Tensor k;
        Tensor v;
        AttentionMask mask;
        double flopsPerCall;
        float scale;
        INDArray[] nq;
        INDArray[] nk;
        INDArray[] nv;
        INDArray[] ns;
        INDArray[] no;
        INDArray nmask;

        /** Random inputs and their ND4J copies (one 2-D array per head). */
        @Setup
        public void setUp() {
            q = Tensor.randn(1, 1, HEADS, seq, HEAD_DIM);
            k = Tensor.randn(2, 1, HEADS, seq, HEAD_DIM);
            v = Tensor.randn(3, 1, HEADS, seq, HEAD_DIM);
            mask = causal ? AttentionMask.causal() : AttentionMask.none();
            scale = (float) (1 / Math.sqrt(HEAD_DIM));
            flopsPerCall = 4.0 * seq * seq * HEAD_DIM * HEADS * (causal ? 0.5 : 1.0);
            Nd4j.factory().blas().setMaxThreads(Parallel.threads());
            nq = new INDArray[HEADS];
            nk = new INDArray[HEADS];
            nv = new INDArray[HEADS];
            ns = new INDArray[HEADS];
            no = new INDArray[HEADS];
            int block = seq * HEAD_DIM;
            for (int h = 0; h < HEADS; h++) {
                nq[h] = slice(q.data(), h * block, seq);
                nk[h] = slice(k.data(), h * block, seq);
                nv[h] = slice(v.data(), h * block, seq);
                ns[h] = Nd4j.create(DataType.FLOAT, seq, seq);
                no[h] = Nd4j.create(DataType.FLOAT, seq, HEAD_DIM);
            }
            float[] m = new float[seq * seq];
            for (int i = 0; i < seq; i++) {
                for (int j = i + 1; j < seq; j++) {
                    m[i * seq + j] = Float.NEGATIVE_INFINITY;
                }
            }
            nmask = Nd4j.create(m, new long[] {seq, seq}, DataType.FLOAT);
        }

        private static INDArray slice(float[] data, int off, int rows) {
            float[] part = new float[rows * HEAD_DIM];
            System.arraycopy(data, off, part, 0, part.length);
            return Nd4j.create(part, new long[] {rows, HEAD_DIM}, DataType.FLOAT);
        }
    }

    /**
     * llm4e's reference SDPA.
     *
     * @param p the inputs
     * @param r the counter
     * @return the output
     */
    @Benchmark
    public Tensor llm4e(Problem p, Rates r) {
        Tensor o = ScaledDotProductAttention.forward(p.q, p.k, p.v, p.mask);
        r.gflops += 1e-9 * p.flopsPerCall;
        return o;
    }

    /**
     * ND4J matmul + softmax with preallocated buffers.
     *
     * @param p the inputs
     * @param r the counter
     * @return the last head's output
     */
    @Benchmark
    public INDArray nd4jPrealloc(Problem p, Rates r) {
        for (int h = 0; h < HEADS; h++) {
            Nd4j.gemm(p.nq[h], p.nk[h], p.ns[h], false, true, p.scale, 0.0);
            if (p.causal) {
                p.ns[h].addi(p.nmask);
            }
            Nd4j.exec((CustomOp) new SoftMax(p.ns[h], p.ns[h], 1));
            Nd4j.gemm(p.ns[h], p.nv[h], p.no[h], false, false, 1.0, 0.0);
        }
        r.gflops += 1e-9 * p.flopsPerCall;
        return p.no[HEADS - 1];
    }

    /**
     * ND4J's everyday API, allocating per call.
     *
     * @param p the inputs
     * @param r the counter
     * @return the last head's output
     */
    @Benchmark
    public INDArray nd4jPlain(Problem p, Rates r) {
        INDArray last = null;
        for (int h = 0; h < HEADS; h++) {
            INDArray s = p.nq[h].mmul(p.nk[h].transpose()).muli(p.scale);
            if (p.causal) {
                s.addi(p.nmask);
            }
            last = Transforms.softmax(s, false).mmul(p.nv[h]);
        }
        r.gflops += 1e-9 * p.flopsPerCall;
        return last;
    }
}
