package org.llm4e.activations;

/**
 * The hard sigmoid of MobileNetV3.
 *
 * <pre>
 *   hardsigmoid(x)  = ReLU6(x + 3)/6 = min(max(x/6 + ½, 0), 1)
 *   hardsigmoid′(x) = 1/6 for −3 &lt; x &lt; 3, else 0        (PyTorch: 0 at ±3)
 * </pre>
 *
 * <p>Absent from the articles. Matches {@code F.hardsigmoid}; note that PyTorch 1.13's float64 backward returns
 * {@code (float) 1/6}, while this reference returns the exact 1/6. DL4J's {@code ActivationHardSigmoid} is a different
 * function ({@code 0.2·x + 0.5}, clipped).
 */
public final class Hardsigmoid extends ElementwiseActivation {
    static final Hardsigmoid INSTANCE = new Hardsigmoid();

    /** Creates the hard sigmoid (stateless). */
    public Hardsigmoid() {}

    @Override
    public String name() {
        return "hardsigmoid";
    }

    @Override
    public double apply(double x) {
        return Hardtanh.clamp(x + 3.0, 0.0, 6.0) / 6.0;
    }

    @Override
    public double derivative(double x) {
        return x > -3 && x < 3 ? 1.0 / 6.0 : (Double.isNaN(x) ? x : 0.0);
    }
}
