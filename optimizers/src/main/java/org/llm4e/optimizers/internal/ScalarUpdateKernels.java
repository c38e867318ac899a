package org.llm4e.optimizers.internal;

/**
 * The plain-Java update loops: the reference that the Vector API implementation must match bit for bit. Each loop
 * body spells out torch's single-tensor kernel for one element, in torch's order of operations. Not API.
 */
public final class ScalarUpdateKernels implements UpdateKernels {
    /** Creates the scalar implementation. */
    public ScalarUpdateKernels() {}

    /** The gradient the rule sees: negated when maximizing (torch's {@code -grad}). */
    private static float grad(float[] g, int i, boolean negate) {
        return negate ? -g[i] : g[i];
    }

    /**
     * L2 weight decay added to the gradient, {@code g + l2·p} (torch's {@code grad.add(param, alpha=wd)}); skipped when
     * the coefficient is 0, as torch does, so that a −0 gradient stays −0.
     */
    private static float withL2(float gi, float pi, float l2) {
        return l2 != 0f ? gi + l2 * pi : gi;
    }

    /** torch's {@code a.lerp_(x, w)} of a first moment: {@code a + w·(x − a)}. */
    private static float lerp(float a, float x, float w) {
        return a + w * (x - a);
    }

    /** An exponential moving average {@code a·β + (1 − β)·x} (torch's {@code a.mul_(β).add_(x, alpha=1 − β)}). */
    private static float ema(float a, float beta, float oneMinusBeta, float x) {
        return a * beta + oneMinusBeta * x;
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
        for (int i = from; i < to; i++) {
            float pi = p[i] * decay; // AdamW: param.mul_(1 - lr*wd) before anything else (decay = 1 for Adam)
            float gi = withL2(grad(g, i, negate), pi, l2); // Adam's L2 sees the decayed parameter (none with decay)
            float mi = lerp(m[i], gi, oneMinusBeta1); // exp_avg.lerp_(grad, 1 - beta1)
            float vi = ema(v[i], beta2, oneMinusBeta2, gi * gi); // exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2)
            m[i] = mi;
            v[i] = vi;
            float vDen = vi;
            if (vMax != null) {
                vDen = Math.max(vMax[i], vi); // torch.maximum(max_exp_avg_sq, exp_avg_sq): the uncorrected max
                vMax[i] = vDen;
            }
            float denom = (float) Math.sqrt(vDen) / bc2Sqrt + eps; // (sqrt(v) / sqrt(bc2)).add_(eps)
            p[i] = pi + negStepSize * mi / denom; // param.addcdiv_(exp_avg, denom, value=-lr/bc1)
        }
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
        for (int i = from; i < to; i++) {
            float d = withL2(grad(g, i, negate), p[i], l2);
            if (buf != null) {
                float b = firstStep ? d : ema(buf[i], momentum, oneMinusDampening, d);
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] + negLr * d;
        }
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
        for (int i = from; i < to; i++) {
            float gi = grad(g, i, negate);
            float mi = m[i];
            float c = ema(mi, beta1, oneMinusBeta1, gi); // the interpolation whose sign is the update
            p[i] = p[i] * decay + negLr * Math.signum(c);
            m[i] = ema(mi, beta2, oneMinusBeta2, gi);
        }
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
        for (int i = from; i < to; i++) {
            float gi = withL2(grad(g, i, negate), p[i], l2);
            float vi = ema(v[i], alpha, oneMinusAlpha, gi * gi);
            v[i] = vi;
            float var = vi;
            if (gAvg != null) {
                float ga = lerp(gAvg[i], gi, oneMinusAlpha); // grad_avg.lerp_(grad, 1 - alpha)
                gAvg[i] = ga;
                var = vi + -1f * ga * ga; // square_avg.addcmul(grad_avg, grad_avg, value=-1)
            }
            float avg = epsInside ? (float) Math.sqrt(var + eps) : (float) Math.sqrt(var) + eps;
            if (buf != null) {
                float b = buf[i] * momentum + gi / avg; // buf.mul_(momentum).addcdiv_(grad, avg)
                buf[i] = b;
                p[i] = p[i] + negLr * b;
            } else {
                p[i] = p[i] + negLr * gi / avg;
            }
        }
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
        for (int i = from; i < to; i++) {
            float gi = grad(g, i, negate);
            float product = gi * prev[i];
            float factor;
            if (product > 0) {
                factor = etaPlus;
            } else if (product < 0) {
                factor = etaMinus;
                gi = 0f; // torch: grad[sign.eq(etaminus)] = 0, so no move now and no sign test next step
            } else {
                factor = product == 0 ? 1f : Float.NaN; // NaN propagates as in torch
            }
            float si = Math.min(Math.max(size[i] * factor, min), max); // step_size.mul_(sign).clamp_(min, max)
            size[i] = si;
            p[i] = p[i] - Math.signum(gi) * si; // param.addcmul_(grad.sign(), step_size, value=-1)
            prev[i] = gi;
        }
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
        for (int i = from; i < to; i++) {
            float gi = withL2(grad(g, i, negate), p[i], l2);
            float pi = p[i] * decay; // param.mul_(1 - lambd * eta)
            pi = pi + negEta * gi; // param.add_(grad, alpha=-eta)
            p[i] = pi;
            ax[i] = average ? lerp(ax[i], pi, mu) : pi; // ax.add_(param.sub(ax).mul_(mu)), or ax.copy_(param)
        }
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
        for (int i = from; i < to; i++) {
            float pi = p[i] * decay; // NAdamW: param.mul_(1 - lr*wd)
            float gi = withL2(grad(g, i, negate), pi, l2);
            float mi = lerp(m[i], gi, oneMinusBeta1);
            float vi = ema(v[i], beta2, oneMinusBeta2, gi * gi);
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi / bc2) + eps; // exp_avg_sq.div(bias_correction2).sqrt().add(eps)
            pi = pi + coefG * gi / denom; // param.addcdiv_(grad, denom, value=-lr*(1-mu)/(1-mu_product))
            p[i] = pi + coefM * mi / denom; // param.addcdiv_(exp_avg, denom, value=-lr*mu_next/(1-mu_product_next))
        }
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
        for (int i = from; i < to; i++) {
            float pi = p[i] * decay;
            float gi = withL2(grad(g, i, negate), pi, l2);
            float mi = lerp(m[i], gi, oneMinusBeta1);
            float vi = ema(v[i], beta2, oneMinusBeta2, gi * gi);
            m[i] = mi;
            v[i] = vi;
            float step = mi / bc1 * lr; // bias_corrected_exp_avg * lr
            if (rectified) {
                float adaptive = bc2Sqrt / ((float) Math.sqrt(vi) + eps); // sqrt(bc2) / (sqrt(v) + eps)
                step = step * adaptive * rect;
            }
            p[i] = pi - step;
        }
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
        for (int i = from; i < to; i++) {
            float gi = withL2(grad(g, i, negate), p[i], l2);
            float mi = lerp(m[i], gi, oneMinusBeta1);
            m[i] = mi;
            float ui = Math.max(u[i] * beta2, Math.abs(gi) + eps); // max(exp_inf * beta2, |g| + eps)
            u[i] = ui;
            p[i] = p[i] + negClr * mi / ui;
        }
    }

    @Override
    public void adagrad(
            float[] p, float[] g, float[] sum, int from, int to, float l2, boolean negate, float eps, float negClr) {
        for (int i = from; i < to; i++) {
            float gi = withL2(grad(g, i, negate), p[i], l2);
            float si = sum[i] + gi * gi; // state_sum.addcmul_(grad, grad, value=1)
            sum[i] = si;
            float std = (float) Math.sqrt(si) + eps;
            p[i] = p[i] + negClr * gi / std; // param.addcdiv_(grad, std, value=-clr)
        }
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
        for (int i = from; i < to; i++) {
            float gi = withL2(grad(g, i, negate), p[i], l2);
            float si = ema(sq[i], rho, oneMinusRho, gi * gi);
            sq[i] = si;
            float std = (float) Math.sqrt(si + eps);
            float delta = (float) Math.sqrt(acc[i] + eps) / std * gi; // sqrt(u + eps).div_(std).mul_(grad)
            acc[i] = ema(acc[i], rho, oneMinusRho, delta * delta);
            p[i] = p[i] + negLr * delta;
        }
    }
}
