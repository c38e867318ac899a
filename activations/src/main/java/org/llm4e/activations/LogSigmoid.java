package org.llm4e.activations;

/**
 * The logarithm of the sigmoid, computed without overflow or cancellation.
 *
 * <pre>
 *   logsigmoid(x)  = ln σ(x) = −softplus(−x)
 *   logsigmoid′(x) = 1 − σ(x) = σ(−x)
 * </pre>
 *
 * <p>Shown only in the overview's cartoon grid ({@code 神经网络的激活函数（一）概述.md}). {@code Math.log(σ(x))} would
 * return −∞ for x &lt; −745; {@code −softplus(−x)} returns x there. Matches {@code F.logsigmoid}.
 */
public final class LogSigmoid extends ElementwiseActivation {
    static final LogSigmoid INSTANCE = new LogSigmoid();

    /** Creates log-sigmoid (stateless). */
    public LogSigmoid() {}

    @Override
    public String name() {
        return "logsigmoid";
    }

    @Override
    public double apply(double x) {
        return -Softplus.softplus(-x);
    }

    @Override
    public double derivative(double x) {
        return Sigmoid.sigmoid(-x);
    }
}
