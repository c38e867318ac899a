package org.llm4e.activations;

/**
 * The hard swish of MobileNetV3.
 *
 * <pre>
 *   hardswish(x)  = x·ReLU6(x + 3)/6
 *   hardswish′(x) = 0 for x &lt; −3,  x/3 + ½ for −3 ≤ x &lt; 3,  1 for x ≥ 3
 * </pre>
 *
 * <p>Absent from the articles. Matches {@code F.hardswish} including its values at the kinks, f′(−3) = −½ and
 * f′(3) = 1, which are those of PyTorch 1.13's vectorized CPU kernel (its scalar tail loop returns 1.5 at x = 3, the
 * left derivative; the golden data record the vectorized value).
 */
public final class Hardswish extends ElementwiseActivation {
    static final Hardswish INSTANCE = new Hardswish();

    /** Creates the hard swish (stateless). */
    public Hardswish() {}

    @Override
    public String name() {
        return "hardswish";
    }

    @Override
    public double apply(double x) {
        return x * Hardtanh.clamp(x + 3.0, 0.0, 6.0) / 6.0;
    }

    @Override
    public double derivative(double x) {
        if (x < -3) {
            return 0.0;
        }
        if (x < 3) {
            return x / 3.0 + 0.5;
        }
        return x >= 3 ? 1.0 : x; // the last case is NaN
    }
}
