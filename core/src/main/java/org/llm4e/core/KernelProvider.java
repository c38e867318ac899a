package org.llm4e.core;

/**
 * The BLAS-shaped kernels, implemented twice: {@link ScalarKernels} (plain Java, the readable reference) and a Vector
 * API implementation chosen by {@link Simd}. {@link Kernels} is the checked, static front door; implementations
 * assume their arguments were validated there.
 *
 * <p>Matrices are row-major with a leading dimension (the distance between the starts of two rows), so a kernel can
 * work on any rectangular slice of a larger array without copying, as in CBLAS with {@code CblasRowMajor}.
 */
public interface KernelProvider {

    /**
     * {@code C ← alpha·op(A)·op(B) + beta·C} where {@code op(X)} is {@code X} or {@code Xᵀ}; {@code op(A)} is
     * {@code m×k}, {@code op(B)} is {@code k×n}, {@code C} is {@code m×n}. When {@code beta == 0}, {@code C} is not read
     * (NaN in C does not propagate), as in reference BLAS.
     *
     * @param transA whether A is stored transposed ({@code k×m})
     * @param transB whether B is stored transposed ({@code n×k})
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k the inner dimension
     * @param alpha scale of the product
     * @param a A's array
     * @param aOff offset of A's first element
     * @param lda A's leading dimension
     * @param b B's array
     * @param bOff offset of B's first element
     * @param ldb B's leading dimension
     * @param beta scale of C's old value
     * @param c C's array
     * @param cOff offset of C's first element
     * @param ldc C's leading dimension
     */
    void sgemm(
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
            int ldc);

    /**
     * {@code y ← alpha·op(A)·x + beta·y} with A stored as {@code m×n}; {@code x} has {@code n} elements and {@code y}
     * {@code m} (or {@code m} and {@code n} when transposed). When {@code beta == 0}, {@code y} is not read.
     *
     * @param transA whether to use Aᵀ
     * @param m rows of the stored A
     * @param n columns of the stored A
     * @param alpha scale of the product
     * @param a A's array
     * @param aOff offset of A's first element
     * @param lda A's leading dimension
     * @param x the vector's array
     * @param xOff offset of x's first element
     * @param beta scale of y's old value
     * @param y the result's array
     * @param yOff offset of y's first element
     */
    void sgemv(
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
            int yOff);

    /**
     * {@code Σ a[aOff+i]·b[bOff+i]} for {@code i < n}.
     *
     * @param a first vector's array
     * @param aOff its offset
     * @param b second vector's array
     * @param bOff its offset
     * @param n the length
     * @return the dot product
     */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * {@code y ← alpha·x + y}.
     *
     * @param alpha the scale
     * @param x the added vector's array
     * @param xOff its offset
     * @param y the accumulator's array
     * @param yOff its offset
     * @param n the length
     */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * {@code x ← alpha·x}.
     *
     * @param alpha the scale
     * @param x the vector's array
     * @param xOff its offset
     * @param n the length
     */
    void scale(float alpha, float[] x, int xOff, int n);

    /**
     * {@code Σ x[off+i]}.
     *
     * @param x the array
     * @param off the offset
     * @param n the length
     * @return the sum (0 for {@code n == 0})
     */
    float sum(float[] x, int off, int n);

    /**
     * {@code max x[off+i]}; NaN if any element is NaN.
     *
     * @param x the array
     * @param off the offset
     * @param n the length
     * @return the maximum ({@code -Infinity} for {@code n == 0})
     */
    float max(float[] x, int off, int n);

    /**
     * {@code y[i] ← exp(x[i] − shift)} and returns {@code Σ y[i]}: the heart of a numerically stable softmax, where
     * {@code shift} is the row maximum. In place ({@code x == y}, same offset) is allowed.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     * @param shift subtracted before exponentiating
     * @return the sum of the exponentials
     */
    float expAndSum(float[] x, int xOff, float[] y, int yOff, int n, float shift);

    /**
     * {@code y[i] ← e^x[i]} on slices; in place ({@code x == y}, same offset) is allowed. The Vector API provider's
     * exponential is within 1 ulp of the correctly rounded value and gives the same bits on every JDK and CPU (see
     * {@code VectorMath}); the scalar provider rounds {@link Math#exp} to float.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     */
    void exp(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * {@code y[i] ← tanh(x[i])} on slices; in place allowed. Within a few ulps of the correctly rounded value.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     */
    void tanh(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * {@code y[i] ← σ(x[i]) = 1/(1 + e^−x[i])} on slices; in place allowed. Within a few ulps of the correctly rounded
     * value, including the tiny results of large negative inputs.
     *
     * @param x the input array
     * @param xOff its offset
     * @param y the output array
     * @param yOff its offset
     * @param n the length
     */
    void sigmoid(float[] x, int xOff, float[] y, int yOff, int n);
}
