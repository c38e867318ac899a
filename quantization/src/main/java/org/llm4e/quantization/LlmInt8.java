package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * LLM.int8() matrix multiplication (Dettmers et al. 2022, arXiv 2208.07339): vector-wise absmax INT8 with the
 * mixed-precision decomposition of outlier features.
 *
 * <pre>
 *   Y = X Wᵀ,   X [tokens, in], W [out, in], both fp16
 *   O = { j : maxᵢ |X[i, j]| ≥ threshold (6.0) }        outlier feature columns, R = the others
 *   Y_fp16 = X[:, O] · W[:, O]ᵀ                           (products exact, accumulated in double, rounded to f32)
 *   cₓ[i] = max_{j∈R} |X[i, j]|,   c_w[k] = max_{j∈R} |W[k, j]|
 *   X_q = round(f32(f32(X · 127) / cₓ[i])),  W_q = round(f32(f32(W · 127) / c_w[k]))        (int8, half away)
 *   Y_int8[i, k] = f32( (Σ_{j∈R} X_q[i, j] W_q[k, j]) · (cₓ[i] · c_w[k] / 127²) )          (int32 sum, exact)
 *   Y = f32(Y_fp16 + Y_int8)
 * </pre>
 *
 * <p>Not in the series' in-scope articles (the catalog lists it under "asked for but not covered"); this is the
 * paper's definition. A few feature dimensions of large transformers carry values far outside the rest; one of
 * them in a row blows up that row's absmax scale and wipes out the precision of every other element, so those
 * columns are multiplied in 16-bit and only the rest in INT8. {@link #multiply(Tensor, Tensor, double)
 * multiply(x, w, Double.POSITIVE_INFINITY)} is plain vector-wise INT8 without decomposition, for comparison.
 *
 * <p>The inputs are first rounded to fp16, the precision the scheme is defined on (a no-op for fp16 data).
 * Rounding is half away from zero, as the paper's definition in the golden reference; bitsandbytes' CUDA kernels
 * round half to even. A row (or weight row) whose non-outlier part is all zero has scale 0 and gets zero codes.
 * NaN/±∞ inputs are rejected. Matches {@code golden/quantization.json} {@code llm_int8}.
 */
public final class LlmInt8 {

    /** The outlier threshold of the paper and of bitsandbytes / transformers ({@code llm_int8_threshold}). */
    public static final double DEFAULT_THRESHOLD = 6.0;

    private LlmInt8() {}

    /**
     * Everything the decomposition computes.
     *
     * @param outlierColumns the feature columns multiplied in 16-bit, ascending
     * @param rowScales cₓ, one per token row (absmax over the non-outlier columns)
     * @param columnScales c_w, one per weight row (output feature)
     * @param xq the int8 codes of X's non-outlier columns, [tokens, |R|] row-major
     * @param wq the int8 codes of W's non-outlier columns, [out, |R|] row-major
     * @param accumulator the exact int32 products X_q W_qᵀ, [tokens, out]
     * @param fp16Part Y_fp16, [tokens, out]
     * @param int8Part Y_int8, [tokens, out]
     * @param output Y = Y_fp16 + Y_int8, [tokens, out]
     */
    public record Result(
            int[] outlierColumns,
            float[] rowScales,
            float[] columnScales,
            byte[] xq,
            byte[] wq,
            int[] accumulator,
            Tensor fp16Part,
            Tensor int8Part,
            Tensor output) {}

    /**
     * LLM.int8() with the default threshold 6.0.
     *
     * @param x activations [tokens, in]
     * @param w weights [out, in]
     * @return the product and its parts
     * @throws IllegalArgumentException if the shapes do not match or an element is not finite
     */
    public static Result multiply(Tensor x, Tensor w) {
        return multiply(x, w, DEFAULT_THRESHOLD);
    }

