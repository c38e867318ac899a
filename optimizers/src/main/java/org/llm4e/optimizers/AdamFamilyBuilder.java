package org.llm4e.optimizers;

/**
 * The setters that the Adam family ({@link Adam}, {@link AdamW}, {@link NAdam}, {@link RAdam}, {@link Adamax}) shares
 * with the same meaning and the same torch default: the moment decay rates and ε. Learning rate and weight decay stay
 * with each builder, because their defaults and meanings differ (AdamW's decay is decoupled, with default 1e-2).
 *
 * @param <B> the concrete builder
 * @param <O> the optimizer it builds
 */
abstract class AdamFamilyBuilder<B extends AdamFamilyBuilder<B, O>, O extends Optimizer>
        extends OptimizerBuilder<B, O> {
    AdamFamilyBuilder(HyperSpec spec) {
        super(spec);
    }

    /**
     * Decay rates of the moving averages: β₁ of the first moment, β₂ of the second (Adamax: of the infinity norm)
     * ({@code betas}, default (0.9, 0.999)).
     *
     * @param beta1 in [0, 1)
     * @param beta2 in [0, 1)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B betas(double beta1, double beta2) {
        return set("betas", new double[] {beta1, beta2});
    }

    /**
     * Term added to the denominator for numerical stability ({@code eps}, default 1e-8).
     *
     * @param eps finite, ≥ 0
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B eps(double eps) {
        return set("eps", eps);
    }
}
