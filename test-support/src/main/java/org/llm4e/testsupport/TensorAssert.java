package org.llm4e.testsupport;

import java.util.Arrays;
import org.llm4e.core.Tensor;
import org.opentest4j.AssertionFailedError;

/**
 * Element-wise closeness assertions that report the first mismatch: its index (flat and, for tensors, per
 * dimension), both values, the difference and the tolerance.
 *
 * <p>The rule is {@code torch.allclose}'s: {@code |actual − expected| ≤ atol + rtol·|expected|}; equal infinities
 * match; NaN matches NaN only here (golden files record NaN where PyTorch produces it, and a test should be able to
 * assert it).
 */
public final class TensorAssert {
    private TensorAssert() {}

    /**
     * Asserts that two tensors have the same shape and close elements.
     *
     * @param expected the reference
     * @param actual the value under test
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        assertClose(expected, actual, rtol, atol, "");
    }

    /**
     * Asserts that two tensors have the same shape and close elements.
     *
     * @param expected the reference
     * @param actual the value under test
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @param message a prefix for the failure message
     */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String message) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionFailedError(prefix(message) + "shape mismatch: expected "
                    + Arrays.toString(expected.shape()) + ", got " + Arrays.toString(actual.shape()));
        }
        int[] shape = expected.shape();
        float[] e = expected.data();
        float[] a = actual.data();
        for (int i = 0; i < e.length; i++) {
            if (!close(a[i], e[i], rtol, atol)) {
                throw mismatch(message, i, Arrays.toString(unravel(i, shape)), e[i], a[i], rtol, atol);
            }
        }
    }

    /**
     * Asserts element-wise closeness of two float arrays.
     *
     * @param expected the reference
     * @param actual the value under test
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @param message a prefix for the failure message
     */
    public static void assertClose(float[] expected, float[] actual, double rtol, double atol, String message) {
        checkLength(expected.length, actual.length, message);
        for (int i = 0; i < expected.length; i++) {
            if (!close(actual[i], expected[i], rtol, atol)) {
                throw mismatch(message, i, null, expected[i], actual[i], rtol, atol);
            }
        }
    }

    /**
     * Asserts element-wise closeness of two float arrays.
     *
     * @param expected the reference
     * @param actual the value under test
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     */
    public static void assertClose(float[] expected, float[] actual, double rtol, double atol) {
        assertClose(expected, actual, rtol, atol, "");
    }

    /**
     * Asserts element-wise closeness of a float32 result to double reference values.
     *
     * @param expected the reference
     * @param actual the value under test
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @param message a prefix for the failure message
     */
    public static void assertClose(double[] expected, float[] actual, double rtol, double atol, String message) {
        checkLength(expected.length, actual.length, message);
        for (int i = 0; i < expected.length; i++) {
            if (!close(actual[i], expected[i], rtol, atol)) {
                throw mismatch(message, i, null, expected[i], actual[i], rtol, atol);
            }
        }
    }

    /**
     * Asserts element-wise closeness of two double arrays.
     *
     * @param expected the reference
     * @param actual the value under test
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @param message a prefix for the failure message
     */
    public static void assertClose(double[] expected, double[] actual, double rtol, double atol, String message) {
        checkLength(expected.length, actual.length, message);
        for (int i = 0; i < expected.length; i++) {
            if (!close(actual[i], expected[i], rtol, atol)) {
                throw mismatch(message, i, null, expected[i], actual[i], rtol, atol);
            }
        }
    }

    /**
     * Asserts that two float arrays are bit-for-bit identical (NaN payloads aside).
     *
     * @param expected the reference
     * @param actual the value under test
     * @param message a prefix for the failure message
     */
    public static void assertIdentical(float[] expected, float[] actual, String message) {
        checkLength(expected.length, actual.length, message);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw mismatch(message, i, null, expected[i], actual[i], 0, 0);
            }
        }
    }

    /**
     * The closeness rule, with NaN matching NaN.
     *
     * @param actual the value under test
     * @param expected the reference
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @return whether the two are close
     */
    public static boolean close(double actual, double expected, double rtol, double atol) {
        if (Double.isNaN(actual) && Double.isNaN(expected)) {
            return true;
        }
        return Tensor.isClose(actual, expected, rtol, atol);
    }

    private static void checkLength(int expected, int actual, String message) {
        if (expected != actual) {
            throw new AssertionFailedError(
                    prefix(message) + "length mismatch: expected " + expected + ", got " + actual);
        }
    }

    private static AssertionFailedError mismatch(
            String message, int index, String position, double expected, double actual, double rtol, double atol) {
        double tolerance = atol + rtol * Math.abs(expected);
        return new AssertionFailedError(prefix(message) + "first mismatch at index " + index
                + (position != null ? " " + position : "") + ": expected " + expected + ", got " + actual
                + " (|diff| = " + Math.abs(actual - expected) + ", tolerance = " + tolerance + " from rtol=" + rtol
                + ", atol=" + atol + ")");
    }

    private static String prefix(String message) {
        return message == null || message.isEmpty() ? "" : message + ": ";
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }
}
