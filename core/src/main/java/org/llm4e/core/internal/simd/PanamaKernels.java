package org.llm4e.core.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.core.KernelProvider;
import org.llm4e.core.Parallel;

/**
 * The Vector API kernels ({@code jdk.incubator.vector}), loaded by {@code Simd} only when the JVM has the module.
 *
 * <ul>
 *   <li><b>SGEMM</b>: packed, cache-blocked, with a 6×32 register-blocked micro-kernel; see {@link PanamaSgemm}.
 *   <li><b>SGEMV</b>: without transpose, four rows of A share each load of x (4 independent FMA chains); with
 *       transpose, y accumulates {@code x[i]·A[i][·]} row by row in column chunks that fit in L1. Both split the work
 *       into fixed groups (4 rows, 256 columns), so results do not depend on the thread count.
 *   <li><b>Reductions</b> ({@link #dot}, {@link #sum}, {@link #max}): four vector accumulators, so consecutive FMAs do
 *       not wait on each other's 4-cycle latency; vectorised when the slice holds at least two vectors (below that a
 *       horizontal reduction costs more than it saves, as in Lucene).
 *   <li><b>Element-wise math</b> ({@link #exp}, {@link #expAndSum}, {@link #tanh}, {@link #sigmoid}): the polynomial
 *       {@link VectorMath} functions; the scalar tail uses their scalar twins, so every element gets the same bits
 *       wherever it falls in the slice.
 * </ul>
 *
 * <p>Results agree with {@link org.llm4e.core.ScalarKernels} to float rounding, not bit for bit: FMAs round once where
 * the scalar code rounds twice, and sums are taken in a different order.
 */
public final class PanamaKernels implements KernelProvider {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of A per sgemv group. */
    private static final int GEMV_ROWS = 4;
    /** Columns of y per transposed-sgemv chunk: the accumulator (1 KiB) stays in L1. */
    private static final int GEMV_COLS = 256;
    /** Per-thread accumulator of the transposed sgemv. */
    private static final Scratch GEMV_ACC = new Scratch();
    // Lane rotations for the fixed-order reduction: lane i of HALF_w is lane (i + w) mod L. Separate constants, not
    // an array: C2 keeps a shuffle from a static final field in a register, while one loaded from an array is boxed
    // on JDK 25 (hundreds of bytes per reduction).
    private static final VectorShuffle<Float> HALF_32 = rotation(32);
    private static final VectorShuffle<Float> HALF_16 = rotation(16);
    private static final VectorShuffle<Float> HALF_8 = rotation(8);
    private static final VectorShuffle<Float> HALF_4 = rotation(4);
    private static final VectorShuffle<Float> HALF_2 = rotation(2);
    private static final VectorShuffle<Float> HALF_1 = rotation(1);

    /** Creates the Vector API provider. */
    public PanamaKernels() {}

