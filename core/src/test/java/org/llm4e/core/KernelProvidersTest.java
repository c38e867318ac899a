package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.internal.simd.PanamaKernels;

/** The Vector API provider against the scalar reference, and both against double-precision ground truth. */
class KernelProvidersTest {
    private static final KernelProvider SCALAR = new ScalarKernels();
    private static final KernelProvider SIMD = new PanamaKernels();
    private static final int[] LENGTHS = {0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 97, 101, 127, 257, 1009};

    @Test
    void vectorOpsAgreeForAwkwardLengths() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n : LENGTHS) {
            for (int off : new int[] {0, 3}) {
                float[] a = random(r, n + off + 5);
                float[] b = random(r, n + off + 5);
                double exact = 0;
                double abs = 0;
                for (int i = 0; i < n; i++) {
                    exact += (double) a[off + i] * b[off + i];
                    abs += Math.abs((double) a[off + i] * b[off + i]);
                }
                double tol = (n + 2) * 1.2e-7 * abs + 1e-7;
                assertEquals(exact, SCALAR.dot(a, off, b, off, n), tol, "scalar dot n=" + n);
                assertEquals(exact, SIMD.dot(a, off, b, off, n), tol, "simd dot n=" + n);

                double sum = 0;
                double sumAbs = 0;
                for (int i = 0; i < n; i++) {
                    sum += a[off + i];
                    sumAbs += Math.abs(a[off + i]);
                }
                double sumTol = (n + 2) * 1.2e-7 * sumAbs + 1e-7;
                assertEquals(sum, SCALAR.sum(a, off, n), sumTol, "scalar sum n=" + n);
                assertEquals(sum, SIMD.sum(a, off, n), sumTol, "simd sum n=" + n);
                assertEquals(SCALAR.max(a, off, n), SIMD.max(a, off, n), 0f, "max n=" + n);

                float[] y1 = b.clone();
                float[] y2 = b.clone();
                SCALAR.axpy(0.37f, a, off, y1, 1, n);
                SIMD.axpy(0.37f, a, off, y2, 1, n);
                Asserts.assertClose(y1, y2, 1e-6, 1e-7, "axpy n=" + n);

                float[] s1 = a.clone();
                float[] s2 = a.clone();
                SCALAR.scale(-1.5f, s1, off, n);
                SIMD.scale(-1.5f, s2, off, n);
                Asserts.assertIdentical(s1, s2, "scale n=" + n);

                float shift = SCALAR.max(a, off, n);
                float[] e1 = new float[a.length];
                float[] e2 = new float[a.length];
                float z1 = SCALAR.expAndSum(a, off, e1, 0, n, shift);
                float z2 = SIMD.expAndSum(a, off, e2, 0, n, shift);
                Asserts.assertClose(e1, e2, 4e-7, 0, "exp n=" + n);
                assertEquals(z1, z2, 1e-6 * (n + 1), "expAndSum n=" + n);
            }
        }
    }

    @Test
    void emptyAndNanEdgeCases() {
        float[] x = {1f, Float.NaN, 3f};
        for (KernelProvider p : new KernelProvider[] {SCALAR, SIMD}) {
            assertEquals(Float.NEGATIVE_INFINITY, p.max(x, 0, 0));
            assertEquals(0f, p.sum(x, 0, 0));
            assertEquals(0f, p.dot(x, 0, x, 0, 0));
            assertTrue(Float.isNaN(p.max(x, 0, 3)));
            float[] big = new float[40];
            big[33] = Float.NaN;
            assertTrue(Float.isNaN(p.max(big, 0, 40)), p.getClass().getSimpleName());
        }
    }

    @Test
    void inPlaceExpAndSum() {
        float[] x = random(new SplittableRandom(3), 50);
        float[] expected = new float[50];
        float z = SCALAR.expAndSum(x, 0, expected, 0, 50, 1f);
        float[] inPlace = x.clone();
        float z2 = SIMD.expAndSum(inPlace, 0, inPlace, 0, 50, 1f);
        Asserts.assertClose(expected, inPlace, 4e-7, 0, "in place");
        assertEquals(z, z2, 1e-5);
    }

    @Property(tries = 120)
    void sgemmProvidersMatchDoubleReference(
            @ForAll("dims") int m,
            @ForAll("dims") int n,
            @ForAll("dims") int k,
            @ForAll boolean transA,
            @ForAll boolean transB,
            @ForAll @IntRange(min = 0, max = 5) int pad,
            @ForAll("scales") float alpha,
            @ForAll("scales") float beta,
            @ForAll long seed) {
        SgemmProblem problem = new SgemmProblem(seed, transA, transB, m, n, k, alpha, beta, pad);
        problem.assertMatches(problem.run(SCALAR), "scalar");
        problem.assertMatches(problem.run(SIMD), "simd");
    }

    @Test
    void sgemmAllTransposesOnEdgeShapes() {
        int[][] shapes = {{1, 1, 1}, {1, 300, 7}, {300, 1, 5}, {5, 7, 1}, {17, 33, 65}, {64, 64, 64}, {3, 257, 300}};
        long seed = 1;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                SgemmProblem p = new SgemmProblem(seed++, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1f, 0f, 2);
                p.assertMatches(p.run(SCALAR), "scalar");
                p.assertMatches(p.run(SIMD), "simd");
            }
        }
    }

    @Test
    void betaZeroDoesNotReadC() {
        float[] a = {1, 2, 3, 4};
        float[] b = {1, 0, 0, 1};
        for (KernelProvider p : new KernelProvider[] {SCALAR, SIMD}) {
            float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            p.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
            Asserts.assertIdentical(a, c, p.getClass().getSimpleName());
            float[] y = {Float.NaN, Float.NaN};
            p.sgemv(false, 2, 2, 1f, a, 0, 2, new float[] {1, 1}, 0, 0f, y, 0);
            Asserts.assertIdentical(
                    new float[] {3, 7}, y, "sgemv " + p.getClass().getSimpleName());
        }
    }

    @Property(tries = 60)
    void sgemvMatchesSgemm(
            @ForAll("dims") int m,
            @ForAll("dims") int n,
            @ForAll boolean trans,
            @ForAll("scales") float alpha,
            @ForAll("scales") float beta,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = n + 3;
        float[] a = random(r, 2 + m * lda);
        int xLen = trans ? m : n;
        int yLen = trans ? n : m;
        float[] x = random(r, xLen + 1);
        float[] y0 = random(r, yLen + 4);
        for (KernelProvider p : new KernelProvider[] {SCALAR, SIMD}) {
            float[] y = y0.clone();
            p.sgemv(trans, m, n, alpha, a, 2, lda, x, 1, beta, y, 4);
            // the same product as an (yLen × 1) sgemm: op(A)·x
            float[] c = y0.clone();
            SCALAR.sgemm(trans, false, yLen, 1, xLen, alpha, a, 2, lda, x, 1, 1, beta, c, 4, 1);
            Asserts.assertClose(c, y, 2e-5, 2e-5 * Math.sqrt(xLen), p.getClass().getSimpleName());
        }
    }

    @Property(tries = 30)
    void resultsDoNotDependOnThreadCount(
            @ForAll("dims") int m,
            @ForAll("dims") int n,
            @ForAll @IntRange(min = 1, max = 300) int k,
            @ForAll boolean transA,
            @ForAll boolean transB,
            @ForAll long seed) {
        SgemmProblem problem = new SgemmProblem(seed, transA, transB, m, n, k, 0.5f, 0.25f, 1);
        for (KernelProvider p : new KernelProvider[] {SCALAR, SIMD}) {
            float[] one = Parallel.withParallelism(1, () -> problem.run(p));
            for (int chunks : new int[] {2, 4}) {
                float[] many = Parallel.withParallelism(chunks, () -> problem.run(p));
                Asserts.assertIdentical(one, many, p.getClass().getSimpleName() + " chunks=" + chunks);
            }
        }
    }

    @Provide
    Arbitrary<Integer> dims() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1, 300),
                Arbitraries.of(1, 2, 3, 5, 7, 13, 15, 16, 17, 31, 32, 33, 61, 127, 257));
    }

    @Provide
    Arbitrary<Float> scales() {
        return Arbitraries.of(0f, 1f, -1f, 0.5f, 2.25f);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }
}
