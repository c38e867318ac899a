package org.llm4e.tokenizers.internal;

import java.util.Arrays;

/** A growable {@code int} array without boxing. Not thread-safe. */
public final class IntList {
    private int[] data;
    private int size;

    /** Creates an empty list with room for 16 values. */
    public IntList() {
        this(16);
    }

    /**
     * Creates an empty list.
     *
     * @param capacity the initial capacity
     */
    public IntList(int capacity) {
        data = new int[Math.max(1, capacity)];
    }

    /**
     * Appends a value.
     *
     * @param value the value
     */
    public void add(int value) {
        if (size == data.length) {
            data = Arrays.copyOf(data, grow(data.length, size + 1));
        }
        data[size++] = value;
    }

    /**
     * Appends {@code n} values of an array.
     *
     * @param values the source
     * @param off the first value
     * @param n how many
     */
    public void addAll(int[] values, int off, int n) {
        if (size + n > data.length) {
            data = Arrays.copyOf(data, grow(data.length, size + n));
        }
        System.arraycopy(values, off, data, size, n);
        size += n;
    }

    private static int grow(int current, int needed) {
        long next = Math.max((long) current * 2, needed);
        if (next > Integer.MAX_VALUE - 8) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("IntList cannot hold " + needed + " values");
            }
            next = Integer.MAX_VALUE - 8;
        }
        return (int) next;
    }

    /**
     * Returns a value.
     *
     * @param i the index
     * @return the value at {@code i}
     */
    public int get(int i) {
        return data[i];
    }

    /**
     * Returns the number of values.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /** Removes every value, keeping the capacity. */
    public void clear() {
        size = 0;
    }

    /**
     * Drops the values from {@code newSize} on, keeping the capacity.
     *
     * @param newSize the size to keep, in {@code [0, size()]}
     * @throws IllegalArgumentException if {@code newSize} is out of that range
     */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("newSize must be in [0, " + size + "], got " + newSize);
        }
        size = newSize;
    }

    /**
     * Returns the backing array (valid up to {@link #size()}); it is replaced when the list grows.
     *
     * @return the live array
     */
    public int[] array() {
        return data;
    }

    /**
     * Returns a copy of the values.
     *
     * @return a new array of length {@link #size()}
     */
    public int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
