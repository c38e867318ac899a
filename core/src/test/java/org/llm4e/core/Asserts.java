package org.llm4e.core;

/**
 * Closeness assertions for core's own tests (core cannot use test-support, which depends on it). Each failure names
 * the first mismatching index, both values and the tolerance.
 */
final class Asserts {
    private Asserts() {}

    static void assertClose(float[] expected, float[] actual, double rtol, double atol, String label) {
        if (expected.length != actual.length) {
            throw new AssertionError(label + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (!Tensor.isClose(actual[i], expected[i], rtol, atol)
                    && !(Float.isNaN(actual[i]) && Float.isNaN(expected[i]))) {
                throw new AssertionError(label + ": first mismatch at index " + i + ": expected " + expected[i]
                        + ", got " + actual[i] + " (tolerance " + (atol + rtol * Math.abs(expected[i])) + ")");
            }
        }
    }

    static void assertIdentical(float[] expected, float[] actual, String label) {
        if (expected.length != actual.length) {
            throw new AssertionError(label + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(label + ": first difference at index " + i + ": expected " + expected[i]
                        + ", got " + actual[i]);
            }
        }
    }
}
