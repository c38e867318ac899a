package org.llm4e.core;

import java.util.SplittableRandom;

/**
 * A random SGEMM problem with offsets and padded leading dimensions, and its double-precision reference result with a
 * rounding-error bound for float32 evaluation.
 */
final class SgemmProblem {
    final boolean transA;
    final boolean transB;
    final int m;
    final int n;
    final int k;
    final float alpha;
    final float beta;
    final float[] a;
    final int aOff;
    final int lda;
    final float[] b;
    final int bOff;
    final int ldb;
    final float[] c;
    final int cOff;
    final int ldc;

    SgemmProblem(long seed, boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad) {
        SplittableRandom r = new SplittableRandom(seed);
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        this.lda = aCols + pad;
        this.ldb = bCols + pad;
        this.ldc = n + pad;
        this.aOff = pad * 3;
        this.bOff = pad * 2;
        this.cOff = pad;
        this.a = random(r, aOff + aRows * lda);
        this.b = random(r, bOff + bRows * ldb);
        this.c = random(r, cOff + m * ldc);
    }

    private static float[] random(SplittableRandom r, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    float aAt(int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    float bAt(int p, int j) {
        return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
    }

    /** Runs the product on a copy of C and returns the copy. */
    float[] run(KernelProvider kernels) {
        float[] out = c.clone();
        kernels.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
        return out;
    }

    /** The exact result in double, and for each element the magnitude sum that bounds float32 rounding. */
    double[][] reference() {
        double[] ref = new double[c.length];
        double[] mag = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            ref[i] = c[i];
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) aAt(i, p) * bAt(p, j);
                    acc += t;
                    abs += Math.abs(t);
                }
                int idx = cOff + i * ldc + j;
                double old = beta == 0 ? 0 : beta * (double) c[idx];
                ref[idx] = alpha * acc + old;
                mag[idx] = Math.abs(alpha) * abs + Math.abs(old);
            }
        }
        return new double[][] {ref, mag};
    }

    /** Asserts {@code actual} matches the reference within float32 rounding of a length-k sum; padding untouched. */
    void assertMatches(float[] actual, String label) {
        double[][] rm = reference();
        double tolScale = (k + 4) * 1.2e-7;
        for (int i = 0; i < actual.length; i++) {
            double tol = tolScale * rm[1][i] + 1e-6;
            if (!(Math.abs(actual[i] - rm[0][i]) <= tol)) {
                throw new AssertionError(label + ": " + this + " mismatch at C index " + i + ": expected " + rm[0][i]
                        + ", got " + actual[i] + ", tolerance " + tol);
            }
        }
    }

    @Override
    public String toString() {
        return "sgemm(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n + ", k=" + k + ", alpha="
                + alpha + ", beta=" + beta + ", lda=" + lda + ", ldb=" + ldb + ", ldc=" + ldc + ")";
    }
}
