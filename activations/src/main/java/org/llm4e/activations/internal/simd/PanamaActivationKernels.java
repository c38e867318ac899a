package org.llm4e.activations.internal.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.activations.ActivationKernels;

/**
 * The Vector API {@link ActivationKernels}, loaded reflectively by {@code org.llm4e.core.Simd} only when the JVM
 * has {@code jdk.incubator.vector}. Whole vectors go through lanewise float32 arithmetic and the JDK's vector
 * {@code EXP}/{@code TANH}; the tail of each range (fewer elements than a vector) goes to the scalar kernels.
 *
 * <p>Exact GELU needs erf, which the Vector API lacks; it uses Abramowitz–Stegun 7.1.26,
 * {@code erfc(a) ≈ t·(a₁ + t·(a₂ + t·(a₃ + t·(a₄ + t·a₅))))·e^(−a²)} with {@code t = 1/(1 + p·a)}, absolute error
 * ≤ 1.5e-7: good for float32 data (the double reference {@code Erf} is what the article's SciPy code needs). Mish
 * uses {@code tanh(ln(1 + e^x)) = n/(n + 2)} with {@code n = e^x·(e^x + 2)}, one exponential per element.
 */
public final class PanamaActivationKernels implements ActivationKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ActivationKernels TAIL = ActivationKernels.scalar();

    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float GELU_COEFF = 0.044715f;
    private static final float SQRT1_2 = 0.7071067811865476f;
    private static final float INV_SQRT_2PI = 0.3989422804014327f;
    private static final float AS_P = 0.3275911f;
    private static final float AS_A1 = 0.254829592f;
    private static final float AS_A2 = -0.284496736f;
    private static final float AS_A3 = 1.421413741f;
    private static final float AS_A4 = -1.453152027f;
    private static final float AS_A5 = 1.061405429f;
    /** Above this, Mish(x) = x and Mish′(x) = 1 in float32 (and e^(2x) would overflow beyond 44). */
    private static final float MISH_LINEAR = 20f;

    /** Creates the Vector API kernels. */
    public PanamaActivationKernels() {}

    private static FloatVector recipOnePlusExp(FloatVector v) {
        return FloatVector.broadcast(S, 1f)
                .div(v.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    @Override
    public void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            recipOnePlusExp(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        TAIL.sigmoid(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void sigmoidBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector s = recipOnePlusExp(FloatVector.fromArray(S, x, xOff + i));
            FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
            g.mul(s).mul(s.neg().add(1f)).intoArray(dx, dxOff + i);
        }
        TAIL.sigmoidBackward(x, xOff + i, dy, dyOff + i, dx, dxOff + i, n - i);
    }

    @Override
    public void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).lanewise(VectorOperators.TANH).intoArray(y, yOff + i);
        }
        TAIL.tanh(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void tanhBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector t = FloatVector.fromArray(S, x, xOff + i).lanewise(VectorOperators.TANH);
            FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
            g.mul(t.neg().fma(t, FloatVector.broadcast(S, 1f))).intoArray(dx, dxOff + i);
        }
        TAIL.tanhBackward(x, xOff + i, dy, dyOff + i, dx, dxOff + i, n - i);
    }

    @Override
    public void silu(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.mul(recipOnePlusExp(v)).intoArray(y, yOff + i);
        }
        TAIL.silu(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void siluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector s = recipOnePlusExp(v);
            // σ·(1 + x·(1 − σ))
            FloatVector d = s.mul(v.mul(s.neg().add(1f)).add(1f));
            FloatVector.fromArray(S, dy, dyOff + i).mul(d).intoArray(dx, dxOff + i);
        }
        TAIL.siluBackward(x, xOff + i, dy, dyOff + i, dx, dxOff + i, n - i);
    }

    private static FloatVector geluTanhInner(FloatVector v) {
        FloatVector v3 = v.mul(v).mul(v);
        return v3.mul(GELU_COEFF).add(v).mul(SQRT_2_OVER_PI).lanewise(VectorOperators.TANH);
    }

    @Override
    public void geluTanh(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector t = geluTanhInner(v);
            v.mul(0.5f).mul(t.add(1f)).intoArray(y, yOff + i);
        }
        TAIL.geluTanh(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void geluTanhBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector t = geluTanhInner(v);
            FloatVector inner = v.mul(v).mul(3f * GELU_COEFF).add(1f).mul(SQRT_2_OVER_PI);
            FloatVector sech2 = t.neg().fma(t, FloatVector.broadcast(S, 1f));
            FloatVector d = t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(inner));
            FloatVector.fromArray(S, dy, dyOff + i).mul(d).intoArray(dx, dxOff + i);
        }
        TAIL.geluTanhBackward(x, xOff + i, dy, dyOff + i, dx, dxOff + i, n - i);
    }

    /** Φ(x) from the A&amp;S erfc, and φ(x) as a by-product in {@code pdf[0]}. */
    private static FloatVector normalCdf(FloatVector v, FloatVector[] pdf) {
        FloatVector z = v.mul(SQRT1_2);
        FloatVector a = z.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(a.mul(AS_P).add(1f));
        FloatVector poly = t.mul(AS_A5).add(AS_A4);
        poly = poly.fma(t, FloatVector.broadcast(S, AS_A3));
        poly = poly.fma(t, FloatVector.broadcast(S, AS_A2));
        poly = poly.fma(t, FloatVector.broadcast(S, AS_A1));
        poly = poly.mul(t);
        FloatVector e = a.mul(a).neg().lanewise(VectorOperators.EXP); // e^(−x²/2)
        if (pdf != null) {
            pdf[0] = e.mul(INV_SQRT_2PI);
        }
        FloatVector halfErfc = poly.mul(e).mul(0.5f); // ½·erfc(|z|)
        VectorMask<Float> negative = z.compare(VectorOperators.LT, 0f);
        return halfErfc.neg().add(1f).blend(halfErfc, negative);
    }

    @Override
    public void gelu(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.mul(normalCdf(v, null)).intoArray(y, yOff + i);
        }
        TAIL.gelu(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        FloatVector[] pdf = new FloatVector[1];
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector cdf = normalCdf(v, pdf);
            FloatVector d = v.fma(pdf[0], cdf);
            FloatVector.fromArray(S, dy, dyOff + i).mul(d).intoArray(dx, dxOff + i);
        }
        TAIL.geluBackward(x, xOff + i, dy, dyOff + i, dx, dxOff + i, n - i);
    }

    @Override
    public void mish(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector ex = v.lanewise(VectorOperators.EXP);
            FloatVector nn = ex.mul(ex.add(2f));
            FloatVector t = nn.div(nn.add(2f));
            v.mul(t).blend(v, v.compare(VectorOperators.GT, MISH_LINEAR)).intoArray(y, yOff + i);
        }
        TAIL.mish(x, xOff + i, y, yOff + i, n - i);
    }

    @Override
    public void mishBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector ex = v.lanewise(VectorOperators.EXP);
            FloatVector nn = ex.mul(ex.add(2f));
            FloatVector den = nn.add(2f);
            FloatVector t = nn.div(den);
            // sech² = 1 − t² = (1 − t)(1 + t) with 1 − t = 2/(n + 2), which does not cancel near t = 1
            FloatVector sech2 = FloatVector.broadcast(S, 2f).div(den).mul(t.add(1f));
            FloatVector sig = ex.div(ex.add(1f));
            FloatVector d = v.mul(sech2).fma(sig, t).blend(one, v.compare(VectorOperators.GT, MISH_LINEAR));
            FloatVector.fromArray(S, dy, dyOff + i).mul(d).intoArray(dx, dxOff + i);
        }
        TAIL.mishBackward(x, xOff + i, dy, dyOff + i, dx, dxOff + i, n - i);
    }

    private static float max(float[] x, int off, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i + L <= n; i += L) {
                acc = acc.max(FloatVector.fromArray(S, x, off + i));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    /** Σ e^(x − m), storing the exponentials in y when y is not null. */
    private static float expSum(float[] x, int xOff, float[] y, int yOff, int n, float m) {
        int i = 0;
        float sum = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) {
                FloatVector e = FloatVector.fromArray(S, x, xOff + i).sub(m).lanewise(VectorOperators.EXP);
                if (y != null) {
                    e.intoArray(y, yOff + i);
                }
                acc = acc.add(e);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xOff + i] - m);
            if (y != null) {
                y[yOff + i] = e;
            }
            sum += e;
        }
        return sum;
    }

    private static void scale(float[] y, int yOff, int n, float s) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, y, yOff + i).mul(s).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] *= s;
        }
    }

    @Override
    public void softmax(float[] x, int xOff, float[] y, int yOff, int n) {
        float m = max(x, xOff, n);
        if (m == Float.NEGATIVE_INFINITY) {
            Arrays.fill(y, yOff, yOff + n, 0f);
            return;
        }
        float sum = expSum(x, xOff, y, yOff, n, m);
        scale(y, yOff, n, 1f / sum);
    }

    @Override
    public void logSoftmax(float[] x, int xOff, float[] y, int yOff, int n) {
        float m = max(x, xOff, n);
        if (m == Float.NEGATIVE_INFINITY) {
            Arrays.fill(y, yOff, yOff + n, Float.NEGATIVE_INFINITY);
            return;
        }
        // (x − m) − ln Σ: subtracting m first keeps float32 precision for large logits (x − (m + ln Σ) would lose
        // the low bits of ln Σ next to a logit of 1000)
        float logSum = (float) Math.log(expSum(x, xOff, null, 0, n, m));
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).sub(m).sub(logSum).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = (x[xOff + i] - m) - logSum;
        }
    }

    @Override
    public void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        float dot = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) {
                acc = FloatVector.fromArray(S, y, yOff + i).fma(FloatVector.fromArray(S, dy, dyOff + i), acc);
            }
            dot = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            dot += y[yOff + i] * dy[dyOff + i];
        }
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyOff + i).sub(dot);
            FloatVector.fromArray(S, y, yOff + i).mul(g).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] * (dy[dyOff + i] - dot);
        }
    }

    @Override
    public void logSoftmaxBackward(float[] logY, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        int i = 0;
        float sum = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) {
                acc = acc.add(FloatVector.fromArray(S, dy, dyOff + i));
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += dy[dyOff + i];
        }
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector p = FloatVector.fromArray(S, logY, yOff + i).lanewise(VectorOperators.EXP);
            p.mul(-sum).add(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] - (float) Math.exp(logY[yOff + i]) * sum;
        }
    }

    @Override
    public float rmsNorm(float[] x, int xOff, float[] weight, float[] y, int yOff, int n, float eps) {
        int i = 0;
        float ss = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                acc = v.fma(v, acc);
            }
            ss = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            ss += x[xOff + i] * x[xOff + i];
        }
        float r = (float) (1.0 / Math.sqrt((double) ss / n + eps));
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i)
                    .mul(r)
                    .mul(FloatVector.fromArray(S, weight, i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] * r * weight[i];
        }
        return r;
    }
}
