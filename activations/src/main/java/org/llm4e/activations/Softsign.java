package org.llm4e.activations;

/**
 * Softsign.
 *
 * <pre>
 *   softsign(x)  = x / (1 + |x|)          range (−1, 1)
 *   softsign′(x) = 1 / (1 + |x|)²
 * </pre>
 *
 * <p>Shown only in the cartoon grid of the overview ({@code 神经网络的激活函数（一）概述.md}). Matches {@code F.softsign}.
 */
public final class Softsign extends ElementwiseActivation {
    static final Softsign INSTANCE = new Softsign();

    /** Creates softsign (stateless). */
    public Softsign() {}

    @Override
    public String name() {
        return "softsign";
    }

    @Override
    public double apply(double x) {
        return x / (1.0 + Math.abs(x));
    }

    @Override
    public double derivative(double x) {
        double d = 1.0 + Math.abs(x);
        return 1.0 / (d * d);
    }
}
