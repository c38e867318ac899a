package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * Softplus, the smooth ReLU.
 *
 * <pre>
 *   softplus(x)  = (1/β)·ln(1 + e^(βx))   for βx ≤ threshold,   x   for βx &gt; threshold
 *   softplus′(x) = σ(βx)                   for βx ≤ threshold,   1   for βx &gt; threshold
 *   defaults β = 1, threshold = 20
 * </pre>
 *
 * <p>Appears in the articles only as a part of Mish ({@code 神经网络的激活函数（六）GELU和Mish.md}) and of the MoE noisy gate. The threshold is PyTorch's
 * guard against overflow (and the switch is strict: exactly βx = threshold still uses the log form). Matches
 * {@code F.softplus(x, beta, threshold)}; β must be positive here.
 */
public final class Softplus extends ElementwiseActivation {
    private final double beta;
    private final double threshold;

    /**
     * Creates a softplus.
     *
     * @param beta β (finite, &gt; 0)
     * @param threshold where the identity takes over (finite)
     * @throws IllegalArgumentException if {@code beta} is not finite and positive or {@code threshold} not finite
     */
    public Softplus(double beta, double threshold) {
        this.beta = Checks.positive("beta", beta);
        this.threshold = Checks.finite("threshold", threshold);
    }

    /** Creates the softplus with PyTorch's defaults β = 1, threshold = 20. */
    public Softplus() {
        this(1.0, 20.0);
    }

    /**
     * ln(1 + e^x) without overflow, in double.
     *
     * @param x the input
     * @return softplus(x) with β = 1 and no threshold
     */
    public static double softplus(double x) {
        // for x > 0, ln(1 + e^x) = x + ln(1 + e^(−x)) never overflows
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    @Override
    public String name() {
        return "softplus";
    }

    @Override
    public double apply(double x) {
        double bx = beta * x;
        return bx > threshold ? x : softplus(bx) / beta;
    }

    @Override
    public double derivative(double x) {
        double bx = beta * x;
        return bx > threshold ? 1.0 : Sigmoid.sigmoid(bx);
    }
}
