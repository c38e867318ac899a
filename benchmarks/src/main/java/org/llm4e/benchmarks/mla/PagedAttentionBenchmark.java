package org.llm4e.benchmarks.mla;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.llm4e.attention.AttentionMask;
import org.llm4e.attention.AttentionResult;
import org.llm4e.attention.KvCache;
import org.llm4e.attention.PagedKvCache;
import org.llm4e.attention.ScaledDotProductAttention;
import org.llm4e.core.Tensor;
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
 * Decode attention of one new token (32 query heads, 8 kv heads of 128) over {@code context} cached tokens: through
 * a {@link PagedKvCache}'s block table (blocks scattered over the pool in a random order), over a contiguous
 * {@link KvCache}, and by gathering the blocks into contiguous tensors first and running SDPA.
 *
 * <p>The paged kernel runs one small {@code sgemm} per block (scores) and one per block (output) instead of one per
 * head; the gap to the contiguous cache is the price of indirection at block size {@code blockSize}, and the gather
 * variant shows what copying the blocks every step would cost instead.
 *
 * <p>Units: {@code kvGBs} is 10⁹ bytes of cached K and V read per second ({@code 2·8·context·128·4} bytes per step),
 * limited by memory bandwidth once the cache (32 MiB at 4096 tokens) outgrows the L3. Threads: llm4e's pool for the
 * contiguous SDPA; the paged kernel is single-threaded. llm4e only: no Java peer has a paged KV cache.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
public class PagedAttentionBenchmark {
    static final int HEADS = 32;
    static final int KV_HEADS = 8;
    static final int HEAD_DIM = 128;

    /** Byte counters, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** 10⁹ bytes of cached K and V read. */
        public double kvGBs;

        /** Clears the counters before each iteration. */
        @Setup(Level.Iteration)
        public void clear() {
            kvGBs = 0;
        }
    }

    /** The same tokens in a paged and a contiguous cache. */
    @State(Scope.Thread)
    public static class Caches {
        /** Tokens cached. */
        @Param({"1024", "4096"})
        public int context;

        /** Tokens per block. */
        @Param({"16"})
        public int blockSize;

        PagedKvCache paged;
        int seq;
        KvCache contiguous;
        Tensor q;
        double scale;
        double kvBytes;

        /** Fills both caches with the same random keys and values. */
        @Setup
        public void setUp() {
            int blocks = (context + blockSize - 1) / blockSize;
            int[] order = new int[blocks];
            for (int i = 0; i < blocks; i++) {
                order[i] = i;
            }
            SplittableRandom r = new SplittableRandom(7);
            for (int i = blocks - 1; i > 0; i--) { // scatter the sequence over the pool
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            paged = PagedKvCache.builder()
                    .numBlocks(blocks)
                    .blockSize(blockSize)
                    .kvHeads(KV_HEADS)
                    .headDim(HEAD_DIM)
                    .freeBlockOrder(order)
                    .build();
            seq = paged.addSequence();
            contiguous = new KvCache(1, KV_HEADS, HEAD_DIM, context);
            for (int start = 0; start < context; start += 256) {
                int len = Math.min(256, context - start);
                Tensor k = Tensor.randn(start, 1, KV_HEADS, len, HEAD_DIM);
                Tensor v = Tensor.randn(start + 1, 1, KV_HEADS, len, HEAD_DIM);
                paged.append(seq, k, v);
                contiguous.append(k, v);
            }
            q = Tensor.randn(5, 1, HEADS, 1, HEAD_DIM);
            scale = 1.0 / Math.sqrt(HEAD_DIM);
            kvBytes = 2.0 * KV_HEADS * context * HEAD_DIM * 4;
        }
    }

    /**
     * Attention read through the block table.
     *
     * @param c the caches
     * @param r the counters
     * @return the result
     */
    @Benchmark
    public AttentionResult paged(Caches c, Rates r) {
        r.kvGBs += 1e-9 * c.kvBytes;
        return c.paged.query(c.seq, c.q, c.scale);
    }

    /**
     * Attention over the contiguous cache.
     *
     * @param c the caches
     * @param r the counters
     * @return the result
     */
    @Benchmark
    public AttentionResult contiguous(Caches c, Rates r) {
        r.kvGBs += 1e-9 * c.kvBytes;
        return c.contiguous.query(c.q, AttentionMask.causal(), c.scale, null);
    }

    /**
     * Gathering the blocks into contiguous tensors, then SDPA.
     *
     * @param c the caches
     * @param r the counters
     * @return the result
     */
    @Benchmark
    public AttentionResult gatherThenSdpa(Caches c, Rates r) {
        r.kvGBs += 1e-9 * c.kvBytes;
        return ScaledDotProductAttention.forwardWithStats(
                c.q, c.paged.keys(c.seq), c.paged.values(c.seq), AttentionMask.causal(), null, c.scale, false);
    }
}
