package org.llm4e.optimizers.internal;

/**
 * The plain-Java update loops: the reference that the Vector API implementation must match bit for bit. Each loop
 * body spells out torch's single-tensor kernel for one element, in torch's order of operations. Not API.
 */
public final class ScalarUpdateKernels implements UpdateKernels {
    /** Creates the scalar implementation. */
    public ScalarUpdateKernels() {}

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
            float gi = negate ? -g[i] : g[i];
            float pi = p[i] * decay; // AdamW: param.mul_(1 - lr*wd) before anything else (decay = 1 for Adam)
            if (l2 != 0f) {
                gi = gi + l2 * pi; // Adam's L2: grad.add(param, alpha=wd); skipped when 0, as torch does
            }
            float mi = m[i] + oneMinusBeta1 * (gi - m[i]); // exp_avg.lerp_(grad, 1 - beta1)
            float vi = v[i] * beta2 + oneMinusBeta2 * (gi * gi); // exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2)
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
            float d = negate ? -g[i] : g[i];
            if (l2 != 0f) {
                d = d + l2 * p[i];
            }
            if (buf != null) {
                float b = firstStep ? d : buf[i] * momentum + oneMinusDampening * d;
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
            float gi = negate ? -g[i] : g[i];
            float mi = m[i];
            float c = mi * beta1 + oneMinusBeta1 * gi; // the interpolation whose sign is the update
            p[i] = p[i] * decay + negLr * Math.signum(c);
            m[i] = mi * beta2 + oneMinusBeta2 * gi;
        }
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
        for (int i = from; i < to; i++) {
            float gi = negate ? -g[i] : g[i];
            if (l2 != 0f) {
                gi = gi + l2 * p[i];
            }
            float vi = v[i] * alpha + oneMinusAlpha * (gi * gi);
            v[i] = vi;
            float avg = epsInside ? (float) Math.sqrt(vi + eps) : (float) Math.sqrt(vi) + eps;
            p[i] = p[i] + negLr * gi / avg;
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
            float gi = negate ? -g[i] : g[i];
            float pi = p[i] * decay; // NAdamW: param.mul_(1 - lr*wd)
            if (l2 != 0f) {
                gi = gi + l2 * pi;
            }
            float mi = m[i] + oneMinusBeta1 * (gi - m[i]);
            float vi = v[i] * beta2 + oneMinusBeta2 * (gi * gi);
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
            float gi = negate ? -g[i] : g[i];
            float pi = p[i] * decay;
            if (l2 != 0f) {
                gi = gi + l2 * pi;
            }
            float mi = m[i] + oneMinusBeta1 * (gi - m[i]);
            float vi = v[i] * beta2 + oneMinusBeta2 * (gi * gi);
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
            float gi = negate ? -g[i] : g[i];
            if (l2 != 0f) {
                gi = gi + l2 * p[i];
            }
            float mi = m[i] + oneMinusBeta1 * (gi - m[i]);
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
            float gi = negate ? -g[i] : g[i];
            if (l2 != 0f) {
                gi = gi + l2 * p[i];
            }
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
            float gi = negate ? -g[i] : g[i];
            if (l2 != 0f) {
                gi = gi + l2 * p[i];
            }
            float si = sq[i] * rho + oneMinusRho * (gi * gi);
            sq[i] = si;
            float std = (float) Math.sqrt(si + eps);
            float delta = (float) Math.sqrt(acc[i] + eps) / std * gi; // sqrt(u + eps).div_(std).mul_(grad)
            acc[i] = acc[i] * rho + oneMinusRho * (delta * delta);
            p[i] = p[i] + negLr * delta;
        }
    }
}
