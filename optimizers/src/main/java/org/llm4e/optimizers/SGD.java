package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay; matches
 * {@code torch.optim.SGD} ≥ 2.0.
 *
 * <p>Article {@code 神经网络的优化器（二）SGD.md} gives plain SGD, and {@code 神经网络的优化器（三）Momentum.md} the
 * momentum form:
 *
 * <pre>
 * SGD:       θₜ₊₁ = θₜ − η·∇J(θₜ)
 * Momentum:  vₜ = γ·vₜ₋₁ + η·∇J(θₜ),   θₜ = θₜ₋₁ − vₜ
 * </pre>
 *
 * <p>torch keeps η <em>outside</em> the buffer:
 *
 * <pre>
 * g ← g + λ·θ                                   (weight_decay λ)
 * b₁ = g,  bₜ = μ·bₜ₋₁ + (1 − τ)·g             (momentum μ, dampening τ; no dampening on the first step)
 * d = g + μ·bₜ  (Nesterov)   or   d = bₜ
 * θ ← θ − lr·d
 * </pre>
 *
 * <p>With a constant lr the two momentum forms give the same trajectory (vₜ = lr·bₜ); under a learning-rate schedule
 * they differ, because the article's v carries the old η. The article calls momentum an exponentially weighted
 * average but writes it without the (1 − γ) factor (erratum); the formula, not the name, is what both forms implement.
 * The Nesterov form is torch's ("g + μ·b"), not the cs231n form DL4J uses. {@code maximize} negates the gradient.
 *
 * <p>Defaults (torch ≥ 2.0): lr 1e-3, momentum 0, dampening 0, weight_decay 0, nesterov false, maximize false. Nesterov
 * requires momentum &gt; 0 and dampening 0.
 *
 * <p>Speed: one pass over θ and g (and the buffer), vectorised; 12 bytes per parameter without momentum, 20 with it.
 * Stateful and not thread-safe.
 */
public final class SGD extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("SGD")
            .lr(1e-3)
            .number("momentum", 0, HyperSpec::nonNegative)
            .number("dampening", 0, HyperSpec::finite)
            .weightDecay(0)
            .flag("nesterov", false)
            .maximize()
            .crossCheck(v -> {
                if ((Boolean) v.get("nesterov")
                        && ((Double) v.get("momentum") <= 0 || (Double) v.get("dampening") != 0)) {
                    throw new IllegalArgumentException(
                            "SGD: nesterov requires momentum > 0 and dampening = 0, got momentum=" + v.get("momentum")
                                    + ", dampening=" + v.get("dampening"));
                }
            });

    SGD(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    boolean tracksStep() {
        return false;
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("momentum_buffer");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        double momentum = g.number("momentum");
        float[] buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = s.buffer("momentum_buffer");
            if (buf == null) {
                first = true; // torch: buf = clone(d_p), so the first step has no (1 − dampening) factor
                buf = s.buffer("momentum_buffer", n);
            }
        }
        float[] b = buf;
        boolean firstStep = first;
        float l2 = (float) g.number("weight_decay");
        boolean negate = g.flag("maximize");
        float negLr = (float) -g.number("lr");
        float mu = (float) momentum;
        float oneMinusDampening = (float) (1 - g.number("dampening"));
        boolean nesterov = g.flag("nesterov");
        float[] data = p.data();
        float[] grad = p.grad();
        chunks(
                n,
                (lo, hi) -> kernels.sgd(
                        data, grad, b, lo, hi, l2, negate, negLr, mu, oneMinusDampening, nesterov, firstStep));
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
    public static final class Builder extends OptimizerBuilder<Builder, SGD> {
        private Builder() {
            super(SPEC);
        }

        @Override
        SGD create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new SGD(values, groups, kernels);
        }

        /**
         * Learning rate ({@code lr}, default 1e-3).
         *
         * @param lr finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            return set("lr", lr);
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
         * Dampening of the gradient entering the momentum buffer ({@code dampening}, default 0).
         *
         * @param dampening finite
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder dampening(double dampening) {
            return set("dampening", dampening);
        }

        /**
         * Weight decay (L2 penalty added to the gradient) ({@code weight_decay}, default ).
         *
         * @param weightDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        /**
         * Nesterov momentum ({@code nesterov}, default false); needs momentum &gt; 0 and dampening 0.
         *
         * @param nesterov whether to use g + μ·b as the step
         * @return this builder
         */
        public Builder nesterov(boolean nesterov) {
            return set("nesterov", nesterov);
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
