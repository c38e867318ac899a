package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * Adamax (Kingma &amp; Ba, 2014, §7.1): Adam with the infinity norm; matches {@code torch.optim.Adamax} ≥ 2.0.
 *
 * <p>The overview article ({@code 神经网络的优化器（一）概述.md}) names AdaMax as a variant from the Adam paper but gives
 * no formula; this is the paper's and torch's:
 *
 * <pre>
 * m ← β₁·m + (1 − β₁)·g
 * u ← max(β₂·u, |g| + ε)
 * θ ← θ − (lr / (1 − β₁ᵗ))·m / u
 * </pre>
 *
 * <p>torch adds ε inside the max (the paper has none), so u never reaches 0. {@code weight_decay} adds λθ to the
 * gradient; {@code maximize} negates it.
 *
 * <p>Defaults (torch): lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, maximize false. <p>Speed: one vectorised pass over memory (28 bytes per parameter), split over the library pool for large
 * parameters. Stateful and not thread-safe.
 */
public final class Adamax extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("Adamax")
            .lr(2e-3)
            .betas(0.9, 0.999)
            .eps(1e-8)
            .weightDecay(0)
            .maximize();

    Adamax(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("exp_avg", "exp_inf");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        double lr = g.number("lr");
        double[] betas = g.pair("betas");
        float[] m = s.buffer("exp_avg", n);
        float[] u = s.buffer("exp_inf", n);
        float l2 = (float) g.number("weight_decay");
        boolean negate = g.flag("maximize");
        float oneMinusBeta1 = (float) (1 - betas[0]);
        float beta2 = (float) betas[1];
        float eps = (float) g.number("eps");
        float negClr = (float) (-lr / (1 - Math.pow(betas[0], s.step)));
        float[] w = p.data();
        float[] grad = p.grad();
        chunks(n, (lo, hi) -> kernels.adamax(w, grad, m, u, lo, hi, l2, negate, oneMinusBeta1, beta2, eps, negClr));
    }

    /**
     * A builder with torch's defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Typed builder; each setter takes torch's keyword argument of the same meaning. */
    public static final class Builder extends OptimizerBuilder<Builder, Adamax> {
        private Builder() {
            super(SPEC);
        }

        @Override
        Adamax create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new Adamax(values, groups, kernels);
        }

        /**
         * Learning rate ({@code lr}, default 2e-3).
         *
         * @param lr finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            return set("lr", lr);
        }

        /**
         * Decay rates of the moving averages ({@code betas}, default (0.9, 0.999)).
         *
         * @param beta1 in [0, 1)
         * @param beta2 in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder betas(double beta1, double beta2) {
            return set("betas", new double[] {beta1, beta2});
        }

        /**
         * Term added for numerical stability ({@code eps}, default 1e-8).
         *
         * @param eps finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder eps(double eps) {
            return set("eps", eps);
        }

        /**
         * Weight decay (L2 penalty added to the gradient) ({@code weight_decay}, default 0).
         *
         * @param weightDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        /**
         * Maximize the objective instead of minimizing it ({@code maximize}, default false).
         *
         * @param maximize whether to ascend the gradient
         * @return this builder
         */
        public Builder maximize(boolean maximize) {
            return set("maximize", maximize);
        }
    }
}
