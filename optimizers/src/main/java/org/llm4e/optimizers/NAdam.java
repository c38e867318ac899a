package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule; matches {@code torch.optim.NAdam} ≥ 2.0
 * (which fixed torch 1.13's double counting of μₜ in the μ product).
 *
 * <p>Article {@code 神经网络的优化器（十）Nadam.md} (which attributes NAdam to "Tim Salimans et al."; the author is
 * Timothy Dozat): Adam's m, v, m̂, v̂, then
 *
 * <pre>
 * m̂′ₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ / (1 − β₁ᵗ)           (article: the raw previous moment, an erratum)
 * θₜ = θₜ₋₁ − η·m̂′ₜ / (√v̂ₜ + ε)
 * </pre>
 *
 * <p>torch, with the momentum schedule the article does not mention:
 *
 * <pre>
 * μₜ = β₁·(1 − ½·0.96^(t·ψ)),   μₜ₊₁ = β₁·(1 − ½·0.96^((t+1)·ψ)),   Πₜ = μ₁·…·μₜ
 * m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,   d = √(v / (1 − β₂ᵗ)) + ε
 * θ ← θ − lr·(1 − μₜ)/(1 − Πₜ)·g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁)·m/d
 * </pre>
 *
 * <p>Weight decay adds λθ to the gradient, or with {@code decoupled_weight_decay} multiplies θ by (1 − lr·λ) (torch's
 * NAdamW). The article's form is not implemented; the article test computes it from its formula.
 *
 * <p>Defaults (torch): lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, momentum_decay 4e-3,
 * decoupled_weight_decay false, maximize false. The state holds {@code step}, {@code mu_product}, {@code exp_avg} and
 * {@code exp_avg_sq}. Speed: one vectorised pass over memory (28 bytes per parameter), split over the library pool for
 * large parameters. Stateful and not thread-safe.
 */
public final class NAdam extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("NAdam")
            .lr(2e-3)
            .betas(0.9, 0.999)
            .eps(1e-8)
            .weightDecay(0)
            .number("momentum_decay", 4e-3, HyperSpec::nonNegative)
            .flag("decoupled_weight_decay", false)
            .maximize();

    NAdam(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("exp_avg", "exp_avg_sq");
    }

    @Override
    Set<String> scalarNames() {
        return Set.of("mu_product");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        double lr = g.number("lr");
        double[] betas = g.pair("betas");
        double wd = g.number("weight_decay");
        boolean decoupled = g.flag("decoupled_weight_decay");
        double psi = g.number("momentum_decay");
        double t = s.step;
        double bc2 = 1 - Math.pow(betas[1], t);
        double mu = betas[0] * (1 - 0.5 * Math.pow(0.96, t * psi));
        double muNext = betas[0] * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
        double muProduct = s.scalars.getOrDefault("mu_product", 1.0) * mu;
        s.scalars.put("mu_product", muProduct);
        float[] m = s.buffer("exp_avg", n);
        float[] v = s.buffer("exp_avg_sq", n);
        float decay = decoupled ? (float) (1 - lr * wd) : 1f;
        float l2 = decoupled ? 0f : (float) wd;
        boolean negate = g.flag("maximize");
        float oneMinusBeta1 = (float) (1 - betas[0]);
        float beta2 = (float) betas[1];
        float oneMinusBeta2 = (float) (1 - betas[1]);
        float bc2F = (float) bc2;
        float eps = (float) g.number("eps");
        float coefG = (float) (-lr * (1 - mu) / (1 - muProduct));
        float coefM = (float) (-lr * muNext / (1 - muProduct * muNext));
        float[] w = p.data();
        float[] grad = p.grad();
        chunks(
                n,
                (lo, hi) -> kernels.nadam(
                        w,
                        grad,
                        m,
                        v,
                        lo,
                        hi,
                        decay,
                        l2,
                        negate,
                        oneMinusBeta1,
                        beta2,
                        oneMinusBeta2,
                        bc2F,
                        eps,
                        coefG,
                        coefM));
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
    public static final class Builder extends OptimizerBuilder<Builder, NAdam> {
        private Builder() {
            super(SPEC);
        }

        @Override
        NAdam create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new NAdam(values, groups, kernels);
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
         * Momentum decay ψ of the μₜ schedule ({@code momentum_decay}, default 4e-3).
         *
         * @param momentumDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder momentumDecay(double momentumDecay) {
            return set("momentum_decay", momentumDecay);
        }

        /**
         * Decoupled weight decay θ ← θ(1 − lr·λ) instead of L2 in the gradient ({@code decoupled_weight_decay}, default false).
         *
         * @param decoupled whether to decouple
         * @return this builder
         */
        public Builder decoupledWeightDecay(boolean decoupled) {
            return set("decoupled_weight_decay", decoupled);
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