    @Override
    public void sgemm(
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
        PanamaSgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void sgemv(
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
        // Also PanamaSgemm's path for a single row of C.
        if (!transA) {
            int groups = (m + GEMV_ROWS - 1) / GEMV_ROWS;
            int grain = Math.max(1, (1 << 16) / Math.max(1, GEMV_ROWS * n));
            Parallel.forRange(0, groups, grain, (lo, hi) -> {
                for (int g = lo; g < hi; g++) {
                    int i = g * GEMV_ROWS;
                    if (i + GEMV_ROWS <= m) {
                        dot4(a, aOff + i * lda, lda, x, xOff, n, alpha, beta, y, yOff + i);
                    } else {
                        for (; i < m; i++) {
                            float acc = dot1(a, aOff + i * lda, x, xOff, n);
                            store(acc, alpha, beta, y, yOff + i);
                        }
                    }
                }
            });
        } else {
            int chunks = (n + GEMV_COLS - 1) / GEMV_COLS;
            int grain = Math.max(1, (1 << 16) / Math.max(1, GEMV_COLS * m));
            Parallel.forRange(0, chunks, grain, (lo, hi) -> {
                float[] acc = GEMV_ACC.floats(GEMV_COLS);
                for (int chunk = lo; chunk < hi; chunk++) {
                    int j0 = chunk * GEMV_COLS;
                    int width = Math.min(GEMV_COLS, n - j0);
                    java.util.Arrays.fill(acc, 0, GEMV_COLS, 0f);
                    for (int i = 0; i < m; i++) {
                        axpyRange(x[xOff + i], a, aOff + i * lda + j0, acc, 0, width);
                    }
                    for (int j = 0; j < width; j++) {
                        store(acc[j], alpha, beta, y, yOff + j0 + j);
                    }
                }
            });
        }
    }

    /** Four rows of {@code alpha·A·x + beta·y} sharing each load of x; each row's sum is formed as in {@link #dot1}. */
    private static void dot4(
            float[] a, int row0, int lda, float[] x, int xOff, int n, float alpha, float beta, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xOff + j);
            s0 = FloatVector.fromArray(S, a, row0 + j).fma(xv, s0);
            s1 = FloatVector.fromArray(S, a, row0 + lda + j).fma(xv, s1);
            s2 = FloatVector.fromArray(S, a, row0 + 2 * lda + j).fma(xv, s2);
            s3 = FloatVector.fromArray(S, a, row0 + 3 * lda + j).fma(xv, s3);
        }
        finishRow(reduce(s0), a, row0, x, xOff, j, n, alpha, beta, y, yOff);
        finishRow(reduce(s1), a, row0 + lda, x, xOff, j, n, alpha, beta, y, yOff + 1);
        finishRow(reduce(s2), a, row0 + 2 * lda, x, xOff, j, n, alpha, beta, y, yOff + 2);
        finishRow(reduce(s3), a, row0 + 3 * lda, x, xOff, j, n, alpha, beta, y, yOff + 3);
    }

    /** Adds the scalar tail {@code [j, n)} of one row to its reduced vector sum and stores the row's result. */
    private static void finishRow(
            float acc,
            float[] a,
            int row,
            float[] x,
            int xOff,
            int j,
            int n,
            float alpha,
            float beta,
            float[] y,
            int yi) {
        for (int jj = j; jj < n; jj++) {
            acc = Math.fma(a[row + jj], x[xOff + jj], acc);
        }
        store(acc, alpha, beta, y, yi);
    }

    /** {@code y[yi] ← alpha·acc + beta·y[yi]}, without reading {@code y[yi]} when {@code beta == 0} (BLAS). */
    private static void store(float acc, float alpha, float beta, float[] y, int yi) {
        y[yi] = beta == 0f ? alpha * acc : alpha * acc + beta * y[yi];
    }

    /** One row's dot product with the same arithmetic as a row of {@link #dot4}. */
    private static float dot1(float[] a, int row, float[] x, int xOff, int n) {
        FloatVector s = FloatVector.zero(S);
        int j = 0;
        for (; j + L <= n; j += L) {
            s = FloatVector.fromArray(S, a, row + j).fma(FloatVector.fromArray(S, x, xOff + j), s);
        }
        float acc = reduce(s);
        for (; j < n; j++) {
            acc = Math.fma(a[row + j], x[xOff + j], acc);
        }
        return acc;
    }

    /**
     * Sums the lanes in a fixed order (halving: lane i gets lane i + L/2, then lane i + L/4, …), so a reduction gives
     * the same bits wherever it is called; {@code reduceLanes(ADD)} leaves the order to the implementation. Each
     * halving adds the vector to a rotation of itself, which keeps everything in registers: copying the lanes to an
     * array (as a scalar loop would need) allocates 80 bytes per call even in compiled code.
     */
    static float reduce(FloatVector v) {
        // L is a constant, so the JIT keeps only the steps this machine needs (L ≤ 64 floats: 2048-bit vectors).
        if (L >= 64) {
            v = v.add(v.rearrange(HALF_32));
        }
        if (L >= 32) {
            v = v.add(v.rearrange(HALF_16));
        }
        if (L >= 16) {
            v = v.add(v.rearrange(HALF_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(HALF_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(HALF_2));
        }
        if (L >= 2) {
            v = v.add(v.rearrange(HALF_1));
        }
        return v.lane(0);
    }

    private static VectorShuffle<Float> rotation(int width) {
        return VectorShuffle.fromOp(S, i -> (i + width) % L);
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float result = 0f;
        if (n >= 2 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (; i + 4 * L <= n; i += 4 * L) {
                s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
                s1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), s1);
                s2 = FloatVector.fromArray(S, a, aOff + i + 2 * L)
                        .fma(FloatVector.fromArray(S, b, bOff + i + 2 * L), s2);
                s3 = FloatVector.fromArray(S, a, aOff + i + 3 * L)
                        .fma(FloatVector.fromArray(S, b, bOff + i + 3 * L), s3);
            }
            for (; i + L <= n; i += L) {
                s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
            }
            result = reduce(s0.add(s1).add(s2.add(s3)));
        }
        for (; i < n; i++) {
            result = Math.fma(a[aOff + i], b[bOff + i], result);
        }
        return result;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        axpyRange(alpha, x, xOff, y, yOff, n);
    }

    private static void axpyRange(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            va.fma(FloatVector.fromArray(S, x, xOff + i), FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void scale(float alpha, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        int i = 0;
        float result = 0f;
        if (n >= 2 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (; i + 4 * L <= n; i += 4 * L) {
                s0 = s0.add(FloatVector.fromArray(S, x, off + i));
                s1 = s1.add(FloatVector.fromArray(S, x, off + i + L));
                s2 = s2.add(FloatVector.fromArray(S, x, off + i + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, x, off + i + 3 * L));
            }
            for (; i + L <= n; i += L) {
                s0 = s0.add(FloatVector.fromArray(S, x, off + i));
            }
            result = reduce(s0.add(s1).add(s2.add(s3)));
        }
        for (; i < n; i++) {
            result += x[off + i];
        }
        return result;
    }

    @Override
    public float max(float[] x, int off, int n) {
        int i = 0;
        float result = Float.NEGATIVE_INFINITY;
        if (n >= 2 * L) {
            // max is exact, so the order does not matter; lanewise max propagates NaN as Math.max does.
            FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0, m2 = m0, m3 = m0;
            for (; i + 4 * L <= n; i += 4 * L) {
                m0 = m0.max(FloatVector.fromArray(S, x, off + i));
                m1 = m1.max(FloatVector.fromArray(S, x, off + i + L));
                m2 = m2.max(FloatVector.fromArray(S, x, off + i + 2 * L));
                m3 = m3.max(FloatVector.fromArray(S, x, off + i + 3 * L));
            }
            for (; i + L <= n; i += L) {
                m0 = m0.max(FloatVector.fromArray(S, x, off + i));
            }
            result = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            result = Math.max(result, x[off + i]);
        }
        return result;
    }

    @Override
    public float expAndSum(float[] x, int xOff, float[] y, int yOff, int n, float shift) {
        int i = 0;
        float result = 0f;
        if (n >= L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            for (; i + 2 * L <= n; i += 2 * L) {
                FloatVector e0 =
                        VectorMath.exp(FloatVector.fromArray(S, x, xOff + i).sub(shift));
                FloatVector e1 =
                        VectorMath.exp(FloatVector.fromArray(S, x, xOff + i + L).sub(shift));
                e0.intoArray(y, yOff + i);
                e1.intoArray(y, yOff + i + L);
                s0 = s0.add(e0);
                s1 = s1.add(e1);
            }
            for (; i + L <= n; i += L) {
                FloatVector e =
                        VectorMath.exp(FloatVector.fromArray(S, x, xOff + i).sub(shift));
                e.intoArray(y, yOff + i);
                s0 = s0.add(e);
            }
            result = reduce(s0.add(s1));
        }
        for (; i < n; i++) {
            float e = VectorMath.exp(x[xOff + i] - shift);
            y[yOff + i] = e;
            result += e;
        }
        return result;
    }

    @Override
    public void exp(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMath.exp(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = VectorMath.exp(x[xOff + i]);
        }
    }

    @Override
    public void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMath.tanh(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = VectorMath.tanh(x[xOff + i]);
        }
    }

    @Override
    public void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMath.sigmoid(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = VectorMath.sigmoid(x[xOff + i]);
        }
    }
}
