package org.llm4e.activations;

/**
 * Mish (Misra 2019).
 *
 * <pre>
 *   Mish(x)  = x·tanh(softplus(x)),  softplus(x) = ln(1 + e^x)
 *   Mish′(x) = tanh(sp(x)) + x·sech²(sp(x))·σ(x)        Mish′(0) = 0.6
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（六）GELU和Mish.md}. <b>Erratum:</b> the article says Mish is "unbounded in the negative region"; it is bounded below,
 * with minimum −0.3088434 at x = −1.1924312 (and unbounded above). The article's NumPy softplus
 * {@code np.log1p(np.exp(x))} returns ∞ for x &gt; 709; Mish itself stays finite because tanh(∞) = 1. Matches
 * {@code F.mish} (softplus without threshold).
 */
public final class Mish extends ElementwiseActivation {
    static final Mish INSTANCE = new Mish();

    /** Creates Mish (stateless). */
    public Mish() {}

    /**
     * Mish in double.
     *
     * @param x the input
     * @return x·tanh(ln(1 + e^x))
     */
    public static double mish(double x) {
        return x * Math.tanh(Math.log1p(Math.exp(x)));
    }

    /**
     * Mish′ in double.
     *
     * @param x the input
     * @return the derivative
     */
    public static double mishDerivative(double x) {
        double t = Math.tanh(Math.log1p(Math.exp(x)));
        return t + x * (1.0 - t * t) * Sigmoid.sigmoid(x);
    }

    @Override
    public String name() {
        return "mish";
    }

    @Override
    public double apply(double x) {
        return mish(x);
    }

    @Override
    public double derivative(double x) {
        return mishDerivative(x);
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        ActivationKernels.preferred().mish(x, xOff, y, yOff, n);
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        ActivationKernels.preferred().mishBackward(x, xOff, dy, dyOff, dx, dxOff, n);
    }
}
