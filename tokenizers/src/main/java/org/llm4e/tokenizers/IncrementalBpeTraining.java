package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.llm4e.tokenizers.internal.LongIntHashMap;

/**
 * The fast byte-level BPE trainer: the same merges as {@link ReferenceBpeTraining} (minbpe), in time that grows with
 * the work each merge really does instead of with the whole text.
 *
 * <ul>
 *   <li><b>Deduplicated chunks.</b> Identical chunks (" the" occurs thousands of times) are stored once with a
 *       weight; a pair's count is Σ weight over its occurrences. Unique chunks are laid out one after another in the
 *       order of their first occurrence in the text, so a global position orders occurrences exactly as minbpe's
 *       scan (chunk in text order, then left to right) does.
 *   <li><b>Occurrence lists.</b> Each pair keeps the positions where it occurs; a merge visits only those, and
 *       updates only the counts of the neighbouring pairs it destroys ({@code (p, a)}, {@code (b, n)}) and creates
 *       ({@code (p, x)}, {@code (x, n)}). Tokens are a doubly linked list per chunk.
 *   <li><b>Priority queue with minbpe's tie-break.</b> The key is (count, −first position), where the first position
 *       is the earliest live occurrence: minbpe's dict order of the recount, since after earlier merges a pair's
 *       first occurrence in the current ids is its earliest surviving position. An existing pair only loses
 *       occurrences, so its count only falls and its first position only moves right: its key only decreases. A max
 *       heap with lazy updates is therefore exact: a popped entry whose key is stale is pushed again with the current
 *       key; only pairs that contain the new token are new, and they are pushed once, after the merge.
 *   <li><b>First position without a sorted set.</b> Every occurrence list is appended in increasing position
 *       order (the initial scan is in order; a merge visits its occurrences in order and each new pair receives
 *       positions in that order), and an occurrence, once destroyed, never comes back (positions only acquire newer
 *       tokens). So a per-pair cursor that skips destroyed entries finds the first live position, amortized O(1).
 * </ul>
 *
 * Cost: O(text) to split and deduplicate, then O(Σ occurrences touched · log pairs) over all merges.
 */
final class IncrementalBpeTraining {
    private final int[] sym;
    private final int[] next;
    private final int[] prev;
    private final int[] weight;

    private final LongIntHashMap pairIndex;
    private int pairs;
    private int[] pairLeft = new int[1024];
    private int[] pairRight = new int[1024];
    private int[] pairCount = new int[1024];
    private int[][] occurrences = new int[1024][];
    private int[] occurrenceSize = new int[1024];
    private int[] occurrenceHead = new int[1024];

    private long[] heapKey = new long[1024];
    private int[] heapPair = new int[1024];
    private int heapSize;

    private IncrementalBpeTraining(List<int[]> uniqueChunks, int[] weights) {
        long total = 0;
        for (int[] c : uniqueChunks) {
            total += c.length;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("text must have fewer than 2^31 distinct chunk bytes, got " + total);
        }
        int n = (int) total;
        sym = new int[n];
        next = new int[n];
        prev = new int[n];
        weight = new int[n];
        pairIndex = new LongIntHashMap(Math.max(1024, n / 8));
        int pos = 0;
        for (int u = 0; u < uniqueChunks.size(); u++) {
            int[] chunk = uniqueChunks.get(u);
            int w = weights[u];
            for (int i = 0; i < chunk.length; i++) {
                sym[pos + i] = chunk[i];
                prev[pos + i] = i > 0 ? pos + i - 1 : -1;
                next[pos + i] = i + 1 < chunk.length ? pos + i + 1 : -1;
                weight[pos + i] = w;
            }
            for (int i = 0; i + 1 < chunk.length; i++) {
                add(chunk[i], chunk[i + 1], w, pos + i);
            }
            pos += chunk.length;
        }
        for (int p = 0; p < pairs; p++) {
            push(key(pairCount[p], occurrences[p][0]), p);
        }
    }

    static List<Merge> train(
            List<int[]> uniqueChunks, int[] weights, int numMerges, ByteLevelBpeTrainer.MergeListener listener) {
        return new IncrementalBpeTraining(uniqueChunks, weights).run(numMerges, listener);
    }

    private List<Merge> run(int numMerges, ByteLevelBpeTrainer.MergeListener listener) {
        List<Merge> merges = new ArrayList<>(numMerges);
        for (int k = 0; k < numMerges; k++) {
            int best = pollBest();
            if (best < 0) {
                break; // no pair left anywhere
            }
            int count = pairCount[best];
            Merge merge = new Merge(pairLeft[best], pairRight[best], 256 + k);
            int firstNew = pairs;
            apply(best, merge.id());
            for (int p = firstNew; p < pairs; p++) {
                if (pairCount[p] > 0) {
                    push(key(pairCount[p], firstPosition(p)), p);
                }
            }
            occurrences[best] = null; // every occurrence is gone
            merges.add(merge);
            if (listener != null) {
                listener.onMerge(merge, count);
            }
        }
        return merges;
    }

