package org.llm4e.activations;

/**
 * The hyperbolic tangent.
 *
 * <pre>
 *   tanh(x)  = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1     range (−1, 1), odd
 *   tanh′(x) = 1 − tanh²(x)                                       tanh′(0) = 1
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（二）Sigmiod、Softmax和Tanh.md}, the only article that gives a derivative. <b>Erratum (wording):</b> the article says the
 * derivative is near 0 when the <i>input</i> is near ±1; it is near 0 when the <i>output</i> is near ±1. Matches
 * {@code torch.tanh}.
 */
public final class Tanh extends ElementwiseActivation {
    static final Tanh INSTANCE = new Tanh();

    /** Creates tanh (stateless). */
    public Tanh() {}

    @Override
    public String name() {
        return "tanh";
    }

    @Override
    public double apply(double x) {
        return Math.tanh(x);
    }

    @Override
    public double derivative(double x) {
        double t = Math.tanh(x);
        return 1.0 - t * t;
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        ActivationKernels.preferred().tanh(x, xOff, y, yOff, n);
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        ActivationKernels.preferred().tanhBackward(x, xOff, dy, dyOff, dx, dxOff, n);
    }
}
