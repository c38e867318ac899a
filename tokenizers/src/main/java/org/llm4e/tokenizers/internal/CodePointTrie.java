package org.llm4e.tokenizers.internal;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable double-array trie from code-point sequences to non-negative ids: the vocabulary look-up of the
 * tokenizers that try every piece starting at a position (WordPiece's longest match, Unigram's lattice). Walking it
 * from a start position visits each following code point once and finds every key that is a prefix of the rest of
 * the text, where a hash map needs one substring and one hash per (start, end) pair.
 *
 * <pre>
 *   code(cp)   = a dense symbol 1…A for each code point that occurs in a key (0: occurs in none)
 *   child(s, cp) = t = base[s] + code(cp)   if t is in range and check[t] == s,   else none
 *   value[t]   = the id of the key that ends at node t, or -1
 * </pre>
 *
 * <p>Node 0 is the root (the empty prefix). The three arrays are filled depth first from the sorted keys, each
 * node's children at the lowest base where all their slots are free (Aoe's double array, as Darts and
 * SentencePiece's trie lay it out). Symbols are numbered by how often they label an edge, most frequent first, which
 * packs the array densely. A code point below U+10000 is mapped through an array, a supplementary one by binary
 * search.
 *
 * <p>Lone surrogates are code points like any other: a key or a text is decoded with {@link
 * String#codePointAt(int)}, so a string and its code-point sequence determine each other.
 *
 * <p>Thread-safe once built.
 */
public final class CodePointTrie {
    /** What {@link #value(int)} and the look-ups return where no key ends. */
    public static final int NO_VALUE = -1;

    private static final int FREE = -1;

    private final int[] bmpCodes; // code of cp for cp < bmpCodes.length, 0 = not in any key
    private final int[] supplementary; // sorted code points ≥ bmpCodes.length that occur in keys
    private final int[] supplementaryCodes;
    private final int[] base;
    private final int[] check;
    private final int[] values;
    private final int maxKeyLength;
    private final int keyCount;

    private CodePointTrie(
            int[] bmpCodes,
            int[] supplementary,
            int[] supplementaryCodes,
            int[] base,
            int[] check,
            int[] values,
            int maxKeyLength,
            int keyCount) {
        this.bmpCodes = bmpCodes;
        this.supplementary = supplementary;
        this.supplementaryCodes = supplementaryCodes;
        this.base = base;
        this.check = check;
        this.values = values;
        this.maxKeyLength = maxKeyLength;
        this.keyCount = keyCount;
    }

    /**
     * Builds a trie from strings, each decoded into code points.
     *
     * @param keys the keys; a key given twice keeps the value given last
     * @param values the id of each key, ≥ 0
     * @return the trie
     * @throws IllegalArgumentException if the lengths differ, a key is null or empty, or a value is negative
     */
    public static CodePointTrie ofStrings(List<String> keys, int[] values) {
        int[][] cps = new int[keys.size()][];
        for (int i = 0; i < cps.length; i++) {
            String k = keys.get(i);
            if (k == null) {
                throw new IllegalArgumentException("keys[" + i + "] must be a string, got null");
            }
            cps[i] = k.codePoints().toArray();
        }
        return of(cps, values);
    }

    /**
     * Builds a trie from code-point sequences.
     *
     * @param keys the keys (not modified); a key given twice keeps the value given last
     * @param values the id of each key, ≥ 0
     * @return the trie
     * @throws IllegalArgumentException if the lengths differ, a key is null or empty or holds a negative code
     *     point, or a value is negative
     */
    public static CodePointTrie of(int[][] keys, int[] values) {
        if (keys == null || values == null || keys.length != values.length) {
            throw new IllegalArgumentException("keys and values must be of equal length, got "
                    + (keys == null ? "null" : keys.length) + " keys and "
                    + (values == null ? "null" : values.length) + " values");
        }
        int maxCp = 0;
        int maxLength = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null || keys[i].length == 0) {
                throw new IllegalArgumentException("keys[" + i + "] must be a non-empty sequence, got "
                        + (keys[i] == null ? "null" : "an empty one"));
            }
            if (values[i] < 0) {
                throw new IllegalArgumentException("values[" + i + "] must be >= 0, got " + values[i]);
            }
            for (int cp : keys[i]) {
                if (cp < 0) {
                    throw new IllegalArgumentException("keys[" + i + "] must hold code points >= 0, got " + cp);
                }
                maxCp = Math.max(maxCp, cp);
            }
            maxLength = Math.max(maxLength, keys[i].length);
        }
        // symbols: count each code point over all keys, number them most frequent first
        int[] distinct = Arrays.stream(keys)
                .flatMapToInt(Arrays::stream)
                .distinct()
                .sorted()
                .toArray();
        long[] byCount = new long[distinct.length];
        int[] counts = new int[distinct.length];
        for (int[] k : keys) {
            for (int cp : k) {
                counts[Arrays.binarySearch(distinct, cp)]++;
            }
        }
        for (int i = 0; i < distinct.length; i++) {
            // descending count, then ascending code point: deterministic
            byCount[i] = ((long) (Integer.MAX_VALUE - counts[i]) << 32) | i;
        }
        Arrays.sort(byCount);
        int[] codeOfDistinct = new int[distinct.length];
        for (int rank = 0; rank < byCount.length; rank++) {
            codeOfDistinct[(int) byCount[rank]] = rank + 1;
        }
        int bmpLength = Math.min(maxCp, 0xFFFF) + 1;
        int[] bmpCodes = new int[bmpLength];
        int supplementaryFrom = 0;
        while (supplementaryFrom < distinct.length && distinct[supplementaryFrom] < bmpLength) {
            bmpCodes[distinct[supplementaryFrom]] = codeOfDistinct[supplementaryFrom];
            supplementaryFrom++;
        }
        int[] supplementary = Arrays.copyOfRange(distinct, supplementaryFrom, distinct.length);
        int[] supplementaryCodes = Arrays.copyOfRange(codeOfDistinct, supplementaryFrom, distinct.length);

        // keys as symbol sequences, sorted; equal keys in input order so that the last one wins
        int[][] symbols = new int[keys.length][];
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < keys.length; i++) {
            symbols[i] = new int[keys[i].length];
            for (int j = 0; j < keys[i].length; j++) {
                symbols[i][j] = codeOfDistinct[Arrays.binarySearch(distinct, keys[i][j])];
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Arrays.compare(symbols[a], symbols[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[][] sorted = new int[keys.length][];
        int[] sortedValues = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            sorted[i] = symbols[order[i]];
            sortedValues[i] = values[order[i]];
        }
        Builder b = new Builder(Math.max(64, keys.length * 2));
        b.occupy(0, -2); // the root is nobody's child
        int keyCount = keys.length == 0 ? 0 : b.place(0, sorted, sortedValues, 0, keys.length, 0);
        int size = b.used + 1;
        return new CodePointTrie(
                bmpCodes,
                supplementary,
                supplementaryCodes,
                Arrays.copyOf(b.base, size),
                Arrays.copyOf(b.check, size),
                Arrays.copyOf(b.values, size),
                maxLength,
                keyCount);
    }

    /** The growing arrays of the double array and the placement of children. */
    private static final class Builder {
        int[] base;
        int[] check;
        int[] values;
        int[] nextFree; // union-find: nextFree[p] leads to the lowest free slot ≥ p
        int used; // highest occupied slot

        Builder(int capacity) {
            base = new int[capacity];
            check = new int[capacity];
            values = new int[capacity];
            nextFree = new int[capacity];
            Arrays.fill(check, FREE);
            Arrays.fill(values, NO_VALUE);
            Arrays.setAll(nextFree, i -> i);
        }

        void occupy(int slot, int parent) {
            ensure(slot + 1);
            check[slot] = parent;
            nextFree[slot] = slot + 1;
            used = Math.max(used, slot);
        }

        /** The lowest free slot ≥ p (path halving keeps the chains short). */
        int freeFrom(int p) {
            ensure(p);
            while (nextFree[p] != p) {
                int up = nextFree[p];
                ensure(up);
                nextFree[p] = nextFree[up];
                p = up;
            }
            return p;
        }

        void ensure(int slot) {
            if (slot < check.length) {
                return;
            }
            int n = Math.max(slot + 1, check.length * 2);
            int old = check.length;
            base = Arrays.copyOf(base, n);
            check = Arrays.copyOf(check, n);
            values = Arrays.copyOf(values, n);
            nextFree = Arrays.copyOf(nextFree, n);
            Arrays.fill(check, old, n, FREE);
            Arrays.fill(values, old, n, NO_VALUE);
            for (int i = old; i < n; i++) {
                nextFree[i] = i;
            }
        }

        /**
         * Fills node {@code node} for the keys {@code keys[lo, hi)}, which share their first {@code depth} symbols;
         * returns the number of distinct keys below it.
         */
        int place(int node, int[][] keys, int[] vals, int lo, int hi, int depth) {
            int distinctKeys = 0;
            while (lo < hi && keys[lo].length == depth) {
                values[node] = vals[lo++]; // equal keys: the last one (given last) wins
                distinctKeys = 1;
            }
            if (lo == hi) {
                return distinctKeys;
            }
            // the distinct symbols at this depth and where each one's range of keys starts
            int children = 0;
            for (int i = lo; i < hi; i++) {
                if (i == lo || keys[i][depth] != keys[i - 1][depth]) {
                    children++;
                }
            }
            int[] syms = new int[children];
            int[] starts = new int[children + 1];
            for (int i = lo, c = 0; i < hi; i++) {
                if (i == lo || keys[i][depth] != keys[i - 1][depth]) {
                    syms[c] = keys[i][depth];
                    starts[c++] = i;
                }
            }
            starts[children] = hi;
            int b = findBase(syms);
            base[node] = b;
            for (int s : syms) {
                occupy(b + s, node);
            }
            for (int c = 0; c < children; c++) {
                distinctKeys += place(b + syms[c], keys, vals, starts[c], starts[c + 1], depth + 1);
            }
            return distinctKeys;
        }

        /** The lowest base ≥ 0 at which every {@code base + sym} is free. */
        private int findBase(int[] syms) {
            int first = syms[0];
            for (int p = freeFrom(first); ; p = freeFrom(p + 1)) {
                int b = p - first;
                boolean fits = true;
                for (int k = 1; k < syms.length && fits; k++) {
                    int slot = b + syms[k];
                    fits = slot >= check.length || check[slot] == FREE;
                }
                if (fits) {
                    return b;
                }
            }
        }
    }

    /**
     * Returns the root node (the empty prefix).
     *
     * @return 0
     */
    public int root() {
        return 0;
    }

    /**
     * Follows one code point.
     *
     * @param node a node
     * @param codePoint the next code point
     * @return the child node, or -1 if no key continues the node's prefix with that code point
     */
    public int child(int node, int codePoint) {
        int code = code(codePoint);
        if (code == 0) {
            return -1;
        }
        int t = base[node] + code;
        return t < check.length && check[t] == node ? t : -1;
    }

    /**
     * Returns the id of the key that ends at a node.
     *
     * @param node a node
     * @return the id, or {@link #NO_VALUE} if the node's prefix is not a key
     */
    public int value(int node) {
        return values[node];
    }

    private int code(int cp) {
        if (cp < bmpCodes.length) {
            return cp >= 0 ? bmpCodes[cp] : 0;
        }
        int i = Arrays.binarySearch(supplementary, cp);
        return i >= 0 ? supplementaryCodes[i] : 0;
    }

    /**
     * Finds the longest key that is a prefix of {@code text[from, to)}.
     *
     * @param text code points
     * @param from the first
     * @param to one past the last
     * @return {@code (length << 32) | id} of the longest matching key (length in code points), or -1 if none
     */
    public long longestPrefix(int[] text, int from, int to) {
        long found = -1;
        int node = 0;
        for (int i = from; i < to; i++) {
            node = child(node, text[i]);
            if (node < 0) {
                break;
            }
            int v = values[node];
            if (v >= 0) {
                found = ((long) (i + 1 - from) << 32) | v;
            }
        }
        return found;
    }

    /**
     * Finds the longest key that is a prefix of the code points of {@code text[from, to)}.
     *
     * @param text the text
     * @param from the first char
     * @param to one past the last char
     * @return {@code (end << 32) | id} of the longest matching key, where {@code end} is the char index after it,
     *     or -1 if none
     */
    public long longestPrefix(CharSequence text, int from, int to) {
        long found = -1;
        int node = 0;
        for (int i = from; i < to; ) {
            // the code points of the range itself: a high surrogate at its last char stands alone
            char c = text.charAt(i++);
            int cp = c;
            if (Character.isHighSurrogate(c) && i < to && Character.isLowSurrogate(text.charAt(i))) {
                cp = Character.toCodePoint(c, text.charAt(i++));
            }
            node = child(node, cp);
            if (node < 0) {
                break;
            }
            int v = values[node];
            if (v >= 0) {
                found = ((long) i << 32) | v;
            }
        }
        return found;
    }

    /**
     * Finds every key that is a prefix of {@code text[from, to)}, shortest first.
     *
     * @param text code points
     * @param from the first
     * @param to one past the last
     * @param lengths receives the length of each match (code points); at least {@link #maxKeyLength()} long
     * @param ids receives the id of each match; as long as {@code lengths}
     * @return the number of matches
     */
    public int prefixes(int[] text, int from, int to, int[] lengths, int[] ids) {
        int count = 0;
        int node = 0;
        int end = Math.min(to, from + maxKeyLength);
        for (int i = from; i < end; i++) {
            node = child(node, text[i]);
            if (node < 0) {
                break;
            }
            int v = values[node];
            if (v >= 0) {
                lengths[count] = i + 1 - from;
                ids[count++] = v;
            }
        }
        return count;
    }

    /**
     * Returns the length of the longest key.
     *
     * @return code points, 0 for an empty trie
     */
    public int maxKeyLength() {
        return maxKeyLength;
    }

    /**
     * Returns the number of distinct keys.
     *
     * @return the count
     */
    public int size() {
        return keyCount;
    }

    /**
     * Returns the number of slots of the double array (nodes plus the holes between them).
     *
     * @return the length of the arrays
     */
    public int slots() {
        return check.length;
    }
}
