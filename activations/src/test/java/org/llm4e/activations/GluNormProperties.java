package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.activations.norm.BatchNorm;
import org.llm4e.activations.norm.LayerNorm;
import org.llm4e.activations.norm.RMSNorm;
import org.llm4e.core.Tensor;

/**
 * The float32 backward passes of the GLU family and the normalization layers equal a double reference: the analytic
 * double GLU backward, and for the norms a central finite difference in double of {@code L = Σ dy·y} over an
 * independent double implementation of the layer's forward formula.
 */
class GluNormProperties {

    @Provide
    Arbitrary<GluVariant> variants() {
        return Arbitraries.of(GluVariant.values());
    }

    private static double[] random(SplittableRandom r, int n, double scale) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (r.nextDouble() * 2 - 1) * scale;
        }
        return out;
    }

    private static float[] f(double[] d) {
        return SoftmaxProperties.toFloat(d);
    }

    private static void close(double[] ref, float[] got, double tol, String what) {
        for (int i = 0; i < ref.length; i++) {
            assertTrue(
                    Math.abs(ref[i] - got[i]) <= tol * (1 + Math.abs(ref[i])),
                    what + " at " + i + ": reference " + ref[i] + ", float " + got[i]);
        }
    }

    @Property(tries = 100)
    void gluBackwardEqualsDoubleReference(
            @ForAll("variants") GluVariant v, @ForAll @IntRange(min = 1, max = 24) int d, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = random(r, 2 * d, 4);
        double[] dy = random(r, d, 1);
        // round the inputs first so both sides see the same numbers
        x = toDouble(f(x));
        dy = toDouble(f(dy));
        close(Glu.forward(v, x), Glu.forward(v, f(x)), 1e-6, v + " forward");
        close(Glu.backward(v, x, dy), Glu.backward(v, f(x), f(dy)), 1e-6, v + " backward");
    }

    private static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /** kind: 0 LayerNorm (γ, β), 1 RMSNorm (g), 2 BatchNorm training (γ, β). Returns Σ dy·y in double. */
    private static double loss(int kind, double[] x, int rows, int d, double[] w, double[] b, double[] dy) {
        double eps = 1e-5;
        double total = 0;
        if (kind == 2) {
            for (int j = 0; j < d; j++) {
                double mean = 0;
                for (int i = 0; i < rows; i++) {
                    mean += x[i * d + j];
                }
                mean /= rows;
                double var = 0;
                for (int i = 0; i < rows; i++) {
                    var += (x[i * d + j] - mean) * (x[i * d + j] - mean);
                }
                var /= rows;
                for (int i = 0; i < rows; i++) {
                    double y = (x[i * d + j] - mean) / Math.sqrt(var + eps) * w[j] + b[j];
                    total += dy[i * d + j] * y;
                }
            }
            return total;
        }
        for (int i = 0; i < rows; i++) {
            double mean = 0;
            double sq = 0;
            for (int j = 0; j < d; j++) {
                mean += x[i * d + j];
                sq += x[i * d + j] * x[i * d + j];
            }
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                var += (x[i * d + j] - mean) * (x[i * d + j] - mean);
            }
            var /= d;
            for (int j = 0; j < d; j++) {
                double y = kind == 0
                        ? (x[i * d + j] - mean) / Math.sqrt(var + eps) * w[j] + b[j]
                        : x[i * d + j] / Math.sqrt(sq / d + eps) * w[j];
                total += dy[i * d + j] * y;
            }
        }
        return total;
    }

    @Property(tries = 60)
    void normBackwardEqualsFiniteDifferenceOfDoubleReference(
            @ForAll @IntRange(min = 0, max = 2) int kind,
            @ForAll @IntRange(min = 2, max = 5) int rows,
            @ForAll @IntRange(min = 1, max = 12) int d,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = toDouble(f(random(r, rows * d, 3)));
        double[] dy = toDouble(f(random(r, rows * d, 1)));
        double[] w = toDouble(f(random(r, d, 2)));
        double[] b = toDouble(f(random(r, d, 1)));
        Tensor dx;
        float[] gw;
        float[] gb = null;
        Tensor xt = Tensor.of(f(x), rows, d);
        Tensor dyt = Tensor.of(f(dy), rows, d);
        if (kind == 0) {
            LayerNorm ln = new LayerNorm(d);
            System.arraycopy(f(w), 0, ln.parameters().get(0).data(), 0, d);
            System.arraycopy(f(b), 0, ln.parameters().get(1).data(), 0, d);
            ln.forward(xt);
            dx = ln.backward(dyt);
            gw = ln.parameters().get(0).grad();
            gb = ln.parameters().get(1).grad();
        } else if (kind == 1) {
            RMSNorm rms = new RMSNorm(d, 1e-5);
            System.arraycopy(f(w), 0, rms.parameters().get(0).data(), 0, d);
            rms.forward(xt);
            dx = rms.backward(dyt);
            gw = rms.parameters().get(0).grad();
        } else {
            BatchNorm bn = new BatchNorm(d);
            System.arraycopy(f(w), 0, bn.parameters().get(0).data(), 0, d);
            System.arraycopy(f(b), 0, bn.parameters().get(1).data(), 0, d);
            bn.forward(xt);
            dx = bn.backward(dyt);
            gw = bn.parameters().get(0).grad();
            gb = bn.parameters().get(1).grad();
        }
        double h = 1e-6;
        double[] refDx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] xp = x.clone();
            double[] xm = x.clone();
            xp[i] += h;
            xm[i] -= h;
            refDx[i] = (loss(kind, xp, rows, d, w, b, dy) - loss(kind, xm, rows, d, w, b, dy)) / (2 * h);
        }
        close(refDx, dx.data(), 2e-4, "norm " + kind + " dx");
        double[] refW = new double[d];
        double[] refB = new double[d];
        for (int j = 0; j < d; j++) {
            double[] wp = w.clone();
            double[] wm = w.clone();
            wp[j] += h;
            wm[j] -= h;
            refW[j] = (loss(kind, x, rows, d, wp, b, dy) - loss(kind, x, rows, d, wm, b, dy)) / (2 * h);
            double[] bp = b.clone();
            double[] bm = b.clone();
            bp[j] += h;
            bm[j] -= h;
            refB[j] = (loss(kind, x, rows, d, w, bp, dy) - loss(kind, x, rows, d, w, bm, dy)) / (2 * h);
        }
        close(refW, gw, 2e-4, "norm " + kind + " dweight");
        if (gb != null) {
            close(refB, gb, 2e-4, "norm " + kind + " dbias");
        }
    }
}
