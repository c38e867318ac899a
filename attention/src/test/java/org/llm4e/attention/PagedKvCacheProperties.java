package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.attention.estimate.KvCacheFragmentation;
import org.llm4e.core.Tensor;

class PagedKvCacheProperties {
    /**
     * Random add / fork / append / free operations against a plain model (one list of token values per sequence):
     * every sequence reads back its own tokens, reference counts equal the number of tables holding a block, used +
     * free = all blocks, and the waste stays under one block per live sequence.
     */
    @Property(tries = 80)
    void blockBookkeepingMatchesAPlainModel(
            @ForAll @IntRange(min = 1, max = 6) int blockSize,
            @ForAll @IntRange(min = 4, max = 40) int numBlocks,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(numBlocks)
                .blockSize(blockSize)
                .kvHeads(2)
                .headDim(1)
                .build();
        Map<Integer, List<Float>> model = new HashMap<>();
        float next = 1;
        for (int op = 0; op < 60; op++) {
            List<Integer> live = new ArrayList<>(model.keySet());
            int choice = live.isEmpty() ? 0 : r.nextInt(4);
            if (choice == 0) {
                model.put(cache.addSequence(), new ArrayList<>());
            } else if (choice == 1) {
                int parent = live.get(r.nextInt(live.size()));
                model.put(cache.fork(parent), new ArrayList<>(model.get(parent)));
            } else if (choice == 2) {
                int seq = live.get(r.nextInt(live.size()));
                int n = 1 + r.nextInt(2 * blockSize);
                float[] data = new float[2 * n];
                for (int t = 0; t < n; t++) {
                    data[t] = next + t; // kv head 0
                    data[n + t] = -(next + t); // kv head 1
                }
                Tensor kv = Tensor.of(data, 1, 2, n, 1);
                int freeBefore = cache.freeBlockCount();
                try {
                    cache.append(seq, kv, kv);
                    for (int t = 0; t < n; t++) {
                        model.get(seq).add(next + t);
                    }
                    next += n;
                } catch (IllegalStateException full) {
                    assertEquals(freeBefore, cache.freeBlockCount(), "a refused append changes nothing");
                }
            } else {
                int seq = live.get(r.nextInt(live.size()));
                cache.free(seq);
                model.remove(seq);
                assertThrows(IllegalArgumentException.class, () -> cache.length(seq));
            }
            check(cache, model, numBlocks, blockSize);
        }
    }

    private static void check(PagedKvCache cache, Map<Integer, List<Float>> model, int numBlocks, int blockSize) {
        int[] holders = new int[numBlocks];
        for (Map.Entry<Integer, List<Float>> e : model.entrySet()) {
            int seq = e.getKey();
            List<Float> tokens = e.getValue();
            assertEquals(tokens.size(), cache.length(seq));
            Tensor k = cache.keys(seq);
            for (int t = 0; t < tokens.size(); t++) {
                assertEquals(tokens.get(t), k.get(0, 0, t, 0), "seq " + seq + " token " + t);
                assertEquals(-tokens.get(t), k.get(0, 1, t, 0), "seq " + seq + " token " + t + " head 1");
            }
            int[] table = cache.blockTable(seq);
            assertEquals((tokens.size() + blockSize - 1) / blockSize, table.length);
            for (int b : table) {
                holders[b]++;
            }
        }
        int used = 0;
        for (int b = 0; b < numBlocks; b++) {
            assertEquals(holders[b], cache.refCount(b), "block " + b);
            if (holders[b] > 0) {
                used++;
            }
        }
        assertEquals(used, cache.usedBlockCount());
        assertEquals(numBlocks, cache.usedBlockCount() + cache.freeBlockCount());
        assertTrue(cache.wastedSlots() < (long) Math.max(1, model.size()) * blockSize);
    }

    @Property(tries = 50)
    void pagedWastePerSequenceIsUnderOneBlock(
            @ForAll @IntRange(min = 1, max = 64) int blockSize,
            @ForAll @IntRange(min = 1, max = 50) int sequences,
            @ForAll long seed) {
        int[] lengths = KvCacheFragmentation.uniformLengths(seed, sequences, 1, 500);
        KvCacheFragmentation.Result res = KvCacheFragmentation.simulate(lengths, blockSize, 500);
        assertTrue(res.maxPagedWastePerSequence() < blockSize);
        assertTrue(res.pagedSlots() - res.tokens() < (long) sequences * blockSize);
        assertTrue(res.pagedSlots() <= res.reservedSlots() + (long) sequences * blockSize);
    }
}
