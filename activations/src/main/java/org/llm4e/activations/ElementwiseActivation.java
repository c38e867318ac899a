package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * The common shape of the element-wise activations: range checks in the public bulk methods, then a loop that
 * evaluates the double reference per element and rounds once to float. Rounding once keeps the float32 path within
 * half an ulp of the reference; the hot functions (sigmoid, tanh, silu, gelu, mish) override the loops with
 * {@link ActivationKernels}, which may use the Vector API.
 */
abstract class ElementwiseActivation implements Activation {

    @Override
    public final void forward(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.range("x", x, xOff, n);
        Checks.range("y", y, yOff, n);
        forwardUnchecked(x, xOff, y, yOff, n);
    }

    @Override
    public final void backward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.range("x", x, xOff, n);
        Checks.range("dy", dy, dyOff, n);
        Checks.range("dx", dx, dxOff, n);
        backwardUnchecked(x, xOff, dy, dyOff, dx, dxOff, n);
    }

    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) apply(x[xOff + i]);
        }
    }

    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (dy[dyOff + i] * derivative(x[xOff + i]));
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
