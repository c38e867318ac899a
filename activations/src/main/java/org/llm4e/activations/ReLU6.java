package org.llm4e.activations;

/**
 * ReLU capped at 6 (MobileNet).
 *
 * <pre>
 *   ReLU6(x)  = min(max(0, x), 6)
 *   ReLU6′(x) = 1 for 0 &lt; x &lt; 6, else 0         (PyTorch: 0 at both kinks)
 * </pre>
 *
 * <p>Absent from the articles (the catalog lists it under "mentioned only in passing, or absent"); included because
 * PyTorch has it. Matches {@code F.relu6}, which is {@code hardtanh(x, 0, 6)}.
 */
public final class ReLU6 extends ElementwiseActivation {
    static final ReLU6 INSTANCE = new ReLU6();

    /** Creates ReLU6 (stateless). */
    public ReLU6() {}

    @Override
    public String name() {
        return "relu6";
    }

    @Override
    public double apply(double x) {
        return Hardtanh.clamp(x, 0.0, 6.0);
    }

    @Override
    public double derivative(double x) {
        return x > 0 && x < 6 ? 1.0 : (Double.isNaN(x) ? x : 0.0);
    }
}
