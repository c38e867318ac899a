package org.llm4e.activations;

/**
 * The logistic sigmoid.
 *
 * <pre>
 *   σ(x)  = 1 / (1 + e^(−x))          range (0, 1)
 *   σ′(x) = σ(x)·(1 − σ(x)) = σ(x)·σ(−x)     maximum σ′(0) = 1/4
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（二）Sigmiod、Softmax和Tanh.md} (and the SwiGLU article). Because σ′ ≤ 1/4, a chain of n sigmoid layers multiplies the gradient by
 * at most 0.25ⁿ (9.54e-7 for n = 10): the vanishing gradient. <b>Erratum:</b> the SwiGLU article calls the curve
 * "symmetric about the line y = x"; it is point-symmetric about (0, ½), {@code σ(−x) = 1 − σ(x)}.
 *
 * <p>The article's NumPy code {@code 1/(1+np.exp(-x))} overflows {@code exp} for very negative x; this class uses
 * {@code e^x/(1+e^x)} there, and computes σ′ as {@code σ(x)·σ(−x)} so the derivative keeps its relative accuracy
 * for large |x| (where {@code 1 − σ(x)} cancels). Matches {@code torch.sigmoid} (torch's float64 backward uses
 * {@code y·(1−y)}, which differs from the exact value by less than 1e-16 absolute).
 */
public final class Sigmoid extends ElementwiseActivation {
    static final Sigmoid INSTANCE = new Sigmoid();

    /** Creates the sigmoid (stateless; {@link Activations#create} shares one instance). */
    public Sigmoid() {}

    /**
     * Numerically stable σ(x) in double.
     *
     * @param x the input
     * @return 1/(1+e^(−x))
     */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    @Override
    public String name() {
        return "sigmoid";
    }

    @Override
    public double apply(double x) {
        return sigmoid(x);
    }

    @Override
    public double derivative(double x) {
        return sigmoid(x) * sigmoid(-x);
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        ActivationKernels.preferred().sigmoid(x, xOff, y, yOff, n);
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        ActivationKernels.preferred().sigmoidBackward(x, xOff, dy, dyOff, dx, dxOff, n);
    }
}
