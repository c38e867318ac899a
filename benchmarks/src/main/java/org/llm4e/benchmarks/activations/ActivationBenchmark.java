package org.llm4e.benchmarks.activations;

import java.util.concurrent.TimeUnit;
import org.llm4e.activations.ActivationKernels;
import org.llm4e.core.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Mish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.MishDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.PreciseGELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.PreciseGELUDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SwishDerivative;
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
 * Activations over 16M float32 elements (a [4096, 4096] tensor, 64 MiB per array, beyond the 32 MiB L3): GELU (exact
 * and tanh), SiLU, Mish and sigmoid forward and backward ({@code run}), softmax rows forward and backward ({@code run}),
 * RMSNorm rows forward ({@code rmsNorm});
 * llm4e's plain-Java kernels ({@code ActivationKernels.scalar()}), llm4e's Vector API kernels
 * ({@code ActivationKernels.preferred()}) and ND4J 1.0.0-M2.1 (nd4j-native, OpenBLAS/libnd4j) in one run.
 *
 * <p>Bytes streamed per element, each array read or written once counted at 4 bytes (write-allocate traffic not
 * counted, as STREAM): forward 8 (read x, write y), backward 12 (read x and dy, write dx), softmax backward 12 (read
 * y and dy, write dx), RMSNorm forward 8. Counters: {@code gbs} = 10⁹ bytes per second, {@code gelems} = 10⁹
 * elements per second (multiply by 1000 for the Melem/s of the issue).
 *
 * <p>Peers: ND4J has no erf GELU; both GELU rows run its {@code PreciseGELU} (a tanh approximation whose cubic term is
 * (0.044715·x)³, see the activations module's ND4J test) and {@code PreciseGELUDerivative}; SiLU runs {@code Swish};
 * ND4J's backward is its derivative op followed by {@code muli(dy)}, as its {@code IActivation.backprop} does.
 * ND4J softmax is the {@code softmax} / {@code softmax_bp} custom ops over dimension 1; ND4J RMSNorm is composed of
 * {@code norm2}, {@code divColumnVector} and {@code muliRowVector}.
 *
 * <p>Threads: llm4e runs chunks of 64K elements (or blocks of rows) on its pool ({@code -Dllm4e.threads}, default
 * the core count, 2 here); ND4J uses its OpenMP pool (default the core count). The JDK is in the JMH JSON
 * ({@code jdkVersion}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class ActivationBenchmark {
    static final int ROWS = 4096;
    static final int COLS = 4096;
    static final int N = ROWS * COLS;
    static final int CHUNK = 1 << 16;

    /** Throughput counters, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** 10⁹ bytes streamed. */
        public double gbs;

        /** 10⁹ elements processed. */
        public double gelems;

        /** Clears the counters before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
            gelems = 0;
        }

        void count(int bytesPerElement) {
            gbs += 1e-9 * bytesPerElement * N;
            gelems += 1e-9 * N;
        }
    }

    /** The data and the participant. */
    @State(Scope.Thread)
    public static class Data {
        /** The function. */
        @Param({"gelu", "gelu_tanh", "silu", "mish", "sigmoid", "softmax"})
        public String function;

        /** {@code forward} or {@code backward}. */
        @Param({"forward", "backward"})
        public String pass;

        /** {@code scalar} (llm4e plain Java), {@code simd} (llm4e Vector API) or {@code nd4j}. */
        @Param({"scalar", "simd", "nd4j"})
        public String impl;

        float[] x;
        float[] dy;
        float[] out;
        float[] weight;
        ActivationKernels kernels;
        INDArray nx;
        INDArray ndy;
        INDArray nout;
        INDArray nweight;
        int bytes;

        /** Fills x with values in [−6, 6), dy with values in [−1, 1), and creates the ND4J copies. */
        @Setup
        public void setUp() {
            x = new float[N];
            dy = new float[N];
            out = new float[N];
            weight = new float[COLS];
            for (int i = 0; i < N; i++) {
                x[i] = ((i * 2654435761L) % 12000) * 1e-3f - 6f;
                dy[i] = ((i * 40503L) % 2000) * 1e-3f - 1f;
            }
            for (int i = 0; i < COLS; i++) {
                weight[i] = 0.5f + i * 1e-4f;
            }
            if (function.equals("softmax") && pass.equals("backward")) {
                ActivationKernels.preferred().softmax(x, 0, x, 0, N); // backward reads a softmax output y
            }
            kernels = impl.equals("scalar") ? ActivationKernels.scalar() : ActivationKernels.preferred();
            if (impl.equals("nd4j")) {
                nx = Nd4j.createFromArray(x).reshape(ROWS, COLS);
                ndy = Nd4j.createFromArray(dy).reshape(ROWS, COLS);
                nout = Nd4j.createUninitialized(nx.dataType(), ROWS, COLS);
                nweight = Nd4j.createFromArray(weight).reshape(1, COLS);
            }
            bytes = pass.equals("forward") ? 8 : 12;
        }
    }

    private static void llm4e(Data d) {
        ActivationKernels k = d.kernels;
        boolean fwd = d.pass.equals("forward");
        if (d.function.equals("softmax") || d.function.equals("rmsnorm")) {
            Parallel.forRange(0, ROWS, 16, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    int off = r * COLS;
                    if (d.function.equals("rmsnorm")) {
                        k.rmsNorm(d.x, off, d.weight, d.out, off, COLS, 1e-6f);
                    } else if (fwd) {
                        k.softmax(d.x, off, d.out, off, COLS);
                    } else {
                        k.softmaxBackward(d.x, off, d.dy, off, d.out, off, COLS);
                    }
                }
            });
            return;
        }
        Parallel.forRange(0, N / CHUNK, 1, (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                int off = c * CHUNK;
                elementwise(k, d.function, fwd, d.x, d.dy, d.out, off);
            }
        });
    }

    private static void elementwise(
            ActivationKernels k, String f, boolean fwd, float[] x, float[] dy, float[] out, int off) {
        switch (f) {
            case "gelu":
                if (fwd) {
                    k.gelu(x, off, out, off, CHUNK);
                } else {
                    k.geluBackward(x, off, dy, off, out, off, CHUNK);
                }
                break;
            case "gelu_tanh":
                if (fwd) {
                    k.geluTanh(x, off, out, off, CHUNK);
                } else {
                    k.geluTanhBackward(x, off, dy, off, out, off, CHUNK);
                }
                break;
            case "silu":
                if (fwd) {
                    k.silu(x, off, out, off, CHUNK);
                } else {
                    k.siluBackward(x, off, dy, off, out, off, CHUNK);
                }
                break;
            case "mish":
                if (fwd) {
                    k.mish(x, off, out, off, CHUNK);
                } else {
                    k.mishBackward(x, off, dy, off, out, off, CHUNK);
                }
                break;
            default:
                if (fwd) {
                    k.sigmoid(x, off, out, off, CHUNK);
                } else {
                    k.sigmoidBackward(x, off, dy, off, out, off, CHUNK);
                }
                break;
        }
    }

    private static void nd4j(Data d) {
        boolean fwd = d.pass.equals("forward");
        INDArray x = d.nx;
        INDArray o = d.nout;
        switch (d.function) {
            case "gelu":
            case "gelu_tanh":
                Nd4j.exec(fwd ? new PreciseGELU(x, o) : new PreciseGELUDerivative(x, o));
                break;
            case "silu":
                Nd4j.exec(fwd ? new Swish(x, o) : new SwishDerivative(x, o));
                break;
            case "mish":
                Nd4j.exec(fwd ? new Mish(x, o) : new MishDerivative(x, o));
                break;
            case "sigmoid":
                Nd4j.exec(fwd ? new Sigmoid(x, o) : new SigmoidDerivative(x, o));
                break;
            case "softmax":
                CustomOp op = fwd ? new SoftMax(x, o, 1) : new SoftmaxBp(x, d.ndy, o, 1);
                Nd4j.exec(op);
                return;
            default: // rmsnorm: y = x / (‖x‖₂/√n) ⊙ w, row-wise
                INDArray rms = x.norm2(1).divi(Math.sqrt(COLS)).addi(1e-6f).reshape(ROWS, 1);
                o.assign(x).diviColumnVector(rms).muliRowVector(d.nweight);
                return;
        }
        if (!fwd) {
            o.muli(d.ndy);
        }
    }

    /**
     * One pass over the 16M elements.
     *
     * @param d the data and participant
     * @param rates the counters
     * @return the output array (a sink for JMH)
     */
    @Benchmark
    public Object run(Data d, Rates rates) {
        if (d.impl.equals("nd4j")) {
            nd4j(d);
            rates.count(d.bytes);
            return d.nout;
        }
        llm4e(d);
        rates.count(d.bytes);
        return d.out;
    }

    /** RMSNorm forward rows: the same data with {@code function = rmsnorm}, {@code pass = forward}. */
    @State(Scope.Thread)
    public static class RmsData {
        /** {@code scalar}, {@code simd} or {@code nd4j}. */
        @Param({"scalar", "simd", "nd4j"})
        public String impl;

        final Data data = new Data();

        /** Prepares the shared data. */
        @Setup
        public void setUp() {
            data.function = "rmsnorm";
            data.pass = "forward";
            data.impl = impl;
            data.setUp();
        }
    }

    /**
     * RMSNorm forward over the 4096 rows of 4096.
     *
     * @param r the data and participant
     * @param rates the counters
     * @return the output (a sink for JMH)
     */
    @Benchmark
    public Object rmsNorm(RmsData r, Rates rates) {
        return run(r.data, rates);
    }
}
