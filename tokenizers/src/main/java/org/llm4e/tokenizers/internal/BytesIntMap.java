package org.llm4e.tokenizers.internal;

import java.util.Arrays;

/**
 * An immutable open-addressing map from byte strings to non-negative {@code int}s, queried with a range of an {@code
 * int[]} of byte values (the symbol buffer of the encoder) so that looking up a whole chunk allocates nothing. All keys
 * live in one {@code byte[]}. Thread-safe once built.
 */
public final class BytesIntMap {
    private final byte[] pool;
    private final int[] offsets; // key i = pool[offsets[i], offsets[i + 1])
    private final int[] valuesByKey;
    private final int[] table; // key index + 1, 0 = empty
    private final int mask;

    /**
     * Builds the map.
     *
     * @param keys the keys (distinct)
     * @param values the value of each key
     * @throws IllegalArgumentException if a key occurs twice
     */
    public BytesIntMap(byte[][] keys, int[] values) {
        int total = 0;
        for (byte[] k : keys) {
            total += k.length;
        }
        pool = new byte[total];
        offsets = new int[keys.length + 1];
        int at = 0;
        for (int i = 0; i < keys.length; i++) {
            System.arraycopy(keys[i], 0, pool, at, keys[i].length);
            at += keys[i].length;
            offsets[i + 1] = at;
        }
        valuesByKey = values.clone();
        int capacity = Integer.highestOneBit(Math.max(16, keys.length * 2) - 1) << 1;
        table = new int[capacity];
        mask = capacity - 1;
        for (int i = 0; i < keys.length; i++) {
            int slot = hash(keys[i]) & mask;
            while (table[slot] != 0) {
                if (Arrays.equals(keys[i], keyOf(table[slot] - 1))) {
                    throw new IllegalArgumentException("keys must be distinct, got a duplicate at index " + i);
                }
                slot = (slot + 1) & mask;
            }
            table[slot] = i + 1;
        }
    }

    private byte[] keyOf(int index) {
        return Arrays.copyOfRange(pool, offsets[index], offsets[index + 1]);
    }

    private static int hash(byte[] key) {
        int h = 0x811C9DC5;
        for (byte b : key) {
            h = (h ^ (b & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }

    private static int hash(int[] symbols, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h = (h ^ symbols[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }

    /**
     * Looks up the bytes {@code symbols[from, to)} (each an int in {@code [0, 255]}).
     *
     * @param symbols byte values
     * @param from the first
     * @param to one past the last
     * @param missing what to return when absent
     * @return the value, or {@code missing}
     */
    public int get(int[] symbols, int from, int to, int missing) {
        int n = to - from;
        int slot = hash(symbols, from, to) & mask;
        while (true) {
            int entry = table[slot];
            if (entry == 0) {
                return missing;
            }
            int k = entry - 1;
            int start = offsets[k];
            if (offsets[k + 1] - start == n && equal(symbols, from, start, n)) {
                return valuesByKey[k];
            }
            slot = (slot + 1) & mask;
        }
    }

    private boolean equal(int[] symbols, int from, int start, int n) {
        for (int i = 0; i < n; i++) {
            if ((pool[start + i] & 0xFF) != symbols[from + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Looks up a byte string.
     *
     * @param key the bytes
     * @param missing what to return when absent
     * @return the value, or {@code missing}
     */
    public int get(byte[] key, int missing) {
        int[] s = new int[key.length];
        for (int i = 0; i < key.length; i++) {
            s[i] = key[i] & 0xFF;
        }
        return get(s, 0, s.length, missing);
    }
}
