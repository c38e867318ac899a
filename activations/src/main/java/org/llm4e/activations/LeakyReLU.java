package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * Leaky ReLU.
 *
 * <pre>
 *   f(x)  = x for x &gt; 0, α·x for x ≤ 0         α = negative_slope, default 0.01
 *   f′(x) = 1 for x &gt; 0, α for x ≤ 0           (so f′(0) = α)
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（三）ReLU和它的变种.md} (Maas, Hannun and Ng 2013): every unit keeps a gradient, so no unit dies. The article splits
 * at x ≥ 0, which would give f′(0) = 1; this class follows PyTorch ({@code F.leaky_relu}), whose backward takes the
 * negative branch at 0.
 */
public final class LeakyReLU extends ElementwiseActivation {
    private final double negativeSlope;

    /**
     * Creates a leaky ReLU.
     *
     * @param negativeSlope α, the slope for x ≤ 0 (finite)
     * @throws IllegalArgumentException if {@code negativeSlope} is NaN or infinite
     */
    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = Checks.finite("negative_slope", negativeSlope);
    }

    /** Creates a leaky ReLU with PyTorch's default slope 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /**
     * The slope for x ≤ 0.
     *
     * @return negative_slope
     */
    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    public String name() {
        return "leaky_relu";
    }

    @Override
    public double apply(double x) {
        return x > 0 ? x : negativeSlope * x;
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? 1.0 : (Double.isNaN(x) ? x : negativeSlope);
    }
}
