package org.llm4e.tokenizers;

import java.util.Arrays;

/**
 * A byte trie from UTF-8 piece strings to ids, stored as one open-addressing hash table of edges
 * {@code (node, byte) → child}. It plays the role of the Darts double array that sentencepiece builds over its
 * vocabulary: walking the input byte by byte finds every piece that is a prefix of it.
 */
final class PieceTrie {
    private long[] edgeKeys = new long[1024];
    private int[] edgeChildren = new int[1024];
    private int edges;
    private int[] values = new int[256];
    private int nodes = 1;

    PieceTrie() {
        Arrays.fill(edgeKeys, -1L);
        Arrays.fill(values, -1);
    }

    /** Adds a key; a key added twice keeps the first value (callers reject duplicates before). */
    void put(byte[] key, int value) {
        int node = 0;
        for (byte b : key) {
            int child = child(node, b & 0xFF);
            if (child < 0) {
                child = addNode();
                addEdge(node, b & 0xFF, child);
            }
            node = child;
        }
        if (values[node] < 0) {
            values[node] = value;
        }
    }

    /**
     * The child of {@code node} on byte {@code b}, or -1.
     *
     * @param node a node (0 is the root)
     * @param b an unsigned byte
     */
    int child(int node, int b) {
        long key = ((long) node << 8) | b;
        int mask = edgeKeys.length - 1;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long k = edgeKeys[i];
            if (k == key) {
                return edgeChildren[i];
            }
            if (k == -1L) {
                return -1;
            }
        }
    }

    /** The value stored at a node, or -1 when no key ends there. */
    int value(int node) {
        return values[node];
    }

    /** The value of the key {@code s[from, to)}, or -1. */
    int get(byte[] s, int from, int to) {
        int node = 0;
        for (int i = from; i < to && node >= 0; i++) {
            node = child(node, s[i] & 0xFF);
        }
        return node < 0 ? -1 : values[node];
    }

    private int addNode() {
        if (nodes == values.length) {
            int old = values.length;
            values = Arrays.copyOf(values, old * 2);
            Arrays.fill(values, old, values.length, -1);
        }
        return nodes++;
    }

    private void addEdge(int node, int b, int child) {
        if (2 * (edges + 1) > edgeKeys.length) {
            long[] oldKeys = edgeKeys;
            int[] oldChildren = edgeChildren;
            edgeKeys = new long[oldKeys.length * 2];
            edgeChildren = new int[oldKeys.length * 2];
            Arrays.fill(edgeKeys, -1L);
            edges = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != -1L) {
                    insert(oldKeys[i], oldChildren[i]);
                }
            }
        }
        insert(((long) node << 8) | b, child);
    }

    private void insert(long key, int child) {
        int mask = edgeKeys.length - 1;
        int i = hash(key) & mask;
        while (edgeKeys[i] != -1L) {
            i = (i + 1) & mask;
        }
        edgeKeys[i] = key;
        edgeChildren[i] = child;
        edges++;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
