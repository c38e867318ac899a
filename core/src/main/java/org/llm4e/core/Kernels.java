package org.llm4e.core;

import java.util.Arrays;

/**
 * The BLAS-shaped kernels every llm4e module computes with: checked, static entry points over the provider that
 * {@link Simd} chose for this JVM (the Vector API kernels when {@code --add-modules jdk.incubator.vector} is given,
 * else {@link ScalarKernels}).
 *
 * <p>The shapes follow BLAS (row-major, as CBLAS with {@code CblasRowMajor}): a matrix is an array, an offset and a
 * leading dimension, so a kernel works on a slice of a larger array (one head of an attention tensor, one block of a
 * weight matrix) without copying. Every argument is checked here: sizes must be non-negative, leading dimensions at
 * least the stored width, and every element the kernel touches must lie inside its array; a violation is an
 * {@link IllegalArgumentException} naming the parameter, its value and what was expected.
 *
 * <p>The kernels split large problems across the library pool ({@link Parallel}); results do not depend on the
 * number of threads. Results of the scalar and Vector API providers agree to rounding (the Vector API kernels use
 * fused multiply-adds and several partial sums).
 */
public final class Kernels {
    private static final KernelProvider PROVIDER =
            Simd.load(KernelProvider.class, "org.llm4e.core.internal.simd.PanamaKernels", new ScalarKernels());

    private Kernels() {}

    /**
     * The provider in use.
     *
     * @return the kernels chosen for this JVM
     */
    public static KernelProvider provider() {
        return PROVIDER;
    }

    /**
     * Whether the Vector API provider is in use.
     *
     * @return false when the scalar kernels were chosen
     */
    public static boolean vectorized() {
        return !(PROVIDER instanceof ScalarKernels);
    }

