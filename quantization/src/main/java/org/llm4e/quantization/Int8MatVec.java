package org.llm4e.quantization;

import org.llm4e.core.Parallel;
import org.llm4e.core.Simd;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.ScalarGgmlDotKernels;

/**
 * W8A8 matrix-vector product: symmetric per-row INT8 weights (as {@link LinearQuantizer} {@code bits(8)
 * .symmetric(true).perChannel()} makes them) times activations quantized to INT8 per tensor, accumulated exactly in
 * int32, scaled once per row.
 *
 * <pre>
 *   s_x = max|x| / 127,   x_q[j] = rint(x[j] / s_x)  ∈ [−127, 127]    (s_x = 0 and x_q = 0 when x is all zero)
 *   y[r] = f32(s_w[r] · s_x) · (float) Σ_j W_q[r][j] · x_q[j]
 * </pre>
 *
 * <p>The simplest integer linear layer of {@code 10分钟理解大模型的量化.md} (LLM.int8 without the outlier split): one scale per
 * row instead of ggml's one per 32-element block, so it streams 8 bits per weight, against Q8_0's 8.5. The integer sum
 * is exact, so the Vector API kernel ({@link Simd#load}, as {@link GgmlMatVec}) and the scalar {@link #dot} give the
 * same bits. Rounding: half to even ({@link Math#rint}), as {@code torch.round}. Rows are split over the library
 * pool; results do not depend on the thread count.
 */
public final class Int8MatVec {
    private static final GgmlDotKernels KERNELS = Simd.load(
            GgmlDotKernels.class,
            "org.llm4e.quantization.internal.simd.PanamaGgmlDotKernels",
            new ScalarGgmlDotKernels());

    private Int8MatVec() {}

