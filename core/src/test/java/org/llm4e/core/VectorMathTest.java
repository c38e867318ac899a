package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.internal.simd.PanamaKernels;
import org.llm4e.core.internal.simd.VectorMath;

/**
 * The element-wise math and reductions that activations, softmax and attention use: {@code tanh} and {@code sigmoid}
 * within 4 ulps of the double-precision functions, the fused {@code expAndSum} and {@code max} of softmax rows, and the
 * agreement of the Vector API provider with the scalar reference on slices of every awkward length.
 */
class VectorMathTest {
    private static final PanamaKernels SIMD = new PanamaKernels();
    private static final ScalarKernels SCALAR = new ScalarKernels();

    @Test
    void tanhWithinFourUlpsOverAStridedSweep() {
        assertUlps("tanh", VectorMath::tanh, Math::tanh, 4);
    }

    @Test
    void sigmoidWithinFourUlpsOverAStridedSweep() {
        assertUlps("sigmoid", VectorMath::sigmoid, x -> 1 / (1 + Math.exp(-x)), 4);
    }

    private static void assertUlps(String name, FloatOp f, DoubleUnaryOperator exact, double maxUlps) {
        double worst = 0;
        float worstX = 0;
        for (long bits = Integer.MIN_VALUE; bits <= Integer.MAX_VALUE; bits += 8191) {
            float x = Float.intBitsToFloat((int) bits);
            if (!Float.isFinite(x)) {
                continue;
            }
            double e = exact.applyAsDouble(x);
            float y = f.apply(x);
            double ulps = Math.abs(y - e) / Math.ulp(Math.max(Math.abs((float) e), Float.MIN_VALUE));
            if (ulps > worst) {
                worst = ulps;
                worstX = x;
            }
        }
        assertTrue(worst <= maxUlps, name + ": worst error " + worst + " ulps at x=" + worstX);
    }

