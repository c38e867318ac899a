package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * Adam (Kingma &amp; Ba, 2014), with optional AMSGrad; matches {@code torch.optim.Adam} ≥ 2.0 (single-tensor path).
 *
 * <p>Article {@code 神经网络的优化器（九）Adam.md}, with m₀ = v₀ = 0 and t from 1:
 *
 * <pre>
 * mₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
 * vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²
 * m̂ₜ = mₜ / (1 − β₁ᵗ),   v̂ₜ = vₜ / (1 − β₂ᵗ)
 * θₜ = θₜ₋₁ − η·m̂ₜ / (√v̂ₜ + ε)
 * </pre>
 *
 * <p>torch computes the same thing as {@code θ −= (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)}: ε is added
 * <em>after</em> bias-correcting √v, exactly as in the article (DL4J instead adds ε to the uncorrected √v, see the
 * cross-check test). Beyond the article: {@code weight_decay} adds the L2 term λθ to the gradient (coupled decay,
 * which the AdamW article argues against; {@code decoupled_weight_decay = true} makes this class behave as
 * {@link AdamW}), {@code amsgrad} divides by √max(v₁..vₜ) (the max of the <em>uncorrected</em> v, then corrected),
 * and {@code maximize} negates the gradient.
 *
 * <p>Defaults (torch): lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false, maximize false.
 *
 * <p>Speed: one pass over θ, g, m, v (28 bytes per parameter), vectorised and split over the library pool for large
 * parameters. Stateful and not thread-safe.
 */
public final class Adam extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("Adam")
            .lr(1e-3)
            .betas(0.9, 0.999)
            .eps(1e-8)
            .weightDecay(0)
            .flag("amsgrad", false)
            .maximize()
            .flag("decoupled_weight_decay", false);

    Adam(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    /**
     * A builder with torch's defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        boolean decoupled = g.flag("decoupled_weight_decay");
        adamUpdate(kernels, p, s, g, decoupled);
    }

    /** The update shared with {@link AdamW}: coefficients in double, the element loop in the kernels. */
    static void adamUpdate(UpdateKernels kernels, Parameter p, ParamState s, ParamGroup g, boolean decoupled) {
        int n = p.size();
        double lr = g.number("lr");
        double[] betas = g.pair("betas");
        double wd = g.number("weight_decay");
        boolean amsgrad = g.flag("amsgrad");
        float[] m = s.buffer("exp_avg", n);
        float[] v = s.buffer("exp_avg_sq", n);
        float[] vMax = amsgrad ? s.buffer("max_exp_avg_sq", n) : null;
        double bc1 = 1 - Math.pow(betas[0], s.step);
        double bc2 = 1 - Math.pow(betas[1], s.step);
        float decay = decoupled ? (float) (1 - lr * wd) : 1f;
        float l2 = decoupled ? 0f : (float) wd;
        boolean negate = g.flag("maximize");
        float oneMinusBeta1 = (float) (1 - betas[0]);
        float beta2 = (float) betas[1];
        float oneMinusBeta2 = (float) (1 - betas[1]);
        float negStepSize = (float) (-(lr / bc1));
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float eps = (float) g.number("eps");
        float[] data = p.data();
        float[] grad = p.grad();
        chunks(
                n,
                (lo, hi) -> kernels.adam(
                        data,
                        grad,
                        m,
                        v,
                        vMax,
                        lo,
                        hi,
                        decay,
                        l2,
                        negate,
                        oneMinusBeta1,
                        beta2,
                        oneMinusBeta2,
                        negStepSize,
                        bc2Sqrt,
                        eps));
    }

    /** Typed builder with torch's defaults; each setter takes torch's keyword argument of the same meaning. */
    public static final class Builder extends OptimizerBuilder<Builder, Adam> {
        private Builder() {
            super(SPEC);
        }

        @Override
        Adam create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new Adam(values, groups, kernels);
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
         * Moment decay rates ({@code betas}, default (0.9, 0.999)).
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
         * Denominator term ({@code eps}, default 1e-8).
         *
         * @param eps finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder eps(double eps) {
            return set("eps", eps);
        }

        /**
         * L2 penalty added to the gradient ({@code weight_decay}, default 0).
         *
         * @param weightDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        /**
         * AMSGrad variant ({@code amsgrad}, default false).
         *
         * @param amsgrad whether to divide by the running max of v
         * @return this builder
         */
        public Builder amsgrad(boolean amsgrad) {
            return set("amsgrad", amsgrad);
        }

        /**
         * Maximize the objective ({@code maximize}, default false).
         *
         * @param maximize whether to ascend the gradient
         * @return this builder
         */
        public Builder maximize(boolean maximize) {
            return set("maximize", maximize);
        }

        /**
         * Decoupled (AdamW) weight decay ({@code decoupled_weight_decay}, default false; torch ≥ 2.6).
         *
         * @param decoupled whether weight decay multiplies θ by (1 − lr·λ) instead of entering the gradient
         * @return this builder
         */
        public Builder decoupledWeightDecay(boolean decoupled) {
            return set("decoupled_weight_decay", decoupled);
        }
    }
}
