package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;
import static org.llm4e.testsupport.TensorAssert.assertIdentical;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.attention.internal.ScalarTileKernels;
import org.llm4e.attention.internal.TileKernels;
import org.llm4e.attention.internal.simd.PanamaTileKernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/**
 * The Vector API tile kernels against the scalar reference (equal to float32 rounding), their position independence
 * (bit for bit, which is what makes FlashAttention's results independent of the thread count), their allocation, and
 * FlashAttention run on either implementation.
 */
class TileKernelsProperties {
    private static final TileKernels SCALAR = new ScalarTileKernels();
    private static final TileKernels SIMD = new PanamaTileKernels();

    @Property(tries = 120)
    void gemmAgreesWithTheScalarReference(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 70) int m,
            @ForAll @IntRange(min = 1, max = 70) int n,
            @ForAll @IntRange(min = 0, max = 70) int k,
            @ForAll boolean transA,
            @ForAll @IntRange(min = 0, max = 2) int betaKind) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = (transA ? m : k) + r.nextInt(3);
        int ldb = n + r.nextInt(3);
        int ldc = n + r.nextInt(3);
        float[] a = random(r, 2 + (transA ? k : m) * lda);
        float[] b = random(r, 1 + k * ldb);
        float[] c0 = random(r, 3 + m * ldc);
        float alpha = (float) (0.5 + r.nextDouble());
        float beta = new float[] {0f, 1f, 0.75f}[betaKind];
        float[] expected = c0.clone();
        float[] actual = c0.clone();
        SCALAR.gemm(transA, m, n, k, alpha, a, 2, lda, b, 1, ldb, beta, expected, 3, ldc);
        SIMD.gemm(transA, m, n, k, alpha, a, 2, lda, b, 1, ldb, beta, actual, 3, ldc);
        // Sums of k products of N(0,1) values: an error of a few ulps of √k relative to the magnitude.
        assertClose(expected, actual, 2e-5, 2e-5 * Math.sqrt(k + 1), "gemm");
    }

    /**
     * Each element of C gets the same operations wherever it falls in a tile: computing C in one call or as separate
     * row and column blocks gives the same bits. FlashAttention's results are therefore the same whichever thread,
     * and whichever block split, computes a tile.
     */
    @Property(tries = 60)
    void gemmElementsDoNotDependOnTheirPositionInTheTile(
            @ForAll long seed,
            @ForAll @IntRange(min = 2, max = 70) int m,
            @ForAll @IntRange(min = 2, max = 70) int n,
            @ForAll @IntRange(min = 1, max = 70) int k,
            @ForAll boolean transA) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = transA ? m : k;
        float[] a = random(r, m * k);
        float[] b = random(r, k * n);
        float[] whole = new float[m * n];
        SIMD.gemm(transA, m, n, k, 0.7f, a, 0, lda, b, 0, n, 0f, whole, 0, n);
        int mSplit = 1 + r.nextInt(m - 1);
        int nSplit = 1 + r.nextInt(n - 1);
        float[] parts = new float[m * n];
        for (int[] block : new int[][] {
            {0, mSplit, 0, nSplit}, {0, mSplit, nSplit, n}, {mSplit, m, 0, nSplit}, {mSplit, m, nSplit, n}
        }) {
            int i0 = block[0];
            int rows = block[1] - i0;
            int j0 = block[2];
            int cols = block[3] - j0;
            int aOff = transA ? i0 : i0 * lda;
            SIMD.gemm(transA, rows, cols, k, 0.7f, a, aOff, lda, b, j0, n, 0f, parts, i0 * n + j0, n);
        }
        assertIdentical(whole, parts, "one call vs four blocks split at " + mSplit + ", " + nSplit);
    }

    @Property(tries = 60)
    void expShiftedAgreesWithTheScalarReference(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols,
            @ForAll boolean perRow) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = random(r, rows * cols);
        float[] shift = new float[perRow ? rows : cols];
        for (int i = 0; i < shift.length; i++) {
            shift[i] = r.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) (3 * r.nextGaussian());
        }
        for (int i = 0; i < s.length; i++) {
            if (r.nextInt(6) == 0) {
                s[i] = Float.NEGATIVE_INFINITY; // masked
            }
        }
        float[] expected = s.clone();
        float[] actual = s.clone();
        SCALAR.expShifted(perRow, rows, cols, expected, 0, cols, shift, 0);
        SIMD.expShifted(perRow, rows, cols, actual, 0, cols, shift, 0);
        assertClose(expected, actual, 3e-7, 1e-30, "exp");
    }

    /**
     * The exponential written out in the vector kernel (kept inline so that no vector is boxed) gives the bits of core's
     * {@code VectorMath.exp(float)}, which the kernel's tails call: every element equals it wherever it falls in the
     * tile, over the whole clamped range and beyond.
     */
    @Property(tries = 60)
    void expShiftedHasTheBitsOfCoresExponential(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 9) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols,
            @ForAll boolean perRow) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[rows * cols];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) r.nextDouble(-120, 100); // past both clamps (−104, 89)
        }
        float[] shift = new float[perRow ? rows : cols];
        for (int i = 0; i < shift.length; i++) {
            shift[i] = r.nextInt(7) == 0 ? Float.NEGATIVE_INFINITY : (float) r.nextDouble(-2, 2);
        }
        float[] expected = new float[s.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float sh = shift[perRow ? i : j];
                expected[i * cols + j] = sh == Float.NEGATIVE_INFINITY
                        ? 0f
                        : org.llm4e.core.internal.simd.VectorMath.exp(s[i * cols + j] - sh);
            }
        }
        SIMD.expShifted(perRow, rows, cols, s, 0, cols, shift, 0);
        assertIdentical(expected, s, "expShifted vs VectorMath.exp");
    }

    @Property(tries = 60)
    void softmaxStepAgreesWithTheScalarReference(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int keys,
            @ForAll @IntRange(min = 1, max = 70) int queries,
            @ForAll @IntRange(min = 1, max = 3) int steps) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] m1 = new float[queries];
        float[] l1 = new float[queries];
        java.util.Arrays.fill(m1, Float.NEGATIVE_INFINITY);
        float[] m2 = m1.clone();
        float[] l2 = l1.clone();
        float[] a1 = new float[queries];
        float[] a2 = new float[queries];
        for (int step = 0; step < steps; step++) {
            float[] s = random(r, keys * queries);
            for (int i = 0; i < s.length; i++) {
                s[i] *= 1 + step; // later tiles with larger scores force rescaling
                if (r.nextInt(4) == 0 || (i % queries) % 7 == 3) {
                    s[i] = Float.NEGATIVE_INFINITY; // masked, some queries entirely
                }
            }
            float[] p1 = s.clone();
            float[] p2 = s.clone();
            SCALAR.softmaxStepColumns(keys, queries, p1, 0, queries, m1, l1, a1);
            SIMD.softmaxStepColumns(keys, queries, p2, 0, queries, m2, l2, a2);
            assertIdentical(m1, m2, "running max, step " + step);
            assertClose(p1, p2, 3e-7, 1e-30, "P̃, step " + step);
            assertClose(a1, a2, 3e-7, 1e-30, "rescale, step " + step);
            assertClose(l1, l2, 2e-6, 1e-30, "running sum, step " + step);
        }
    }

    /** Warm kernels allocate nothing: the tiled loops stay O(T) in memory however many tiles they visit. */
    @Test
    void warmKernelsAllocateNothing() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!bean.isThreadAllocatedMemorySupported()) {
            return;
        }
        SplittableRandom r = new SplittableRandom(5);
        float[] a = random(r, 64 * 64);
        float[] b = random(r, 64 * 64);
        float[] c = new float[64 * 64];
        float[] m = new float[64];
        float[] l = new float[64];
        float[] rescale = new float[64];
        long best = Long.MAX_VALUE;
        // Minimum over rounds: the first rounds run before the JIT has compiled the kernels.
        for (int round = 0; round < 40 && best > 0; round++) {
            long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 50; i++) {
                SIMD.gemm(i % 2 == 0, 64, 64, 64, 0.125f, a, 0, 64, b, 0, 64, 0f, c, 0, 64);
                java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
                SIMD.softmaxStepColumns(64, 64, c, 0, 64, m, l, rescale);
                SIMD.gemm(true, 61, 64, 59, 1f, c, 0, 64, b, 0, 64, 1f, a, 0, 64);
                SIMD.expShifted(i % 3 == 0, 64, 64, c, 0, 64, m, 0);
            }
            best = Math.min(
                    best, bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        assertEquals(0L, best, "bytes allocated by 200 warm kernel calls");
    }

    /** The whole forward and backward pass on the Vector API kernels equals the pass on the scalar reference. */
    @Property(tries = 40)
    void flashAttentionOnEitherKernels(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 80) int qSeq,
            @ForAll @IntRange(min = 1, max = 80) int kvSeq,
            @ForAll @IntRange(min = 1, max = 40) int d,
            @ForAll @IntRange(min = 1, max = 70) int block,
            @ForAll @IntRange(min = 0, max = 3) int maskKind) {
        AttentionProperties.Problem p = AttentionProperties.Problem.of(seed, 1, 1, 2, qSeq, kvSeq, d, maskKind, false);
        ScaledDotProductAttention.Dims dims =
                ScaledDotProductAttention.Dims.of(p.q(), p.k(), p.v(), p.mask(), p.scale());
        for (boolean v2 : new boolean[] {false, true}) {
            FlashAttention.Result a = run(v2, dims, p, block, SCALAR);
            FlashAttention.Result b = run(v2, dims, p, block, SIMD);
            // The scalar reference exponentiates with Math.exp, the vector kernels with the 1-ulp polynomial, and v1
            // also
            // divides once per key block: an output that cancels to a small value among O(1) terms carries the absolute
            // error of those terms (2.4e-6 seen at |o| = 0.035 with seed -825983110120331013), hence atol 5e-6.
            assertClose(a.output().data(), b.output().data(), 1e-5, 5e-6, "output, v2=" + v2);
            assertClose(a.logSumExp().data(), b.logSumExp().data(), 1e-5, 2e-6, "lse, v2=" + v2);
        }
        FlashAttention.Result fwd = run(true, dims, p, block, SIMD);
        Tensor dO = Tensor.randn(seed + 1, 1, 2, qSeq, d + 1);
        AttentionGradients ga = FlashAttentionBackward.backward(
                dims, p.q(), p.k(), p.v(), fwd.output(), fwd.logSumExp(), dO, p.mask(), null, block, block, SCALAR);
        AttentionGradients gb = FlashAttentionBackward.backward(
                dims, p.q(), p.k(), p.v(), fwd.output(), fwd.logSumExp(), dO, p.mask(), null, block, block, SIMD);
        assertClose(ga.dQ().data(), gb.dQ().data(), 1e-4, 2e-5, "dQ");
        assertClose(ga.dK().data(), gb.dK().data(), 1e-4, 2e-5, "dK");
        assertClose(ga.dV().data(), gb.dV().data(), 1e-4, 2e-5, "dV");
    }

    /** FlashAttention v1, v2 and the backward pass give the same bits on 1, 2 and 3 threads. */
    @Property(tries = 15)
    void bitIdenticalForAnyThreadCount(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 140) int seq,
            @ForAll @IntRange(min = 1, max = 70) int block,
            @ForAll @IntRange(min = 0, max = 3) int maskKind) {
        AttentionProperties.Problem p = AttentionProperties.Problem.of(seed, 1, 2, 2, seq, seq, 40, maskKind, true);
        Tensor dO = Tensor.randn(seed + 2, 1, 4, seq, 41);
        float[][] first = null;
        for (int threads = 1; threads <= 3; threads++) {
            float[][] got = Parallel.withParallelism(threads, () -> {
                FlashAttention v1 = FlashAttention.builder()
                        .version(FlashAttention.Version.V1)
                        .blockQ(block)
                        .blockK(block)
                        .build();
                FlashAttention v2 =
                        FlashAttention.builder().blockQ(block).blockK(block).build();
                FlashAttention.Result r1 = v1.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale());
                FlashAttention.Result r2 = v2.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale());
                AttentionGradients g = v2.backward(p.q(), p.k(), p.v(), r2, dO, p.mask(), p.bias(), p.scale());
                return new float[][] {
                    r1.output().data(),
                    r2.output().data(),
                    r2.logSumExp().data(),
                    g.dQ().data(),
                    g.dK().data(),
                    g.dV().data()
                };
            });
            if (first == null) {
                first = got;
            } else {
                for (int i = 0; i < got.length; i++) {
                    assertIdentical(first[i], got[i], threads + " threads, array " + i);
                }
            }
        }
        assertTrue(first.length == 6);
    }

    private static FlashAttention.Result run(
            boolean v2, ScaledDotProductAttention.Dims dims, AttentionProperties.Problem p, int block, TileKernels k) {
        float[] q = p.q().data();
        float[] kk = p.k().data();
        float[] v = p.v().data();
        return v2
                ? FlashAttentionV2.forward(dims, q, kk, v, p.mask(), null, block, block, k)
                : FlashAttentionV1.forward(dims, q, kk, v, p.mask(), null, block, block, k);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
