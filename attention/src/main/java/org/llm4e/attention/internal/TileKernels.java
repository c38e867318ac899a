package org.llm4e.attention.internal;

import org.llm4e.core.Simd;

/**
 * The arithmetic inside one FlashAttention tile, behind one interface so that a scalar reference and a Vector API
 * implementation can be swapped ({@link Simd#load}): the small matrix products {@code S = QKᵀ}, {@code P·V},
 * {@code dO·Vᵀ}, {@code Pᵀ·dO}, {@code dSᵀ·Q}, {@code dS·K}, the exponentials of a score tile and the online-softmax
 * step. Arguments are trusted (the tiled loops compute them from checked shapes); nothing here allocates, and each
 * call works on one thread, so results depend only on the tile, never on the thread count.
 */
public interface TileKernels {
    /** The implementation chosen for this JVM: the Vector API kernels when available, else the scalar reference. */
    TileKernels PREFERRED = Simd.load(
            TileKernels.class, "org.llm4e.attention.internal.simd.PanamaTileKernels", new ScalarTileKernels());

    /**
     * {@code C ← alpha·op(A)·B + beta·C} for small row-major tiles; {@code beta = 0} does not read C.
     *
     * @param transA whether A is stored transposed: {@code op(A)[i][p]} is {@code a[aOff + p·lda + i]} instead of
     *     {@code a[aOff + i·lda + p]}
     * @param m rows of C
     * @param n columns of C
     * @param k the inner dimension
     * @param alpha scale of the product
     * @param a A's array
     * @param aOff A's first element
     * @param lda A's row stride as stored
     * @param b B's array, {@code k × n} row-major
     * @param bOff B's first element
     * @param ldb B's row stride
     * @param beta scale of C's old value
     * @param c C's array, {@code m × n} row-major
     * @param cOff C's first element
     * @param ldc C's row stride
     */
    void gemm(
            boolean transA,
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
     * {@code s[i][j] ← exp(s[i][j] − shift)}, where the shift is {@code shift[shiftOff + i]} (per row) or
     * {@code shift[shiftOff + j]} (per column); a shift of {@code −∞} (a query with no allowed key) gives 0.
     *
     * @param perRow whether the shift belongs to the row (else to the column)
     * @param rows rows of the tile
     * @param cols columns of the tile
     * @param s the tile
     * @param sOff its first element
     * @param lds its row stride
     * @param shift the shifts
     * @param shiftOff the first shift
     */
    void expShifted(boolean perRow, int rows, int cols, float[] s, int sOff, int lds, float[] shift, int shiftOff);

    /**
     * One online-softmax step over a <em>transposed</em> score tile {@code sᵀ[key][query]}, for every query column q:
     *
     * <pre>
     *   m' = max(m[q], max_key sᵀ[key][q])
     *   sᵀ[key][q] ← exp(sᵀ[key][q] − m')        (0 for every key while m' = −∞)
     *   rescale[q] = exp(m[q] − m')               (1 when m' = m[q])
     *   l[q] ← rescale[q]·l[q] + Σ_key sᵀ[key][q],   m[q] ← m'
     * </pre>
     *
     * @param keys rows of the tile
     * @param queries columns of the tile
     * @param s the tile; becomes P̃ᵀ
     * @param sOff its first element
     * @param lds its row stride
     * @param m running maxima, one per query
     * @param l running sums, one per query
     * @param rescale receives each query's factor for its accumulated output
     */
    void softmaxStepColumns(int keys, int queries, float[] s, int sOff, int lds, float[] m, float[] l, float[] rescale);
}
