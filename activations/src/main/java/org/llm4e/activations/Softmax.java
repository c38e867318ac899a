package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/**
 * Softmax and log-softmax with their backward passes, over one vector or the rows (last dimension) of a tensor.
 *
 * <pre>
 *   softmax(z)ᵢ     = e^(zᵢ − m) / Σⱼ e^(zⱼ − m),   m = maxⱼ zⱼ        (the max subtraction changes nothing
 *   log_softmax(z)ᵢ = zᵢ − m − ln Σⱼ e^(zⱼ − m)                          mathematically: softmax(z + c) = softmax(z))
 *   backward:  ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)   ⇒  dz = p ⊙ (dp − Σ dp·p)
 *              log-softmax:            ⇒  dz = dℓ − p·Σ dℓ
 * </pre>
 *
 * <p>Article: {@code 神经网络的激活函数（二）Sigmiod、Softmax和Tanh.md}. Its NumPy code {@code np.exp(z) / np.sum(np.exp(z))} is the naive form, kept here as
 * {@link #naiveSoftmax(double[])} for teaching: for [1000, 1001, 1002] it computes ∞/∞ = NaN, whereas the stable
 * form gives [0.09003057, 0.24472847, 0.66524096].
 *
 * <p><b>Masking.</b> A {@code -Infinity} entry is masked: probability 0, log-probability {@code -Infinity}, softmax
 * gradient 0 and log-softmax gradient equal to the upstream gradient. <b>A row with no finite entry gives all
 * zeros</b> (softmax) and {@code -Infinity} (log-softmax), where PyTorch gives NaN: the same rule as attention in this
 * library, so that a fully masked attention row outputs 0. NaN and {@code +Infinity} propagate as NaN. Otherwise
 * matches {@code F.softmax} / {@code F.log_softmax} (dim = −1) and their autograd backward.
 *
 * <p>The double methods are the reference; the float methods use {@link ActivationKernels#preferred()} (Vector API
 * when available); the tensor methods process rows in parallel on the library pool (each row is independent, so the
 * result does not depend on the thread count).
 */
public final class Softmax {
    private Softmax() {}

    private static double max(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        return m;
    }

