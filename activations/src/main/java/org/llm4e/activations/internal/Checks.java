package org.llm4e.activations.internal;

/**
 * Argument checks shared by the activation and normalization classes. Every failure is an
 * {@link IllegalArgumentException} whose message names the parameter, the value and what was expected.
 */
public final class Checks {
    private Checks() {}

    /**
     * Checks that {@code [off, off + n)} lies inside {@code array}.
     *
     * @param name the parameter's name
     * @param array the array
     * @param off the first index
     * @param n the number of elements
     * @throws IllegalArgumentException if the range does not fit
     */
    public static void range(String name, float[] array, int off, int n) {
        if (array == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (off < 0 || (long) off + n > array.length) {
            throw new IllegalArgumentException(name + " range [" + off + ", " + ((long) off + n)
                    + ") must lie inside an array of length " + array.length);
        }
    }

    /**
     * Checks that two arrays have the same length.
     *
     * @param aName the first parameter's name
     * @param aLength its length
     * @param bName the second parameter's name
     * @param bLength its length
     * @throws IllegalArgumentException if the lengths differ
     */
    public static void sameLength(String aName, int aLength, String bName, int bLength) {
        if (aLength != bLength) {
            throw new IllegalArgumentException(
                    aName + " has length " + aLength + " but " + bName + " has length " + bLength + "; expected equal");
        }
    }

    /**
     * Checks that a parameter is finite.
     *
     * @param name the parameter's name
     * @param value its value
     * @return the value
     * @throws IllegalArgumentException if it is NaN or infinite
     */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
        return value;
    }

    /**
     * Checks that a parameter is finite and strictly positive.
     *
     * @param name the parameter's name
     * @param value its value
     * @return the value
     * @throws IllegalArgumentException otherwise
     */
    public static double positive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
        return value;
    }

    /**
     * Checks that a parameter is finite and not negative.
     *
     * @param name the parameter's name
     * @param value its value
     * @return the value
     * @throws IllegalArgumentException otherwise
     */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /**
     * Checks that a dimension is at least 1.
     *
     * @param name the parameter's name
     * @param value its value
     * @return the value
     * @throws IllegalArgumentException otherwise
     */
    public static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
        return value;
    }
}
