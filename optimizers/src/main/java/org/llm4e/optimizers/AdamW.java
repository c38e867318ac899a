package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * AdamW (Loshchilov &amp; Hutter, 2017): Adam with decoupled weight decay; matches {@code torch.optim.AdamW} ≥ 2.0.
 *
 * <p>Article {@code 神经网络的优化器（十一）AdamW.md}: Adam's moments and bias corrections, then
 *
 * <pre>
 * θₜ = θₜ₋₁ − η·( m̂ₜ / (√v̂ₜ + ε) + λ·θₜ₋₁ )
 * </pre>
 *
 * <p>torch does {@code θ ← θ·(1 − lr·λ)} first and then the Adam step with the undecayed gradient, which is the same
 * formula (both use θₜ₋₁). The decay is not divided by √v̂ as Adam's L2 term effectively is: that is the decoupling,
 * and the test {@code AdamW vs Adam+L2} shows it (on f(θ) = θ², Adam's L2 term is rescaled away entirely while AdamW's
 * is not). The paper's schedule multiplier ηₜ on the decay is not part of torch's form; a learning-rate schedule
 * scales both terms through lr.
 *
 * <p>Defaults (torch): lr 1e-3, betas (0.9, 0.999), eps 1e-8, <b>weight_decay 1e-2</b>, amsgrad false, maximize false.
 *
 * <p>Speed: one pass over θ, g, m, v (28 bytes per parameter), vectorised and split over the library pool. Stateful
 * and not thread-safe.
 */
public final class AdamW extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("AdamW")
            .lr(1e-3)
            .betas(0.9, 0.999)
            .eps(1e-8)
            .weightDecay(1e-2)
            .flag("amsgrad", false)
            .maximize();

    AdamW(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        Adam.adamUpdate(kernels, p, s, g, true);
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
    public static final class Builder extends OptimizerBuilder<Builder, AdamW> {
        private Builder() {
            super(SPEC);
        }

        @Override
        AdamW create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new AdamW(values, groups, kernels);
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
         * Decoupled weight decay λ: θ ← θ·(1 − lr·λ) ({@code weight_decay}, default 1e-2).
         *
         * @param weightDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        /**
         * AMSGrad: divide by the running max of v ({@code amsgrad}, default false).
         *
         * @param amsgrad whether to use AMSGrad
         * @return this builder
         */
        public Builder amsgrad(boolean amsgrad) {
            return set("amsgrad", amsgrad);
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
