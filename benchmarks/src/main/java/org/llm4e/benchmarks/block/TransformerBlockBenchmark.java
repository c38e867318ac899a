package org.llm4e.benchmarks.block;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.llm4e.attention.AttentionBackend;
import org.llm4e.attention.TransformerBlock;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RotaryEmbedding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
 * One Llama decoder block's causal forward pass, {@code [1, T, 512]} with 8 query heads, 2 kv heads of width 64 (GQA)
 * and a SwiGLU FFN of width 1376, for T ∈ {128, 512}.
 *
 * <p>Participants, in one run:
 *
 * <ul>
 *   <li>{@code llm4eSdpa}: {@link TransformerBlock#forward(Tensor, int)} with the SDPA backend (RMSNorm, projections
 *       through core's {@code sgemm}, RoPE, attention, SwiGLU, all on the library pool);
 *   <li>{@code llm4eFlash}: the same block with FlashAttention-2 (64 × 64 tiles);
 *   <li>{@code nd4j}: the same block written with ND4J 1.0.0-M2.1's everyday API (OpenBLAS {@code mmul} for the
 *       projections and per-head attention, element-wise ops for RMSNorm, RoPE with precomputed cos/sin, an additive
 *       {@code −∞} causal mask, {@code Transforms.softmax} and {@code sigmoid}), with the same weights; the setup
 *       checks that it gives the same output as llm4e.
 * </ul>
 *
 * <p>Unit: the {@code gflops} counter is 10⁹ floating-point operations per second, counting
 * {@link TransformerBlock#forwardFlops(int, int)} per call (the seven projections and the causal attention products;
 * norms, RoPE, softmax and SiLU are not counted). Every participant is credited with the same count.
 *
 * <p>Threads: llm4e uses its pool ({@code -Dllm4e.threads}, default the core count); OpenBLAS is set to the same
 * number. JMH calls with one thread. The JDK is the one running JMH.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class TransformerBlockBenchmark {
    static final int D_MODEL = 512;
    static final int HEADS = 8;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 64;
    static final int HIDDEN = 1376;
    static final double EPS = 1e-5;

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

    /** The block, its input and the ND4J copies. */
    @State(Scope.Thread)
    public static class Problem {
        /** Sequence length T. */
        @Param({"128", "512"})
        public int seq;

        TransformerBlock sdpa;
        TransformerBlock flash;
        Tensor x;
        double flopsPerCall;
        Nd4jBlock nd4j;
        INDArray nx;

        /** Random weights shared by every participant. */
        @Setup
        public void setUp() {
            RotaryEmbedding rope = RotaryEmbedding.builder(HEAD_DIM).base(10000).build();
            sdpa = build(rope, AttentionBackend.sdpa());
            flash = build(rope, AttentionBackend.flash());
            Map<String, Tensor> weights = new HashMap<>();
            sdpa.parameters().forEach(p -> weights.put(p.name(), shaped(p.name(), p.data())));
            flash.loadWeights(weights);
            x = Tensor.randn(5, 1, seq, D_MODEL);
            flopsPerCall = sdpa.forwardFlops(1, seq);
            Nd4j.factory().blas().setMaxThreads(Parallel.threads());
            nd4j = new Nd4jBlock(weights, rope, seq);
            nx = Nd4j.create(x.data().clone(), new long[] {seq, D_MODEL}, DataType.FLOAT);
            float[] expected = sdpa.forward(x, 0).data();
            float[] actual = nd4j.forward(nx).data().asFloat();
            for (int i = 0; i < expected.length; i++) {
                if (Math.abs(expected[i] - actual[i]) > 1e-3 + 1e-3 * Math.abs(expected[i])) {
                    throw new IllegalStateException(
                            "ND4J block differs from llm4e at " + i + ": " + actual[i] + " vs " + expected[i]);
                }
            }
        }

        private static TransformerBlock build(RotaryEmbedding rope, AttentionBackend backend) {
            return TransformerBlock.builder()
                    .dModel(D_MODEL)
                    .numHeads(HEADS)
                    .numKvHeads(KV_HEADS)
                    .headDim(HEAD_DIM)
                    .hiddenDim(HIDDEN)
                    .rmsNormEps(EPS)
                    .rope(rope)
                    .backend(backend)
                    .seed(1)
                    .build();
        }

        private static Tensor shaped(String name, float[] data) {
            switch (name) {
                case TransformerBlock.INPUT_LAYERNORM:
                case TransformerBlock.POST_ATTENTION_LAYERNORM:
                    return Tensor.of(data.clone(), D_MODEL);
                case TransformerBlock.K_PROJ:
                case TransformerBlock.V_PROJ:
                    return Tensor.of(data.clone(), KV_HEADS * HEAD_DIM, D_MODEL);
                case TransformerBlock.GATE_PROJ:
                case TransformerBlock.UP_PROJ:
                    return Tensor.of(data.clone(), HIDDEN, D_MODEL);
                case TransformerBlock.DOWN_PROJ:
                    return Tensor.of(data.clone(), D_MODEL, HIDDEN);
                default: // q_proj, o_proj
                    return Tensor.of(data.clone(), D_MODEL, D_MODEL);
            }
        }
    }

    /** The Llama block in ND4J's everyday API (batch 1, {@code [seq, dModel]}). */
    static final class Nd4jBlock {
        final INDArray g1;
        final INDArray g2;
        final INDArray wq;
        final INDArray wk;
        final INDArray wv;
        final INDArray wo;
        final INDArray w1;
        final INDArray w2;
        final INDArray w3;
        final INDArray cos;
        final INDArray sin;
        final INDArray mask;
        final float scale = (float) (1 / Math.sqrt(HEAD_DIM));

        Nd4jBlock(Map<String, Tensor> w, RotaryEmbedding rope, int seq) {
            g1 = nd(w.get(TransformerBlock.INPUT_LAYERNORM)).reshape(1, D_MODEL);
            g2 = nd(w.get(TransformerBlock.POST_ATTENTION_LAYERNORM)).reshape(1, D_MODEL);
            wq = nd(w.get(TransformerBlock.Q_PROJ));
            wk = nd(w.get(TransformerBlock.K_PROJ));
            wv = nd(w.get(TransformerBlock.V_PROJ));
            wo = nd(w.get(TransformerBlock.O_PROJ));
            w1 = nd(w.get(TransformerBlock.GATE_PROJ));
            w2 = nd(w.get(TransformerBlock.DOWN_PROJ));
            w3 = nd(w.get(TransformerBlock.UP_PROJ));
            // cos/sin [seq, headDim] in the HALF layout: both halves of a row use the same angles.
            float[] c = new float[seq * HEAD_DIM];
            float[] s = new float[seq * HEAD_DIM];
            for (int t = 0; t < seq; t++) {
                for (int i = 0; i < HEAD_DIM / 2; i++) {
                    double a = rope.angle(t, i);
                    c[t * HEAD_DIM + i] = c[t * HEAD_DIM + i + HEAD_DIM / 2] = (float) Math.cos(a);
                    s[t * HEAD_DIM + i] = s[t * HEAD_DIM + i + HEAD_DIM / 2] = (float) Math.sin(a);
                }
            }
            cos = Nd4j.create(c, new long[] {seq, HEAD_DIM}, DataType.FLOAT);
            sin = Nd4j.create(s, new long[] {seq, HEAD_DIM}, DataType.FLOAT);
            float[] m = new float[seq * seq];
            for (int i = 0; i < seq; i++) {
                for (int j = i + 1; j < seq; j++) {
                    m[i * seq + j] = Float.NEGATIVE_INFINITY;
                }
            }
            mask = Nd4j.create(m, new long[] {seq, seq}, DataType.FLOAT);
        }

        private static INDArray nd(Tensor t) {
            long[] shape = new long[t.rank()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.dim(i);
            }
            return Nd4j.create(t.data().clone(), shape, DataType.FLOAT);
        }

        private static INDArray rmsNorm(INDArray x, INDArray g) {
            INDArray rstd = Transforms.pow(x.mul(x).mean(true, 1).addi(EPS), -0.5, false);
            return x.mulColumnVector(rstd).muliRowVector(g);
        }

        private INDArray rope(INDArray x) {
            int half = HEAD_DIM / 2;
            INDArray x1 = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half));
            INDArray x2 = x.get(NDArrayIndex.all(), NDArrayIndex.interval(half, HEAD_DIM));
            INDArray rotated = Nd4j.hstack(x2.neg(), x1);
            return x.mul(cos).addi(rotated.muli(sin));
        }

        INDArray forward(INDArray x) {
            INDArray a = rmsNorm(x, g1);
            INDArray q = a.mmul(wq.transpose());
            INDArray k = a.mmul(wk.transpose());
            INDArray v = a.mmul(wv.transpose());
            List<INDArray> heads = new ArrayList<>();
            INDArray[] kr = new INDArray[KV_HEADS];
            for (int g = 0; g < KV_HEADS; g++) {
                kr[g] = rope(k.get(NDArrayIndex.all(), NDArrayIndex.interval(g * HEAD_DIM, (g + 1) * HEAD_DIM)));
            }
            for (int h = 0; h < HEADS; h++) {
                int g = h / (HEADS / KV_HEADS);
                INDArray qh = rope(q.get(NDArrayIndex.all(), NDArrayIndex.interval(h * HEAD_DIM, (h + 1) * HEAD_DIM)));
                INDArray s = qh.mmul(kr[g].transpose()).muli(scale).addi(mask);
                INDArray vh = v.get(NDArrayIndex.all(), NDArrayIndex.interval(g * HEAD_DIM, (g + 1) * HEAD_DIM));
                heads.add(Transforms.softmax(s, false).mmul(vh));
            }
            INDArray h = x.add(Nd4j.hstack(heads).mmul(wo.transpose()));
            INDArray f = rmsNorm(h, g2);
            INDArray gate = f.mmul(w1.transpose());
            INDArray act = Transforms.sigmoid(gate, true).muli(gate).muli(f.mmul(w3.transpose()));
            return h.addi(act.mmul(w2.transpose()));
        }
    }

    /**
     * llm4e's block with the SDPA backend.
     *
     * @param p the inputs
     * @param r the counter
     * @return the output
     */
    @Benchmark
    public Tensor llm4eSdpa(Problem p, Rates r) {
        Tensor out = p.sdpa.forward(p.x, 0);
        r.gflops += 1e-9 * p.flopsPerCall;
        return out;
    }

    /**
     * llm4e's block with the FlashAttention-2 backend.
     *
     * @param p the inputs
     * @param r the counter
     * @return the output
     */
    @Benchmark
    public Tensor llm4eFlash(Problem p, Rates r) {
        Tensor out = p.flash.forward(p.x, 0);
        r.gflops += 1e-9 * p.flopsPerCall;
        return out;
    }

    /**
     * The same block in ND4J.
     *
     * @param p the inputs
     * @param r the counter
     * @return the output
     */
    @Benchmark
    public INDArray nd4j(Problem p, Rates r) {
        INDArray out = p.nd4j.forward(p.nx);
        r.gflops += 1e-9 * p.flopsPerCall;
        return out;
    }
}