    /**
     * The scalar reference of the inner loop: Σ a[i]·b[i] over int8 codes, exact in int.
     *
     * @param a codes
     * @param aOff first code of a
     * @param b codes
     * @param bOff first code of b
     * @param n number of codes, at most 2¹⁷ (so that the sum cannot overflow)
     * @return the integer dot product
     * @throws IllegalArgumentException if a range falls outside its array or n is out of range
     */
    public static int dot(byte[] a, int aOff, byte[] b, int bOff, int n) {
        if (n < 0 || n > (1 << 17)) {
            throw new IllegalArgumentException("n must be in [0, 131072], got " + n);
        }
        if (aOff < 0 || aOff + (long) n > a.length || bOff < 0 || bOff + (long) n > b.length) {
            throw new IllegalArgumentException("a[" + aOff + ", +" + n + ") and b[" + bOff + ", +" + n
                    + ") must lie inside arrays of length " + a.length + " and " + b.length);
        }
        int sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /**
     * Quantizes activations to INT8 with one scale for the vector.
     *
     * @param x the activations
     * @param codes receives x.length codes in [−127, 127]
     * @return the scale s_x = max|x| / 127 (0 for an all-zero x)
     * @throws IllegalArgumentException if codes is shorter than x
     */
    public static float quantizeActivations(float[] x, byte[] codes) {
        if (codes.length < x.length) {
            throw new IllegalArgumentException(
                    "codes must hold x.length = " + x.length + " codes, got " + codes.length);
        }
        float amax = 0f;
        for (float v : x) {
            amax = Math.max(amax, Math.abs(v));
        }
        float s = amax / 127f;
        float inv = s == 0f ? 0f : 1f / s;
        for (int i = 0; i < x.length; i++) {
            codes[i] = (byte) Math.rint(x[i] * inv);
        }
        return s;
    }

    /**
     * Computes {@code W x} with the fastest kernels this JVM has.
     *
     * @param codes W_q, rows · cols int8 codes, row-major
     * @param scales s_w, one per row
     * @param rows number of rows
     * @param cols number of columns, at most 2¹⁷
     * @param x the input, length cols
     * @return y, length rows
     * @throws IllegalArgumentException if the sizes do not match
     */
    public static float[] multiply(byte[] codes, float[] scales, int rows, int cols, float[] x) {
        return multiply(KERNELS, codes, scales, rows, cols, x);
    }

    /**
     * Computes {@code W x} for a per-channel symmetric signed INT8 {@link QuantizedTensor} of shape [rows, cols].
     *
     * @param w the quantized weight
     * @param x the input, length cols
     * @return y, length rows
     * @throws IllegalArgumentException if w is not an 8-bit symmetric signed per-channel rank-2 tensor, or x does not
     *     match
     */
    public static float[] multiply(QuantizedTensor w, float[] x) {
        if (w.bits() != 8
                || !w.scheme().symmetric()
                || !w.scheme().signed()
                || w.scheme().granularity() != LinearQuantizer.Granularity.PER_CHANNEL
                || w.shape().length != 2) {
            throw new IllegalArgumentException(
                    "w must be an 8-bit symmetric signed per-channel [rows, cols] tensor, got " + w.bits() + " bits "
                            + w.scheme().granularity() + " shape " + java.util.Arrays.toString(w.shape()));
        }
        return multiply(w.codes(), w.scales(), w.shape()[0], w.shape()[1], x);
    }

    /**
     * Computes {@code W x} with the scalar reference loop ({@link #dot}).
     *
     * @param codes W_q, rows · cols int8 codes, row-major
     * @param scales s_w, one per row
     * @param rows number of rows
     * @param cols number of columns, at most 2¹⁷
     * @param x the input, length cols
     * @return y, length rows
     * @throws IllegalArgumentException if the sizes do not match
     */
    public static float[] multiplyReference(byte[] codes, float[] scales, int rows, int cols, float[] x) {
        return multiply(new ScalarGgmlDotKernels(), codes, scales, rows, cols, x);
    }

    /**
     * Computes {@code y = W x_q} with activations already quantized ({@link #quantizeActivations}), writing into y.
     *
     * @param codes W_q, rows · cols int8 codes, row-major
     * @param scales s_w, one per row
     * @param rows number of rows
     * @param cols number of columns, at most 2¹⁷
     * @param xq the activation codes, length cols
     * @param xScale the activation scale s_x
     * @param y the output, at least rows long
     * @throws IllegalArgumentException if the sizes do not match
     */
    public static void multiplyQuantized(
            byte[] codes, float[] scales, int rows, int cols, byte[] xq, float xScale, float[] y) {
        check(codes, scales, rows, cols);
        if (xq.length != cols) {
            throw new IllegalArgumentException("xq.length must equal cols " + cols + ", got " + xq.length);
        }
        if (y.length < rows) {
            throw new IllegalArgumentException("y must hold at least rows = " + rows + " values, got " + y.length);
        }
        run(KERNELS, codes, scales, rows, cols, xq, xScale, y);
    }

    private static float[] multiply(GgmlDotKernels k, byte[] codes, float[] scales, int rows, int cols, float[] x) {
        check(codes, scales, rows, cols);
        if (x.length != cols) {
            throw new IllegalArgumentException("x.length must equal cols " + cols + ", got " + x.length);
        }
        byte[] xq = new byte[cols];
        float sx = quantizeActivations(x, xq);
        float[] y = new float[rows];
        run(k, codes, scales, rows, cols, xq, sx, y);
        return y;
    }

    private static void run(
            GgmlDotKernels k, byte[] codes, float[] scales, int rows, int cols, byte[] xq, float sx, float[] y) {
        Parallel.forRange(0, rows, 16, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                y[r] = (scales[r] * sx) * (float) k.dotInt8(codes, r * cols, xq, 0, cols);
            }
        });
    }

    private static void check(byte[] codes, float[] scales, int rows, int cols) {
        if (rows < 0 || cols < 0 || cols > (1 << 17)) {
            throw new IllegalArgumentException(
                    "rows must be ≥ 0 and cols in [0, 131072], got rows " + rows + ", cols " + cols);
        }
        if ((long) rows * cols != codes.length) {
            throw new IllegalArgumentException(
                    "codes must hold rows · cols = " + (long) rows * cols + " codes, got " + codes.length);
        }
        if (scales.length != rows) {
            throw new IllegalArgumentException("scales.length must equal rows " + rows + ", got " + scales.length);
        }
    }
}
