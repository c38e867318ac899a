package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of an interpolated momentum.
 * <b>Not in the articles</b> and not in torch.optim; matches the authors' reference {@code lion-pytorch}
 * (lucidrains) update:
 *
 * <pre>
 * θ ← θ·(1 − lr·λ)                              (decoupled weight decay)
 * c = β₁·m + (1 − β₁)·g
 * θ ← θ − lr·sign(c)
 * m ← β₂·m + (1 − β₂)·g
 * </pre>
 *
 * <p>Every element moves by exactly lr (or 0 where c = 0), so Lion needs a smaller lr than AdamW (the paper suggests
 * 3–10× smaller) and a larger λ. It keeps one buffer instead of two, so a step streams 20 bytes per parameter instead
 * of Adam's 28.
 *
 * <p>Defaults (lion-pytorch): lr 1e-4, betas (0.9, 0.99), weight_decay 0, maximize false. Stateful and not thread-safe.
 */
public final class Lion extends BaseOptimizer {
    static final HyperSpec SPEC =
            new HyperSpec("Lion").lr(1e-4).betas(0.9, 0.99).weightDecay(0).maximize();

    Lion(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    boolean tracksStep() {
        return false;
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("exp_avg");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        double lr = g.number("lr");
        double[] betas = g.pair("betas");
        float[] m = s.buffer("exp_avg", n);
        float decay = (float) (1 - lr * g.number("weight_decay"));
        boolean negate = g.flag("maximize");
        float beta1 = (float) betas[0];
        float oneMinusBeta1 = (float) (1 - betas[0]);
        float beta2 = (float) betas[1];
        float oneMinusBeta2 = (float) (1 - betas[1]);
        float negLr = (float) -lr;
        float[] data = p.data();
        float[] grad = p.grad();
        chunks(
                n,
                (lo, hi) -> kernels.lion(
                        data, grad, m, lo, hi, decay, negate, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr));
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
    public static final class Builder extends OptimizerBuilder<Builder, Lion> {
        private Builder() {
            super(SPEC);
        }

        @Override
        Lion create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new Lion(values, groups, kernels);
        }

        /**
         * Learning rate ({@code lr}, default 1e-4).
         *
         * @param lr finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            return set("lr", lr);
        }

        /**
         * Decay rates of the moving averages ({@code betas}, default (0.9, 0.99)).
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
         * Decoupled weight decay λ: θ ← θ·(1 − lr·λ) ({@code weight_decay}, default 0).
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
