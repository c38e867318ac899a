package org.llm4e.activations;

import java.util.Locale;

/**
 * The Gaussian error linear unit (Hendrycks and Gimpel 2016), exact or with the tanh approximation.
 *
 * <pre>
 *   exact ("none"):  GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2))
 *                    GELU′(x) = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2)/√(2π)
 *   "tanh":          GELU(x) ≈ ½·x·(1 + tanh(u)),  u = √(2/π)·(x + 0.044715·x³)
 *                    GELU′(x) ≈ ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（六）GELU和Mish.md}; the overview gives only the tanh form, under the name GELU, and its sentence about α is
 * copy-paste noise. GELU(1) = 0.8413447461 exactly and 0.8411919906 with tanh; GELU′(0) = ½; GELU is not monotone
 * (minimum −0.1699712 at x = −0.7517915), which the article does not say. The exact form needs an accurate erf
 * ({@link Erf}); Φ is evaluated as {@code ½·erfc(−x/√2)} so that it keeps its relative accuracy for negative x.
 * Matches {@code F.gelu(x, approximate="none" | "tanh")}. See {@link QuickGELU} for the sigmoid approximation.
 */
public final class GELU extends ElementwiseActivation {
    static final double SQRT_2_OVER_PI = 0.79788456080286535588;
    static final double COEFF = 0.044715;

    static final GELU EXACT = new GELU(false);
    static final GELU TANH = new GELU(true);

    private final boolean tanhApproximation;

    private GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    /**
     * The GELU with PyTorch's {@code approximate} argument.
     *
     * @param approximate {@code "none"} (exact, erf) or {@code "tanh"}, case-insensitive
     * @return the shared instance
     * @throws IllegalArgumentException for another value
     */
    public static GELU of(String approximate) {
        String a = approximate == null ? "null" : approximate.toLowerCase(Locale.ROOT);
        switch (a) {
            case "none":
                return EXACT;
            case "tanh":
                return TANH;
            default:
                throw new IllegalArgumentException("approximate must be \"none\" or \"tanh\", got " + approximate);
        }
    }

    /**
     * The exact GELU.
     *
     * @return the shared instance
     */
    public static GELU exact() {
        return EXACT;
    }

    /**
     * The tanh-approximated GELU.
     *
     * @return the shared instance
     */
    public static GELU tanh() {
        return TANH;
    }

    /**
     * Exact x·Φ(x) in double.
     *
     * @param x the input
     * @return the exact GELU
     */
    public static double gelu(double x) {
        return x * Erf.normalCdf(x);
    }

    /**
     * Exact GELU′(x) = Φ(x) + x·φ(x) in double.
     *
     * @param x the input
     * @return the derivative
     */
    public static double geluDerivative(double x) {
        return Erf.normalCdf(x) + x * Erf.normalPdf(x);
    }

    /**
     * The tanh approximation in double.
     *
     * @param x the input
     * @return ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
     */
    public static double geluTanh(double x) {
        double u = SQRT_2_OVER_PI * (x + COEFF * x * x * x);
        return 0.5 * x * (1.0 + Math.tanh(u));
    }

    /**
     * The derivative of the tanh approximation in double.
     *
     * @param x the input
     * @return its derivative
     */
    public static double geluTanhDerivative(double x) {
        double x2 = x * x;
        double t = Math.tanh(SQRT_2_OVER_PI * (x + COEFF * x2 * x));
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * COEFF * x2);
    }

    /**
     * Which form this is.
     *
     * @return {@code "none"} or {@code "tanh"}
     */
    public String approximate() {
        return tanhApproximation ? "tanh" : "none";
    }

    @Override
    public String name() {
        return "gelu";
    }

    @Override
    public double apply(double x) {
        return tanhApproximation ? geluTanh(x) : gelu(x);
    }

    @Override
    public double derivative(double x) {
        return tanhApproximation ? geluTanhDerivative(x) : geluDerivative(x);
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        if (tanhApproximation) {
            ActivationKernels.preferred().geluTanh(x, xOff, y, yOff, n);
        } else {
            ActivationKernels.preferred().gelu(x, xOff, y, yOff, n);
        }
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        if (tanhApproximation) {
            ActivationKernels.preferred().geluTanhBackward(x, xOff, dy, dyOff, dx, dxOff, n);
        } else {
            ActivationKernels.preferred().geluBackward(x, xOff, dy, dyOff, dx, dxOff, n);
        }
    }

    @Override
    public String toString() {
        return "gelu(approximate=" + approximate() + ")";
    }
}
