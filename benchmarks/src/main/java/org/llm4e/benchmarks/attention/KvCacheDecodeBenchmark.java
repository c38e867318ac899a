package org.llm4e.benchmarks.attention;

import java.util.concurrent.TimeUnit;
import org.llm4e.attention.KvCache;
import org.llm4e.attention.MultiHeadAttention;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RotaryEmbedding;
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
 * One decode step of an attention layer with a KV cache: MHA (32 kv heads) vs GQA (8) vs MQA (1), 32 query heads of
 * width 128 ({@code dModel} 4096, Llama-7B/8B sized), with {@code context} tokens already cached.
 *
 * <p>Each call projects one new token, rotates q and k (RoPE), appends k and v, attends over the cache and projects
 * the output, then truncates the cache back so every call sees the same context. Decode is memory-bound: the step
 * streams the four projection matrices and the cached K and V.
 *
 * <p>Units: {@code kvGBs} is 10⁹ bytes of cached K and V read per second ({@code 2·kvHeads·context·128·4} bytes per
 * step); {@code totalGBs} adds the projection weights ({@code 4·(2·4096² + 2·kvHeads·128·4096)} bytes per step), the
 * figure to compare with the machine's memory bandwidth once the working set exceeds the L3 cache. GQA and MQA shrink
 * both the K/V projection and the cache by {@code 32 / kvHeads}; the attention FLOPs stay the same.
 *
 * <p>Threads: llm4e's pool ({@code -Dllm4e.threads}, default the core count). llm4e only: no peer library offers an
 * incremental attention layer to race.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class KvCacheDecodeBenchmark {
    static final int D_MODEL = 4096;
    static final int HEADS = 32;
    static final int HEAD_DIM = 128;

    /** Byte counters, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** 10⁹ bytes of cached K and V read. */
        public double kvGBs;

        /** 10⁹ bytes of K/V cache and weights read. */
        public double totalGBs;

        /** Clears the counters before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            kvGBs = 0;
            totalGBs = 0;
        }
    }

    /** A layer and a filled cache. */
    @State(Scope.Thread)
    public static class Layer {
        /** Key/value heads: 32 = MHA, 8 = GQA, 1 = MQA. */
        @Param({"32", "8", "1"})
        public int kvHeads;

        /** Tokens in the cache before the step. */
        @Param({"2048"})
        public int context;

        MultiHeadAttention mha;
        KvCache cache;
        Tensor token;
        double kvBytes;
        double weightBytes;

        /** Builds the layer and prefills the cache with {@code context} random tokens. */
        @Setup
        public void setUp() {
            mha = MultiHeadAttention.builder()
                    .dModel(D_MODEL)
                    .numHeads(HEADS)
                    .numKvHeads(kvHeads)
                    .causal(true)
                    .rope(RotaryEmbedding.builder(HEAD_DIM).base(500000).build())
                    .seed(1)
                    .build();
            cache = mha.newCache(1, context + 1);
            for (int start = 0; start < context; start += 256) {
                int len = Math.min(256, context - start);
                mha.forward(Tensor.randn(start, 1, len, D_MODEL), start, cache);
            }
            token = Tensor.randn(99, 1, 1, D_MODEL);
            kvBytes = 2.0 * kvHeads * context * HEAD_DIM * 4;
            weightBytes = 4.0 * (2.0 * D_MODEL * D_MODEL + 2.0 * kvHeads * HEAD_DIM * D_MODEL);
        }
    }

    /**
     * One decode step at position {@code context}.
     *
     * @param l the layer and cache
     * @param r the counters
     * @return the step's output
     */
    @Benchmark
    public Tensor decodeStep(Layer l, Rates r) {
        Tensor out = l.mha.forward(l.token, l.context, l.cache);
        l.cache.truncate(l.context);
        r.kvGBs += 1e-9 * l.kvBytes;
        r.totalGBs += 1e-9 * (l.kvBytes + l.weightBytes);
        return out;
    }
}
