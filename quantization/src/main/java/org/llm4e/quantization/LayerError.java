package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * The error a quantized weight makes on a layer's output, the quantity GPTQ and AWQ minimise (catalog B7, B8, B11
 * level 3), in double.
 *
 * <pre>
 *   SSE = ‖(W − Ŵ) Xᵀ‖²_F = Σₛ Σₒ ( Σᵢ (W − Ŵ)ₒᵢ xₛᵢ )²         W, Ŵ: [out, in]    X: [samples, in]
 * </pre>
 *
 * <p>The golden file calls it {@code output_sse} (its X is stored as {@code [in, samples]}); the weight-only error
 * ‖W − Ŵ‖² is {@link QuantError}'s.
 */
public final class LayerError {
    private LayerError() {}

    /**
     * The squared output error of a reconstructed weight.
     *
     * @param w the original weight {@code [out, in]}
     * @param wHat the reconstruction, same shape
     * @param x the inputs {@code [samples, in]}
     * @return ‖(W − Ŵ) Xᵀ‖²_F
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public static double outputSse(Tensor w, Tensor wHat, Tensor x) {
        if (w.rank() != 2 || !Arrays.equals(w.shape(), wHat.shape())) {
            throw new IllegalArgumentException("w shape " + Arrays.toString(w.shape()) + " and wHat shape "
                    + Arrays.toString(wHat.shape()) + " must be the same 2-D [out, in] shape");
        }
        if (x.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("x shape " + Arrays.toString(x.shape()) + " must be [samples, "
                    + w.dim(1) + "] for w shape " + Arrays.toString(w.shape()));
        }
        int out = w.dim(0);
        int in = w.dim(1);
        int n = x.dim(0);
        float[] a = w.data();
        float[] b = wHat.data();
        float[] xd = x.data();
        double[] d = new double[out * in];
        for (int i = 0; i < d.length; i++) {
            d[i] = (double) a[i] - b[i];
        }
        double sse = 0;
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                double acc = 0;
                for (int i = 0, dOff = o * in, xOff = s * in; i < in; i++) {
                    acc += d[dOff + i] * xd[xOff + i];
                }
                sse += acc * acc;
            }
        }
        return sse;
    }
}
