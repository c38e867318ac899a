package org.llm4e.benchmarks.optimizers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.llm4e.core.Parallel;
import org.llm4e.core.Parameter;
import org.llm4e.core.Simd;
import org.llm4e.optimizers.Optimizer;
import org.llm4e.optimizers.Optimizers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
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
 * One optimizer step over 16M float32 parameters (64 MiB of parameters, 64 MiB of gradients, up to 128 MiB of state:
 * far beyond the 32 MiB L3), for every llm4e optimizer with the Vector API kernels and with the scalar ones, next to
 * ND4J's Adam updater and a STREAM triad on the same thread pool, all in one run.
 *
 * <p>An optimizer step is memory-bound: its arithmetic (a square root and a division per element at most) is far below
 * the machine's FLOP roof, so the figure that matters is bytes streamed per second against the triad's. Bytes per
 * parameter per step, counting each array read and each array written once (4 bytes each; the write-allocate read the
 * hardware adds is not counted, as STREAM does not count it):
 *
 * <ul>
 *   <li>SGD 12 (read θ, g; write θ); SGD with momentum 20 (+ buffer read and write); ASGD 16 (write ax too);
 *   <li>Adagrad, RMSprop, Lion 20 (one state buffer read and written);
 *   <li>Adam, AdamW, NAdam, RAdam, Adamax, Adadelta, Rprop 28 (two state buffers read and written);
 *   <li>triad {@code a = b + s·c}: 12 per element.
 * </ul>
 *
 * <p>Counters: {@code gbs} is GB/s (10⁹ bytes) of these bytes, {@code gparams} is 10⁹ parameters per second. Threads:
 * llm4e uses its pool ({@code -Dllm4e.threads}, default the core count, 2 here); the triad runs on the same pool;
 * ND4J runs its native OpenMP pool (default: the core count). The scalar rows fork a JVM with {@code -Dllm4e.simd=off}.
 * The JDK is in the JMH JSON ({@code jdkVersion}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class OptimizerStepBenchmark {
    /** Parameters per step: 2²⁴ = 16,777,216. */
    static final int N = 1 << 24;

    /** Bytes moved per parameter per step (see the class comment). */
    static final Map<String, Integer> BYTES_PER_PARAM = Map.ofEntries(
            Map.entry("sgd", 12),
            Map.entry("sgd_momentum", 20),
            Map.entry("asgd", 16),
            Map.entry("rprop", 28),
            Map.entry("adagrad", 20),
            Map.entry("adadelta", 28),
            Map.entry("rmsprop", 20),
            Map.entry("adam", 28),
            Map.entry("adamw", 28),
            Map.entry("nadam", 28),
            Map.entry("radam", 28),
            Map.entry("adamax", 28),
            Map.entry("lion", 20));

    /** Throughput counters, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** GB streamed, in units of 10⁹ bytes. */
        public double gbs;

        /** Parameters updated, in units of 10⁹. */
        public double gparams;

        /** Clears the counters before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            gbs = 0;
            gparams = 0;
        }

        void count(int bytesPerParam) {
            gbs += 1e-9 * bytesPerParam * N;
            gparams += 1e-9 * N;
        }
    }

    /** One llm4e optimizer over one 16M parameter. */
    @State(Scope.Thread)
    public static class Step {
        /** The optimizer ({@code sgd_momentum} is SGD with momentum 0.9). */
        @Param({
            "sgd",
            "sgd_momentum",
            "asgd",
            "rprop",
            "adagrad",
            "adadelta",
            "rmsprop",
            "adam",
            "adamw",
            "nadam",
            "radam",
            "adamax",
            "lion"
        })
        public String optimizer;

        Optimizer opt;
        int bytes;

        /** Allocates the parameter, a fixed gradient and the optimizer, and takes one step to allocate the state. */
        @Setup
        public void setUp() {
            float[] data = new float[N];
            float[] grad = new float[N];
            for (int i = 0; i < N; i++) {
                data[i] = (i % 1000) * 1e-3f - 0.5f;
                grad[i] = ((i * 7) % 1000) * 1e-3f - 0.5f + 1e-4f;
            }
            Parameter p = new Parameter("w", data, grad);
            boolean momentum = optimizer.equals("sgd_momentum");
            opt = Optimizers.create(
                    momentum ? "sgd" : optimizer, List.of(p), momentum ? Map.of("momentum", 0.9) : Map.of());
            opt.step();
            bytes = BYTES_PER_PARAM.get(optimizer);
        }
    }

    /**
     * One step with the Vector API kernels.
     *
     * @param s the optimizer
     * @param rates the counters
     */
    @Benchmark
    public void llm4eSimd(Step s, Rates rates) {
        if (!Simd.vectorModulePresent()) {
            throw new IllegalStateException("run the fork with --add-modules=jdk.incubator.vector");
        }
        s.opt.step();
        rates.count(s.bytes);
    }

    /**
     * One step with the scalar kernels (a JVM with {@code -Dllm4e.simd=off}).
     *
     * @param s the optimizer
     * @param rates the counters
     */
    @Benchmark
    @Fork(
            value = 1,
            jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g", "-Dllm4e.simd=off"})
    public void llm4eScalar(Step s, Rates rates) {
        s.opt.step();
        rates.count(s.bytes);
    }

    /** ND4J's Adam updater and its parameter update, as DL4J applies them. */
    @State(Scope.Thread)
    public static class Nd4jAdam {
        INDArray params;
        INDArray grad;
        GradientUpdater<?> updater;
        int iteration;

        /** Allocates the arrays and the updater state (2n). */
        @Setup
        public void setUp() {
            params = Nd4j.rand(DataType.FLOAT, 1, N);
            grad = Nd4j.rand(DataType.FLOAT, 1, N).subi(0.5);
            Adam adam = new Adam(1e-3, 0.9, 0.999, 1e-8);
            updater = adam.instantiate(Nd4j.zeros(DataType.FLOAT, 1, adam.stateSize(N)), true);
        }
    }

    /**
     * ND4J's Adam: {@code applyUpdater} turns the gradient into the update in place, then θ −= update. The gradient
     * array is reused as it is (its values stay finite), which does not change the work done.
     *
     * @param s the ND4J state
     * @param rates the counters (28 bytes per parameter, as for llm4e's Adam)
     */
    @Benchmark
    public void nd4jAdam(Nd4jAdam s, Rates rates) {
        s.updater.applyUpdater(s.grad, s.iteration++, 0);
        s.params.subi(s.grad);
        rates.count(28);
    }

    /** The triad's three arrays. */
    @State(Scope.Thread)
    public static class Triad {
        float[] a;
        float[] b;
        float[] c;

        /** Allocates and touches the arrays. */
        @Setup
        public void setUp() {
            a = new float[N];
            b = new float[N];
            c = new float[N];
            for (int i = 0; i < N; i++) {
                a[i] = 1f;
                b[i] = i % 7;
                c[i] = i % 5;
            }
        }
    }

    /**
     * STREAM triad {@code a = b + 3·c} on the llm4e pool: the bandwidth roof for the rows above (12 bytes per element,
     * counted in {@code gbs}; {@code gparams} counts elements).
     *
     * @param t the arrays
     * @param rates the counters
     */
    @Benchmark
    public void triad(Triad t, Rates rates) {
        float[] a = t.a;
        float[] b = t.b;
        float[] c = t.c;
        Parallel.forRange(0, N, 1 << 16, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                a[i] = b[i] + 3f * c[i];
            }
        });
        rates.count(12);
    }
}
