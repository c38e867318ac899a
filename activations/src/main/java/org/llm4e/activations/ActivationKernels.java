package org.llm4e.activations;

import org.llm4e.core.Simd;

/**
 * The float32 bulk kernels behind the hot activations and the softmax rows, implemented twice: {@link #scalar()}
 * (plain Java that evaluates each element in double and rounds once, the readable reference of the fast path) and a
 * Vector API implementation ({@code jdk.incubator.vector}) chosen once per JVM by {@link Simd#load} and returned by
 * {@link #preferred()}. The Vector API one uses the vector {@code EXP} and {@code TANH} of the JDK (SVML-backed on
 * x86) in float32 and a float32 Abramowitz–Stegun 7.1.26 erf (absolute error 1.5e-7) for exact GELU, so it agrees
 * with the scalar kernels to float32 tolerance, not bit for bit; the tests compare both.
 *
 * <p>Arguments are not checked here: the public callers ({@link Activation}, {@link Softmax}) check ranges. Forward
 * kernels allow {@code y == x} (same offset); backward kernels allow {@code dx == dy} or {@code dx == x}.
 */
public interface ActivationKernels {

    /**
     * The plain-Java kernels.
     *
     * @return the scalar implementation
     */
    static ActivationKernels scalar() {
        return ScalarActivationKernels.INSTANCE;
    }

    /**
     * The kernels this JVM should use: the Vector API ones when {@code jdk.incubator.vector} is present and
     * {@code -Dllm4e.simd} is not {@code off}, else {@link #scalar()}.
     *
     * @return the chosen implementation
     */
    static ActivationKernels preferred() {
        return KernelHolder.PREFERRED;
    }

    /**
     * Forward σ(x): {@code y[yOff+i] = f(x[xOff+i])}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n element count
     */
    void sigmoid(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Backward of σ(x): {@code dx[i] = dy[i]·f′(x[i])}.
     *
     * @param x forward input array
     * @param xOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n element count
     */
    void sigmoidBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Forward tanh(x): {@code y[yOff+i] = f(x[xOff+i])}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n element count
     */
    void tanh(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Backward of tanh(x): {@code dx[i] = dy[i]·f′(x[i])}.
     *
     * @param x forward input array
     * @param xOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n element count
     */
    void tanhBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Forward x·σ(x): {@code y[yOff+i] = f(x[xOff+i])}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n element count
     */
    void silu(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Backward of x·σ(x): {@code dx[i] = dy[i]·f′(x[i])}.
     *
     * @param x forward input array
     * @param xOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n element count
     */
    void siluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Forward exact GELU x·Φ(x): {@code y[yOff+i] = f(x[xOff+i])}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n element count
     */
    void gelu(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Backward of exact GELU x·Φ(x): {@code dx[i] = dy[i]·f′(x[i])}.
     *
     * @param x forward input array
     * @param xOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n element count
     */
    void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Forward tanh-approximated GELU: {@code y[yOff+i] = f(x[xOff+i])}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n element count
     */
    void geluTanh(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Backward of tanh-approximated GELU: {@code dx[i] = dy[i]·f′(x[i])}.
     *
     * @param x forward input array
     * @param xOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n element count
     */
    void geluTanhBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Forward Mish x·tanh(softplus(x)): {@code y[yOff+i] = f(x[xOff+i])}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n element count
     */
    void mish(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Backward of Mish x·tanh(softplus(x)): {@code dx[i] = dy[i]·f′(x[i])}.
     *
     * @param x forward input array
     * @param xOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n element count
     */
    void mishBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * One softmax row with max subtraction: {@code y = exp(x − max)/Σ exp(x − max)}; {@code -Infinity} entries are
     * masked (0), and a row without a finite entry becomes all zeros.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n row length
     */
    void softmax(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * One log-softmax row: {@code y = x − max − ln Σ exp(x − max)}; masked entries and rows without a finite entry
     * give {@code -Infinity}.
     *
     * @param x input array
     * @param xOff input offset
     * @param y output array
     * @param yOff output offset
     * @param n row length
     */
    void logSoftmax(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Softmax backward for one row: {@code dx = y ⊙ (dy − Σ dy·y)}.
     *
     * @param y the forward output array
     * @param yOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n row length
     */
    void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Log-softmax backward for one row: {@code dx = dy − exp(logY)·Σ dy}.
     *
     * @param logY the forward output array
     * @param yOff its offset
     * @param dy upstream gradient array
     * @param dyOff its offset
     * @param dx output gradient array
     * @param dxOff its offset
     * @param n row length
     */
    void logSoftmaxBackward(float[] logY, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * One RMSNorm row: {@code y = x / √(mean(x²) + eps) ⊙ weight}.
     *
     * @param x input array
     * @param xOff input offset
     * @param weight the gain, n elements from index 0
     * @param y output array
     * @param yOff output offset
     * @param n row length
     * @param eps added to the mean square
     * @return the reciprocal root mean square {@code 1/√(mean(x²) + eps)}, which the backward pass needs
     */
    float rmsNorm(float[] x, int xOff, float[] weight, float[] y, int yOff, int n, float eps);
}
