package org.llm4e.core;

/**
 * The plain-Java kernels: the readable reference that the Vector API kernels are tested against, and the fallback when
 * the JVM lacks {@code jdk.incubator.vector}.
 *
 * <p><b>SGEMM, blocked.</b> The textbook triple loop {@code C[i][j] += A[i][p]·B[p][j]} is written in i-p-j order so
 * the innermost loop walks a row of B and a row of C contiguously. To keep the working set in cache, op(B) is copied
 * ("packed") one block of {@value #KC} rows × {@value #NC} columns at a time into a contiguous buffer; packing also
 * turns the four transpose combinations into one loop. Rows of C are split across the library pool
 * ({@link Parallel}); each element is accumulated in the same order whatever the split, so the result does not depend
 * on the thread count.
 *
 * <p>Reductions ({@link #dot}, {@link #sum}) accumulate left to right in one float, as a learner would write them.
 */
public final class ScalarKernels implements KernelProvider {
    /** Rows of op(B) per packed block. */
    static final int KC = 256;
    /** Columns of op(B) per packed block. */
    static final int NC = 512;

    /** Creates the scalar provider. */
    public ScalarKernels() {}

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
        scaleMatrix(m, n, beta, c, cOff, ldc);
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) {
            return;
        }
        Parallel.forRange(0, m, rowGrain(n, k), (lo, hi) -> {
            float[] panel = new float[Math.min(KC, k) * Math.min(NC, n)];
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, panel);
                    for (int i = lo; i < hi; i++) {
                        int cRow = cOff + i * ldc + jc;
                        for (int p = 0; p < kc; p++) {
                            float aip = alpha * elementA(transA, a, aOff, lda, i, pc + p);
                            int bRow = p * nc;
                            for (int j = 0; j < nc; j++) {
                                c[cRow + j] += aip * panel[bRow + j];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Copies the block {@code op(B)[pc : pc+kc, jc : jc+nc]} into {@code panel}, row-major with row length {@code nc}.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] panel) {
        for (int p = 0; p < kc; p++) {
            for (int j = 0; j < nc; j++) {
                panel[p * nc + j] = transB ? b[bOff + (jc + j) * ldb + pc + p] : b[bOff + (pc + p) * ldb + jc + j];
            }
        }
    }

    /** The element {@code op(A)[i][p]}. */
    static float elementA(boolean transA, float[] a, int aOff, int lda, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** {@code C ← beta·C}; with {@code beta == 0} C is overwritten with zeros without being read (BLAS semantics). */
    static void scaleMatrix(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }

    /** Enough rows per chunk that a chunk does at least about a million multiply-adds. */
    static int rowGrain(int n, int k) {
        long perRow = (long) n * k;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (1L << 20) / Math.max(1, perRow)));
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
        if (!transA) {
            Parallel.forRange(0, m, rowGrain(1, n), (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float acc = dot(a, aOff + i * lda, x, xOff, n);
                    y[yOff + i] = beta == 0f ? alpha * acc : alpha * acc + beta * y[yOff + i];
                }
            });
        } else {
            // y (length n) = alpha·Aᵀx + beta·y: each output column sums down a column of A; split the columns.
            Parallel.forRange(0, n, Math.max(16, rowGrain(1, m)), (lo, hi) -> {
                float[] acc = new float[hi - lo];
                for (int i = 0; i < m; i++) {
                    axpy(x[xOff + i], a, aOff + i * lda + lo, acc, 0, hi - lo);
                }
                for (int j = lo; j < hi; j++) {
                    y[yOff + j] = beta == 0f ? alpha * acc[j - lo] : alpha * acc[j - lo] + beta * y[yOff + j];
                }
            });
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += a[aOff + i] * b[bOff + i];
        }
        return acc;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scale(float alpha, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += x[off + i];
        }
        return acc;
    }

    @Override
    public float max(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]); // Math.max propagates NaN
        }
        return m;
    }

    @Override
    public float expAndSum(float[] x, int xOff, float[] y, int yOff, int n, float shift) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[xOff + i] - shift);
            y[yOff + i] = e;
            acc += e;
        }
        return acc;
    }

    @Override
    public void exp(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) Math.exp(x[xOff + i]);
        }
    }

    @Override
    public void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    @Override
    public void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-(double) x[xOff + i])));
        }
    }
}
