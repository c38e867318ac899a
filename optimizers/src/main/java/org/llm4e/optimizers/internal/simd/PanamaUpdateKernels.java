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
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i).mul(decay);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
            FloatVector m0 = FloatVector.fromArray(S, m, i);
            FloatVector mi = m0.add(gi.sub(m0).mul(oneMinusBeta1));
            FloatVector vi =
                    FloatVector.fromArray(S, v, i).mul(beta2).add(gi.mul(gi).mul(oneMinusBeta2));
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
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, g, i);
            if (negate) {
                d = d.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i);
            if (useL2) {
                d = d.add(pi.mul(l2));
            }
            if (buf != null) {
                FloatVector b = firstStep
                        ? d
                        : FloatVector.fromArray(S, buf, i).mul(momentum).add(d.mul(oneMinusDampening));
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
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector minusOne = FloatVector.broadcast(S, -1f);
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector mi = FloatVector.fromArray(S, m, i);
            FloatVector c = mi.mul(beta1).add(gi.mul(oneMinusBeta1));
            // Math.signum: ±1 for non-zero numbers, the argument itself for ±0 and NaN.
            VectorMask<Float> positive = c.compare(VectorOperators.GT, 0f);
            VectorMask<Float> negative = c.compare(VectorOperators.LT, 0f);
            FloatVector sign = c.blend(one, positive).blend(minusOne, negative);
            FloatVector.fromArray(S, p, i).mul(decay).add(sign.mul(negLr)).intoArray(p, i);
            mi.mul(beta2).add(gi.mul(oneMinusBeta2)).intoArray(m, i);
        }
        TAIL.lion(p, g, m, i, to, decay, negate, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr);
    }

    @Override
    public void rmsprop(
            float[] p,
            float[] g,
            float[] v,
            int from,
            int to,
            float l2,
            boolean negate,
            float alpha,
            float oneMinusAlpha,
            float eps,
            boolean epsInside,
            float negLr) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
            FloatVector vi =
                    FloatVector.fromArray(S, v, i).mul(alpha).add(gi.mul(gi).mul(oneMinusAlpha));
            vi.intoArray(v, i);
            FloatVector avg = epsInside ? vi.add(eps).sqrt() : vi.sqrt().add(eps);
            pi.add(gi.mul(negLr).div(avg)).intoArray(p, i);
        }
        TAIL.rmsprop(p, g, v, i, to, l2, negate, alpha, oneMinusAlpha, eps, epsInside, negLr);
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
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i).mul(decay);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
            FloatVector m0 = FloatVector.fromArray(S, m, i);
            FloatVector mi = m0.add(gi.sub(m0).mul(oneMinusBeta1));
            FloatVector vi =
                    FloatVector.fromArray(S, v, i).mul(beta2).add(gi.mul(gi).mul(oneMinusBeta2));
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
        boolean useL2 = l2 != 0f;
        FloatVector bc2SqrtV = FloatVector.broadcast(S, bc2Sqrt);
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i).mul(decay);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
            FloatVector m0 = FloatVector.fromArray(S, m, i);
            FloatVector mi = m0.add(gi.sub(m0).mul(oneMinusBeta1));
            FloatVector vi =
                    FloatVector.fromArray(S, v, i).mul(beta2).add(gi.mul(gi).mul(oneMinusBeta2));
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
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
            FloatVector m0 = FloatVector.fromArray(S, m, i);
            FloatVector mi = m0.add(gi.sub(m0).mul(oneMinusBeta1));
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
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
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
        boolean useL2 = l2 != 0f;
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            if (negate) {
                gi = gi.neg();
            }
            FloatVector pi = FloatVector.fromArray(S, p, i);
            if (useL2) {
                gi = gi.add(pi.mul(l2));
            }
            FloatVector si =
                    FloatVector.fromArray(S, sq, i).mul(rho).add(gi.mul(gi).mul(oneMinusRho));
            si.intoArray(sq, i);
            FloatVector std = si.add(eps).sqrt();
            FloatVector a0 = FloatVector.fromArray(S, acc, i);
            FloatVector delta = a0.add(eps).sqrt().div(std).mul(gi);
            a0.mul(rho).add(delta.mul(delta).mul(oneMinusRho)).intoArray(acc, i);
            pi.add(delta.mul(negLr)).intoArray(p, i);
        }
        TAIL.adadelta(p, g, sq, acc, i, to, l2, negate, rho, oneMinusRho, eps, negLr);
    }
}
