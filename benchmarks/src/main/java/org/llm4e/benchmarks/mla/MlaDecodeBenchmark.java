package org.llm4e.benchmarks.mla;

import java.util.concurrent.TimeUnit;
import org.llm4e.attention.AbsorbedLatentAttention;
import org.llm4e.attention.KvCache;
import org.llm4e.attention.LatentKvCache;
import org.llm4e.attention.MultiHeadAttention;
import org.llm4e.attention.MultiHeadLatentAttention;
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
 * One decode step with a cache of {@code context} tokens: Multi-head Latent Attention on its absorbed path and on its
 * explicit path, against MHA and GQA layers with the same 16 query heads of 128 ({@code dModel} 2048).
 *
 * <p>Cache per token and layer (float32): MHA {@code 2·16·128·4 = 16 384} bytes, GQA-4 {@code 4096}, MLA
 * {@code (d_c + d_h^R)·4 = (512 + 64)·4 = 2304} (7.1× under MHA; DeepSeek-V2's 128 heads make it 56.9×). MLA here:
 * {@code q_lora_rank} 512, {@code kv_lora_rank} 512, {@code qk_nope_head_dim} 128, {@code qk_rope_head_dim} 64,
 * {@code v_head_dim} 128.
 *
 * <p>What to expect: the absorbed step reads each cached 576-wide row once for all heads (one multi-query
 * {@code sgemm}) and never up-projects the cache, but its absorbed matrices are wide ({@code n_h·d_c} columns: the
 * output one alone is {@code 2048 × 8192} floats), so at short contexts it streams more weight bytes than MHA. The
 * explicit step re-up-projects all cached latents into per-head keys and values every step
 * ({@code 2·context·d_c·n_h·(d_h + d_v)} FLOPs), the cost the article says would defeat caching.
 *
 * <p>Units: {@code kvGBs} is 10⁹ bytes of cache read per second ({@code context · bytes per token}), the number that
 * has the memory bandwidth as its limit once the cache outgrows the 32 MiB L3; ops/s is decode steps per second.
 * Threads: llm4e's pool ({@code -Dllm4e.threads}, default the core count). llm4e only: no peer library implements MLA
 * or an incremental attention layer to race.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class MlaDecodeBenchmark {
    static final int D_MODEL = 2048;
    static final int HEADS = 16;
    static final int HEAD_DIM = 128;
    static final int KV_LORA_RANK = 512;
    static final int ROPE_DIM = 64;

    /** Byte counters, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** 10⁹ bytes of cache read. */
        public double kvGBs;

        /** Clears the counters before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            kvGBs = 0;
        }
    }

    /** One layer of each kind and its filled cache. */
    @State(Scope.Thread)
    public static class Layer {
        /** {@code mla-absorbed}, {@code mla-explicit}, {@code mha} (16 kv heads) or {@code gqa4} (4 kv heads). */
        @Param({"mla-absorbed", "mla-explicit", "mha", "gqa4"})
        public String variant;

        /** Tokens in the cache before the step. */
        @Param({"1024", "4096"})
        public int context;

        MultiHeadLatentAttention mla;
        AbsorbedLatentAttention absorbed;
        LatentKvCache latentCache;
        MultiHeadAttention mha;
        KvCache kvCache;
        Tensor token;
        double cacheBytes;

        /** Builds the layer and prefills its cache with {@code context} random tokens. */
        @Setup
        public void setUp() {
            token = Tensor.randn(99, 1, 1, D_MODEL);
            if (variant.startsWith("mla")) {
                mla = MultiHeadLatentAttention.builder()
                        .dModel(D_MODEL)
                        .numHeads(HEADS)
                        .qLoraRank(512)
                        .kvLoraRank(KV_LORA_RANK)
                        .qkNopeHeadDim(HEAD_DIM)
                        .qkRopeHeadDim(ROPE_DIM)
                        .seed(1)
                        .build();
                absorbed = mla.absorb();
                latentCache = mla.newCache(1, context + 1);
                for (int start = 0; start < context; start += 256) {
                    int len = Math.min(256, context - start);
                    absorbed.forward(Tensor.randn(start, 1, len, D_MODEL), start, latentCache);
                }
                cacheBytes = 4.0 * context * (KV_LORA_RANK + ROPE_DIM);
            } else {
                int kvHeads = variant.equals("mha") ? HEADS : 4;
                mha = MultiHeadAttention.builder()
                        .dModel(D_MODEL)
                        .numHeads(HEADS)
                        .numKvHeads(kvHeads)
                        .causal(true)
                        .rope(RotaryEmbedding.builder(HEAD_DIM).build())
                        .seed(1)
                        .build();
                kvCache = mha.newCache(1, context + 1);
                for (int start = 0; start < context; start += 256) {
                    int len = Math.min(256, context - start);
                    mha.forward(Tensor.randn(start, 1, len, D_MODEL), start, kvCache);
                }
                cacheBytes = 4.0 * 2 * kvHeads * HEAD_DIM * context;
            }
        }
    }

    /**
     * One decode step at position {@code context}; the cache is truncated back afterwards.
     *
     * @param l the layer
     * @param r the counters
     * @return the step's output
     */
    @Benchmark
    public Tensor decodeStep(Layer l, Rates r) {
        Tensor out;
        switch (l.variant) {
            case "mla-absorbed":
                out = l.absorbed.forward(l.token, l.context, l.latentCache);
                l.latentCache.truncate(l.context);
                break;
            case "mla-explicit":
                out = l.mla.forward(l.token, l.context, l.latentCache);
                l.latentCache.truncate(l.context);
                break;
            default:
                out = l.mha.forward(l.token, l.context, l.kvCache);
                l.kvCache.truncate(l.context);
        }
        r.kvGBs += 1e-9 * l.cacheBytes;
        return out;
    }
}
