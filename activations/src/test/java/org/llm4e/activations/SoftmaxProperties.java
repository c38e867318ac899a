package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Softmax sums to 1, is shift-invariant, log-softmax = log(softmax), SIMD == scalar (masks included). */
class SoftmaxProperties {

    static double[] logits(long seed, int n, double scale, double maskRate) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() < maskRate ? Double.NEGATIVE_INFINITY : (r.nextDouble() * 2 - 1) * scale;
        }
        return x;
    }

    @Property(tries = 150)
    void sumsToOneAndIsShiftInvariant(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 64) int n,
            @ForAll @DoubleRange(min = 0.1, max = 500) double scale,
            @ForAll @DoubleRange(min = -1000, max = 1000) double shift) {
        double[] x = logits(seed, n, scale, 0.2);
        x[0] = 0.5; // at least one finite entry
        double[] p = Softmax.softmax(x);
        double sum = 0;
        for (double v : p) {
            assertTrue(v >= 0 && v <= 1);
            sum += v;
        }
        assertEquals(1.0, sum, 1e-12);
        double[] shifted = x.clone();
        for (int i = 0; i < n; i++) {
            shifted[i] += shift;
        }
        double[] q = Softmax.softmax(shifted);
        for (int i = 0; i < n; i++) {
            // the shifted logits are rounded to double, which moves p by about |x|·ulp relative
            assertEquals(p[i], q[i], 1e-12 + 1e-12 * (Math.abs(shift) + scale) * p[i]);
        }
        float[] pf = Softmax.softmax(toFloat(x));
        double sumF = 0;
        for (float v : pf) {
            sumF += v;
        }
        assertEquals(1.0, sumF, 1e-5);
    }

    @Property(tries = 150)
    void logSoftmaxIsLogOfSoftmaxWhereFinite(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 64) int n,
            @ForAll @DoubleRange(min = 0.1, max = 30) double scale) {
        double[] x = logits(seed, n, scale, 0.3);
        double[] p = Softmax.softmax(x);
        double[] lp = Softmax.logSoftmax(x);
        for (int i = 0; i < n; i++) {
            if (p[i] > 0) {
                assertEquals(Math.log(p[i]), lp[i], 1e-12 * Math.max(1, Math.abs(lp[i])));
            } else {
                assertEquals(Double.NEGATIVE_INFINITY, lp[i], 0);
            }
        }
    }

    @Property(tries = 150)
    void simdEqualsScalar(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 80) int n,
            @ForAll @DoubleRange(min = 0.1, max = 2000) double scale,
            @ForAll @DoubleRange(min = 0, max = 1) double maskRate) {
        float[] x = toFloat(logits(seed, n, scale, maskRate));
        float[] g = toFloat(logits(seed + 1, n, 1, 0));
        ActivationKernels s = KernelSets.SCALAR;
        ActivationKernels p = KernelSets.PANAMA;
        float[] ys = new float[n];
        float[] yp = new float[n];
        s.softmax(x, 0, ys, 0, n);
        p.softmax(x, 0, yp, 0, n);
        close(ys, yp, 1e-6, "softmax");
        float[] ls = new float[n];
        float[] lp = new float[n];
        s.logSoftmax(x, 0, ls, 0, n);
        p.logSoftmax(x, 0, lp, 0, n);
        close(ls, lp, 1e-5, "log_softmax");
        float[] ds = new float[n];
        float[] dp = new float[n];
        s.softmaxBackward(ys, 0, g, 0, ds, 0, n);
        p.softmaxBackward(ys, 0, g, 0, dp, 0, n);
        close(ds, dp, 1e-6, "softmax backward");
        s.logSoftmaxBackward(ls, 0, g, 0, ds, 0, n);
        p.logSoftmaxBackward(ls, 0, g, 0, dp, 0, n);
        close(ds, dp, 1e-5, "log_softmax backward");
    }

    private static void close(float[] a, float[] b, double atol, String what) {
        for (int i = 0; i < a.length; i++) {
            boolean ok = a[i] == b[i] || Math.abs(a[i] - b[i]) <= atol + 1e-5 * Math.abs(a[i]);
            assertTrue(ok, what + " at " + i + ": " + a[i] + " vs " + b[i]);
        }
    }

    static float[] toFloat(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }
}
