package org.llm4e.activations;

/**
 * The sigmoid-weighted linear unit, Swish with β = 1.
 *
 * <pre>
 *   SiLU(x)  = x·σ(x)
 *   SiLU′(x) = σ(x)·(1 + x·(1 − σ(x)))          SiLU′(0) = ½; minimum −0.2784645 at x = −1.2784645
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（五）门控系列} and the SwiGLU article (as Swish with β = 1). The gate of {@link GluVariant#SWIGLU} and of the Llama
 * feed-forward {@link SwiGluFeedForward}. <b>Erratum:</b> the overview's claim that Swish "outputs x for x &gt; 0" is
 * copy-paste from ReLU; SiLU(1) = 0.731. Matches {@code F.silu}.
 */
public final class SiLU extends ElementwiseActivation {
    static final SiLU INSTANCE = new SiLU();

    /** Creates SiLU (stateless). */
    public SiLU() {}

    /**
     * x·σ(x) in double.
     *
     * @param x the input
     * @return SiLU(x)
     */
    public static double silu(double x) {
        return x * Sigmoid.sigmoid(x);
    }

    /**
     * SiLU′(x) in double.
     *
     * @param x the input
     * @return σ(x)·(1 + x·σ(−x))
     */
    public static double siluDerivative(double x) {
        double s = Sigmoid.sigmoid(x);
        return s * (1.0 + x * Sigmoid.sigmoid(-x));
    }

    @Override
    public String name() {
        return "silu";
    }

    @Override
    public double apply(double x) {
        return silu(x);
    }

    @Override
    public double derivative(double x) {
        return siluDerivative(x);
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        ActivationKernels.preferred().silu(x, xOff, y, yOff, n);
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        ActivationKernels.preferred().siluBackward(x, xOff, dy, dyOff, dx, dxOff, n);
    }
}
