package org.llm4e.activations;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * Forward and backward of the GLU family (see {@link GluVariant}) on vectors of even length 2d and on the rows of a
 * tensor whose last dimension is 2d.
 *
 * <pre>
 *   x = [a | b],  a = x[0, d),  b = x[d, 2d)
 *   out = a ⊙ act(b)                       (length d)
 *   ∂L/∂a = dy ⊙ act(b)      ∂L/∂b = dy ⊙ a ⊙ act′(b)
 * </pre>
 *
 * <p>The articles' NumPy code ({@code 神经网络的激活函数（五）门控系列}, {@code 为什么大型语言模型都在使用SwiGLU作为激活函数？.md}) asserts an even last dimension and computes {@code x[..., :half] *
 * act(x[..., half:])}: the value is the first half, the gate the second, as {@code torch.nn.functional.glu}. Shazeer's
 * paper and Llama put the activation on the <i>first</i> projection instead ({@code silu(x W1) ⊙ x W3}); with a fused
 * projection, check which half is gated ({@link SwiGluFeedForward} does Llama's order). An odd length is an error.
 * The double methods are the reference; the float methods evaluate each element in double and round once.
 */
public final class Glu {
    private Glu() {}

    private static int half(String name, int length) {
        if (length % 2 != 0) {
            throw new IllegalArgumentException(
                    name + " must have an even last dimension (value half | gate half), got " + length);
        }
        return length / 2;
    }

    /**
     * Forward by variant name.
     *
     * @param variant {@code glu, reglu, geglu, geglu_tanh, swiglu} (case-insensitive)
     * @param x the input, length 2d
     * @return a new array of length d
     * @throws IllegalArgumentException for an unknown variant or an odd length
     */
    public static float[] forward(String variant, float[] x) {
        return forward(GluVariant.of(variant), x);
    }

    /**
     * Forward in float32.
     *
     * @param variant the variant
     * @param x the input, length 2d
     * @return a new array of length d
     * @throws IllegalArgumentException for an odd length
     */
    public static float[] forward(GluVariant variant, float[] x) {
        int d = half("x", x.length);
        float[] y = new float[d];
        forwardRow(variant.gate(), x, 0, y, 0, d);
        return y;
    }

    /**
     * Backward in float32.
     *
     * @param variant the variant
     * @param x the forward input, length 2d
     * @param dy the upstream gradient, length d
     * @return a new gradient with respect to x, length 2d
     * @throws IllegalArgumentException for an odd length or mismatched lengths
     */
    public static float[] backward(GluVariant variant, float[] x, float[] dy) {
        int d = half("x", x.length);
        if (dy.length != d) {
            throw new IllegalArgumentException(
                    "dy has length " + dy.length + " but x has length " + x.length + "; expected dy of length " + d);
        }
        float[] dx = new float[2 * d];
        backwardRow(variant.gate(), x, 0, dy, 0, dx, 0, d);
        return dx;
    }

    /**
     * Forward in double (the reference).
     *
     * @param variant the variant
     * @param x the input, length 2d
     * @return a new array of length d
     * @throws IllegalArgumentException for an odd length
     */
    public static double[] forward(GluVariant variant, double[] x) {
        int d = half("x", x.length);
        Activation act = variant.gate();
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            y[i] = x[i] * act.apply(x[d + i]);
        }
        return y;
    }

    /**
     * Backward in double (the reference).
     *
     * @param variant the variant
     * @param x the forward input, length 2d
     * @param dy the upstream gradient, length d
     * @return a new gradient with respect to x, length 2d
     * @throws IllegalArgumentException for an odd length or mismatched lengths
     */
    public static double[] backward(GluVariant variant, double[] x, double[] dy) {
        int d = half("x", x.length);
        if (dy.length != d) {
            throw new IllegalArgumentException(
                    "dy has length " + dy.length + " but x has length " + x.length + "; expected dy of length " + d);
        }
        Activation act = variant.gate();
        double[] dx = new double[2 * d];
        for (int i = 0; i < d; i++) {
            double b = x[d + i];
            dx[i] = dy[i] * act.apply(b);
            dx[d + i] = dy[i] * x[i] * act.derivative(b);
        }
        return dx;
    }

    /**
     * Forward over the last dimension of a tensor {@code [..., 2d]}.
     *
     * @param variant the variant
     * @param x the input
     * @return a new tensor {@code [..., d]}
     * @throws IllegalArgumentException for an odd last dimension or a scalar
     */
    public static Tensor forward(GluVariant variant, Tensor x) {
        int[] shape = lastDim(x);
        int d = half("x's last dimension", shape[shape.length - 1]);
        shape[shape.length - 1] = d;
        Tensor y = Tensor.zeros(shape);
        int rows = d == 0 ? 0 : y.size() / d;
        for (int r = 0; r < rows; r++) {
            forwardRow(variant.gate(), x.data(), r * 2 * d, y.data(), r * d, d);
        }
        return y;
    }

    /**
     * Backward over the last dimension of a tensor.
     *
     * @param variant the variant
     * @param x the forward input {@code [..., 2d]}
     * @param dy the upstream gradient {@code [..., d]}
     * @return a new gradient tensor shaped like x
     * @throws IllegalArgumentException for an odd last dimension or mismatched shapes
     */
    public static Tensor backward(GluVariant variant, Tensor x, Tensor dy) {
        int[] shape = lastDim(x);
        int d = half("x's last dimension", shape[shape.length - 1]);
        int[] expected = shape.clone();
        expected[expected.length - 1] = d;
        if (!Arrays.equals(expected, dy.shape())) {
            throw new IllegalArgumentException("dy has shape " + Arrays.toString(dy.shape()) + " but x has shape "
                    + Arrays.toString(x.shape()) + "; expected dy of shape " + Arrays.toString(expected));
        }
        Tensor dx = Tensor.zeros(x.shape());
        int rows = d == 0 ? 0 : dy.size() / d;
        for (int r = 0; r < rows; r++) {
            backwardRow(variant.gate(), x.data(), r * 2 * d, dy.data(), r * d, dx.data(), r * 2 * d, d);
        }
        return dx;
    }

    private static int[] lastDim(Tensor x) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException("x must have rank >= 1, got a scalar");
        }
        return x.shape();
    }

    private static void forwardRow(Activation act, float[] x, int xOff, float[] y, int yOff, int d) {
        for (int i = 0; i < d; i++) {
            y[yOff + i] = (float) (x[xOff + i] * act.apply(x[xOff + d + i]));
        }
    }

    private static void backwardRow(
            Activation act, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int d) {
        for (int i = 0; i < d; i++) {
            double b = x[xOff + d + i];
            double g = dy[dyOff + i];
            dx[dxOff + i] = (float) (g * act.apply(b));
            dx[dxOff + d + i] = (float) (g * x[xOff + i] * act.derivative(b));
        }
    }
}