    @Test
    void tanhAndSigmoidSpecialValues() {
        assertEquals(0f, VectorMath.tanh(0f));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(VectorMath.tanh(-0f)), "tanh keeps the sign of 0");
        assertEquals(1f, VectorMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, VectorMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(1f, VectorMath.tanh(20f));
        assertTrue(Float.isNaN(VectorMath.tanh(Float.NaN)));
        assertEquals(0.5f, VectorMath.sigmoid(0f));
        assertEquals(1f, VectorMath.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, VectorMath.sigmoid(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(VectorMath.sigmoid(Float.NaN)));
        // σ(−100) = e^−100/(1+e^−100) ≈ 3.72e-44, a subnormal that a naive 1/(1+e^100) would flush to 0.
        assertEquals((float) Math.exp(-100), VectorMath.sigmoid(-100f), Float.MIN_VALUE);
        assertTrue(VectorMath.sigmoid(-100f) > 0f);
    }

    @Test
    void elementWiseFunctionsGiveTheSameBitsInVectorLanesAndTheScalarTail() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(5) - 2));
        }
        for (int off : new int[] {0, 1, 7, 16}) {
            for (int n : new int[] {0, 1, 15, 16, 17, 33, 500}) {
                float[] y = new float[x.length];
                SIMD.exp(x, off, y, off, n);
                checkTwin("exp", x, y, off, n, VectorMath::exp);
                SIMD.tanh(x, off, y, off, n);
                checkTwin("tanh", x, y, off, n, VectorMath::tanh);
                SIMD.sigmoid(x, off, y, off, n);
                checkTwin("sigmoid", x, y, off, n, VectorMath::sigmoid);
            }
        }
    }

    private static void checkTwin(String name, float[] x, float[] y, int off, int n, FloatOp twin) {
        for (int i = 0; i < n; i++) {
            assertEquals(
                    Float.floatToIntBits(twin.apply(x[off + i])),
                    Float.floatToIntBits(y[off + i]),
                    name + "(" + x[off + i] + ") at offset " + off + " index " + i + " of " + n);
        }
    }

    @Property(tries = 100)
    void providersAgreeOnSlices(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll @IntRange(min = 0, max = 17) int off,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[off + n];
        float[] z = new float[off + n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 8 - 4);
            z[i] = (float) (r.nextDouble() * 8 - 4);
        }
        for (String f : new String[] {"exp", "tanh", "sigmoid"}) {
            float[] ys = new float[x.length];
            float[] yv = new float[x.length];
            apply(SCALAR, f, x, off, ys, n);
            apply(SIMD, f, x, off, yv, n);
            for (int i = off; i < off + n; i++) {
                assertEquals(ys[i], yv[i], 4 * Math.ulp(ys[i]), f + "(" + x[i] + ")");
            }
        }
        assertEquals(SCALAR.max(x, off, n), SIMD.max(x, off, n), "max is exact");
        double sumAbs = 0;
        double dotAbs = 0;
        for (int i = off; i < off + n; i++) {
            sumAbs += Math.abs(x[i]);
            dotAbs += Math.abs(x[i] * z[i]);
        }
        assertEquals(SCALAR.sum(x, off, n), SIMD.sum(x, off, n), 1e-6 * (n + 1) * sumAbs + 1e-6, "sum");
        assertEquals(SCALAR.dot(x, off, z, off, n), SIMD.dot(x, off, z, off, n), 1e-6 * (n + 1) * dotAbs + 1e-6);
        float shift = SIMD.max(x, off, n);
        float[] es = new float[x.length];
        float[] ev = new float[x.length];
        float ss = SCALAR.expAndSum(x, off, es, off, n, shift);
        float sv = SIMD.expAndSum(x, off, ev, off, n, shift);
        assertEquals(ss, sv, 1e-6 * (n + 1) * Math.max(1, ss), "expAndSum's sum");
        for (int i = off; i < off + n; i++) {
            assertEquals(es[i], ev[i], 2 * Math.ulp(es[i]), "exp(x − max) at " + i);
        }
    }

    private static void apply(KernelProvider p, String f, float[] x, int off, float[] y, int n) {
        switch (f) {
            case "exp":
                p.exp(x, off, y, off, n);
                break;
            case "tanh":
                p.tanh(x, off, y, off, n);
                break;
            default:
                p.sigmoid(x, off, y, off, n);
        }
    }

    @Test
    void softmaxRowFromMaxAndExpAndSumInPlace() {
        float[] row = {
            1f,
            2f,
            3f,
            4f,
            1f,
            2f,
            3f,
            4f,
            1f,
            2f,
            3f,
            4f,
            1f,
            2f,
            3f,
            4f,
            1f,
            2f,
            3f,
            4f,
            1f,
            2f,
            3f,
            4f,
            -1e30f,
            Float.NEGATIVE_INFINITY,
            0f,
            4f,
            1f,
            2f,
            3f,
            4f,
            9f,
            1f,
            2f,
            3f,
            4f
        };
        double[] expected = new double[row.length];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double total = 0;
        for (int i = 0; i < row.length; i++) {
            expected[i] = Math.exp(row[i] - max);
            total += expected[i];
        }
        float m = SIMD.max(row, 0, row.length);
        assertEquals(9f, m);
        float sum = SIMD.expAndSum(row, 0, row, 0, row.length, m);
        assertEquals(total, sum, 1e-6 * total);
        for (int i = 0; i < row.length; i++) {
            assertEquals(expected[i], row[i], Math.ulp((float) expected[i]) + 1e-45, "softmax numerator " + i);
        }
        assertEquals(0f, row[25], "exp(−∞) is 0: a masked entry");
    }

    @Test
    void maxPropagatesNanAndIsMinusInfinityWhenEmpty() {
        float[] x = new float[100];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        assertEquals(99f, SIMD.max(x, 0, 100));
        assertEquals(Float.NEGATIVE_INFINITY, SIMD.max(x, 3, 0));
        for (int pos : new int[] {0, 40, 99}) {
            float[] y = x.clone();
            y[pos] = Float.NaN;
            assertTrue(Float.isNaN(SIMD.max(y, 0, 100)), "NaN at " + pos);
        }
    }

    @Test
    void sgemvMatchesTheDefinitionWithAndWithoutTransposeForEveryThreadCount() {
        SplittableRandom r = new SplittableRandom(8);
        int m = 301, n = 523, lda = 530;
        float[] a = new float[5 + m * lda];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (boolean trans : new boolean[] {false, true}) {
            int xLen = trans ? m : n, yLen = trans ? n : m;
            float[] x = new float[2 + xLen];
            float[] y0 = new float[1 + yLen];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextDouble() * 2 - 1);
            }
            for (int i = 0; i < y0.length; i++) {
                y0[i] = (float) (r.nextDouble() * 2 - 1);
            }
            float[] first = null;
            for (int threads = 1; threads <= 3; threads++) {
                float[] y = y0.clone();
                Parallel.withParallelism(threads, () -> {
                    SIMD.sgemv(trans, m, n, 0.5f, a, 5, lda, x, 2, -2f, y, 1);
                    return null;
                });
                if (first == null) {
                    first = y;
                    for (int i = 0; i < yLen; i++) {
                        double acc = 0;
                        for (int p = 0; p < xLen; p++) {
                            acc += (double) (trans ? a[5 + p * lda + i] : a[5 + i * lda + p]) * x[2 + p];
                        }
                        double want = 0.5 * acc - 2.0 * y0[1 + i];
                        assertEquals(want, y[1 + i], 1e-6 * xLen, "y[" + i + "] trans=" + trans);
                    }
                    assertEquals(y0[0], y[0], "y before yOff is not touched");
                } else {
                    assertArrayEquals(first, y, 0f, "sgemv trans=" + trans + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void badArgumentsNameTheParameter() {
        float[] x = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.exp(x, 4, x, 0, 5));
        assertTrue(e.getMessage().startsWith("x slice [4, 9)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Kernels.tanh(x, 0, new float[3], 0, 4));
        assertTrue(e.getMessage().startsWith("y slice [0, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Kernels.sigmoid(x, 0, x, 0, -1));
        assertTrue(e.getMessage().contains("must be >= 0, got -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Kernels.exp(null, 0, x, 0, 1));
        assertTrue(e.getMessage().startsWith("x must not be null"), e.getMessage());
    }

    @Test
    void kernelsFacadeComputesTheFunctions() {
        float[] x = {-3f, -0.1f, 0f, 0.2f, 5f};
        float[] y = new float[5];
        Kernels.exp(x, 0, y, 0, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(Math.exp(x[i]), y[i], 2 * Math.ulp(y[i]));
        }
        Kernels.tanh(x, 0, y, 0, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(Math.tanh(x[i]), y[i], 4 * Math.ulp(y[i]));
        }
        Kernels.sigmoid(x, 0, x, 0, 5); // in place
        assertEquals(1 / (1 + Math.exp(3)), x[0], 4 * Math.ulp(x[0]));
        assertEquals(0.5f, x[2]);
    }

    @FunctionalInterface
    private interface FloatOp {
        float apply(float x);
    }
}