    /**
     * The article's naive softmax {@code e^z / Σ e^z}, without max subtraction: overflows (NaN) for large logits.
     * Kept for teaching only.
     *
     * @param z the logits
     * @return the naive probabilities
     */
    public static double[] naiveSoftmax(double[] z) {
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i]);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * Stable softmax in double (the reference).
     *
     * @param x the logits ({@code -Infinity} = masked)
     * @return a new array of probabilities (all zeros if no entry is finite)
     */
    public static double[] softmax(double[] x) {
        double m = max(x);
        double[] p = new double[x.length];
        if (m == Double.NEGATIVE_INFINITY) {
            return p;
        }
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - m);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * Stable log-softmax in double (the reference).
     *
     * @param x the logits ({@code -Infinity} = masked)
     * @return a new array of log-probabilities (all {@code -Infinity} if no entry is finite)
     */
    public static double[] logSoftmax(double[] x) {
        double m = max(x);
        double[] out = new double[x.length];
        if (m == Double.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
            return out;
        }
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - m);
        }
        double logSum = Math.log(sum);
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - m - logSum;
        }
        return out;
    }

    /**
     * Softmax backward in double: {@code dx = y ⊙ (dy − Σ dy·y)}.
     *
     * @param y the softmax output
     * @param dy the upstream gradient
     * @return a new gradient with respect to the logits
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double[] backward(double[] y, double[] dy) {
        Checks.sameLength("y", y.length, "dy", dy.length);
        double dot = 0;
        for (int i = 0; i < y.length; i++) {
            dot += dy[i] * y[i];
        }
        double[] dx = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            dx[i] = y[i] * (dy[i] - dot);
        }
        return dx;
    }

    /**
     * Log-softmax backward in double: {@code dx = dy − exp(logY)·Σ dy}.
     *
     * @param logY the log-softmax output
     * @param dy the upstream gradient
     * @return a new gradient with respect to the logits
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double[] logSoftmaxBackward(double[] logY, double[] dy) {
        Checks.sameLength("logY", logY.length, "dy", dy.length);
        double sum = 0;
        for (double g : dy) {
            sum += g;
        }
        double[] dx = new double[logY.length];
        for (int i = 0; i < logY.length; i++) {
            dx[i] = dy[i] - Math.exp(logY[i]) * sum;
        }
        return dx;
    }

    /**
     * Stable softmax in float32.
     *
     * @param x the logits ({@code -Infinity} = masked)
     * @return a new array of probabilities
     */
    public static float[] softmax(float[] x) {
        float[] y = new float[x.length];
        ActivationKernels.preferred().softmax(x, 0, y, 0, x.length);
        return y;
    }

    /**
     * Stable log-softmax in float32.
     *
     * @param x the logits ({@code -Infinity} = masked)
     * @return a new array of log-probabilities
     */
    public static float[] logSoftmax(float[] x) {
        float[] y = new float[x.length];
        ActivationKernels.preferred().logSoftmax(x, 0, y, 0, x.length);
        return y;
    }

    /**
     * Softmax backward in float32.
     *
     * @param y the softmax output
     * @param dy the upstream gradient
     * @return a new gradient with respect to the logits
     * @throws IllegalArgumentException if the lengths differ
     */
    public static float[] backward(float[] y, float[] dy) {
        Checks.sameLength("y", y.length, "dy", dy.length);
        float[] dx = new float[y.length];
        ActivationKernels.preferred().softmaxBackward(y, 0, dy, 0, dx, 0, y.length);
        return dx;
    }

    /**
     * Log-softmax backward in float32.
     *
     * @param logY the log-softmax output
     * @param dy the upstream gradient
     * @return a new gradient with respect to the logits
     * @throws IllegalArgumentException if the lengths differ
     */
    public static float[] logSoftmaxBackward(float[] logY, float[] dy) {
        Checks.sameLength("logY", logY.length, "dy", dy.length);
        float[] dx = new float[logY.length];
        ActivationKernels.preferred().logSoftmaxBackward(logY, 0, dy, 0, dx, 0, logY.length);
        return dx;
    }

    /**
     * Softmax of one row in place or into another array, with offsets.
     *
     * @param x the logits array
     * @param xOff the row's first index
     * @param y the output array (may be {@code x} with the same offset)
     * @param yOff the output's first index
     * @param n the row length
     * @throws IllegalArgumentException if a range does not fit its array
     */
    public static void softmax(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.range("x", x, xOff, n);
        Checks.range("y", y, yOff, n);
        ActivationKernels.preferred().softmax(x, xOff, y, yOff, n);
    }

    /**
     * Softmax over the last dimension of a tensor.
     *
     * @param x the logits, rank ≥ 1
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if {@code x} has rank 0
     */
    public static Tensor softmax(Tensor x) {
        return rows(x, null, 0);
    }

    /**
     * Log-softmax over the last dimension of a tensor.
     *
     * @param x the logits, rank ≥ 1
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if {@code x} has rank 0
     */
    public static Tensor logSoftmax(Tensor x) {
        return rows(x, null, 1);
    }

    /**
     * Softmax backward over the last dimension of a tensor.
     *
     * @param y the softmax output
     * @param dy the upstream gradient, same shape
     * @return a new gradient tensor
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Tensor backward(Tensor y, Tensor dy) {
        return rows(y, dy, 2);
    }

    /**
     * Log-softmax backward over the last dimension of a tensor.
     *
     * @param logY the log-softmax output
     * @param dy the upstream gradient, same shape
     * @return a new gradient tensor
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Tensor logSoftmaxBackward(Tensor logY, Tensor dy) {
        return rows(logY, dy, 3);
    }

    private static Tensor rows(Tensor a, Tensor g, int op) {
        if (a.rank() == 0) {
            throw new IllegalArgumentException("tensor must have rank >= 1, got a scalar");
        }
        if (g != null && !java.util.Arrays.equals(a.shape(), g.shape())) {
            throw new IllegalArgumentException("dy has shape " + java.util.Arrays.toString(g.shape())
                    + " but the forward output has shape " + java.util.Arrays.toString(a.shape()));
        }
        int n = a.dim(a.rank() - 1);
        int rowCount = n == 0 ? 0 : a.size() / n;
        Tensor out = Tensor.zeros(a.shape());
        float[] src = a.data();
        float[] dst = out.data();
        float[] grad = g == null ? null : g.data();
        ActivationKernels k = ActivationKernels.preferred();
        int grain = Math.max(1, (1 << 14) / Math.max(1, n));
        Parallel.forRange(0, rowCount, grain, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int off = r * n;
                switch (op) {
                    case 0:
                        k.softmax(src, off, dst, off, n);
                        break;
                    case 1:
                        k.logSoftmax(src, off, dst, off, n);
                        break;
                    case 2:
                        k.softmaxBackward(src, off, grad, off, dst, off, n);
                        break;
                    default:
                        k.logSoftmaxBackward(src, off, grad, off, dst, off, n);
                        break;
                }
            }
        });
        return out;
    }
}
