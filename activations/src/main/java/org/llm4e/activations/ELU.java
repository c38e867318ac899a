package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * The exponential linear unit (Clevert, Unterthiner and Hochreiter 2015).
 *
 * <pre>
 *   ELU(x)  = x for x &gt; 0, α·(e^x − 1) for x ≤ 0       α &gt; 0, default 1; range (−α, ∞)
 *   ELU′(x) = 1 for x &gt; 0, α·e^x = ELU(x) + α for x ≤ 0   (PyTorch: ELU′(0) = α)
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（四）ELU和它的变种SELU.md}. The article splits at x ≥ 0 and the overview at x &gt; 0; this class follows PyTorch
 * ({@code F.elu}), whose backward takes the x ≤ 0 branch at 0, and uses {@code expm1} for accuracy near 0. The
 * function is C¹ at 0 only when α = 1. α must be positive here (the article's "α &gt; 0").
 */
public final class ELU extends ElementwiseActivation {
    private final double alpha;

    /**
     * Creates an ELU.
     *
     * @param alpha α (finite, &gt; 0)
     * @throws IllegalArgumentException if {@code alpha} is not finite and positive
     */
    public ELU(double alpha) {
        this.alpha = Checks.positive("alpha", alpha);
    }

    /** Creates the ELU with α = 1. */
    public ELU() {
        this(1.0);
    }

    /**
     * The saturation constant.
     *
     * @return α
     */
    public double alpha() {
        return alpha;
    }

    @Override
    public String name() {
        return "elu";
    }

    @Override
    public double apply(double x) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? 1.0 : alpha * Math.exp(x);
    }
}
