package org.llm4e.tokenizers.internal;

/**
 * The encoding core of every byte-level BPE in the library: given a chunk as a sequence of symbol ids, repeatedly
 * merge the adjacent pair with the lowest rank (the earliest-learned merge), leftmost first among equal ranks, until
 * no adjacent pair has a rank.
 *
 * <p>This is minbpe's {@code encode} ("merge all occurrences of the lowest-rank pair, left to right") and tiktoken's
 * {@code _byte_pair_merge} ("merge the leftmost lowest-rank pair") at once: after merging one occurrence of the
 * lowest-rank pair, the next lowest is the same pair again (pairs containing the new symbol were learned later and
 * rank higher), so the two procedures produce the same sequence. tiktoken ranks the concatenated bytes instead of
 * the pair; for a vocabulary whose tokens are all reachable by merges the table of {@code (left, right) → rank}
 * built from it is the same function, which is how tiktoken encodings reuse this class.
 *
 * <p>Two shapes of the same algorithm: {@link #mergeLinear} (tiktoken's O(n·m) scan over an array, fastest for the
 * short chunks a regex pre-split produces) and {@link #mergeHeap} (a binary heap of (rank, position) over a linked
 * list, O(n log n), for long chunks such as raw-byte training text without a split). {@link #merge} picks one by
 * length; tests check that they agree. Immutable and thread-safe; callers pass their own scratch arrays.
 */
public final class PairMerger {
    /** No rank: the pair is not a merge. */
    public static final int NO_RANK = Integer.MAX_VALUE;

    /**
     * Chunks at least this long use {@link #mergeHeap}. Measured on cl100k with random lower-case words (single
     * thread, JDK 17): the scan is faster up to about 100 symbols, the heap from about 128 (tiktoken's Rust core, which
     * only has the scan, notes the same trade-off: "n is often very small").
     */
    public static final int LARGE_CHUNK = 128;

    private final LongIntHashMap ranks;
    private final int[] mergedIds;

    /**
     * Creates a merger from a merge table.
     *
     * @param ranks {@code pair(left, right) → rank}, see {@link LongIntHashMap#pair(int, int)}; not copied, must
     *     not be modified afterwards
     * @param mergedIds the id of the symbol that merge {@code rank} produces; not copied
     */
    public PairMerger(LongIntHashMap ranks, int[] mergedIds) {
        this.ranks = ranks;
        this.mergedIds = mergedIds;
    }

    /**
     * Returns the rank of a pair.
     *
     * @param left the left symbol id
     * @param right the right symbol id
     * @return the rank, or {@link #NO_RANK}
     */
    public int rank(int left, int right) {
        return ranks.get(LongIntHashMap.pair(left, right), NO_RANK);
    }

    /**
     * Returns the id a merge produces.
     *
     * @param rank the rank of the merge
     * @return the merged symbol id
     */
    public int mergedId(int rank) {
        return mergedIds[rank];
    }

    /**
     * Merges {@code symbols[0, n)} in place.
     *
     * @param symbols the chunk's symbols; overwritten with the result
     * @param n the number of symbols
     * @param scratch an array of at least {@code n} ints, overwritten
     * @return the number of symbols after merging
     */
    public int merge(int[] symbols, int n, int[] scratch) {
        return n < LARGE_CHUNK ? mergeLinear(symbols, n, scratch) : mergeHeap(symbols, n);
    }

    /**
     * The array form: keep the rank of every adjacent pair, find the minimum by a scan, merge, shift the tail left
     * and re-rank only the two pairs that changed.
     *
     * @param symbols the chunk's symbols; overwritten with the result
     * @param n the number of symbols
     * @param pairRanks an array of at least {@code n} ints, overwritten
     * @return the number of symbols after merging
     */
    public int mergeLinear(int[] symbols, int n, int[] pairRanks) {
        if (n < 2) {
            return n;
        }
        for (int i = 0; i + 1 < n; i++) {
            pairRanks[i] = rank(symbols[i], symbols[i + 1]);
        }
        while (n > 1) {
            int best = NO_RANK;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                if (pairRanks[i] < best) {
                    best = pairRanks[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            symbols[at] = mergedIds[best];
            // the right half disappears: shift symbols and pair ranks left by one
            System.arraycopy(symbols, at + 2, symbols, at + 1, n - at - 2);
            System.arraycopy(pairRanks, at + 2, pairRanks, at + 1, Math.max(0, n - at - 3));
            n--;
            if (at > 0) {
                pairRanks[at - 1] = rank(symbols[at - 1], symbols[at]);
            }
            if (at + 1 < n) {
                pairRanks[at] = rank(symbols[at], symbols[at + 1]);
            }
        }
        return n;
    }

    /**
     * The heap form: a doubly linked list over the positions, the current rank of the pair that starts at each live
     * position, and a min-heap of {@code (rank << 32 | position)} built in O(n) (Floyd) from the initial pairs.
     * Entries are never removed; a popped entry is acted on only if its position still starts a pair of that rank
     * (an array read, no second table lookup); otherwise it is stale and skipped. Equal ranks pop leftmost first,
     * as in the scan. O(n log n) for a chunk of n symbols, where the scan is O(n·m) for m merges.
     *
     * @param symbols the chunk's symbols; overwritten with the result
     * @param n the number of symbols
     * @return the number of symbols after merging
     */
    public int mergeHeap(int[] symbols, int n) {
        if (n < 2) {
            return n;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        int[] pairRank = new int[n]; // NO_RANK: no pair starts here (last live symbol, or merged away)
        long[] heap = new long[n + (n >>> 1) + 16];
        int size = 0;
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            int r = rank(symbols[i], symbols[i + 1]);
            pairRank[i] = r;
            if (r != NO_RANK) {
                heap[size++] = ((long) r << 32) | i;
            }
        }
        pairRank[n - 1] = NO_RANK;
        for (int k = (size >>> 1) - 1; k >= 0; k--) {
            siftDown(heap, size, k, heap[k]);
        }
        int live = n;
        while (size > 0) {
            long top = heap[0];
            size = pop(heap, size);
            int r = (int) (top >>> 32);
            int at = (int) top;
            if (pairRank[at] != r) {
                continue; // stale: this pair was merged away or changed since the entry was pushed
            }
            int right = next[at];
            symbols[at] = mergedIds[r];
            int after = next[right];
            next[at] = after;
            if (after >= 0) {
                prev[after] = at;
            }
            pairRank[right] = NO_RANK;
            live--;
            if (heap.length - size < 2) {
                heap = java.util.Arrays.copyOf(heap, heap.length * 2);
            }
            int before = prev[at];
            if (before >= 0) {
                int rb = rank(symbols[before], symbols[at]);
                pairRank[before] = rb;
                if (rb != NO_RANK) {
                    size = push(heap, size, ((long) rb << 32) | before);
                }
            }
            int ra = after >= 0 ? rank(symbols[at], symbols[after]) : NO_RANK;
            pairRank[at] = ra;
            if (ra != NO_RANK) {
                size = push(heap, size, ((long) ra << 32) | at);
            }
        }
        int out = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            symbols[out++] = symbols[i];
        }
        assert out == live;
        return out;
    }

    private static int push(long[] heap, int size, long value) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= value) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        int last = --size;
        if (last > 0) {
            siftDown(heap, last, 0, heap[last]);
        }
        return size;
    }

    /** Places {@code value} at {@code i} of the heap {@code heap[0, size)} and moves it down to its place. */
    private static void siftDown(long[] heap, int size, int i, long value) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= value) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = value;
    }
}
