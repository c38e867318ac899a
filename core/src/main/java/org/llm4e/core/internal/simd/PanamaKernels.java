package org.llm4e.core.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.core.KernelProvider;
import org.llm4e.core.Parallel;

/**
 * The Vector API kernels ({@code jdk.incubator.vector}), loaded by {@code Simd} only when the JVM has the module.
 *
 * <p>SGEMM packs op(B) in blocks as the scalar reference does, then runs a register-blocked micro-kernel: four rows of
 * C by two vectors of columns (8 accumulators), each accumulated over the block's inner dimension with fused
 * multiply-adds and then added to C. Every element of C is computed the same way whichever micro-kernel (4-row or
 * 1-row) covers it, so the result does not depend on how rows are split across threads.
 *
 * <p>Reductions use four independent vector accumulators so consecutive FMAs do not wait on each other's latency.
 */
public final class PanamaKernels implements KernelProvider {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int KC = 256;
    private static final int NC = 512;
    private static final int MR = 4;

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
        scaleMatrix(m, n, beta, c, cOff, ldc);
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) {
            return;
        }
        long perRow = (long) n * k;
        int grain = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (1L << 20) / Math.max(1, perRow)));
        Parallel.forRange(0, m, grain, (lo, hi) -> {
            float[] panel = new float[Math.min(KC, k) * Math.min(NC, n)];
            float[] aBlock = new float[MR * Math.min(KC, k)];
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, panel);
                    int i = lo;
                    for (; i + MR <= hi; i += MR) {
                        packA(transA, a, aOff, lda, i, MR, pc, kc, aBlock);
                        kernelRows(MR, aBlock, kc, panel, nc, alpha, c, cOff + i * ldc + jc, ldc);
                    }
                    for (; i < hi; i++) {
                        packA(transA, a, aOff, lda, i, 1, pc, kc, aBlock);
                        kernelRows(1, aBlock, kc, panel, nc, alpha, c, cOff + i * ldc + jc, ldc);
                    }
                }
            }
        });
    }

    /** {@code rows} rows of op(A) restricted to columns {@code [pc, pc+kc)}, row-major with row length kc. */
    private static void packA(
            boolean transA, float[] a, int aOff, int lda, int i0, int rows, int pc, int kc, float[] out) {
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < kc; p++) {
                out[r * kc + p] = transA ? a[aOff + (pc + p) * lda + i0 + r] : a[aOff + (i0 + r) * lda + pc + p];
            }
        }
    }

    private static void packB(
            boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] panel) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (pc + p) * ldb + jc, panel, p * nc, nc);
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            for (int j = 0; j < nc; j++) {
                panel[p * nc + j] = b[bOff + (jc + j) * ldb + pc + p];
            }
        }
    }

    /**
     * {@code C[r][j] += alpha · Σ_p A[r][p]·panel[p][j]} for {@code rows} rows (1 or 4), one vector pair of columns at a
     * time. Per element the arithmetic is the same for both row counts: acc = 0, acc = fma(a, b, acc) over p, then
     * c = fma(alpha, acc, c).
     */
    private static void kernelRows(
            int rows, float[] aBlock, int kc, float[] panel, int nc, float alpha, float[] c, int cRow0, int ldc) {
        int j = 0;
        if (rows == MR) {
            for (; j + 2 * L <= nc; j += 2 * L) {
                FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
                FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
                FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
                FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
                for (int p = 0; p < kc; p++) {
                    FloatVector b0 = FloatVector.fromArray(S, panel, p * nc + j);
                    FloatVector b1 = FloatVector.fromArray(S, panel, p * nc + j + L);
                    FloatVector a0 = FloatVector.broadcast(S, aBlock[p]);
                    FloatVector a1 = FloatVector.broadcast(S, aBlock[kc + p]);
                    FloatVector a2 = FloatVector.broadcast(S, aBlock[2 * kc + p]);
                    FloatVector a3 = FloatVector.broadcast(S, aBlock[3 * kc + p]);
                    c00 = a0.fma(b0, c00);
                    c01 = a0.fma(b1, c01);
                    c10 = a1.fma(b0, c10);
                    c11 = a1.fma(b1, c11);
                    c20 = a2.fma(b0, c20);
                    c21 = a2.fma(b1, c21);
                    c30 = a3.fma(b0, c30);
                    c31 = a3.fma(b1, c31);
                }
                store(alpha, c00, c, cRow0 + j);
                store(alpha, c01, c, cRow0 + j + L);
                store(alpha, c10, c, cRow0 + ldc + j);
                store(alpha, c11, c, cRow0 + ldc + j + L);
                store(alpha, c20, c, cRow0 + 2 * ldc + j);
                store(alpha, c21, c, cRow0 + 2 * ldc + j + L);
                store(alpha, c30, c, cRow0 + 3 * ldc + j);
                store(alpha, c31, c, cRow0 + 3 * ldc + j + L);
            }
        }
        for (int r = 0; r < rows; r++) {
            int aRow = r * kc;
            int cRow = cRow0 + r * ldc;
            int jj = j;
            for (; jj + L <= nc; jj += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int p = 0; p < kc; p++) {
                    acc = FloatVector.broadcast(S, aBlock[aRow + p])
                            .fma(FloatVector.fromArray(S, panel, p * nc + jj), acc);
                }
                store(alpha, acc, c, cRow + jj);
            }
            for (; jj < nc; jj++) {
                float acc = 0f;
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(aBlock[aRow + p], panel[p * nc + jj], acc);
                }
                c[cRow + jj] = Math.fma(alpha, acc, c[cRow + jj]);
            }
        }
    }

    private static void store(float alpha, FloatVector acc, float[] c, int off) {
        FloatVector.broadcast(S, alpha)
                .fma(acc, FloatVector.fromArray(S, c, off))
                .intoArray(c, off);
    }

    private static void scaleMatrix(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                scaleRange(beta, c, row, n);
            }
        }
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
            Parallel.forRange(0, m, Math.max(1, (1 << 16) / Math.max(1, n)), (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    float acc = dot(a, aOff + i * lda, x, xOff, n);
                    y[yOff + i] = beta == 0f ? alpha * acc : alpha * acc + beta * y[yOff + i];
                }
            });
        } else {
            Parallel.forRange(0, n, Math.max(4 * L, (1 << 16) / Math.max(1, m)), (lo, hi) -> {
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
            result = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            result = Math.fma(a[aOff + i], b[bOff + i], result);
        }
        return result;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
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
        scaleRange(alpha, x, xOff, n);
    }

    private static void scaleRange(float alpha, float[] x, int xOff, int n) {
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
            for (; i + 2 * L <= n; i += 2 * L) {
                s0 = s0.add(FloatVector.fromArray(S, x, off + i));
                s1 = s1.add(FloatVector.fromArray(S, x, off + i + L));
            }
            result = s0.add(s1).reduceLanes(VectorOperators.ADD);
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
        if (n >= L) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i + L <= n; i += L) {
                m = m.max(FloatVector.fromArray(S, x, off + i));
            }
            result = m.reduceLanes(VectorOperators.MAX);
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
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) {
                FloatVector e = FloatVector.fromArray(S, x, xOff + i).sub(shift).lanewise(VectorOperators.EXP);
                e.intoArray(y, yOff + i);
                acc = acc.add(e);
            }
            result = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xOff + i] - shift);
            y[yOff + i] = e;
            result += e;
        }
        return result;
    }
}
