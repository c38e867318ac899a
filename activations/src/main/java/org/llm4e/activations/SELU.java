package org.llm4e.activations;

/**
 * The scaled ELU of self-normalizing networks (Klambauer et al. 2017).
 *
 * <pre>
 *   SELU(x)  = λ·(x for x &gt; 0, α·(e^x − 1) for x ≤ 0)
 *   α = 1.6732632423543772848170429916717   λ = 1.0507009873554804934193349852946
 *   SELU′(x) = λ for x &gt; 0, λ·α·e^x for x ≤ 0       (PyTorch: SELU′(0) = λα ≈ 1.7581)
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（四）ELU和它的变种SELU.md} (rounded constants α ≈ 1.67326, λ ≈ 1.0507). The self-normalizing property (mean 0, variance 1
 * is a fixed point for z ~ N(0, 1)) needs LeCun-normal weights, which the article does not mention. Matches
 * {@code F.selu}. Range (−λα, ∞) = (−1.7580993408, ∞).
 */
public final class SELU extends ElementwiseActivation {
    /** α of the SELU paper, as in PyTorch. */
    public static final double ALPHA = 1.6732632423543772848170429916717;
    /** λ ("scale") of the SELU paper, as in PyTorch. */
    public static final double SCALE = 1.0507009873554804934193349852946;

    static final SELU INSTANCE = new SELU();

    /** Creates SELU (stateless). */
    public SELU() {}

    @Override
    public String name() {
        return "selu";
    }

    @Override
    public double apply(double x) {
        return SCALE * (x > 0 ? x : ALPHA * Math.expm1(x));
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? SCALE : SCALE * ALPHA * Math.exp(x);
    }
}
