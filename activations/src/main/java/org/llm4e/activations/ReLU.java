package org.llm4e.activations;

/**
 * The rectified linear unit.
 *
 * <pre>
 *   ReLU(x)  = max(0, x)
 *   ReLU′(x) = 1 for x &gt; 0, 0 for x ≤ 0        (PyTorch's choice ReLU′(0) = 0)
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（三）ReLU和它的变种.md} (Nair and Hinton 2010). For zero-mean input about half of the outputs are exactly 0 (sparse
 * activation); a unit whose inputs are always negative gets no gradient ("dying ReLU"). Matches {@code F.relu}.
 */
public final class ReLU extends ElementwiseActivation {
    static final ReLU INSTANCE = new ReLU();

    /** Creates ReLU (stateless). */
    public ReLU() {}

    @Override
    public String name() {
        return "relu";
    }

    @Override
    public double apply(double x) {
        // written as a comparison, not Math.max, so that NaN propagates and −0.0 maps to 0.0 as in torch
        return x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? 1.0 : (Double.isNaN(x) ? x : 0.0);
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v > 0 || v != v ? v : 0f;
        }
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            dx[dxOff + i] = v > 0 ? dy[dyOff + i] : (v != v ? v : 0f);
        }
    }
}
