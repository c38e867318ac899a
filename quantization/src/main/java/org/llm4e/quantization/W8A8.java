package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * An INT8 × INT8 linear layer (weights and activations in 8 bits, "W8A8"), the setting SmoothQuant targets:
 * symmetric INT8 per output channel for the weight, symmetric INT8 per tensor (or per token) for the activations,
 * computed dynamically, products accumulated exactly in int32 and rescaled once.
 *
 * <pre>
 *   x_q = round(x / s_x)     w_q = round(w / s_w[o])       (LinearQuantizer, restricted range [−127, 127])
 *   y[n, o] = f32(s_w[o] · s_x) · Σᵢ x_q[n, i] · w_q[o, i]   (exact int32 sums: {@link Int8MatVec}, in ≤ 2¹⁷)
 * </pre>
 *
 * <p>Catalog B6 (weights + activations) and B14 (SmoothQuant); the per-tensor activation scale is SmoothQuant's
 * hardest setting (O2/O3), per token its O1. Thread-safe (stateless).
 */
public final class W8A8 {
    private W8A8() {}

    /**
     * {@code y = x wᵀ} with both operands quantized to INT8, activations per tensor.
     *
     * @param x activations {@code [samples, in]}
     * @param w the weight {@code [out, in]}
     * @return {@code [samples, out]}
     * @throws IllegalArgumentException if the shapes do not fit or a value is not finite
     */
    public static Tensor matmul(Tensor x, Tensor w) {
        return matmul(x, w, false);
    }

    /**
     * {@code y = x wᵀ} with both operands quantized to INT8.
     *
     * @param x activations {@code [samples, in]}
     * @param w the weight {@code [out, in]}
     * @param perToken one activation scale per row of x instead of one for the tensor
     * @return {@code [samples, out]}
     * @throws IllegalArgumentException if the shapes do not fit or a value is not finite
     */
    public static Tensor matmul(Tensor x, Tensor w, boolean perToken) {
        if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("x shape " + Arrays.toString(x.shape()) + " and w shape "
                    + Arrays.toString(w.shape()) + " must be [samples, in] and [out, in]");
        }
        LinearQuantizer.Builder xb = LinearQuantizer.builder().bits(8);
        QuantizedTensor xq =
                (perToken ? xb.perChannel() : xb.perTensor()).build().quantize(x);
        QuantizedTensor wq =
                LinearQuantizer.builder().bits(8).perChannel().build().quantize(w);
        int n = x.dim(0);
        int in = x.dim(1);
        int out = w.dim(0);
        byte[] a = xq.codes();
        byte[] b = wq.codes();
        float[] sx = xq.scales();
        float[] sw = wq.scales();
        float[] y = new float[n * out];
        float[] yRow = new float[out];
        for (int s = 0; s < n; s++) {
            // one matrix-vector product per sample through Int8MatVec's exact int32 (SIMD) kernel
            byte[] row = Arrays.copyOfRange(a, s * in, (s + 1) * in);
            Int8MatVec.multiplyQuantized(b, sw, out, in, row, sx[perToken ? s : 0], yRow);
            System.arraycopy(yRow, 0, y, s * out, out);
        }
        return Tensor.of(y, n, out);
    }
}
