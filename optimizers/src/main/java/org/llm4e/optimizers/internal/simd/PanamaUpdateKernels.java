package org.llm4e.optimizers.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.optimizers.internal.ScalarUpdateKernels;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * The Vector API update loops ({@code jdk.incubator.vector}), loaded only when the JVM has the module. Each loop does
 * the scalar reference's float operations in the same order (lanewise add, mul, div and sqrt are correctly rounded,
 * and no fused multiply-add is used), so results equal {@link ScalarUpdateKernels} bit for bit; the tail shorter
 * than a vector is handed to the scalar loop.
 */
public final class PanamaUpdateKernels implements UpdateKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarUpdateKernels TAIL = new ScalarUpdateKernels();

    /** Creates the Vector API implementation. */
    public PanamaUpdateKernels() {}

    // The helpers below are the scalar reference's helpers lane by lane; they are small enough that the JIT inlines
    // them, so the vectors they return stay in registers.

    /** The gradient lanes the rule sees: negated when maximizing. */
    private static FloatVector grad(float[] g, int i, boolean negate) {
        FloatVector gi = FloatVector.fromArray(S, g, i);
        return negate ? gi.neg() : gi;
    }

    /** L2 weight decay added to the gradient, {@code g + l2·p}; skipped when the coefficient is 0, as torch does. */
    private static FloatVector withL2(FloatVector gi, FloatVector pi, float l2) {
        return l2 != 0f ? gi.add(pi.mul(l2)) : gi;
    }

    /** {@code a + w·(x − a)}, torch's {@code lerp_} of a first moment. */
    private static FloatVector lerp(FloatVector a, FloatVector x, float w) {
        return a.add(x.sub(a).mul(w));
    }

    /** {@code a·β + (1 − β)·x}, an exponential moving average. */
    private static FloatVector ema(FloatVector a, float beta, float oneMinusBeta, FloatVector x) {
        return a.mul(beta).add(x.mul(oneMinusBeta));
    }

    /** {@link Math#signum(float)} lane by lane: ±1 for non-zero numbers, the argument itself for ±0 and NaN. */
    private static FloatVector signum(FloatVector x) {
        return x.blend(1f, x.compare(VectorOperators.GT, 0f)).blend(-1f, x.compare(VectorOperators.LT, 0f));
    }

    @Override
    public void adam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            float[] vMax,
            int from,
            int to,
            float decay,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float negStepSize,
            float bc2Sqrt,
            float eps) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i).mul(decay);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector mi = lerp(FloatVector.fromArray(S, m, i), gi, oneMinusBeta1);
            FloatVector vi = ema(FloatVector.fromArray(S, v, i), beta2, oneMinusBeta2, gi.mul(gi));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector vDen = vi;
            if (vMax != null) {
                vDen = FloatVector.fromArray(S, vMax, i).max(vi);
                vDen.intoArray(vMax, i);
            }
            FloatVector denom = vDen.sqrt().div(bc2Sqrt).add(eps);
            pi.add(mi.mul(negStepSize).div(denom)).intoArray(p, i);
        }
        TAIL.adam(
                p,
                g,
                m,
                v,
                vMax,
                i,
                to,
                decay,
                l2,
                negate,
                oneMinusBeta1,
                beta2,
                oneMinusBeta2,
                negStepSize,
                bc2Sqrt,
                eps);
    }

    @Override
    public void sgd(
            float[] p,
            float[] g,
            float[] buf,
            int from,
            int to,
            float l2,
            boolean negate,
            float negLr,
            float momentum,
            float oneMinusDampening,
            boolean nesterov,
            boolean firstStep) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector d = withL2(grad(g, i, negate), pi, l2);
            if (buf != null) {
                FloatVector b = firstStep ? d : ema(FloatVector.fromArray(S, buf, i), momentum, oneMinusDampening, d);
                b.intoArray(buf, i);
                d = nesterov ? d.add(b.mul(momentum)) : b;
            }
            pi.add(d.mul(negLr)).intoArray(p, i);
        }
        TAIL.sgd(p, g, buf, i, to, l2, negate, negLr, momentum, oneMinusDampening, nesterov, firstStep);
    }

    @Override
    public void lion(
            float[] p,
            float[] g,
            float[] m,
            int from,
            int to,
            float decay,
            boolean negate,
            float beta1,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float negLr) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector gi = grad(g, i, negate);
            FloatVector mi = FloatVector.fromArray(S, m, i);
            FloatVector c = ema(mi, beta1, oneMinusBeta1, gi);
            FloatVector.fromArray(S, p, i).mul(decay).add(signum(c).mul(negLr)).intoArray(p, i);
            ema(mi, beta2, oneMinusBeta2, gi).intoArray(m, i);
        }
        TAIL.lion(p, g, m, i, to, decay, negate, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr);
    }

    @Override
    public void rmsprop(
            float[] p,
            float[] g,
            float[] v,
            float[] gAvg,
            float[] buf,
            int from,
            int to,
            float l2,
            boolean negate,
            float alpha,
            float oneMinusAlpha,
            float eps,
            boolean epsInside,
            float negLr,
            float momentum) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector vi = ema(FloatVector.fromArray(S, v, i), alpha, oneMinusAlpha, gi.mul(gi));
            vi.intoArray(v, i);
            FloatVector var = vi;
            if (gAvg != null) {
                FloatVector ga = lerp(FloatVector.fromArray(S, gAvg, i), gi, oneMinusAlpha);
                ga.intoArray(gAvg, i);
                var = vi.add(ga.mul(-1f).mul(ga));
            }
            FloatVector avg = epsInside ? var.add(eps).sqrt() : var.sqrt().add(eps);
            if (buf != null) {
                FloatVector b = FloatVector.fromArray(S, buf, i).mul(momentum).add(gi.div(avg));
                b.intoArray(buf, i);
                pi.add(b.mul(negLr)).intoArray(p, i);
            } else {
                pi.add(gi.mul(negLr).div(avg)).intoArray(p, i);
            }
        }
        TAIL.rmsprop(p, g, v, gAvg, buf, i, to, l2, negate, alpha, oneMinusAlpha, eps, epsInside, negLr, momentum);
    }

    @Override
    public void rprop(
            float[] p,
            float[] g,
            float[] prev,
            float[] size,
            int from,
            int to,
            boolean negate,
            float etaMinus,
            float etaPlus,
            float min,
            float max) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < bound; i += L) {
            FloatVector gi = grad(g, i, negate);
            FloatVector product = gi.mul(FloatVector.fromArray(S, prev, i));
            VectorMask<Float> kept = product.compare(VectorOperators.GT, 0f);
            VectorMask<Float> flipped = product.compare(VectorOperators.LT, 0f);
            // The scalar if-chain as blends: η⁺ where the sign held, η⁻ where it flipped, 1 where the product is ±0,
            // NaN where it is NaN (Math.max and Math.min below then propagate it, as the scalar clamp does).
            FloatVector factor = one.blend(etaPlus, kept)
                    .blend(etaMinus, flipped)
                    .blend(Float.NaN, product.test(VectorOperators.IS_NAN));
            gi = gi.blend(0f, flipped); // a flipped sign moves nothing now and tests nothing next step
            FloatVector si =
                    FloatVector.fromArray(S, size, i).mul(factor).max(min).min(max);
            si.intoArray(size, i);
            FloatVector.fromArray(S, p, i).sub(signum(gi).mul(si)).intoArray(p, i);
            gi.intoArray(prev, i);
        }
        TAIL.rprop(p, g, prev, size, i, to, negate, etaMinus, etaPlus, min, max);
    }

    @Override
    public void asgd(
            float[] p,
            float[] g,
            float[] ax,
            int from,
            int to,
            float l2,
            boolean negate,
            float decay,
            float negEta,
            boolean average,
            float mu) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector p0 = FloatVector.fromArray(S, p, i);
            FloatVector gi = withL2(grad(g, i, negate), p0, l2);
            FloatVector pi = p0.mul(decay).add(gi.mul(negEta));
            pi.intoArray(p, i);
            (average ? lerp(FloatVector.fromArray(S, ax, i), pi, mu) : pi).intoArray(ax, i);
        }
        TAIL.asgd(p, g, ax, i, to, l2, negate, decay, negEta, average, mu);
    }

    @Override
    public void nadam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            int from,
            int to,
            float decay,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float bc2,
            float eps,
            float coefG,
            float coefM) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i).mul(decay);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector mi = lerp(FloatVector.fromArray(S, m, i), gi, oneMinusBeta1);
            FloatVector vi = ema(FloatVector.fromArray(S, v, i), beta2, oneMinusBeta2, gi.mul(gi));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.div(bc2).sqrt().add(eps);
            pi = pi.add(gi.mul(coefG).div(denom));
            pi.add(mi.mul(coefM).div(denom)).intoArray(p, i);
        }
        TAIL.nadam(p, g, m, v, i, to, decay, l2, negate, oneMinusBeta1, beta2, oneMinusBeta2, bc2, eps, coefG, coefM);
    }

    @Override
    public void radam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            int from,
            int to,
            float decay,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float bc1,
            float lr,
            boolean rectified,
            float bc2Sqrt,
            float eps,
            float rect) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector bc2SqrtV = FloatVector.broadcast(S, bc2Sqrt);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i).mul(decay);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector mi = lerp(FloatVector.fromArray(S, m, i), gi, oneMinusBeta1);
            FloatVector vi = ema(FloatVector.fromArray(S, v, i), beta2, oneMinusBeta2, gi.mul(gi));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector step = mi.div(bc1).mul(lr);
            if (rectified) {
                FloatVector adaptive = bc2SqrtV.div(vi.sqrt().add(eps));
                step = step.mul(adaptive).mul(rect);
            }
            pi.sub(step).intoArray(p, i);
        }
        TAIL.radam(
                p,
                g,
                m,
                v,
                i,
                to,
                decay,
                l2,
                negate,
                oneMinusBeta1,
                beta2,
                oneMinusBeta2,
                bc1,
                lr,
                rectified,
                bc2Sqrt,
                eps,
                rect);
    }

    @Override
    public void adamax(
            float[] p,
            float[] g,
            float[] m,
            float[] u,
            int from,
            int to,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float eps,
            float negClr) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector mi = lerp(FloatVector.fromArray(S, m, i), gi, oneMinusBeta1);
            mi.intoArray(m, i);
            FloatVector ui =
                    FloatVector.fromArray(S, u, i).mul(beta2).max(gi.abs().add(eps));
            ui.intoArray(u, i);
            pi.add(mi.mul(negClr).div(ui)).intoArray(p, i);
        }
        TAIL.adamax(p, g, m, u, i, to, l2, negate, oneMinusBeta1, beta2, eps, negClr);
    }

    @Override
    public void adagrad(
            float[] p, float[] g, float[] sum, int from, int to, float l2, boolean negate, float eps, float negClr) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector si = FloatVector.fromArray(S, sum, i).add(gi.mul(gi));
            si.intoArray(sum, i);
            pi.add(gi.mul(negClr).div(si.sqrt().add(eps))).intoArray(p, i);
        }
        TAIL.adagrad(p, g, sum, i, to, l2, negate, eps, negClr);
    }

    @Override
    public void adadelta(
            float[] p,
            float[] g,
            float[] sq,
            float[] acc,
            int from,
            int to,
            float l2,
            boolean negate,
            float rho,
            float oneMinusRho,
            float eps,
            float negLr) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            FloatVector pi = FloatVector.fromArray(S, p, i);
            FloatVector gi = withL2(grad(g, i, negate), pi, l2);
            FloatVector si = ema(FloatVector.fromArray(S, sq, i), rho, oneMinusRho, gi.mul(gi));
            si.intoArray(sq, i);
            FloatVector std = si.add(eps).sqrt();
            FloatVector a0 = FloatVector.fromArray(S, acc, i);
            FloatVector delta = a0.add(eps).sqrt().div(std).mul(gi);
            ema(a0, rho, oneMinusRho, delta.mul(delta)).intoArray(acc, i);
            pi.add(delta.mul(negLr)).intoArray(p, i);
        }
        TAIL.adadelta(p, g, sq, acc, i, to, l2, negate, rho, oneMinusRho, eps, negLr);
    }
}
