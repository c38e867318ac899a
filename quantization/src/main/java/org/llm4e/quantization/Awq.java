package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/**
 * AWQ, activation-aware weight quantization (Lin et al. 2023, arXiv 2306.00978): the weights that meet large
 * activations matter most, so scale their input channels up before rounding (their relative rounding error shrinks)
 * and divide the activations by the same factors, which leaves the layer's product unchanged. "Keep the big, let go
 * of the small" of {@code 大模型量化认知的三重境界.md} level 3 (catalog B8, B11); the article gives the intuition only,
 * the formulas are the paper's and the reference code's ({@code llm-awq auto_scale.py}).
 *
 * <pre>
 *   s_X[i]  = mean over samples of |x_i|                          (activation magnitude of input channel i)
 *   s(α)[i] = max(s_X[i]^α, 1e−4),  then  s ← s / √(max s · min s)
 *   Ŵ(α)    = Q(W · diag(s)) · diag(s)⁻¹                         (Q: asymmetric INT grid per group of a row)
 *   loss(α) = mean over samples and outputs of (x Wᵀ − x Ŵ(α)ᵀ)²
 *   α*      = argmin over the grid α ∈ {0, 1/n, …, (n − 1)/n}   (n = gridSize, 20 in llm-awq; first minimum wins)
 * </pre>
 *
 * <p>α = 0 gives s = 1, i.e. plain round-to-nearest, so the chosen α is never worse than RTN on the calibration
 * data. Deployment folds diag(s)⁻¹ into the previous operator (a LayerNorm's weight or the previous linear layer);
 * {@link Result#dequantize()} gives the equivalent weight directly. The grid is llm-awq's
 * {@code pseudo_quantize_tensor} with a zero point: per group min and max (not widened to contain 0), {@code scale =
 * max(x_max − x_min, 1e−5) / (2^bits − 1)}, {@code zero = clamp(round(−x_min / scale), 0, 2^bits − 1)},
 * round half to even as {@code torch.round}.
 *
 * <p><b>Weight clipping</b> (AutoAWQ's {@code auto_clip}, run after the scale search and on by default,
 * {@link Builder#clip(boolean)}): one outlier weight stretches its group's grid and wastes levels on the rest, so each
 * group of each output row may be clamped to a smaller max-abs t before quantization:
 *
 * <pre>
 *   W̃ = W · diag(s*)                                  (the weight the α search settled on)
 *   t(r, g, k) = (1 − k / 20) · max over the group |W̃[r, g]|,   k = 0 … 9        (ratios 1, 0.95, …, 0.55)
 *   d(k)       = W[r, g] − Q(clamp(W̃[r, g], −t, t)) / s*[g]
 *   err(k)     = mean over samples of (x[g] · d(k))² = ½ d(k)ᵀ H_gg d(k),   H = 2XᵀX/n
 *   t*(r, g)   = t(r, g, argmin_k err(k))     (first minimum wins; k = 0 is "no clipping")
 *   Ŵ          = Q(clamp(W̃, −t*, t*)) · diag(s*)⁻¹
 * </pre>
 *
 * <p>AutoAWQ ({@code awq/quantize/quantizer.py}, {@code _compute_best_clip}, n_grid = 20, max_shrink = 0.5) works
 * on the scaled weight with the inputs divided by s (the same products as here), searches every output channel and
 * group independently, compares each group's own output error (the cross-group terms of the whole row's error are
 * ignored), keeps the threshold only where the error strictly falls, and clamps the weight in place before the final
 * quantization. It skips the query and key projections ({@code avoid_clipping}); that choice belongs to the caller
 * here ({@code clip(false)}). Differences: the error is computed from the Gram matrix over all calibration samples,
 * where AutoAWQ subsamples at most 512 tokens ({@code n_sample_token}) and evaluates in batches of 64 or 256 output
 * channels (the result does not depend on the batching); and everything is in double, AutoAWQ in the model's float16
 * or float32. Since k = 0 is a candidate, every group's own error never rises; with one group per row (per-channel,
 * or groups as wide as the row) that is the row's whole output error. With several groups per row the neglected cross
 * terms can make a row worse (observed with groups of 16 and 32 samples: a layer error of 0.110 clipped vs 0.066 for
 * RTN), so this class adds one step AutoAWQ does not have, a <b>row guard</b>: a row whose whole output error dᵀ H d
 * rises under its groups' choices goes back to no clipping in every group. Rows add independently to the layer's
 * error, so the clipped layer is never worse than the unclipped one on the calibration data, and AWQ with clipping
 * never loses to RTN there. {@link Result#lossBeforeClip()} and {@link Result#lossAfterClip()} report both.
 *
 * <p>Everything is computed in double; the returned scales are float32. Immutable and thread-safe.
 */
