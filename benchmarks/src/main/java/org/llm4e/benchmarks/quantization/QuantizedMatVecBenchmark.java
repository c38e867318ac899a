package org.llm4e.benchmarks.quantization;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.quantization.GgmlMatVec;
import org.llm4e.quantization.GgmlType;
import org.llm4e.quantization.Int8MatVec;
import org.llm4e.quantization.LinearQuantizer;
import org.llm4e.quantization.Q4_0;
import org.llm4e.quantization.QuantizedTensor;
import org.llm4e.quantization.RepackedQ4_0;
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
 * Matrix-vector products y = W x over 4096 × 4096 weights stored as fp32, Q8_0, Q4_0, Q4_K and INT8, each op taking the
 * next matrix of a rotation whose working set (≥ 96 MiB) is three times the 32 MiB L3, so the weights stream from
 * memory as in LLM decoding; beside them the STREAM triad on the same pool, the roof they are measured against.
 *
 * <p>Rows ({@code format}): {@code fp32} core's {@code Kernels.sgemv} (Vector API when present); {@code fp32_ejml}
 * EJML's {@code CommonOps_FDRM.mult} (single-threaded: EJML has no threaded float mat-vec); {@code q8_0}/{@code q4_0}/
 * {@code q4_k} {@link GgmlMatVec#multiply(GgmlType, byte[], int, int, GgmlMatVec.Activations, float[])} after
 * quantizing x (to Q8_0, or Q8_K for Q4_K) once per op as ggml does, into reused buffers (no allocation per op; the
 * kernels {@code Simd} chose); {@code q8_0_scalar}/{@code q4_0_scalar}/{@code q4_k_scalar} the scalar reference
 * ({@link GgmlMatVec#multiplyReference}, ggml's generic order), to show what the Vector API path buys;
 * {@code q4_0_repacked} the same Q4_0 codes and scales repacked into tiles of 32 rows ({@link RepackedQ4_0}, ggml's
 * CPU repack), which streams 20 bytes per block (float scales) and is counted so; {@code int8}
 * W8A8 {@link Int8MatVec} (per-row scales).
 *
 * <p>Units: the auxiliary counter {@code gbs} is GB/s (10⁹ B/s) of <b>weight bytes</b> streamed: 4·n² (fp32),
 * 34/32·n² (Q8_0), 18/32·n² (Q4_0), 144/256·n² (Q4_K), n² + 4n (INT8 codes and scales) per op; activations and outputs (a few KB) are
 * not counted. The triad counts 12 bytes per element (read b and c, write a). The speed-up over fp32 is the ratio of
 * the primary scores (ops/s = mat-vecs per second). Goals of the issue: Q8_0 and Q4_0 at ≥ 60% of the triad's GB/s in
 * weight bytes, and Q4_0 ≥ 3.5× fp32 in ops/s. Threads: the llm4e pool ({@code -Dllm4e.threads}, default all cores);
 * JMH runs one harness thread. Run everything side by side with
 * {@code java -jar benchmarks/target/benchmarks.jar QuantizedMatVecBenchmark}; the {@code triad} row is the roof.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Threads(1)
public class QuantizedMatVecBenchmark {
    /** Rows and columns of each weight matrix. */
    static final int N = 4096;
    /** Minimum bytes of weights in rotation: three times the 32 MiB L3. */
    static final long WORKING_SET = 96L << 20;

    /** GB of weights streamed per second (and, for the triad, GB moved). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GB streamed, in units of 10⁹ bytes. */
        public double gbs;

        /** Clears the counter before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
        }
    }

    /** The weights in rotation, in one storage format. */
    @State(Scope.Thread)
    public static class Weights {
        /** The storage format and implementation. */
        @Param({
            "fp32",
            "fp32_ejml",
            "q8_0",
            "q4_0",
            "q4_0_repacked",
            "q4_k",
            "int8",
            "q8_0_scalar",
            "q4_0_scalar",
            "q4_k_scalar"
        })
        public String format;

        float[][] f32;
        FMatrixRMaj[] ejml;
        byte[][] blocks;
        RepackedQ4_0[] repacked;
        byte[][] codes;
        float[][] scales;
        float[] x;
        FMatrixRMaj xm;
        FMatrixRMaj ym;
        float[] y = new float[N];
        byte[] xq = new byte[N];
        GgmlMatVec.Activations acts = new GgmlMatVec.Activations(N);
        GgmlType type;
        long bytesPerMatrix;
        int next;

        /** Quantizes one Gaussian matrix and copies it until the rotation exceeds the working set. */
        @Setup
        public void setUp() {
            SplittableRandom r = new SplittableRandom(42);
            float[] w = new float[N * N];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * 0.02);
            }
            x = new float[N];
            for (int i = 0; i < N; i++) {
                x[i] = (float) r.nextGaussian();
            }
            switch (format) {
                case "fp32":
                case "fp32_ejml":
                    bytesPerMatrix = 4L * N * N;
                    f32 = new float[count()][];
                    ejml = new FMatrixRMaj[f32.length];
                    for (int m = 0; m < f32.length; m++) {
                        f32[m] = w.clone();
                        ejml[m] = FMatrixRMaj.wrap(N, N, f32[m]);
                    }
                    xm = FMatrixRMaj.wrap(N, 1, x);
                    ym = FMatrixRMaj.wrap(N, 1, y);
                    break;
                case "int8":
                    QuantizedTensor q = LinearQuantizer.builder()
                            .bits(8)
                            .symmetric(true)
                            .signed(true)
                            .perChannel()
                            .build()
                            .quantize(Tensor.of(w, N, N));
                    bytesPerMatrix = (long) N * N + 4L * N;
                    codes = new byte[count()][];
                    scales = new float[codes.length][];
                    for (int m = 0; m < codes.length; m++) {
                        codes[m] = q.codes();
                        scales[m] = q.scales();
                    }
                    break;
                case "q4_0_repacked": {
                    byte[] b = Q4_0.quantize(w);
                    RepackedQ4_0 p = RepackedQ4_0.pack(b, N, N);
                    bytesPerMatrix = p.bytes();
                    repacked = new RepackedQ4_0[count()];
                    repacked[0] = p;
                    for (int m = 1; m < repacked.length; m++) {
                        repacked[m] = RepackedQ4_0.pack(b, N, N);
                    }
                    break;
                }
                default:
                    type = format.startsWith("q8_0")
                            ? GgmlType.Q8_0
                            : format.startsWith("q4_k") ? GgmlType.Q4_K : GgmlType.Q4_0;
                    byte[] b = new byte[(int) type.bytes((long) N * N)];
                    type.quantize(w, 0, w.length, b, 0);
                    bytesPerMatrix = b.length;
                    blocks = new byte[count()][];
                    for (int m = 0; m < blocks.length; m++) {
                        blocks[m] = b.clone();
                    }
            }
        }

        private int count() {
            return (int) Math.max(2, (WORKING_SET + bytesPerMatrix - 1) / bytesPerMatrix);
        }
    }

    /**
     * One y = W x with the next matrix of the rotation.
     *
     * @param s the weights
     * @param rates the counters
     * @return y (consumed by JMH)
     */
    @Benchmark
    public float[] matvec(Weights s, Rates rates) {
        int m = s.next;
        float[] y;
        switch (s.format) {
            case "fp32":
                y = s.y;
                Kernels.sgemv(false, N, N, 1f, s.f32[m], 0, N, s.x, 0, 0f, y, 0);
                s.next = (m + 1) % s.f32.length;
                break;
            case "fp32_ejml":
                CommonOps_FDRM.mult(s.ejml[m], s.xm, s.ym);
                y = s.y;
                s.next = (m + 1) % s.ejml.length;
                break;
            case "int8": {
                float sx = Int8MatVec.quantizeActivations(s.x, s.xq);
                y = s.y;
                Int8MatVec.multiplyQuantized(s.codes[m], s.scales[m], N, N, s.xq, sx, y);
                s.next = (m + 1) % s.codes.length;
                break;
            }
            case "q4_0_repacked":
                y = s.y;
                s.repacked[m].multiply(s.acts.set(s.x), y);
                s.next = (m + 1) % s.repacked.length;
                break;
            case "q8_0_scalar":
            case "q4_0_scalar":
            case "q4_k_scalar":
                y = GgmlMatVec.multiplyReference(s.type, s.blocks[m], N, N, s.x);
                s.next = (m + 1) % s.blocks.length;
                break;
            default:
                y = s.y;
                GgmlMatVec.multiply(s.type, s.blocks[m], N, N, s.acts.set(s.x), y);
                s.next = (m + 1) % s.blocks.length;
        }
        rates.gbs += 1e-9 * s.bytesPerMatrix;
        return y;
    }

    /** The triad's three 64 MiB arrays. */
    @State(Scope.Thread)
    public static class Triad {
        static final int T = 16 << 20;
        float[] a;
        float[] b;
        float[] c;

        /** Allocates and touches the arrays. */
        @Setup
        public void setUp() {
            a = new float[T];
            b = new float[T];
            c = new float[T];
            for (int i = 0; i < T; i++) {
                a[i] = 1f;
                b[i] = i % 7;
                c[i] = i % 5;
            }
        }
    }

    /**
     * STREAM triad {@code a = b + 3·c} on the llm4e pool: the bandwidth roof (12 bytes per element in {@code gbs}).
     *
     * @param t the arrays
     * @param rates the counters
     */
    @Benchmark
    public void triad(Triad t, Rates rates) {
        float[] a = t.a;
        float[] b = t.b;
        float[] c = t.c;
        Parallel.forRange(0, Triad.T, 1 << 16, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                a[i] = b[i] + 3f * c[i];
            }
        });
        rates.gbs += 12e-9 * Triad.T;
    }
}
