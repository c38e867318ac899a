package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * Swish with a slope parameter β (Ramachandran, Zoph and Le 2017).
 *
 * <pre>
 *   Swish_β(x)  = x·σ(βx)
 *   Swish_β′(x) = σ(βx) + βx·σ(βx)·(1 − σ(βx))      Swish′(0) = ½ for every β
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（五）门控系列} (and the SwiGLU article). β = 1 is {@link SiLU}; β = 0 gives x/2 exactly; as β → ∞ the curve tends
 * to ReLU (max |Swish_β − ReLU| = 0.2784645/β). The function is not monotone: for β = 1 its minimum is −0.2784645 at
 * x = −1.2784645. PyTorch has no β; with β = 1.702 this is {@link QuickGELU}. β is fixed here (the article calls it
 * learnable; a trainable β is a one-parameter layer the optimizers can drive like {@link PReLU}).
 */
public final class Swish extends ElementwiseActivation {
    private final double beta;

    /**
     * Creates Swish_β.
     *
     * @param beta β (finite)
     * @throws IllegalArgumentException if {@code beta} is NaN or infinite
     */
    public Swish(double beta) {
        this.beta = Checks.finite("beta", beta);
    }

    /**
     * The slope.
     *
     * @return β
     */
    public double beta() {
        return beta;
    }

    static double swish(double x, double beta) {
        return x * Sigmoid.sigmoid(beta * x);
    }

    static double swishDerivative(double x, double beta) {
        double bx = beta * x;
        double s = Sigmoid.sigmoid(bx);
        return s + bx * s * Sigmoid.sigmoid(-bx);
    }

    @Override
    public String name() {
        return "swish";
    }

    @Override
    public double apply(double x) {
        return swish(x, beta);
    }

    @Override
    public double derivative(double x) {
        return swishDerivative(x, beta);
    }

    @Override
    public String toString() {
        return "swish(beta=" + beta + ")";
    }
}
