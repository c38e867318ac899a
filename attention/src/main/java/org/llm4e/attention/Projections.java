package org.llm4e.attention;

import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * The linear projections ({@code nn.Linear} layout, W {@code [out, in]}: their initial weights, forward and backward)
 * and the head split and merge that the attention layers, the mixture of experts and the transformer block share. Every product is one {@link Kernels#sgemm} on the
 * row-major arrays, so a layer's results are the same whichever class forms them.
 */
final class Projections {
    private Projections() {}

    /**
     * An initial weight {@code [out, in]}: normal with standard deviation 1/√in, from the library's documented generator
     * ({@link Tensor#randn}), so the same layer on every JDK.
     */
    static Tensor initialWeight(long seed, int out, int in) {
        Tensor w = Tensor.randn(seed, out, in);
        Kernels.scale((float) (1.0 / Math.sqrt(in)), w.data(), 0, w.size());
        return w;
    }

    /** A trainable weight named {@code name}, initialised as {@link #initialWeight}. */
    static Parameter initialParameter(String name, long seed, int out, int in) {
        return new Parameter(name, initialWeight(seed, out, in).data());
    }

    /** {@code y = x Wᵀ} for x {@code [rows, in]} and W {@code [out, in]}; a new {@code [rows, out]} array. */
    static float[] linear(float[] x, int rows, int in, float[] w, int out) {
        float[] y = new float[rows * out];
        Kernels.sgemm(false, true, rows, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
        return y;
    }

    /** For {@code y = x Wᵀ}: {@code dx = dy W}, a new {@code [rows, in]} array (dy {@code [rows, out]}). */
    static float[] inputGrad(float[] dy, int rows, int out, float[] w, int in) {
        float[] dx = new float[rows * in];
        Kernels.sgemm(false, false, rows, in, out, 1f, dy, 0, out, w, 0, in, 0f, dx, 0, in);
        return dx;
    }

    /** For {@code y = x Wᵀ}: {@code dW += dyᵀ x} (dW {@code [out, in]}). */
    static void accumulateWeightGrad(float[] dy, int rows, int out, float[] x, int in, float[] dW) {
        Kernels.sgemm(true, false, out, in, rows, 1f, dy, 0, out, x, 0, in, 1f, dW, 0, in);
    }

    /** For {@code y = x Wᵀ}: {@code dW += dyᵀ x} and {@code dX += dy W}. */
    static void backward(float[] dy, int rows, int out, float[] w, float[] dW, float[] x, int in, float[] dX) {
        accumulateWeightGrad(dy, rows, out, x, in, dW);
        Kernels.sgemm(false, false, rows, in, out, 1f, dy, 0, out, w, 0, in, 1f, dX, 0, in);
    }

    /** {@code [batch·seq, heads·headDim]} → {@code [batch, heads, seq, headDim]}. */
    static Tensor splitHeads(float[] y, int batch, int seq, int heads, int headDim) {
        Tensor t = Tensor.zeros(batch, heads, seq, headDim);
        float[] d = t.data();
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(
                            y,
                            ((b * seq + s) * heads + h) * headDim,
                            d,
                            ((b * heads + h) * seq + s) * headDim,
                            headDim);
                }
            }
        }
        return t;
    }

    /** {@code [batch, heads, seq, headDim]} → {@code [batch, seq, heads·headDim]}. */
    static Tensor mergeHeads(Tensor o, int batch, int seq, int heads, int headDim) {
        Tensor t = Tensor.zeros(batch, seq, heads * headDim);
        float[] s = o.data();
        float[] d = t.data();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(
                            s,
                            ((b * heads + h) * seq + i) * headDim,
                            d,
                            ((b * seq + i) * heads + h) * headDim,
                            headDim);
                }
            }
        }
        return t;
    }
}
