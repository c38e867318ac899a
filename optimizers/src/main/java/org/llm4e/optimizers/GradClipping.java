package org.llm4e.optimizers;

import java.util.List;
import org.llm4e.core.Parameter;

/**
 * Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}.
 *
 * <p>Clipping by norm rescales all gradients together so that their global norm is at most {@code maxNorm}:
 *
 * <pre>
 * ‖g‖ = (Σ over every element of every parameter |gᵢ|^p)^(1/p)     (p = ∞: maxᵢ |gᵢ|)
 * c = min(1, maxNorm / (‖g‖ + 1e-6))
 * g ← c·g
 * </pre>
 *
 * <p>and returns ‖g‖ before clipping, which is worth logging: spikes in it are the first sign of instability in LLM
 * training (which clips at 1.0). The articles do not cover clipping. The norm is accumulated in double (torch reduces
 * in float32 per tensor, then over tensors), so it may differ from torch's in the last float bits; the clip
 * coefficient is applied in float as torch does. A NaN or infinite norm propagates (the gradients become NaN) unless
 * {@code errorIfNonfinite} is set, as in torch.
 */
public final class GradClipping {
    private GradClipping() {}

    /**
     * {@code clip_grad_norm_(params, maxNorm)} with the L2 norm.
     *
     * @param params the parameters whose gradients are clipped in place
     * @param maxNorm the largest allowed norm, ≥ 0
     * @return the total norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN, or {@code params} is null
     */
    public static double clipGradNorm(List<Parameter> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0, false);
    }

    /**
     * {@code clip_grad_norm_(params, maxNorm, normType, errorIfNonfinite)}.
     *
     * @param params the parameters whose gradients are clipped in place
     * @param maxNorm the largest allowed norm, ≥ 0
     * @param normType p of the p-norm, &gt; 0, or {@link Double#POSITIVE_INFINITY} for the max norm
     * @param errorIfNonfinite whether a NaN or infinite total norm is an error instead of propagating
     * @return the total norm before clipping
     * @throws IllegalArgumentException if an argument is out of range
     * @throws ArithmeticException if {@code errorIfNonfinite} and the total norm is NaN or infinite; the gradients are
     *     then left unchanged
     */
    public static double clipGradNorm(
            List<Parameter> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        checkParams(params);
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("max_norm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("norm_type must be > 0 or Infinity, got " + normType);
        }
        double total = totalNorm(params, normType);
        if (errorIfNonfinite && !Double.isFinite(total)) {
            throw new ArithmeticException("the total norm of order " + normType + " of the gradients is " + total
                    + "; clip_grad_norm_ with error_if_nonfinite refuses to clip");
        }
        float coef = (float) Math.min(1.0, maxNorm / (total + 1e-6)); // NaN stays NaN: torch's clamp propagates it
        for (Parameter p : params) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) {
                g[i] *= coef;
            }
        }
        return total;
    }

    /**
     * The global norm of all gradients, without clipping.
     *
     * @param params the parameters
     * @param normType p &gt; 0, or {@link Double#POSITIVE_INFINITY}
     * @return ‖g‖_p over every gradient element
     * @throws IllegalArgumentException if {@code params} is null or {@code normType} is not positive
     */
    public static double totalNorm(List<Parameter> params, double normType) {
        checkParams(params);
        if (!(normType > 0)) {
            throw new IllegalArgumentException("norm_type must be > 0 or Infinity, got " + normType);
        }
        if (normType == Double.POSITIVE_INFINITY) {
            double max = 0;
            for (Parameter p : params) {
                for (float v : p.grad()) {
                    double a = Math.abs(v);
                    if (Double.isNaN(a)) {
                        return Double.NaN;
                    }
                    max = Math.max(max, a);
                }
            }
            return max;
        }
        double sum = 0;
        for (Parameter p : params) {
            for (float v : p.grad()) {
                double a = Math.abs(v);
                sum += normType == 2.0 ? a * a : Math.pow(a, normType);
            }
        }
        return normType == 2.0 ? Math.sqrt(sum) : Math.pow(sum, 1 / normType);
    }

    /**
     * {@code clip_grad_value_(params, clipValue)}: clamps every gradient element to [−clipValue, clipValue]; NaN
     * elements stay NaN.
     *
     * @param params the parameters whose gradients are clipped in place
     * @param clipValue the bound, ≥ 0
     * @throws IllegalArgumentException if {@code clipValue} is negative or NaN, or {@code params} is null
     */
    public static void clipGradValue(List<Parameter> params, double clipValue) {
        checkParams(params);
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clip_value must be >= 0, got " + clipValue);
        }
        float hi = (float) clipValue;
        float lo = -hi;
        for (Parameter p : params) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) {
                float v = g[i];
                if (v > hi) {
                    g[i] = hi;
                } else if (v < lo) {
                    g[i] = lo;
                }
            }
        }
    }

    private static void checkParams(List<Parameter> params) {
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == null) {
                throw new IllegalArgumentException("params[" + i + "] must not be null");
            }
        }
    }
}