    /** Pops entries until the top is current; returns its pair, or -1 when no pair has a positive count. */
    private int pollBest() {
        while (heapSize > 0) {
            long top = heapKey[0];
            int p = heapPair[0];
            pop();
            int c = pairCount[p];
            if (c <= 0) {
                continue;
            }
            long current = key(c, firstPosition(p));
            if (current != top) {
                push(current, p); // stale: the key only ever decreases, so re-queue with the true one
                continue;
            }
            return p;
        }
        return -1;
    }

    /** Replaces every live occurrence of pair {@code p}, left to right, by {@code x}. */
    private void apply(int p, int x) {
        int a = pairLeft[p];
        int b = pairRight[p];
        int[] occ = occurrences[p];
        int size = occurrenceSize[p];
        for (int h = occurrenceHead[p]; h < size; h++) {
            int at = occ[h];
            if (sym[at] != a) {
                continue;
            }
            int right = next[at];
            if (right < 0 || sym[right] != b) {
                continue; // destroyed earlier, or overlapped by the previous replacement ("aaa")
            }
            int w = weight[at];
            int before = prev[at];
            int after = next[right];
            if (before >= 0) {
                remove(sym[before], a, w);
                add(sym[before], x, w, before);
            }
            if (after >= 0) {
                remove(b, sym[after], w);
                add(x, sym[after], w, at);
            }
            pairCount[p] -= w;
            sym[at] = x;
            sym[right] = -1;
            next[at] = after;
            if (after >= 0) {
                prev[after] = at;
            }
        }
        assert pairCount[p] == 0 : "pair " + p + " still counted " + pairCount[p];
    }

    /** The earliest live occurrence of pair {@code p}: skips destroyed entries (they never revive). */
    private int firstPosition(int p) {
        int a = pairLeft[p];
        int b = pairRight[p];
        int[] occ = occurrences[p];
        int h = occurrenceHead[p];
        int size = occurrenceSize[p];
        while (h < size) {
            int at = occ[h];
            if (sym[at] == a) {
                int right = next[at];
                if (right >= 0 && sym[right] == b) {
                    break;
                }
            }
            h++;
        }
        occurrenceHead[p] = h;
        if (h == size) {
            throw new IllegalStateException(
                    "pair (" + a + ", " + b + ") has count " + pairCount[p] + " but no live occurrence");
        }
        return occ[h];
    }

    private static long key(int count, int firstPosition) {
        // larger count first; among equal counts the smaller position gives the larger low word
        return ((long) count << 32) | (0xFFFFFFFFL - firstPosition);
    }

    private void add(int a, int b, int w, int position) {
        long k = LongIntHashMap.pair(a, b);
        int p = pairIndex.get(k, -1);
        if (p < 0) {
            p = newPair(a, b);
            pairIndex.put(k, p);
        }
        pairCount[p] += w;
        int size = occurrenceSize[p];
        int[] occ = occurrences[p];
        if (size > 0 && occ[size - 1] == position) {
            return;
        }
        if (size == occ.length) {
            occ = Arrays.copyOf(occ, size * 2);
            occurrences[p] = occ;
        }
        occ[size] = position;
        occurrenceSize[p] = size + 1;
    }

    private void remove(int a, int b, int w) {
        int p = pairIndex.get(LongIntHashMap.pair(a, b), -1);
        pairCount[p] -= w;
    }

    private int newPair(int a, int b) {
        if (pairs == pairLeft.length) {
            int cap = pairs * 2;
            pairLeft = Arrays.copyOf(pairLeft, cap);
            pairRight = Arrays.copyOf(pairRight, cap);
            pairCount = Arrays.copyOf(pairCount, cap);
            occurrences = Arrays.copyOf(occurrences, cap);
            occurrenceSize = Arrays.copyOf(occurrenceSize, cap);
            occurrenceHead = Arrays.copyOf(occurrenceHead, cap);
        }
        int p = pairs++;
        pairLeft[p] = a;
        pairRight[p] = b;
        occurrences[p] = new int[2];
        return p;
    }

    private void push(long key, int pair) {
        if (heapSize == heapKey.length) {
            heapKey = Arrays.copyOf(heapKey, heapSize * 2);
            heapPair = Arrays.copyOf(heapPair, heapSize * 2);
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heapKey[parent] >= key) {
                break;
            }
            heapKey[i] = heapKey[parent];
            heapPair[i] = heapPair[parent];
            i = parent;
        }
        heapKey[i] = key;
        heapPair[i] = pair;
    }

    private void pop() {
        int last = --heapSize;
        long key = heapKey[last];
        int pair = heapPair[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && heapKey[child + 1] > heapKey[child]) {
                child++;
            }
            if (heapKey[child] <= key) {
                break;
            }
            heapKey[i] = heapKey[child];
            heapPair[i] = heapPair[child];
            i = child;
        }
        if (last > 0) {
            heapKey[i] = key;
            heapPair[i] = pair;
        }
    }
}
