package org.llm4e.tokenizers.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The two shapes of {@link PairMerger} (array scan, heap) agree with each other and with minbpe's encode loop
 * ("find the lowest-rank pair, replace all its occurrences left to right"), on random merge tables over a small
 * alphabet (many repeated and overlapping pairs) and chunks long enough to need the heap.
 */
class PairMergerProperties {
    private static int[] minbpeEncode(int[] symbols, long[] pairs, int[] mergedIds) {
        List<Integer> ids = new ArrayList<>();
        for (int s : symbols) {
            ids.add(s);
        }
        while (ids.size() >= 2) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < ids.size(); i++) {
                long key = LongIntHashMap.pair(ids.get(i), ids.get(i + 1));
                for (int r = 0; r < pairs.length && r < best; r++) {
                    if (pairs[r] == key) {
                        best = r;
                    }
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int left = (int) (pairs[best] >>> 32);
            int right = (int) pairs[best];
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < ids.size(); ) {
                if (i + 1 < ids.size() && ids.get(i) == left && ids.get(i + 1) == right) {
                    out.add(mergedIds[best]);
                    i += 2;
                } else {
                    out.add(ids.get(i++));
                }
            }
            ids = out;
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Property(tries = 200)
    void linearHeapAndMinbpeAgree(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 5) int alphabet,
            @ForAll @IntRange(max = 40) int numMerges,
            @ForAll @IntRange(max = 600) int length) {
        Random rnd = new Random(seed);
        long[] pairs = new long[numMerges];
        int[] mergedIds = new int[numMerges];
        LongIntHashMap ranks = new LongIntHashMap(numMerges);
        int count = 0;
        for (int k = 0; k < numMerges; k++) {
            int id = alphabet + k;
            int left = rnd.nextInt(id);
            int right = rnd.nextInt(id);
            long key = LongIntHashMap.pair(left, right);
            if (ranks.get(key, -1) >= 0) {
                continue; // a pair is merged once
            }
            ranks.put(key, count);
            pairs[count] = key;
            mergedIds[count] = id;
            count++;
        }
        pairs = Arrays.copyOf(pairs, count);
        PairMerger merger = new PairMerger(ranks, mergedIds);
        int[] symbols = new int[length];
        for (int i = 0; i < length; i++) {
            symbols[i] = rnd.nextInt(alphabet);
        }
        int[] expected = minbpeEncode(symbols, pairs, mergedIds);

        int[] a = symbols.clone();
        int n = merger.mergeLinear(a, a.length, new int[a.length]);
        assertArrayEquals(expected, Arrays.copyOf(a, n), "linear");
        int[] b = symbols.clone();
        int m = merger.mergeHeap(b, b.length);
        assertArrayEquals(expected, Arrays.copyOf(b, m), "heap");
        int[] c = symbols.clone();
        int k = merger.merge(c, c.length, new int[c.length]);
        assertArrayEquals(expected, Arrays.copyOf(c, k), "dispatch");
    }
}
