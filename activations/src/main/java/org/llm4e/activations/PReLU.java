package org.llm4e.activations;

import java.util.List;
import org.llm4e.activations.internal.Checks;
import org.llm4e.core.Parameter;

/**
 * Parametric ReLU: a leaky ReLU whose slope is learned.
 *
 * <pre>
 *   f(x)    = x for x &gt; 0, a·x for x ≤ 0        a learnable, PyTorch's initial value 0.25
 *   ∂f/∂x   = 1 for x &gt; 0, a for x ≤ 0
 *   ∂f/∂a   = 0 for x &gt; 0, x for x ≤ 0
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（三）ReLU和它的变种.md} (He, Zhang, Ren and Sun 2015; the article's header misspells it "PRReLU" and gives no initial
 * value). Matches {@code torch.nn.PReLU(num_parameters=1)}: one slope shared by all elements. The bulk
 * {@link #backward(float[], int, float[], int, float[], int, int) backward} also <b>accumulates</b>
 * {@code Σ dy·∂f/∂a} into the weight's gradient, as autograd does; this makes the object stateful (not thread-safe
 * during training).
 */
public final class PReLU extends ElementwiseActivation {
    private final Parameter weight;

    /**
     * Creates a PReLU with the given initial slope.
     *
     * @param init the initial slope a (finite)
     * @throws IllegalArgumentException if {@code init} is NaN or infinite
     */
    public PReLU(double init) {
        this.weight = new Parameter("weight", new float[] {(float) Checks.finite("weight", init)});
    }

    /** Creates a PReLU with PyTorch's initial slope 0.25. */
    public PReLU() {
        this(0.25);
    }

    /**
     * The learnable slope and its gradient (one element).
     *
     * @return the live parameter
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The trainable parameters, for an optimizer.
     *
     * @return a list holding {@link #weight()}
     */
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    private double a() {
        return weight.data()[0];
    }

    @Override
    public String name() {
        return "prelu";
    }

    @Override
    public double apply(double x) {
        return x > 0 ? x : a() * x;
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? 1.0 : (Double.isNaN(x) ? x : a());
    }

    /**
     * The derivative with respect to the slope a.
     *
     * @param x the input
     * @return x for x ≤ 0, else 0
     */
    public double weightDerivative(double x) {
        return x > 0 ? 0.0 : x;
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        double a = a();
        double gradA = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            double g = dy[dyOff + i];
            if (v > 0) {
                dx[dxOff + i] = (float) g;
            } else {
                gradA += g * v;
                dx[dxOff + i] = (float) (g * a);
            }
        }
        weight.grad()[0] += (float) gradA;
    }
}
