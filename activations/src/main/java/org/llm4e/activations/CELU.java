package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * The continuously differentiable ELU (Barron 2017).
 *
 * <pre>
 *   CELU(x)  = max(0, x) + min(0, α·(e^(x/α) − 1))       α &gt; 0, default 1
 *   CELU′(x) = 1 for x &gt; 0, e^(x/α) for x ≤ 0            (C¹ for every α: CELU′(0) = 1)
 * </pre>
 *
 * <p>Absent from the articles; a relative of ELU ({@code 神经网络的激活函数（四）ELU和它的变种SELU.md}). Matches {@code F.celu} exactly where α is a float32 number
 * (1, 2, 0.5, ...). For other α, PyTorch 1.13's derivative uses {@code 1/(float)α} and differs from the exact
 * {@code e^(x/α)} computed here by up to |float(α) − α|/α (about 1.5e-8 for α = 0.1).
 */
public final class CELU extends ElementwiseActivation {
    private final double alpha;

    /**
     * Creates a CELU.
     *
     * @param alpha α (finite, &gt; 0; PyTorch rejects 0)
     * @throws IllegalArgumentException if {@code alpha} is not finite and positive
     */
    public CELU(double alpha) {
        this.alpha = Checks.positive("alpha", alpha);
    }

    /** Creates the CELU with α = 1. */
    public CELU() {
        this(1.0);
    }

    @Override
    public String name() {
        return "celu";
    }

    @Override
    public double apply(double x) {
        return x > 0 ? x : alpha * Math.expm1(x / alpha);
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? 1.0 : Math.exp(x / alpha);
    }
}