public final class Awq {
    private final int bits;
    private final int groupSize;
    private final int gridSize;
    private final boolean clip;

    /** AutoAWQ's {@code n_grid} for the clipping search: shrink ratios step by 1/20. */
    static final int CLIP_GRID = 20;
    /** AutoAWQ's {@code max_shrink}: thresholds down to half the group's max-abs are tried. */
    static final double MAX_SHRINK = 0.5;

    private Awq(Builder b) {
        this.bits = b.bits;
        this.groupSize = b.groupSize;
        this.gridSize = b.gridSize;
        this.clip = b.clip;
    }

    /**
     * A builder with llm-awq's defaults: 4 bits, groups of 128, a grid of 20 values of α.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The grid of α values searched, {@code i / gridSize} for {@code i = 0 … gridSize − 1}.
     *
     * @return a new array
     */
    public double[] alphas() {
        double[] a = new double[gridSize];
        for (int i = 0; i < gridSize; i++) {
            a[i] = (double) i / gridSize;
        }
        return a;
    }

    /**
     * The shrink ratios the clipping search tries, AutoAWQ's {@code 1 − i / n_grid} for
     * {@code i = 0 … max_shrink · n_grid − 1}: 1, 0.95, …, 0.55 (ratio 1 leaves the group unclipped).
     *
     * @return a new array
     */
    public static double[] clipRatios() {
        double[] r = new double[(int) (MAX_SHRINK * CLIP_GRID)];
        for (int i = 0; i < r.length; i++) {
            r[i] = 1 - (double) i / CLIP_GRID;
        }
        return r;
    }

