package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * An element-wise activation function {@code y = f(x)} with its derivative.
 *
 * <p>Two levels of precision, as everywhere in llm4e: {@link #apply(double)} and {@link #derivative(double)} are the
 * double-precision reference (they match PyTorch's float64 results to about 1e-12), and the bulk methods
 * {@link #forward(float[], int, float[], int, int)} and {@link #backward(float[], int, float[], int, float[], int, int)}
 * are the float32 fast path that layers use; the tests hold the fast path to the reference.
 *
 * <p>Derivatives at kinks follow PyTorch's autograd (for example relu′(0) = 0, leaky_relu′(0) = negative_slope,
 * elu′(0) = alpha), because gradient checks against PyTorch depend on them. NaN inputs propagate.
 *
 * <p>Implementations are immutable and thread-safe, except {@link PReLU}, whose learnable weight accumulates a
 * gradient, and the training form of {@link RReLU}, which draws random slopes.
 */
public interface Activation {

    /**
     * The torch.nn.functional name of this function ({@code "leaky_relu"}, {@code "gelu"}, ...).
     *
     * @return the name
     */
    String name();

    /**
     * The reference value in double precision.
     *
     * @param x the input
     * @return f(x)
     */
    double apply(double x);

    /**
     * The reference derivative in double precision, with PyTorch's value at kinks.
     *
     * @param x the input
     * @return f′(x)
     */
    double derivative(double x);

    /**
     * Bulk float32 forward: {@code y[yOff + i] = f(x[xOff + i])} for {@code i < n}. In place ({@code x == y}, same
     * offset) is allowed.
     *
     * @param x the input array
     * @param xOff the first input index
     * @param y the output array
     * @param yOff the first output index
     * @param n the number of elements
     * @throws IllegalArgumentException if a range does not fit its array
     */
    void forward(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Bulk float32 backward (the vector-Jacobian product): {@code dx[i] = dy[i]·f′(x[i])}. {@code dx} may be the same
     * array as {@code dy} or {@code x} (same offset).
     *
     * @param x the forward input array
     * @param xOff the first input index
     * @param dy the upstream gradient array
     * @param dyOff its first index
     * @param dx the output gradient array
     * @param dxOff its first index
     * @param n the number of elements
     * @throws IllegalArgumentException if a range does not fit its array
     */
    void backward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Bulk float32 forward over whole arrays.
     *
     * @param x the input
     * @param y the output, as long as {@code x} (may be {@code x} itself)
     * @throws IllegalArgumentException if the lengths differ
     */
    default void forward(float[] x, float[] y) {
        Checks.sameLength("x", x.length, "y", y.length);
        forward(x, 0, y, 0, x.length);
    }

    /**
     * Bulk float32 backward over whole arrays.
     *
     * @param x the forward input
     * @param dy the upstream gradient, as long as {@code x}
     * @param dx the output gradient, as long as {@code x} (may be {@code dy} itself)
     * @throws IllegalArgumentException if the lengths differ
     */
    default void backward(float[] x, float[] dy, float[] dx) {
        Checks.sameLength("x", x.length, "dy", dy.length);
        Checks.sameLength("x", x.length, "dx", dx.length);
        backward(x, 0, dy, 0, dx, 0, x.length);
    }

    /**
     * Convenience: a new array {@code f(x)}.
     *
     * @param x the input
     * @return the output
     */
    default float[] forward(float[] x) {
        float[] y = new float[x.length];
        forward(x, 0, y, 0, x.length);
        return y;
    }
}