    /**
     * LLM.int8() with a given outlier threshold.
     *
     * @param x activations [tokens, in]
     * @param w weights [out, in]
     * @param threshold a column is an outlier column when some |x| in it is ≥ threshold; +∞ disables the
     *     decomposition
     * @return the product and its parts
     * @throws IllegalArgumentException if the shapes do not match, the threshold is NaN or not positive, or an
     *     element is not finite
     */
    public static Result multiply(Tensor x, Tensor w, double threshold) {
        if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("x must be [tokens, in] and w [out, in] with the same in, got x "
                    + Arrays.toString(x.shape()) + " and w " + Arrays.toString(w.shape()));
        }
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("threshold must be > 0, got " + threshold);
        }
        LinearQuantizer.checkFinite(x.data(), "x");
        LinearQuantizer.checkFinite(w.data(), "w");
        int tokens = x.dim(0);
        int in = x.dim(1);
        int out = w.dim(0);
        float[] xs = Fp16.round(x.data());
        float[] ws = Fp16.round(w.data());

        boolean[] outlier = new boolean[in];
        int nOut = 0;
        for (int j = 0; j < in; j++) {
            for (int i = 0; i < tokens && !outlier[j]; i++) {
                outlier[j] = Math.abs(xs[i * in + j]) >= threshold;
            }
            nOut += outlier[j] ? 1 : 0;
        }
        int[] outCols = new int[nOut];
        int[] restCols = new int[in - nOut];
        for (int j = 0, a = 0, b = 0; j < in; j++) {
            if (outlier[j]) {
                outCols[a++] = j;
            } else {
                restCols[b++] = j;
            }
        }

        float[] fp16Part = new float[tokens * out];
        for (int i = 0; i < tokens; i++) {
            for (int k = 0; k < out; k++) {
                double acc = 0; // fp16 × fp16 products are exact in double
                for (int j : outCols) {
                    acc += (double) xs[i * in + j] * ws[k * in + j];
                }
                fp16Part[i * out + k] = (float) acc;
            }
        }

        int r = restCols.length;
        float[] cx = new float[tokens];
        float[] cw = new float[out];
        byte[] xq = quantizeRows(xs, tokens, in, restCols, cx);
        byte[] wq = quantizeRows(ws, out, in, restCols, cw);
        int[] acc = new int[tokens * out];
        float[] int8Part = new float[tokens * out];
        float[] y = new float[tokens * out];
        for (int i = 0; i < tokens; i++) {
            for (int k = 0; k < out; k++) {
                int s = 0;
                for (int j = 0; j < r; j++) {
                    s += xq[i * r + j] * wq[k * r + j];
                }
                acc[i * out + k] = s;
                double scale = ((double) cx[i] * (double) cw[k]) / 16129.0;
                int8Part[i * out + k] = (float) (s * scale);
                y[i * out + k] = fp16Part[i * out + k] + int8Part[i * out + k];
            }
        }
        return new Result(
                outCols,
                cx,
                cw,
                xq,
                wq,
                acc,
                Tensor.of(fp16Part, tokens, out),
                Tensor.of(int8Part, tokens, out),
                Tensor.of(y, tokens, out));
    }

    /**
     * The exact product X Wᵀ of the fp16-rounded inputs, in double, to measure the error against.
     *
     * @param x activations [tokens, in]
     * @param w weights [out, in]
     * @return [tokens][out] in double
     * @throws IllegalArgumentException if the shapes do not match
     */
    public static double[][] reference(Tensor x, Tensor w) {
        if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("x must be [tokens, in] and w [out, in] with the same in, got x "
                    + Arrays.toString(x.shape()) + " and w " + Arrays.toString(w.shape()));
        }
        int tokens = x.dim(0);
        int in = x.dim(1);
        int out = w.dim(0);
        float[] xs = Fp16.round(x.data());
        float[] ws = Fp16.round(w.data());
        double[][] y = new double[tokens][out];
        for (int i = 0; i < tokens; i++) {
            for (int k = 0; k < out; k++) {
                double s = 0;
                for (int j = 0; j < in; j++) {
                    s += (double) xs[i * in + j] * ws[k * in + j];
                }
                y[i][k] = s;
            }
        }
        return y;
    }

    /** Vector-wise absmax int8 of each row over the given columns; the scales go to {@code scales}. */
    private static byte[] quantizeRows(float[] m, int rows, int cols, int[] keep, float[] scales) {
        int r = keep.length;
        byte[] q = new byte[rows * r];
        for (int i = 0; i < rows; i++) {
            float c = 0f;
            for (int j : keep) {
                c = Math.max(c, Math.abs(m[i * cols + j]));
            }
            scales[i] = c;
            if (c == 0f) {
                continue; // an all-zero row: codes 0 (the reference would divide 0 by 0)
            }
            for (int t = 0; t < r; t++) {
                float v = (m[i * cols + keep[t]] * 127f) / c;
                q[i * r + t] = (byte) Rounding.halfAwayClamped(v, 0, -127, 127);
            }
        }
        return q;
    }
}