    /**
     * The per-channel activation magnitude s_X, the mean of |x| over the samples.
     *
     * @param x inputs {@code [samples, in]}
     * @return one value per input channel
     * @throws IllegalArgumentException if x is not 2-D or has no samples
     */
    public static double[] activationScale(Tensor x) {
        if (x.rank() != 2 || x.dim(0) < 1) {
            throw new IllegalArgumentException(
                    "x must be 2-D [samples, in] with at least one sample, got shape " + Arrays.toString(x.shape()));
        }
        int n = x.dim(0);
        int in = x.dim(1);
        float[] xd = x.data();
        double[] m = new double[in];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < in; i++) {
                m[i] += Math.abs(xd[s * in + i]);
            }
        }
        for (int i = 0; i < in; i++) {
            m[i] /= n;
        }
        return m;
    }

    /**
     * The channel scales for one α: {@code s = max(s_X^α, 1e−4) / √(max s · min s)}.
     *
     * @param activationScale s_X from {@link #activationScale(Tensor)}
     * @param alpha the exponent, in [0, 1]
     * @return one float32 scale per input channel
     * @throws IllegalArgumentException if alpha is outside [0, 1]
     */
    public static float[] scales(double[] activationScale, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        double[] s = new double[activationScale.length];
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.max(Math.pow(activationScale[i], alpha), 1e-4);
            max = Math.max(max, s[i]);
            min = Math.min(min, s[i]);
        }
        // Normalising by the geometric middle keeps the scaled weights in the same range whatever α is.
        double norm = Math.sqrt(max * min);
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = (float) (s[i] / norm);
        }
        return out;
    }

    /**
     * Quantizes {@code W · diag(s)} on this scheme's grid.
     *
     * @param w the weight {@code [out, in]}
     * @param s the channel scales, one per input channel (all 1 for round-to-nearest)
     * @return the codes of the scaled weight
     * @throws IllegalArgumentException if the shapes do not fit or a value is not finite
     */
    public QuantizedTensor quantizeScaled(Tensor w, float[] s) {
        return quantizeScaled(w, s, null);
    }

    /**
     * Quantizes {@code clamp(W · diag(s), −t, t)} on this scheme's grid, with one threshold t per row and group.
     *
     * @param w the weight {@code [out, in]}
     * @param s the channel scales, one per input channel
     * @param thresholds {@code out · groups} max-abs bounds in the scaled coordinates (row-major), or null for none
     * @return the codes of the clipped scaled weight
     * @throws IllegalArgumentException if the shapes do not fit or a value is not finite
     */
    public QuantizedTensor quantizeClipped(Tensor w, float[] s, double[] thresholds) {
        checkWeight(w);
        int groups = w.dim(1) / (groupSize == -1 ? w.dim(1) : groupSize);
        if (thresholds.length != w.dim(0) * groups) {
            throw new IllegalArgumentException("thresholds.length must equal out · groups = " + w.dim(0) * groups
                    + " for w shape " + Arrays.toString(w.shape()) + ", got " + thresholds.length);
        }
        return quantizeScaled(w, s, thresholds);
    }

    private QuantizedTensor quantizeScaled(Tensor w, float[] s, double[] clip) {
        checkWeight(w);
        int rows = w.dim(0);
        int cols = w.dim(1);
        if (s.length != cols) {
            throw new IllegalArgumentException("s.length must equal in = " + cols + " of w shape "
                    + Arrays.toString(w.shape()) + ", got " + s.length);
        }
        int gs = groupSize == -1 ? cols : groupSize;
        int groups = cols / gs;
        MinMaxGrid grid = new MinMaxGrid(bits, false, false);
        byte[] codes = new byte[rows * cols];
        float[] scales = new float[rows * groups];
        int[] zeros = new int[rows * groups];
        float[] wf = w.data();
        Parallel.forRange(0, rows, 8, (lo, hi) -> {
            double[] row = new double[cols];
            double[] p = new double[2];
            for (int r = lo; r < hi; r++) {
                for (int c = 0; c < cols; c++) {
                    row[c] = (double) wf[r * cols + c] * s[c];
                }
                for (int g = 0; g < groups; g++) {
                    if (clip != null) {
                        double t = clip[r * groups + g];
                        for (int c = g * gs; c < (g + 1) * gs; c++) {
                            row[c] = Math.max(-t, Math.min(t, row[c]));
                        }
                    }
                    grid.params(row, g * gs, (g + 1) * gs, p);
                    scales[r * groups + g] = (float) p[0];
                    zeros[r * groups + g] = (int) p[1];
                    for (int c = g * gs; c < (g + 1) * gs; c++) {
                        codes[r * cols + c] = (byte) grid.code(row[c], p[0], p[1]);
                    }
                }
            }
        });
        LinearQuantizer.Builder b =
                LinearQuantizer.builder().bits(bits).symmetric(false).signed(false);
        LinearQuantizer scheme = (groupSize == -1 ? b.perChannel() : b.perGroup(groupSize)).build();
        return new QuantizedTensor(w.shape(), scheme, codes, scales, zeros, new int[] {rows, groups}, gs);
    }

    /**
     * Round-to-nearest on the same grid (α = 0, s = 1): the baseline AWQ improves on.
     *
     * @param w the weight {@code [out, in]}
     * @return the codes
     * @throws IllegalArgumentException as {@link #quantizeScaled(Tensor, float[])}
     */
    public QuantizedTensor roundToNearest(Tensor w) {
        checkWeight(w);
        float[] ones = new float[w.dim(1)];
        Arrays.fill(ones, 1f);
        return quantizeScaled(w, ones);
    }

    /**
     * The equivalent weight {@code Q(W · diag(s)) · diag(s)⁻¹}, what the layer computes with.
     *
     * @param q the codes of the scaled weight from {@link #quantizeScaled(Tensor, float[])}
     * @param s the channel scales used
     * @return a new {@code [out, in]} tensor
     * @throws IllegalArgumentException if s does not match the columns
     */
    public static Tensor unscale(QuantizedTensor q, float[] s) {
        int[] shape = q.shape();
        int cols = shape[shape.length - 1];
        if (s.length != cols) {
            throw new IllegalArgumentException("s.length must equal in = " + cols + ", got " + s.length);
        }
        float[] d = q.dequantize().data();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] / s[i % cols];
        }
        return Tensor.of(d, shape);
    }

    /**
     * Searches α on the calibration inputs and quantizes with the best one.
     *
     * @param w the weight {@code [out, in]}
     * @param x calibration inputs {@code [samples, in]}
     * @return the chosen α, its scales, the codes and the loss of every α tried
     * @throws IllegalArgumentException if the shapes do not fit, {@code groupSize} does not divide {@code in} or a
     *     value is not finite
     */
    public Result quantize(Tensor w, Tensor x) {
        checkWeight(w);
        if (x.rank() != 2 || x.dim(1) != w.dim(1) || x.dim(0) < 1) {
            throw new IllegalArgumentException("x shape " + Arrays.toString(x.shape()) + " must be [samples >= 1, "
                    + w.dim(1) + "] for w shape " + Arrays.toString(w.shape()));
        }
        LinearQuantizer.checkFinite(x.data(), "x");
        double[] sx = activationScale(x);
        double[] alphas = alphas();
        double[] losses = new double[alphas.length];
        int best = 0;
        QuantizedTensor bestQ = null;
        float[] bestS = null;
        double denominator = (double) x.dim(0) * w.dim(0);
        // ‖(W − Ŵ)Xᵀ‖² = Σₒ dₒᵀ (XᵀX) dₒ: one Gram matrix serves every α (in² per row instead of n · in).
        double[] gram = Gptq.hessian(x); // 2 XᵀX / n
        double gramToSse = x.dim(0) / 2.0;
        for (int a = 0; a < alphas.length; a++) {
            float[] s = scales(sx, alphas[a]);
            QuantizedTensor q = quantizeScaled(w, s);
            losses[a] = gramToSse * quadraticError(w, unscale(q, s), gram) / denominator;
            if (bestQ == null || losses[a] < losses[best]) {
                best = a;
                bestQ = q;
                bestS = s;
            }
        }
        int rows = w.dim(0);
        int groups = w.dim(1) / (groupSize == -1 ? w.dim(1) : groupSize);
        int[] ratioIndex = new int[rows * groups];
        double[] groupMax = new double[rows * groups];
        double[] thresholds = clipSearch(w, bestS, gram, clip, ratioIndex, groupMax);
        QuantizedTensor finalQ = bestQ;
        double clippedLoss = losses[best];
        if (clip) {
            finalQ = quantizeScaled(w, bestS, thresholds);
            if (keepRowsThatClippingHelps(w, bestQ, finalQ, bestS, gram, groups, thresholds, ratioIndex, groupMax)) {
                finalQ = quantizeScaled(w, bestS, thresholds);
            }
            clippedLoss = gramToSse * quadraticError(w, unscale(finalQ, bestS), gram) / denominator;
        }
        double[] ratios = clipRatios();
        double[] chosen = new double[ratioIndex.length];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = ratios[ratioIndex[i]];
        }
        return new Result(alphas[best], bestS, finalQ, losses, thresholds, chosen, losses[best], clippedLoss);
    }

    /**
     * AutoAWQ's {@code auto_clip} on the scaled weight: per row and group, the threshold t = ratio · max|W·s| over
     * {@link #clipRatios()} with the least output error of that group, ½ dᵀ H_gg d where d = W − Q(clamp(W·s, ±t))/s
     * restricted to the group and H = 2XᵀX/n (so ½ dᵀ H d is the mean over samples of (x · d)²); the first minimum
     * wins, ratio 1 (no clipping) is tried first. With {@code search} false every group keeps ratio 1.
     */
    private double[] clipSearch(Tensor w, float[] s, double[] h, boolean search, int[] ratioIndex, double[] groupMax) {
        int rows = w.dim(0);
        int cols = w.dim(1);
        int gs = groupSize == -1 ? cols : groupSize;
        int groups = cols / gs;
        double[] ratios = clipRatios();
        double[] thresholds = new double[rows * groups];
        float[] wf = w.data();
        MinMaxGrid grid = new MinMaxGrid(bits, false, false);
        Parallel.forRange(0, rows, 4, (lo, hi) -> {
            double[] row = new double[gs];
            double[] clamped = new double[gs];
            double[] d = new double[gs];
            double[] p = new double[2];
            for (int r = lo; r < hi; r++) {
                for (int g = 0; g < groups; g++) {
                    int c0 = g * gs;
                    double amax = 0;
                    for (int c = 0; c < gs; c++) {
                        row[c] = (double) wf[r * cols + c0 + c] * s[c0 + c];
                        amax = Math.max(amax, Math.abs(row[c]));
                    }
                    int best = 0;
                    double bestErr = Double.POSITIVE_INFINITY;
                    for (int i = 0; i < (search ? ratios.length : 1); i++) {
                        double t = amax * ratios[i];
                        for (int c = 0; c < gs; c++) {
                            clamped[c] = Math.max(-t, Math.min(t, row[c]));
                        }
                        grid.params(clamped, 0, gs, p);
                        for (int c = 0; c < gs; c++) {
                            double q = MinMaxGrid.value(grid.code(clamped[c], p[0], p[1]), p[0], p[1]);
                            d[c] = wf[r * cols + c0 + c] - q / s[c0 + c];
                        }
                        double err = 0;
                        for (int a = 0; a < gs; a++) {
                            double ha = 0;
                            for (int b = 0, o = (c0 + a) * cols + c0; b < gs; b++) {
                                ha += h[o + b] * d[b];
                            }
                            err += d[a] * ha;
                        }
                        err *= 0.5;
                        if (err < bestErr) {
                            bestErr = err;
                            best = i;
                        }
                    }
                    ratioIndex[r * groups + g] = best;
                    thresholds[r * groups + g] = amax * ratios[best];
                    groupMax[r * groups + g] = amax;
                }
            }
        });
        return thresholds;
    }

    /**
     * The row guard: a row's output error is the whole quadratic form dᵀ H d over its groups, cross terms included,
     * which the per-group search ignores; every row whose clipped error exceeds its unclipped error goes back to ratio 1
     * in all its groups (clamping at the group's own max-abs changes nothing). Rows are independent in the layer's
     * error, so after this the clipped layer is never worse than the unclipped one on the calibration data.
     *
     * @return whether any row was reset (the weight must then be quantized again)
     */
    private static boolean keepRowsThatClippingHelps(
            Tensor w,
            QuantizedTensor unclipped,
            QuantizedTensor clipped,
            float[] s,
            double[] gram,
            int groups,
            double[] thresholds,
            int[] ratioIndex,
            double[] groupMax) {
        double[] before = rowErrors(w, unscale(unclipped, s), gram);
        double[] after = rowErrors(w, unscale(clipped, s), gram);
        boolean reset = false;
        for (int r = 0; r < before.length; r++) {
            if (after[r] > before[r]) {
                for (int g = r * groups; g < (r + 1) * groups; g++) {
                    thresholds[g] = groupMax[g];
                    ratioIndex[g] = 0;
                }
                reset = true;
            }
        }
        return reset;
    }

    /** Σₒ dₒᵀ G dₒ with d = W − Ŵ, per-row partial sums added in row order (independent of the thread count). */
    private static double quadraticError(Tensor w, Tensor wHat, double[] g) {
        double sum = 0;
        for (double v : rowErrors(w, wHat, g)) {
            sum += v;
        }
        return sum;
    }

    /** dₒᵀ G dₒ for each row o, with d = W − Ŵ. */
    private static double[] rowErrors(Tensor w, Tensor wHat, double[] g) {
        int rows = w.dim(0);
        int cols = w.dim(1);
        float[] a = w.data();
        float[] b = wHat.data();
        double[] perRow = new double[rows];
        Parallel.forRange(0, rows, 4, (lo, hi) -> {
            double[] d = new double[cols];
            for (int r = lo; r < hi; r++) {
                for (int i = 0; i < cols; i++) {
                    d[i] = (double) a[r * cols + i] - b[r * cols + i];
                }
                double acc = 0;
                for (int i = 0; i < cols; i++) {
                    if (d[i] == 0) {
                        continue;
                    }
                    double gi = 0;
                    for (int j = 0, o = i * cols; j < cols; j++) {
                        gi += g[o + j] * d[j];
                    }
                    acc += d[i] * gi;
                }
                perRow[r] = acc;
            }
        });
        return perRow;
    }

    private void checkWeight(Tensor w) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("w must be 2-D [out, in], got shape " + Arrays.toString(w.shape()));
        }
        if (groupSize != -1 && w.dim(1) % groupSize != 0) {
            throw new IllegalArgumentException("groupSize " + groupSize + " must divide the in dimension " + w.dim(1)
                    + " of w shape " + Arrays.toString(w.shape()));
        }
        LinearQuantizer.checkFinite(w.data(), "w");
    }

    /** The outcome of the α search. Immutable: accessors return copies. */
    public static final class Result {
        private final double alpha;
        private final float[] scales;
        private final QuantizedTensor quantized;
        private final double[] losses;
        private final double[] clipThresholds;
        private final double[] clipRatios;
        private final double lossBeforeClip;
        private final double lossAfterClip;

        Result(
                double alpha,
                float[] scales,
                QuantizedTensor quantized,
                double[] losses,
                double[] clipThresholds,
                double[] clipRatios,
                double lossBeforeClip,
                double lossAfterClip) {
            this.alpha = alpha;
            this.scales = scales;
            this.quantized = quantized;
            this.losses = losses;
            this.clipThresholds = clipThresholds;
            this.clipRatios = clipRatios;
            this.lossBeforeClip = lossBeforeClip;
            this.lossAfterClip = lossAfterClip;
        }

        /**
         * The clipping threshold of each row and group, the max-abs bound applied to {@code W · diag(s)} before
         * quantization (the group's own max-abs where the search kept ratio 1, or when clipping is off).
         *
         * @return a copy, {@code out · groups} values, row-major
         */
        public double[] clipThresholds() {
            return clipThresholds.clone();
        }

        /**
         * The chosen shrink ratio of each row and group, one of {@link Awq#clipRatios()}.
         *
         * @return a copy, {@code out · groups} values, row-major
         */
        public double[] clipRatios() {
            return clipRatios.clone();
        }

        /**
         * The mean squared output error with the chosen α and no clipping, {@code losses()[index of α*]}.
         *
         * @return the error before the clipping search
         */
        public double lossBeforeClip() {
            return lossBeforeClip;
        }

        /**
         * The mean squared output error (over samples and outputs) of the returned weight, after clipping.
         *
         * @return the final error on the calibration inputs
         */
        public double lossAfterClip() {
            return lossAfterClip;
        }

        /**
         * The chosen exponent.
         *
         * @return α*
         */
        public double alpha() {
            return alpha;
        }

        /**
         * The channel scales s(α*).
         *
         * @return a copy, one per input channel
         */
        public float[] scales() {
            return scales.clone();
        }

        /**
         * The codes of {@code clamp(W · diag(s), ±thresholds)}.
         *
         * @return the quantized scaled weight
         */
        public QuantizedTensor quantized() {
            return quantized;
        }

        /**
         * The mean squared output error of each α in {@link Awq#alphas()}, in that order.
         *
         * @return a copy
         */
        public double[] losses() {
            return losses.clone();
        }

        /**
         * The equivalent weight {@code Q(clamp(W · diag(s), ±t)) · diag(s)⁻¹}.
         *
         * @return a new {@code [out, in]} tensor
         */
        public Tensor dequantize() {
            return unscale(quantized, scales);
        }
    }

    /** Builds an {@link Awq}; every setting is validated when it is set. */
    public static final class Builder {
        private int bits = 4;
        private int groupSize = 128;
        private int gridSize = 20;
        private boolean clip = true;

        private Builder() {}

        /**
         * Whether to run AutoAWQ's clipping search after the scale search (default true, as AutoAWQ's
         * {@code apply_clip}).
         *
         * @param clip false to quantize the scaled weight unclipped (llm-awq's scale search alone)
         * @return this builder
         */
        public Builder clip(boolean clip) {
            this.clip = clip;
            return this;
        }

        /**
         * The bit width.
         *
         * @param bits 4 or 8
         * @return this builder
         * @throws IllegalArgumentException for other widths
         */
        public Builder bits(int bits) {
            if (bits != 4 && bits != 8) {
                throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
            }
            this.bits = bits;
            return this;
        }

        /**
         * Columns per group.
         *
         * @param groupSize ≥ 1, or −1 for one grid per row (default 128)
         * @return this builder
         * @throws IllegalArgumentException for 0 or values below −1
         */
        public Builder groupSize(int groupSize) {
            if (groupSize < 1 && groupSize != -1) {
                throw new IllegalArgumentException("groupSize must be >= 1 or -1 (per channel), got " + groupSize);
            }
            this.groupSize = groupSize;
            return this;
        }

        /**
         * The number of α values tried.
         *
         * @param gridSize ≥ 1 (default 20)
         * @return this builder
         * @throws IllegalArgumentException if {@code gridSize < 1}
         */
        public Builder gridSize(int gridSize) {
            if (gridSize < 1) {
                throw new IllegalArgumentException("gridSize must be >= 1, got " + gridSize);
            }
            this.gridSize = gridSize;
            return this;
        }

        /**
         * Builds the searcher.
         *
         * @return an immutable AWQ quantizer
         */
        public Awq build() {
            return new Awq(this);
        }
    }
}
