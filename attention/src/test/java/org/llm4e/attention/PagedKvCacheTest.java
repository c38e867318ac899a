package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

class PagedKvCacheTest {
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-6;

    /** A one-dimensional key/value per token whose value is the token's index, to follow it through the blocks. */
    static Tensor token(int index) {
        return Tensor.of(new float[] {index}, 1, 1, 1, 1);
    }

    @Test
    void alanTuringReplayEndsInBlocks7_1_3Filled4_4_2() {
        // VLLM gif 3: block size 4; the pool happens to hand out physical blocks 7, 1, 3 first.
        String[] words = "Alan Turing is a computer scientist and mathematician renowned for".split(" ");
        assertEquals(10, words.length);
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(8)
                .blockSize(4)
                .kvHeads(1)
                .headDim(1)
                .freeBlockOrder(7, 1, 3, 0, 2, 4, 5, 6)
                .build();
        int seq = cache.addSequence();
        // Prefill: the 7-token prompt "Alan Turing is a computer scientist and".
        Tensor prompt = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6}, 1, 1, 7, 1);
        cache.append(seq, prompt, prompt);
        assertArrayEquals(new int[] {7, 1}, cache.blockTable(seq));
        assertArrayEquals(new int[] {4, 3}, cache.filledSlots(seq));
        // Decode "mathematician" fills block 1; "renowned" takes block 3 on demand; "for" goes next to it.
        cache.append(seq, token(7), token(7));
        assertArrayEquals(new int[] {7, 1}, cache.blockTable(seq));
        assertArrayEquals(new int[] {4, 4}, cache.filledSlots(seq));
        cache.append(seq, token(8), token(8));
        cache.append(seq, token(9), token(9));
        assertArrayEquals(new int[] {7, 1, 3}, cache.blockTable(seq));
        assertArrayEquals(new int[] {4, 4, 2}, cache.filledSlots(seq));
        assertEquals(
                "logical 0 → physical 7, filled 4/4, ref 1\nlogical 1 → physical 1, filled 4/4, ref 1\n"
                        + "logical 2 → physical 3, filled 2/4, ref 1\n",
                cache.describe(seq));
        // The tokens come back in order through the table, and the waste is the last block's 2 empty slots.
        for (int t = 0; t < 10; t++) {
            assertEquals(t, cache.keys(seq).get(0, 0, t, 0), words[t]);
        }
        assertEquals(2, cache.wastedSlots());
        assertEquals(5, cache.freeBlockCount());
    }

    @Test
    void forkSharesBlocksAndCopiesOnWrite() {
        // VLLM gif 5: two samples of one prompt share its blocks (ref count 2); the first write into the shared,
        // partly filled last block copies it, after which both counts are 1.
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(6)
                .blockSize(4)
                .kvHeads(1)
                .headDim(1)
                .build();
        int a = cache.addSequence();
        Tensor prompt = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 6, 1);
        cache.append(a, prompt, prompt);
        int b = cache.fork(a);
        assertArrayEquals(cache.blockTable(a), cache.blockTable(b));
        assertEquals(2, cache.refCount(0));
        assertEquals(2, cache.refCount(1));
        assertEquals(2, cache.usedBlockCount());
        cache.append(a, token(100), token(100));
        assertEquals(1, cache.copiesOnWrite());
        int[] ta = cache.blockTable(a);
        int[] tb = cache.blockTable(b);
        assertEquals(0, ta[0]);
        assertEquals(0, tb[0]); // the full first block stays shared
        assertEquals(2, cache.refCount(0));
        assertTrue(ta[1] != tb[1]);
        assertEquals(1, cache.refCount(ta[1]));
        assertEquals(1, cache.refCount(tb[1]));
        cache.append(b, token(200), token(200));
        assertEquals(1, cache.copiesOnWrite(), "b's last block is no longer shared: no second copy");
        assertEquals(100, cache.keys(a).get(0, 0, 6, 0));
        assertEquals(200, cache.keys(b).get(0, 0, 6, 0));
        assertEquals(5, cache.keys(b).get(0, 0, 5, 0), "the copy kept the prompt's tokens");
        // Freeing returns only the blocks nobody references any more.
        cache.free(a);
        assertEquals(1, cache.refCount(0));
        assertEquals(0, cache.refCount(ta[1]));
        assertEquals(6 - 2, cache.freeBlockCount());
        cache.free(b);
        assertEquals(6, cache.freeBlockCount());
        assertEquals(0, cache.wastedSlots());
        assertThrows(IllegalArgumentException.class, () -> cache.length(a));
    }

    @Test
    void freedBlocksAreReused() {
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(2)
                .blockSize(2)
                .kvHeads(1)
                .headDim(1)
                .build();
        int a = cache.addSequence();
        Tensor four = Tensor.zeros(1, 1, 4, 1);
        cache.append(a, four, four);
        int b = cache.addSequence();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.append(b, token(1), token(1)));
        assertTrue(e.getMessage().contains("needs 1 free blocks but the pool has 0"), e.getMessage());
        assertEquals(0, cache.length(b), "a failed append changes nothing");
        cache.free(a);
        cache.append(b, four, four);
        assertEquals(4, cache.length(b));
    }

    static Tensor randn(SplittableRandom r, int... shape) {
        return Tensor.randn(r.nextLong(), shape);
    }

    @Test
    void attentionThroughTheBlockTableEqualsAContiguousCache() {
        SplittableRandom r = new SplittableRandom(3);
        int heads = 6;
        int kvHeads = 2;
        int d = 8;
        PagedKvCache paged = PagedKvCache.builder()
                .numBlocks(16)
                .blockSize(3)
                .kvHeads(kvHeads)
                .headDim(d)
                .freeBlockOrder(9, 2, 14, 0, 5, 11, 7, 1, 3, 4, 6, 8, 10, 12, 13, 15)
                .build();
        KvCache contiguous = new KvCache(1, kvHeads, d, 20);
        int seq = paged.addSequence();
        int[] steps = {5, 1, 1, 3, 1, 1};
        for (int s : steps) {
            Tensor q = randn(r, 1, heads, s, d);
            Tensor k = randn(r, 1, kvHeads, s, d);
            Tensor v = randn(r, 1, kvHeads, s, d);
            AttentionResult p = paged.attend(seq, q, k, v);
            AttentionResult c = contiguous.attend(q, k, v);
            assertClose(c.output().data(), p.output().data(), RTOL, ATOL, "output after " + paged.length(seq));
            assertClose(c.logSumExp().data(), p.logSumExp().data(), RTOL, ATOL, "lse");
        }
        assertClose(contiguous.keys().data(), paged.keys(seq).data(), 0, 0, "gathered keys");
        assertClose(contiguous.values().data(), paged.values(seq).data(), 0, 0, "gathered values");
    }

    @Property(tries = 60)
    void pagedAttentionEqualsSdpaOverTheGatheredTokens(
            @ForAll @IntRange(min = 1, max = 5) int blockSize,
            @ForAll @IntRange(min = 1, max = 3) int kvHeads,
            @ForAll @IntRange(min = 1, max = 3) int group,
            @ForAll @IntRange(min = 1, max = 17) int prompt,
            @ForAll @IntRange(min = 0, max = 4) int decoded,
            @ForAll @IntRange(min = 1, max = 9) int d,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int heads = kvHeads * group;
        PagedKvCache paged = PagedKvCache.builder()
                .numBlocks(40)
                .blockSize(blockSize)
                .kvHeads(kvHeads)
                .headDim(d)
                .valueDim(d + 1)
                .build();
        int parent = paged.addSequence();
        Tensor k0 = randn(r, 1, kvHeads, prompt, d);
        Tensor v0 = randn(r, 1, kvHeads, prompt, d + 1);
        paged.append(parent, k0, v0);
        // A forked child diverges from its parent: both must still read their own tokens through their tables.
        int child = paged.fork(parent);
        for (int seq : new int[] {parent, child}) {
            for (int t = 0; t < decoded; t++) {
                paged.append(seq, randn(r, 1, kvHeads, 1, d), randn(r, 1, kvHeads, 1, d + 1));
            }
            int len = paged.length(seq);
            int qSeq = Math.min(len, 1 + r.nextInt(3));
            Tensor q = randn(r, 1, heads, qSeq, d);
            double scale = 0.5;
            AttentionResult p = paged.query(seq, q, scale);
            AttentionResult expected = ScaledDotProductAttention.forwardWithStats(
                    q, paged.keys(seq), paged.values(seq), AttentionMask.causal(), null, scale, false);
            assertClose(expected.output().data(), p.output().data(), RTOL, ATOL, "seq " + seq);
            assertClose(expected.logSumExp().data(), p.logSumExp().data(), RTOL, ATOL, "lse " + seq);
        }
        // Internal fragmentation: under one block per sequence.
        assertTrue(paged.wastedSlots() < 2L * blockSize);
    }

    @Test
    void badInputIsRejectedWithTheNameAndValue() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PagedKvCache.builder()
                        .numBlocks(4)
                        .blockSize(0)
                        .kvHeads(1)
                        .headDim(1)
                        .build());
        assertTrue(e.getMessage().contains("blockSize") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> PagedKvCache.builder()
                        .numBlocks(3)
                        .kvHeads(1)
                        .headDim(1)
                        .freeBlockOrder(0, 1, 1)
                        .build());
        assertTrue(e.getMessage().contains("freeBlockOrder") && e.getMessage().contains("[0, 1, 1]"), e.getMessage());
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(4)
                .blockSize(2)
                .kvHeads(2)
                .headDim(3)
                .build();
        int s = cache.addSequence();
        e = assertThrows(
                IllegalArgumentException.class,
                () -> cache.append(s, Tensor.zeros(1, 1, 1, 3), Tensor.zeros(1, 1, 1, 3)));
        assertTrue(e.getMessage().contains("[1, 1, 1, 3]") && e.getMessage().contains("[1, 2, s, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cache.fork(42));
        assertTrue(e.getMessage().contains("seq 42"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cache.query(s, Tensor.zeros(1, 2, 1, 3), 1.0));
        assertTrue(e.getMessage().contains("only 0 cached tokens"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cache.query(s, Tensor.zeros(1, 3, 1, 3), 1.0));
        assertTrue(e.getMessage().contains("multiple of 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cache.refCount(4));
        assertTrue(e.getMessage().contains("block") && e.getMessage().contains("4"), e.getMessage());
    }
}
