package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Test;
import org.llm4e.core.internal.simd.PanamaKernels;

/**
 * SGEMM: the Vector API kernel, the scalar reference and EJML's {@code CommonOps_FDRM} agree on random shapes from 1 to
 * 300 per dimension (primes included, so no dimension is a multiple of the 6×32 tile or of a cache block), for all four
 * transpose combinations; and the packed kernel gives identical bits whatever the number of threads.
 */
class SgemmPeersTest {
    private static final KernelProvider SIMD = new PanamaKernels();
    private static final KernelProvider SCALAR = new ScalarKernels();
    private static final int[] PRIMES = {1, 2, 3, 5, 7, 13, 17, 31, 37, 61, 97, 131, 193, 257, 293};

    @Property(tries = 60)
    void simdScalarAndEjmlAgreeOnRandomShapes(
            @ForAll @IntRange(min = 1, max = 300) int m,
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 1, max = 300) int k,
            @ForAll boolean transA,
            @ForAll boolean transB,
            @ForAll long seed) {
        checkAgainstPeers(m, n, k, transA, transB, seed);
    }

    @Test
    void simdScalarAndEjmlAgreeOnPrimeShapes() {
        SplittableRandom r = new SplittableRandom(4);
        for (int t = 0; t < 48; t++) {
            int m = PRIMES[r.nextInt(PRIMES.length)];
            int n = PRIMES[r.nextInt(PRIMES.length)];
            int k = PRIMES[r.nextInt(PRIMES.length)];
            checkAgainstPeers(m, n, k, (t & 1) != 0, (t & 2) != 0, r.nextLong());
        }
    }

    /** C = op(A)·op(B) by our two providers and by EJML, compared with a bound on float32 rounding. */
    private static void checkAgainstPeers(int m, int n, int k, boolean transA, boolean transB, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        FMatrixRMaj a = random(r, transA ? k : m, transA ? m : k);
        FMatrixRMaj b = random(r, transB ? n : k, transB ? k : n);
        FMatrixRMaj expected = new FMatrixRMaj(m, n);
        if (transA && transB) {
            CommonOps_FDRM.multTransAB(a, b, expected);
        } else if (transA) {
            CommonOps_FDRM.multTransA(a, b, expected);
        } else if (transB) {
            CommonOps_FDRM.multTransB(a, b, expected);
        } else {
            CommonOps_FDRM.mult(a, b, expected);
        }
        float[] simd = new float[m * n];
        float[] scalar = new float[m * n];
        SIMD.sgemm(transA, transB, m, n, k, 1f, a.data, 0, a.numCols, b.data, 0, b.numCols, 0f, simd, 0, n);
        SCALAR.sgemm(transA, transB, m, n, k, 1f, a.data, 0, a.numCols, b.data, 0, b.numCols, 0f, scalar, 0, n);
        // Entries are uniform in [-1, 1): each sum of k products carries at most about k·2⁻²⁴·Σ|aᵢbᵢ| ≤ k²·6e-8 of
        // rounding error in the worst case, and about √k·6e-8·√k in practice; 2e-6·k covers the worst case of all
        // three.
        double tol = 2e-6 * k + 1e-6;
        String shape = m + "×" + n + "×" + k + (transA ? " Aᵀ" : "") + (transB ? " Bᵀ" : "");
        for (int i = 0; i < m * n; i++) {
            float e = expected.data[i];
            assertTrue(Math.abs(simd[i] - e) <= tol, () -> shape + ": SIMD differs from EJML");
            assertTrue(Math.abs(scalar[i] - e) <= tol, () -> shape + ": scalar differs from EJML");
        }
    }

    @Test
    void alphaBetaOffsetsAndLeadingDimensionsMatchTheDefinition() {
        SplittableRandom r = new SplittableRandom(11);
        int m = 131, n = 97, k = 263, pad = 5;
        for (int t = 0; t < 4; t++) {
            boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
            int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
            float[] a = randomArray(r, 7 + (transA ? k : m) * lda);
            float[] b = randomArray(r, 3 + (transB ? n : k) * ldb);
            float[] c = randomArray(r, 2 + m * ldc);
            float[] got = c.clone();
            SIMD.sgemm(transA, transB, m, n, k, 0.75f, a, 7, lda, b, 3, ldb, -1.5f, got, 2, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    int ci = 2 + i * ldc + j;
                    if (j >= n) {
                        assertTrue(got[ci] == c[ci], "padding between rows of C must not be touched");
                        continue;
                    }
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double av = transA ? a[7 + p * lda + i] : a[7 + i * lda + p];
                        double bv = transB ? b[3 + j * ldb + p] : b[3 + p * ldb + j];
                        acc += av * bv;
                    }
                    double want = 0.75 * acc - 1.5 * c[ci];
                    assertTrue(
                            Math.abs(got[ci] - want) <= 2e-6 * k,
                            "C[" + i + "][" + j + "] transA=" + transA + " transB=" + transB + ": " + got[ci] + " vs "
                                    + want);
                }
            }
            assertTrue(got[0] == c[0] && got[1] == c[1], "elements before cOff must not be touched");
        }
    }

    @Test
    void aSingleRowOfCTakesTheMatrixVectorPathWithTheSameSemantics() {
        SplittableRandom r = new SplittableRandom(13);
        int n = 700, k = 301, lda = 3;
        for (int t = 0; t < 4; t++) {
            boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
            // op(A) is 1×k: a row, or (transposed) a column with stride lda.
            float[] a = randomArray(r, transA ? k * lda : k);
            int ldb = transB ? k : n;
            float[] b = randomArray(r, (transB ? n : k) * ldb);
            float[] c = new float[n];
            java.util.Arrays.fill(c, Float.NaN); // beta = 0: C must not be read
            float[] first = null;
            for (int threads = 1; threads <= 3; threads++) {
                float[] got = c.clone();
                Parallel.withParallelism(threads, () -> {
                    SIMD.sgemm(transA, transB, 1, n, k, 2f, a, 0, transA ? lda : k, b, 0, ldb, 0f, got, 0, n);
                    return null;
                });
                if (first == null) {
                    first = got;
                } else {
                    assertArrayEquals(first, got, 0f, threads + " threads");
                }
            }
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (double) (transA ? a[p * lda] : a[p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                }
                assertEquals(2 * acc, first[j], 2e-6 * k, "C[0][" + j + "] transA=" + transA + " transB=" + transB);
            }
        }
    }

    @Test
    void resultsAreIdenticalForEveryThreadCount() {
        // Shapes that cross every block boundary: several MC row blocks, NC column blocks and KC inner blocks.
        int[][] shapes = {{389, 1031, 521}, {1000, 37, 300}, {7, 2000, 61}};
        SplittableRandom r = new SplittableRandom(5);
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
                float[] a = randomArray(r, m * k);
                float[] b = randomArray(r, k * n);
                float[] c0 = randomArray(r, m * n);
                float[] reference = null;
                for (int threads = 1; threads <= 4; threads++) {
                    float[] c = c0.clone();
                    Parallel.withParallelism(threads, () -> {
                        SIMD.sgemm(
                                transA,
                                transB,
                                m,
                                n,
                                k,
                                1.25f,
                                a,
                                0,
                                transA ? m : k,
                                b,
                                0,
                                transB ? k : n,
                                0.5f,
                                c,
                                0,
                                n);
                        return null;
                    });
                    if (reference == null) {
                        reference = c;
                    } else {
                        assertArrayEquals(reference, c, 0f, m + "×" + n + "×" + k + " with " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void ladderRungsAllComputeTheSameProduct() {
        SplittableRandom r = new SplittableRandom(9);
        int m = 67, n = 131, k = 97;
        float[] a = randomArray(r, m * k);
        float[] b = randomArray(r, k * n);
        float[] expected = new float[m * n];
        MatMulLadder.multiply(MatMulLadder.Rung.NAIVE_IJK, m, n, k, a, b, expected);
        for (MatMulLadder.Rung rung : MatMulLadder.Rung.values()) {
            float[] c = new float[m * n];
            java.util.Arrays.fill(c, Float.NaN); // every rung must overwrite C
            MatMulLadder.multiply(rung, m, n, k, a, b, c);
            assertArrayEquals(expected, c, 2e-6f * k, rung.name());
        }
    }

    private static FMatrixRMaj random(SplittableRandom r, int rows, int cols) {
        return new FMatrixRMaj(rows, cols, true, randomArray(r, rows * cols));
    }

    private static float[] randomArray(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }
}
