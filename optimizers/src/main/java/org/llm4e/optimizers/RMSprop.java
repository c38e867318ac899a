package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * RMSprop (Hinton, Coursera lecture 6e, 2012), with optional centering and momentum; matches
 * {@code torch.optim.RMSprop} ≥ 2.0.
 *
 * <p>Article {@code 神经网络的优化器（八）RMSprop.md}, with ε <b>inside</b> the root:
 *
 * <pre>
 * r ← ρ·r + (1 − ρ)·g²
 * θ ← θ − η·g / √(r + ε)                          (article, ρ = 0.9)
 * θ ← θ − lr·g / (√r + ε)                         (torch, alpha = 0.99)
 * </pre>
 *
 * <p>The two placements agree for ordinary gradients and differ sharply for tiny ones (|g| = 1e-8: first step 1e-5
 * inside versus 0.076 outside, with η = 0.1); {@link Builder#epsInsideSqrt(boolean)} selects the article's. torch's
 * default alpha is 0.99, not the article's 0.9. Beyond the article: {@code centered} divides by
 * √(r − ḡ²) + ε with ḡ the running mean gradient; {@code momentum} μ &gt; 0 keeps b ← μ·b + g/(√r + ε) and steps
 * θ ← θ − lr·b; {@code weight_decay} adds λθ to the gradient; {@code maximize} negates it.
 *
 * <p>Defaults (torch): lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false, maximize false.
 *
 * <p>Speed: every variant is vectorised; the common one (no centering, no momentum) streams 20 bytes per parameter,
 * centering and momentum 8 more each. Stateful and not thread-safe.
 */
public final class RMSprop extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("RMSprop")
            .lr(1e-2)
            .number("alpha", 0.99, HyperSpec::closedUnitInterval)
            .eps(1e-8)
            .weightDecay(0)
            .number("momentum", 0, HyperSpec::nonNegative)
            .flag("centered", false)
            .maximize()
            .flag("eps_inside_sqrt", false);

    RMSprop(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("square_avg", "momentum_buffer", "grad_avg");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        float[] v = s.buffer("square_avg", n);
        double momentum = g.number("momentum");
        boolean centered = g.flag("centered");
        float alpha = (float) g.number("alpha");
        float oneMinusAlpha = (float) (1 - g.number("alpha"));
        float eps = (float) g.number("eps");
        boolean epsInside = g.flag("eps_inside_sqrt");
        float negLr = (float) -g.number("lr");
        float l2 = (float) g.number("weight_decay");
        boolean negate = g.flag("maximize");
        float[] w = p.data();
        float[] grad = p.grad();
        float[] buf = momentum > 0 ? s.buffer("momentum_buffer", n) : null;
        float[] gAvg = centered ? s.buffer("grad_avg", n) : null;
        float mu = (float) momentum;
        chunks(
                n,
                (lo, hi) -> kernels.rmsprop(
                        w, grad, v, gAvg, buf, lo, hi, l2, negate, alpha, oneMinusAlpha, eps, epsInside, negLr, mu));
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
    public static final class Builder extends OptimizerBuilder<Builder, RMSprop> {
        private Builder() {
            super(SPEC);
        }

        @Override
        RMSprop create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new RMSprop(values, groups, kernels);
        }

        /**
         * Learning rate ({@code lr}, default 1e-2).
         *
         * @param lr finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            return set("lr", lr);
        }

        /**
         * Smoothing constant of the square average ({@code alpha}, default 0.99; the article uses 0.9).
         *
         * @param alpha in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder alpha(double alpha) {
            return set("alpha", alpha);
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
         * Momentum factor μ ({@code momentum}, default 0).
         *
         * @param momentum finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder momentum(double momentum) {
            return set("momentum", momentum);
        }

        /**
         * Centered RMSprop: divide by the estimated variance ({@code centered}, default false).
         *
         * @param centered whether to subtract the squared mean gradient
         * @return this builder
         */
        public Builder centered(boolean centered) {
            return set("centered", centered);
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

        /**
         * The article's ε placement √(v + ε) instead of torch's √v + ε (not a torch option; key {@code eps_inside_sqrt}, default false).
         *
         * @param epsInsideSqrt whether ε goes inside the root
         * @return this builder
         */
        public Builder epsInsideSqrt(boolean epsInsideSqrt) {
            return set("eps_inside_sqrt", epsInsideSqrt);
        }
    }
}
