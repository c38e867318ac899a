package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * SmoothQuant (Xiao et al. 2022, arXiv 2211.10438): activations of LLMs have a few input channels with huge
 * magnitudes (outliers) that ruin per-tensor INT8 activation quantization, while the weights are easy. Dividing each
 * input channel j of the activations by s_j and multiplying the matching weight column by s_j leaves the product
 * unchanged and moves part of the difficulty from the activations to the weights, with the migration strength α.
 * Named among the weight + activation schemes of {@code 大模型量化认知的三重境界.md} (catalog B6, B14); the formula
 * is the paper's ([X] in the catalog).
 *
 * <pre>
 *   s_j = max|X_j|^α / max|W_j|^(1−α)          X_j: input channel j over the samples, W_j: column j of W [out, in]
 *   X̂ = X · diag(s)⁻¹        Ŵ = W · diag(s)        X̂ Ŵᵀ = X Wᵀ
 * </pre>
 *
 * <p>Matches the reference code ({@code smoothquant/smooth.py smooth_ln_fcs}): α = 0.5 by default, the weight
 * maxima clamped to at least 1e−5 and the factors to at least 1e−5; in deployment diag(s)⁻¹ is folded into the
 * preceding LayerNorm so smoothing costs nothing at run time. Quantize the smoothed pair with {@link W8A8}.
 * Immutable and thread-safe.
 */
public final class SmoothQuant {
    private final double alpha;

    private SmoothQuant(double alpha) {
        this.alpha = alpha;
    }

    /**
     * A builder with α = 0.5.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The migration strength.
     *
     * @return α
     */
    public double alpha() {
        return alpha;
    }

    /**
     * The largest |x| of each input channel over the samples (what SmoothQuant calibrates).
     *
     * @param x activations {@code [samples, in]}
     * @return one value per channel
     * @throws IllegalArgumentException if x is not 2-D
     */
    public static float[] channelAbsMax(Tensor x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("x must be 2-D [samples, in], got shape " + Arrays.toString(x.shape()));
        }
        int in = x.dim(1);
        float[] m = new float[in];
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            m[i % in] = Math.max(m[i % in], Math.abs(d[i]));
        }
        return m;
    }

    /**
     * The smoothing factors from calibrated activation maxima.
     *
     * @param activationAbsMax max|X_j| per input channel
     * @param w the weight {@code [out, in]}
     * @return s, one per input channel
     * @throws IllegalArgumentException if the lengths do not fit
     */
    public float[] factors(float[] activationAbsMax, Tensor w) {
        if (w.rank() != 2 || w.dim(1) != activationAbsMax.length) {
            throw new IllegalArgumentException("w shape " + Arrays.toString(w.shape()) + " must be [out, "
                    + activationAbsMax.length + "] to match activationAbsMax.length");
        }
        int out = w.dim(0);
        int in = w.dim(1);
        float[] wd = w.data();
        float[] s = new float[in];
        for (int j = 0; j < in; j++) {
            double wmax = 0;
            for (int o = 0; o < out; o++) {
                wmax = Math.max(wmax, Math.abs(wd[o * in + j]));
            }
            wmax = Math.max(wmax, 1e-5);
            double f = Math.pow(activationAbsMax[j], alpha) / Math.pow(wmax, 1 - alpha);
            s[j] = (float) Math.max(f, 1e-5);
        }
        return s;
    }

    /**
     * Smooths a layer: factors from these activations, then {@code X · diag(s)⁻¹} and {@code W · diag(s)}.
     *
     * @param x activations {@code [samples, in]}
     * @param w the weight {@code [out, in]}
     * @return the smoothed pair and the factors
     * @throws IllegalArgumentException if the shapes do not fit
     */
    public Smoothed smooth(Tensor x, Tensor w) {
        if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("x shape " + Arrays.toString(x.shape()) + " and w shape "
                    + Arrays.toString(w.shape()) + " must be [samples, in] and [out, in]");
        }
        float[] s = factors(channelAbsMax(x), w);
        return new Smoothed(divideColumns(x, s), multiplyColumns(w, s), s);
    }

    /**
     * {@code X · diag(s)⁻¹}: what the folded LayerNorm produces at run time.
     *
     * @param x activations {@code [samples, in]}
     * @param s the factors
     * @return a new tensor
     * @throws IllegalArgumentException if the lengths do not fit
     */
    public static Tensor divideColumns(Tensor x, float[] s) {
        checkColumns(x, s);
        float[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] / s[i % s.length];
        }
        return Tensor.of(d, x.shape());
    }

    /**
     * {@code W · diag(s)}: the weight that absorbs the factors.
     *
     * @param w the weight {@code [out, in]}
     * @param s the factors
     * @return a new tensor
     * @throws IllegalArgumentException if the lengths do not fit
     */
    public static Tensor multiplyColumns(Tensor w, float[] s) {
        checkColumns(w, s);
        float[] d = w.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] * s[i % s.length];
        }
        return Tensor.of(d, w.shape());
    }

    private static void checkColumns(Tensor t, float[] s) {
        if (t.rank() != 2 || t.dim(1) != s.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(t.shape()) + " must have " + s.length + " columns to match s.length");
        }
    }

    /**
     * A smoothed layer.
     *
     * @param x {@code X · diag(s)⁻¹}
     * @param w {@code W · diag(s)}
     * @param factors s (the array is the one computed; treat it as read-only)
     */
    public record Smoothed(Tensor x, Tensor w, float[] factors) {}

    /** Builds a {@link SmoothQuant}. */
    public static final class Builder {
        private double alpha = 0.5;

        private Builder() {}

        /**
         * The migration strength: 0 leaves the activations alone, 1 moves all their range into the weights.
         *
         * @param alpha in [0, 1] (default 0.5)
         * @return this builder
         * @throws IllegalArgumentException if alpha is outside [0, 1]
         */
        public Builder alpha(double alpha) {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        /**
         * Builds the smoother.
         *
         * @return an immutable smoother
         */
        public SmoothQuant build() {
            return new SmoothQuant(alpha);
        }
    }
}