    /**
     * {@code C ← alpha·op(A)·op(B) + beta·C}; see {@link KernelProvider#sgemm}.
     *
     * @param transA whether A is stored transposed ({@code k×m})
     * @param transB whether B is stored transposed ({@code n×k})
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k the inner dimension
     * @param alpha scale of the product
     * @param a A's array
     * @param aOff offset of A's first element
     * @param lda A's leading dimension, ≥ its stored width ({@code k}, or {@code m} when transposed)
     * @param b B's array
     * @param bOff offset of B's first element
     * @param ldb B's leading dimension, ≥ its stored width ({@code n}, or {@code k} when transposed)
     * @param beta scale of C's old value ({@code 0}: C is not read)
     * @param c C's array
     * @param cOff offset of C's first element
     * @param ldc C's leading dimension, ≥ n
     */
    public static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        nonNegative("m", m);
        nonNegative("n", n);
        nonNegative("k", k);
        checkMatrix("a", a, aOff, "lda", lda, transA ? k : m, transA ? m : k);
        checkMatrix("b", b, bOff, "ldb", ldb, transB ? n : k, transB ? k : n);
        checkMatrix("c", c, cOff, "ldc", ldc, m, n);
        PROVIDER.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@code y ← alpha·op(A)·x + beta·y} with A stored as {@code m×n}: without transpose x has n elements and y has m;
     * with transpose x has m and y has n.
     *
     * @param transA whether to use Aᵀ
     * @param m rows of the stored A
     * @param n columns of the stored A
     * @param alpha scale of the product
     * @param a A's array
     * @param aOff offset of A's first element
     * @param lda A's leading dimension, ≥ n
     * @param x the vector's array
     * @param xOff offset of x's first element
     * @param beta scale of y's old value ({@code 0}: y is not read)
     * @param y the result's array
     * @param yOff offset of y's first element
     */
    public static void sgemv(
            boolean transA,
            int m,
            int n,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] x,
            int xOff,
            float beta,
            float[] y,
            int yOff) {
        nonNegative("m", m);
        nonNegative("n", n);
        checkMatrix("a", a, aOff, "lda", lda, m, n);
        checkVector("x", x, xOff, transA ? m : n);
        checkVector("y", y, yOff, transA ? n : m);
        PROVIDER.sgemv(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    /**
     * The dot product of two slices.
     *
     * @param a first array
     * @param aOff its offset
     * @param b second array
     * @param bOff its offset
     * @param n the length
     * @return {@code Σ a[aOff+i]·b[bOff+i]}
     */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        checkVector("a", a, aOff, n);
        checkVector("b", b, bOff, n);
        return PROVIDER.dot(a, aOff, b, bOff, n);
    }

    /**
     * The dot product of two whole arrays of equal length.
     *
     * @param a first vector
     * @param b second vector
     * @return {@code Σ a[i]·b[i]}
     */
    public static float dot(float[] a, float[] b) {
        sameLength("a", a, "b", b);
        return PROVIDER.dot(a, 0, b, 0, a.length);
    }

    /**
     * {@code y ← alpha·x + y} on slices.
     *
     * @param alpha the scale
     * @param x the added array
     * @param xOff its offset
     * @param y the accumulator
     * @param yOff its offset
     * @param n the length
     */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        PROVIDER.axpy(alpha, x, xOff, y, yOff, n);
    }

    /**
     * {@code x ← alpha·x} on a slice.
     *
     * @param alpha the scale
     * @param x the array
     * @param xOff its offset
     * @param n the length
     */
    public static void scale(float alpha, float[] x, int xOff, int n) {
        checkVector("x", x, xOff, n);
        PROVIDER.scale(alpha, x, xOff, n);
    }

    /**
     * The sum of a slice.
     *
     * @param x the array
     * @param off the offset
     * @param n the length
     * @return the sum
     */
    public static float sum(float[] x, int off, int n) {
        checkVector("x", x, off, n);
        return PROVIDER.sum(x, off, n);
    }

    /**
     * The maximum of a slice ({@code -Infinity} when empty, NaN if any element is NaN).
     *
     * @param x the array
     * @param off the offset
     * @param n the length
     * @return the maximum
     */
    public static float max(float[] x, int off, int n) {
        checkVector("x", x, off, n);
        return PROVIDER.max(x, off, n);
    }

    /**
     * {@code y[i] ← exp(x[i] − shift)}, returning the sum of the exponentials (in place allowed).
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     * @param shift subtracted before exponentiating (the row maximum, for a stable softmax)
     * @return {@code Σ y[i]}
     */
    public static float expAndSum(float[] x, int xOff, float[] y, int yOff, int n, float shift) {
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        return PROVIDER.expAndSum(x, xOff, y, yOff, n, shift);
    }

    /**
     * {@code y[i] ← e^x[i]} on slices (in place allowed); see {@link KernelProvider#exp}.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     */
    public static void exp(float[] x, int xOff, float[] y, int yOff, int n) {
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        PROVIDER.exp(x, xOff, y, yOff, n);
    }

    /**
     * {@code y[i] ← tanh(x[i])} on slices (in place allowed); see {@link KernelProvider#tanh}.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     */
    public static void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        PROVIDER.tanh(x, xOff, y, yOff, n);
    }

    /**
     * {@code y[i] ← 1/(1 + e^−x[i])} on slices (in place allowed); see {@link KernelProvider#sigmoid}.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     */
    public static void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        checkVector("x", x, xOff, n);
        checkVector("y", y, yOff, n);
        PROVIDER.sigmoid(x, xOff, y, yOff, n);
    }

    /**
     * The matrix product of two rank-2 tensors, {@code [m, k] × [k, n] → [m, n]}.
     *
     * @param a the left matrix
     * @param b the right matrix
     * @return a new tensor
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, false, b, false);
    }

    /**
     * The product {@code op(a)·op(b)} of two rank-2 tensors; with {@code transB} this is {@code x·Wᵀ}, the
     * {@code nn.Linear} product for weights stored {@code [out, in]}.
     *
     * @param a the left matrix
     * @param transA whether to use {@code aᵀ}
     * @param b the right matrix
     * @param transB whether to use {@code bᵀ}
     * @return a new tensor {@code [m, n]}
     */
    public static Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("matmul needs rank-2 tensors, got shapes " + Arrays.toString(a.shape())
                    + " and " + Arrays.toString(b.shape()));
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw new IllegalArgumentException("matmul inner dimensions differ: a " + Arrays.toString(a.shape())
                    + (transA ? "ᵀ" : "") + " and b " + Arrays.toString(b.shape()) + (transB ? "ᵀ" : ""));
        }
        Tensor c = Tensor.zeros(m, n);
        sgemm(transA, transB, m, n, k, 1f, a.data(), 0, a.dim(1), b.data(), 0, b.dim(1), 0f, c.data(), 0, n);
        return c;
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    private static void sameLength(String aName, float[] a, String bName, float[] b) {
        requireArray(aName, a);
        requireArray(bName, b);
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    aName + ".length (" + a.length + ") must equal " + bName + ".length (" + b.length + ")");
        }
    }

    private static void requireArray(String name, float[] array) {
        if (array == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    /** Checks that the slice {@code [off, off + n)} lies inside {@code array}. */
    static void checkVector(String name, float[] array, int off, int n) {
        requireArray(name, array);
        nonNegative(name + " length", n);
        if (off < 0 || (long) off + n > array.length) {
            throw new IllegalArgumentException(name + " slice [" + off + ", " + ((long) off + n)
                    + ") must lie inside the array of length " + array.length);
        }
    }

    /** Checks a stored {@code rows × cols} matrix at {@code off} with leading dimension {@code ld}. */
    static void checkMatrix(String name, float[] array, int off, String ldName, int ld, int rows, int cols) {
        requireArray(name, array);
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(
                    ldName + " must be >= max(1, " + cols + ") (the stored width of " + name + "), got " + ld);
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + off);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (last > array.length) {
            throw new IllegalArgumentException(name + " (" + rows + "×" + cols + " at offset " + off + " with " + ldName
                    + "=" + ld + ") needs " + last + " elements, but the array has " + array.length);
        }
    }
}
