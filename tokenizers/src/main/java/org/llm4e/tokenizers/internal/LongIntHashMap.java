package org.llm4e.tokenizers.internal;

import java.util.Arrays;

/**
 * An open-addressing hash map from non-negative {@code long} keys to {@code int} values, with linear probing and a
 * multiplicative (Fibonacci) hash. Pair keys {@code (left << 32) | right} of two non-negative ids are its use: the
 * BPE merge table and the trainer's pair index. Not thread-safe while it is written; safe to read concurrently once
 * it is no longer modified.
 */
public final class LongIntHashMap {
    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] values;
    private int size;
    private int shift;
    private int mask;

    /**
     * Creates a map sized for about {@code expected} entries.
     *
     * @param expected the expected number of entries
     */
    public LongIntHashMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, (int) Math.min(1 << 30, expected * 2L)) - 1) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    /**
     * Packs a pair of non-negative ids into one key.
     *
     * @param left the left id
     * @param right the right id
     * @return {@code (left << 32) | right}
     */
    public static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /**
     * Returns the value of a key.
     *
     * @param key a non-negative key
     * @param missing what to return when the key is absent
     * @return the value, or {@code missing}
     */
    public int get(long key, int missing) {
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return missing;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * Sets the value of a key.
     *
     * @param key a non-negative key
     * @param value the value
     */
    public void put(long key, int value) {
        if (key < 0) {
            throw new IllegalArgumentException("key must be non-negative, got " + key);
        }
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) {
                values[i] = value;
                return;
            }
            if (k == EMPTY) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    rehash();
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        allocate(oldKeys.length * 2);
        for (int j = 0; j < oldKeys.length; j++) {
            long key = oldKeys[j];
            if (key != EMPTY) {
                int i = slot(key);
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                values[i] = oldValues[j];
            }
        }
    }

    /**
     * Returns the number of entries.
     *
     * @return the size
     */
    public int size() {
        return size;
    }
}
