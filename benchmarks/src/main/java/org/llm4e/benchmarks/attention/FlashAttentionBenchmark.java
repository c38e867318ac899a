package org.llm4e.benchmarks.attention;

import java.util.concurrent.TimeUnit;
import org.llm4e.attention.AttentionMask;
import org.llm4e.attention.FlashAttention;
import org.llm4e.attention.ScaledDotProductAttention;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
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
 * Naive SDPA vs FlashAttention v1 vs v2 vs ND4J naive attention (preallocated), one head-batch of {@value #HEADS}
 * heads, T ∈ {512, 1024, 2048, 4096}, head width 64 and 128, causal and not.
 *
 * <p>Participants: {@code sdpa} ({@link ScaledDotProductAttention}, 32-row blocks through core's sgemm),
 * {@code flashV1} and {@code flashV2} ({@link FlashAttention}, 64×64 tiles), and {@code nd4j} (OpenBLAS gemm for
 * {@code scale·QKᵀ}, additive causal mask, in-place softmax op, gemm for {@code PV}, every buffer preallocated).
 *
 * <p>Unit: {@code gflops} = 10⁹ floating-point operations per second, crediting {@code 4·T²·d} per head (halved for
 * causal) to every participant. Allocation per call: run with {@code -prof gc} ({@code gc.alloc.rate.norm}); naive
 * attention allocates its T×T scores, FlashAttention O(T).
 *
 * <p>Threads: llm4e's pool ({@code -Dllm4e.threads}, default the core count); OpenBLAS set to the same count.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Threads(1)
public class FlashAttentionBenchmark {
    static final int HEADS = 4;

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

    /** Inputs for every participant. */
    @State(Scope.Thread)
    public static class Problem {
        /** Sequence length T. */
        @Param({"512", "1024", "2048", "4096"})
        public int seq;

        /** Head width d. */
        @Param({"64", "128"})
        public int headDim;

        /** Causal mask or none. */
        @Param({"false", "true"})
        public boolean causal;

        Tensor q;
        Tensor k;
        Tensor v;
        AttentionMask mask;
        double scale;
        double flops;
        FlashAttention v1;
        FlashAttention v2;
        INDArray[] nq;
        INDArray[] nk;
        INDArray[] nv;
        INDArray ns;
        INDArray[] no;
        INDArray nmask;

        /** Random inputs, the kernels and the ND4J buffers. */
        @Setup
        public void setUp() {
            q = Tensor.randn(1, 1, HEADS, seq, headDim);
            k = Tensor.randn(2, 1, HEADS, seq, headDim);
            v = Tensor.randn(3, 1, HEADS, seq, headDim);
            mask = causal ? AttentionMask.causal() : AttentionMask.none();
            scale = 1 / Math.sqrt(headDim);
            flops = 4.0 * seq * seq * headDim * HEADS * (causal ? 0.5 : 1.0);
            v1 = FlashAttention.builder()
                    .version(FlashAttention.Version.V1)
                    .blockQ(64)
                    .blockK(64)
                    .build();
            v2 = FlashAttention.builder()
                    .version(FlashAttention.Version.V2)
                    .blockQ(64)
                    .blockK(64)
                    .build();
            Nd4j.factory().blas().setMaxThreads(Parallel.threads());
            nq = new INDArray[HEADS];
            nk = new INDArray[HEADS];
            nv = new INDArray[HEADS];
            no = new INDArray[HEADS];
            int block = seq * headDim;
            for (int h = 0; h < HEADS; h++) {
                nq[h] = head(q.data(), h * block);
                nk[h] = head(k.data(), h * block);
                nv[h] = head(v.data(), h * block);
                no[h] = Nd4j.create(DataType.FLOAT, seq, headDim);
            }
            ns = Nd4j.create(DataType.FLOAT, seq, seq);
            float[] m = new float[seq * seq];
            for (int i = 0; i < seq; i++) {
                for (int j = i + 1; j < seq; j++) {
                    m[i * seq + j] = Float.NEGATIVE_INFINITY;
                }
            }
            nmask = Nd4j.create(m, new long[] {seq, seq}, DataType.FLOAT);
        }

        private INDArray head(float[] data, int off) {
            float[] part = new float[seq * headDim];
            System.arraycopy(data, off, part, 0, part.length);
            return Nd4j.create(part, new long[] {seq, headDim}, DataType.FLOAT);
        }
    }

    /**
     * Naive (row-blocked) SDPA.
     *
     * @param p inputs
     * @param r counter
     * @return the output
     */
    @Benchmark
    public Tensor sdpa(Problem p, Rates r) {
        Tensor o = ScaledDotProductAttention.forward(p.q, p.k, p.v, p.mask, p.scale);
        r.gflops += 1e-9 * p.flops;
        return o;
    }

    /**
     * FlashAttention v1.
     *
     * @param p inputs
     * @param r counter
     * @return the output
     */
    @Benchmark
    public Tensor flashV1(Problem p, Rates r) {
        Tensor o = p.v1.forward(p.q, p.k, p.v, p.mask, p.scale).output();
        r.gflops += 1e-9 * p.flops;
        return o;
    }

    /**
     * FlashAttention v2.
     *
     * @param p inputs
     * @param r counter
     * @return the output
     */
    @Benchmark
    public Tensor flashV2(Problem p, Rates r) {
        Tensor o = p.v2.forward(p.q, p.k, p.v, p.mask, p.scale).output();
        r.gflops += 1e-9 * p.flops;
        return o;
    }

    /**
     * ND4J naive attention with preallocated buffers.
     *
     * @param p inputs
     * @param r counter
     * @return the last head's output
     */
    @Benchmark
    public INDArray nd4j(Problem p, Rates r) {
        for (int h = 0; h < HEADS; h++) {
            Nd4j.gemm(p.nq[h], p.nk[h], p.ns, false, true, p.scale, 0.0);
            if (p.causal) {
                p.ns.addi(p.nmask);
            }
            Nd4j.exec((CustomOp) new SoftMax(p.ns, p.ns, 1));
            Nd4j.gemm(p.ns, p.nv[h], p.no[h], false, false, 1.0, 0.0);
        }
        r.gflops += 1e-9 * p.flops;
        return p.no[HEADS - 1];
    }
}
