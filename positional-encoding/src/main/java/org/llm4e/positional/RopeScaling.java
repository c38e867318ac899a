package org.llm4e.positional;

/**
 * How a rotary embedding stretches its frequencies to work beyond the context length it was trained on.
 *
 * <p><b>Not in the articles.</b> The LLMForEverybody articles define extrapolation only in words ("pre-train about 4k,
 * infer 32K", 什么是大模型的位置编码Position-Encoding.md §7) and never mention position interpolation, NTK scaling,
 * YaRN or Llama 3.1's scaling. The definitions here follow the papers and the code that practitioners run (Hugging
 * Face {@code transformers.modeling_rope_utils} and Meta's Llama 3.1 reference), each named in its record.
 *
 * <p>Every scaling starts from the unscaled inverse frequencies
 *
 * <pre>
 *   θ_j = base^(−2j/d),  j = 0 … d/2 − 1,   wavelength λ_j = 2π / θ_j
 * </pre>
 *
 * and returns new ones ({@link #inverseFrequencies(double, int)}); the rotation angle is then {@code m·θ'_j}. The
 * problem all of them address: a model trained on positions below {@code L} has seen low-frequency pairs (λ_j &gt; L)
 * only on a fraction of a turn, so unseen angles at {@code m &gt; L} are out of distribution. The remedies differ in
 * which frequencies they compress and by how much:
 *
 * <ul>
 *   <li>{@link #none()} — θ_j unchanged;
 *   <li>{@link #linear(double)} — every θ_j / s (position interpolation);
 *   <li>{@link #ntkAware(double)} — a larger base, so high frequencies stay and low ones shrink about s-fold;
 *   <li>{@link #dynamicNtk(double, int)} — NTK-aware with the factor chosen from the current sequence length;
 *   <li>{@link #yarn(double, int)} — per-frequency ramp between "keep" and "divide by s", plus an attention
 *       temperature {@link #attentionScaling()};
 *   <li>{@link #llama3(double, double, double, int)} — Llama 3.1's wavelength bands, Meta's {@code apply_scaling}.
 * </ul>
 *
 * <p>Implementations are immutable records and thread-safe.
 */
public interface RopeScaling {

    /**
     * The scaling's name, as in Hugging Face's {@code rope_type} where one exists ({@code default}, {@code linear},
     * {@code dynamic}, {@code yarn}, {@code llama3}; {@code ntk} for static NTK-aware scaling).
     *
     * @return the type name
     */
    String type();

    /**
     * The inverse frequencies after scaling.
     *
     * @param base the rotary base (θ in HF configs, e.g. 10000 or 500000), &gt; 1
     * @param headDim the even head dimension d
     * @return {@code θ'_j} for j = 0 … d/2 − 1 (a new array)
     * @throws IllegalArgumentException if {@code base} or {@code headDim} is invalid
     */
    double[] inverseFrequencies(double base, int headDim);

    /**
     * The factor by which the rotated vectors are multiplied (HF multiplies cos and sin by it): 1 for every scaling
     * except YaRN, whose temperature {@code 0.1·ln s + 1} sharpens attention over the longer context.
     *
     * @return the attention scaling, 1 by default
     */
    default double attentionScaling() {
        return 1.0;
    }

    /**
     * This scaling specialised to a sequence of {@code seqLen} tokens; only {@link DynamicNtk} depends on it.
     *
     * @param seqLen the number of positions in use (the largest position + 1), ≥ 1
     * @return the scaling to use for that length
     * @throws IllegalArgumentException if {@code seqLen} is not positive
     */
    default RopeScaling forSequenceLength(int seqLen) {
        checkPositive("seqLen", seqLen);
        return this;
    }

    /**
     * No scaling.
     *
     * @return the identity scaling
     */
    static RopeScaling none() {
        return None.INSTANCE;
    }

    /**
     * Linear position interpolation (Chen et al., 2023).
     *
     * @param factor the interpolation factor s ≥ 1
     * @return the scaling
     * @throws IllegalArgumentException if {@code factor} is not finite or below 1
     */
    static RopeScaling linear(double factor) {
        return new Linear(factor);
    }

    /**
     * Llama 3.1's frequency scaling, exactly as Meta's {@code apply_scaling}.
     *
     * @param factor the factor s applied to low frequencies (8 in Llama 3.1)
     * @param lowFreqFactor the low-frequency band edge (1 in Llama 3.1)
     * @param highFreqFactor the high-frequency band edge (4 in Llama 3.1)
     * @param originalMaxPosition the training context L (8192 in Llama 3.1)
     * @return the scaling
     * @throws IllegalArgumentException if a parameter is out of range
     */
    static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPosition) {
        return new Llama3(factor, lowFreqFactor, highFreqFactor, originalMaxPosition);
    }

    /**
     * Static NTK-aware scaling: {@code base' = base · s^(d/(d−2))}.
     *
     * @param factor the context extension factor s ≥ 1
     * @return the scaling
     * @throws IllegalArgumentException if {@code factor} is not finite or below 1
     */
    static RopeScaling ntkAware(double factor) {
        return new NtkAware(factor);
    }

    /**
     * Dynamic NTK scaling (Hugging Face's {@code dynamic}); resolve it with {@link #forSequenceLength(int)}.
     *
     * @param factor the factor s ≥ 1
     * @param originalMaxPosition the training context L, ≥ 1
     * @return the scaling, unscaled until a sequence longer than L is requested
     * @throws IllegalArgumentException if a parameter is out of range
     */
    static RopeScaling dynamicNtk(double factor, int originalMaxPosition) {
        return new DynamicNtk(factor, originalMaxPosition, originalMaxPosition);
    }

    /**
     * YaRN with Hugging Face's defaults: β_fast = 32, β_slow = 1, no mscale pair, truncated ramp ends.
     *
     * @param factor the context extension factor s ≥ 1
     * @param originalMaxPosition the training context L, ≥ 1
     * @return the scaling
     * @throws IllegalArgumentException if a parameter is out of range
     */
    static RopeScaling yarn(double factor, int originalMaxPosition) {
        return new Yarn(factor, originalMaxPosition, 32, 1, 0, 0, true);
    }

    /**
     * YaRN with explicit ramp ends.
     *
     * @param factor the context extension factor s ≥ 1
     * @param originalMaxPosition the training context L, ≥ 1
     * @param betaFast the number of turns over L above which a pair is kept (32)
     * @param betaSlow the number of turns over L below which a pair is fully interpolated (1)
     * @return the scaling
     * @throws IllegalArgumentException if a parameter is out of range
     */
    static RopeScaling yarn(double factor, int originalMaxPosition, double betaFast, double betaSlow) {
        return new Yarn(factor, originalMaxPosition, betaFast, betaSlow, 0, 0, true);
    }

    /**
     * The unscaled inverse frequencies {@code θ_j = 1 / base^(2j/d)}, computed in double in the same operation order
     * as the PyTorch reference ({@code 1.0 / (base ** (arange(0, d, 2) / d))}).
     *
     * @param base the rotary base, finite and &gt; 1
     * @param headDim the even head dimension
     * @return the d/2 inverse frequencies, θ_0 = 1 decreasing to base^(−(d−2)/d)
     * @throws IllegalArgumentException if {@code base} or {@code headDim} is invalid
     */
    static double[] unscaledInverseFrequencies(double base, int headDim) {
        checkBase(base);
        RotaryEmbedding.checkHeadDim(headDim);
        double[] inv = new double[headDim / 2];
        for (int j = 0; j < inv.length; j++) {
            inv[j] = 1.0 / Math.pow(base, (2.0 * j) / headDim);
        }
        return inv;
    }

    /**
     * Identity: θ'_j = θ_j. The original RoPE (RoFormer), Llama 1/2, Qwen2 up to its native length.
     */
    final class None implements RopeScaling {
        static final None INSTANCE = new None();

        private None() {}

        @Override
        public String type() {
            return "default";
        }

        @Override
        public double[] inverseFrequencies(double base, int headDim) {
            return unscaledInverseFrequencies(base, headDim);
        }

        @Override
        public String toString() {
            return "RopeScaling.none()";
        }
    }

    /**
     * Linear position interpolation (Chen et al., 2023, "Extending Context Window of Large Language Models via
     * Positional Interpolation"; Hugging Face {@code rope_type="linear"}).
     *
     * <pre>
     *   angle = (m / s) · θ_j      ⇔      θ'_j = θ_j / s
     * </pre>
     *
     * <p>What it solves: positions up to {@code s·L} are squeezed into the trained range [0, L), so no angle is ever
     * out of distribution; the price is that neighbouring tokens become s times harder to tell apart on the
     * high-frequency pairs, which is why it needs a short fine-tune. Used by LongChat and Vicuna v1.5-16K (s = 4).
     *
     * <p>Hugging Face divides the position ({@code t = t / factor}); dividing θ instead gives the same angle to
     * within one rounding of the product.
     *
     * @param factor the factor s ≥ 1
     */
    record Linear(double factor) implements RopeScaling {
        /**
         * Validates the factor.
         *
         * @param factor the factor s ≥ 1
         * @throws IllegalArgumentException if {@code factor} is not finite or below 1
         */
        public Linear {
            checkFactor("factor", factor);
        }

        @Override
        public String type() {
            return "linear";
        }

        @Override
        public double[] inverseFrequencies(double base, int headDim) {
            double[] inv = unscaledInverseFrequencies(base, headDim);
            for (int j = 0; j < inv.length; j++) {
                inv[j] /= factor;
            }
            return inv;
        }
    }

    /**
     * Static "NTK-aware" scaling (bloc97, 2023, reddit r/LocalLLaMA "NTK-Aware Scaled RoPE"): raise the base so that
     * the lowest frequency is divided by s while the highest is untouched.
     *
     * <pre>
     *   base' = base · s^(d/(d−2)),   θ'_j = base'^(−2j/d) = θ_j · s^(−2j/(d−2))
     * </pre>
     *
     * <p>What it solves: linear interpolation blurs the high-frequency pairs that encode local order; spreading the
     * compression geometrically over the frequencies (none at j = 0, factor s at j = d/2 − 1) extends the context
     * without fine-tuning at a small perplexity cost. Code Llama's "adjusted base frequency" (base 10⁶) applies the
     * same idea with a chosen base. For d = 2 the only frequency is θ_0 = 1, which no base changes.
     *
     * @param factor the factor s ≥ 1
     */
    record NtkAware(double factor) implements RopeScaling {
        /**
         * Validates the factor.
         *
         * @param factor the factor s ≥ 1
         * @throws IllegalArgumentException if {@code factor} is not finite or below 1
         */
        public NtkAware {
            checkFactor("factor", factor);
        }

        @Override
        public String type() {
            return "ntk";
        }

        @Override
        public double[] inverseFrequencies(double base, int headDim) {
            RotaryEmbedding.checkHeadDim(headDim);
            if (headDim == 2) {
                return unscaledInverseFrequencies(base, headDim);
            }
            checkBase(base);
            return unscaledInverseFrequencies(base * Math.pow(factor, headDim / (headDim - 2.0)), headDim);
        }
    }

    /**
     * Dynamic NTK scaling (emozilla, 2023; Hugging Face {@code rope_type="dynamic"}): NTK-aware scaling whose factor
     * grows with the sequence actually being processed, so short prompts see the original frequencies.
     *
     * <pre>
     *   n ≤ L:  θ'_j = θ_j
     *   n &gt; L:  base' = base · (s·n/L − (s − 1))^(d/(d−2))
     * </pre>
     *
     * <p>What it solves: static scaling degrades quality on short inputs that need no extension; choosing the factor
     * from the current length n keeps the model exact up to L and extends it smoothly beyond. Used by the first
     * Qwen generation ({@code use_dynamic_ntk}) and available for any HF Llama-style model. The frequencies change
     * with n, so cached keys rotated under an earlier n are not consistent with later ones, a known caveat of the
     * method. Matches {@code _compute_dynamic_ntk_parameters} in transformers.
     *
     * @param factor the factor s ≥ 1
     * @param originalMaxPosition the training context L ≥ 1
     * @param sequenceLength the sequence length n this instance is resolved for
     */
    record DynamicNtk(double factor, int originalMaxPosition, int sequenceLength) implements RopeScaling {
        /**
         * Validates the parameters.
         *
         * @param factor the factor s ≥ 1
         * @param originalMaxPosition the training context L ≥ 1
         * @param sequenceLength the sequence length n ≥ 1
         * @throws IllegalArgumentException if a parameter is out of range
         */
        public DynamicNtk {
            checkFactor("factor", factor);
            checkPositive("originalMaxPosition", originalMaxPosition);
            checkPositive("sequenceLength", sequenceLength);
        }

        @Override
        public String type() {
            return "dynamic";
        }

        /**
         * The NTK factor used at this sequence length: {@code s·n/L − (s − 1)} when n &gt; L, else 1.
         *
         * @return the effective factor α ≥ 1
         */
        public double effectiveFactor() {
            if (sequenceLength <= originalMaxPosition) {
                return 1.0;
            }
            return factor * sequenceLength / originalMaxPosition - (factor - 1);
        }

        @Override
        public double[] inverseFrequencies(double base, int headDim) {
            RotaryEmbedding.checkHeadDim(headDim);
            if (sequenceLength <= originalMaxPosition || headDim == 2) {
                return unscaledInverseFrequencies(base, headDim);
            }
            checkBase(base);
            return unscaledInverseFrequencies(base * Math.pow(effectiveFactor(), headDim / (headDim - 2.0)), headDim);
        }

        @Override
        public RopeScaling forSequenceLength(int seqLen) {
            checkPositive("seqLen", seqLen);
            // as transformers: lengths within the training context all use the original frequencies
            return new DynamicNtk(factor, originalMaxPosition, Math.max(seqLen, originalMaxPosition));
        }
    }

    /**
     * YaRN (Peng et al., 2023, "YaRN: Efficient Context Window Extension of Large Language Models"; Hugging Face
     * {@code rope_type="yarn"}): "NTK-by-parts" interpolation plus an attention temperature.
     *
     * <pre>
     *   r_j    = L / λ_j                              turns of pair j over the training context
     *   low    = ⌊d·ln(L / (2π β_fast)) / (2 ln base)⌋,  high = ⌈d·ln(L / (2π β_slow)) / (2 ln base)⌉
     *            (clamped to [0, d − 1]; the pair index where r_j = β)
     *   γ_j    = clamp((j − low) / (high − low), 0, 1)      the ramp
     *   θ'_j   = θ_j / s · γ_j + θ_j · (1 − γ_j)
     *   mscale = 0.1·ln s + 1   (or mscale(s, a)/mscale(s, b) with DeepSeek's pair), s &gt; 1
     * </pre>
     *
     * <p>What it solves: pairs that turn many times within L (high frequency, j &lt; low) already generalise and are
     * kept; pairs that turn less than once (j &gt; high) are interpolated like PI; the ramp blends in between. Longer
     * contexts flatten the softmax, so cos and sin are multiplied by {@code mscale} ({@link #attentionScaling()}),
     * which scales every score by mscale². Used by Qwen2.5 beyond 32K (s = 4, L = 32768), DeepSeek-V2/V3 (s = 40 with
     * {@code mscale}/{@code mscale_all_dim}) and Nous' YaRN-Llama-2.
     *
     * <p>Matches {@code _compute_yarn_parameters} of transformers, except that it computes in double where transformers
     * builds {@code pos_freqs} and the ramp in float32 (differences of one float32 ulp in θ'). The ramp uses
     * {@code d − 1} as the upper clamp, as transformers does, although the ramp has only d/2 entries.
     *
     * @param factor the factor s ≥ 1
     * @param originalMaxPosition the training context L ≥ 1
     * @param betaFast turns above which a pair is kept, &gt; 0 (32)
     * @param betaSlow turns below which a pair is fully interpolated, &gt; 0 (1)
     * @param mscale DeepSeek's {@code mscale}, 0 when unused
     * @param mscaleAllDim DeepSeek's {@code mscale_all_dim}, 0 when unused
     * @param truncate whether the ramp ends are rounded to integers (transformers' default {@code true})
     */
    record Yarn(
            double factor,
            int originalMaxPosition,
            double betaFast,
            double betaSlow,
            double mscale,
            double mscaleAllDim,
            boolean truncate)
            implements RopeScaling {
        /**
         * Validates the parameters.
         *
         * @param factor the factor s ≥ 1
         * @param originalMaxPosition the training context L ≥ 1
         * @param betaFast turns above which a pair is kept, &gt; 0
         * @param betaSlow turns below which a pair is fully interpolated, &gt; 0
         * @param mscale DeepSeek's {@code mscale}, ≥ 0 (0 = unused)
         * @param mscaleAllDim DeepSeek's {@code mscale_all_dim}, ≥ 0 (0 = unused)
         * @param truncate whether the ramp ends are rounded to integers
         * @throws IllegalArgumentException if a parameter is out of range
         */
        public Yarn {
            checkFactor("factor", factor);
            checkPositive("originalMaxPosition", originalMaxPosition);
            if (!(betaFast > 0) || !Double.isFinite(betaFast)) {
                throw new IllegalArgumentException("betaFast must be finite and > 0, got " + betaFast);
            }
            if (!(betaSlow > 0) || !Double.isFinite(betaSlow)) {
                throw new IllegalArgumentException("betaSlow must be finite and > 0, got " + betaSlow);
            }
            if (!(mscale >= 0) || !Double.isFinite(mscale)) {
                throw new IllegalArgumentException("mscale must be finite and >= 0, got " + mscale);
            }
            if (!(mscaleAllDim >= 0) || !Double.isFinite(mscaleAllDim)) {
                throw new IllegalArgumentException("mscaleAllDim must be finite and >= 0, got " + mscaleAllDim);
            }
        }

        @Override
        public String type() {
            return "yarn";
        }

        /**
         * YaRN's {@code get_mscale}: {@code 0.1·m·ln s + 1} for s &gt; 1, else 1.
         *
         * @param scale the factor s
         * @param m the multiplier
         * @return the magnitude scale
         */
        static double getMscale(double scale, double m) {
            return scale <= 1 ? 1.0 : 0.1 * m * Math.log(scale) + 1.0;
        }

        @Override
        public double attentionScaling() {
            if (mscale != 0 && mscaleAllDim != 0) {
                return getMscale(factor, mscale) / getMscale(factor, mscaleAllDim);
            }
            return getMscale(factor, 1.0);
        }

        /**
         * The pair index (fractional) at which a pair makes {@code turns} rotations over the training context.
         *
         * @param turns the number of rotations
         * @param headDim the head dimension
         * @param base the rotary base
         * @return {@code d·ln(L / (2π·turns)) / (2 ln base)}
         */
        double correctionDim(double turns, int headDim, double base) {
            return headDim * Math.log(originalMaxPosition / (turns * 2 * Math.PI)) / (2 * Math.log(base));
        }

        /**
         * The ramp's ends {@code [low, high]} in pair-index units.
         *
         * @param headDim the head dimension
         * @param base the rotary base
         * @return {@code {low, high}}
         */
        public double[] correctionRange(int headDim, double base) {
            double low = correctionDim(betaFast, headDim, base);
            double high = correctionDim(betaSlow, headDim, base);
            if (truncate) {
                low = Math.floor(low);
                high = Math.ceil(high);
            }
            return new double[] {Math.max(low, 0), Math.min(high, headDim - 1)};
        }

        @Override
        public double[] inverseFrequencies(double base, int headDim) {
            double[] inv = unscaledInverseFrequencies(base, headDim);
            double[] range = correctionRange(headDim, base);
            double low = range[0];
            double high = range[1];
            if (low == high) {
                high += 0.001; // as transformers: avoid a division by zero in the ramp
            }
            for (int j = 0; j < inv.length; j++) {
                double ramp = Math.min(1.0, Math.max(0.0, (j - low) / (high - low)));
                // extrapolation weight 1 − ramp keeps θ_j, the interpolation weight ramp uses θ_j / s
                double extrapolation = 1.0 - ramp;
                inv[j] = (inv[j] / factor) * (1 - extrapolation) + inv[j] * extrapolation;
            }
            return inv;
        }
    }

    /**
     * Llama 3.1's RoPE scaling (Meta, {@code apply_scaling} in {@code llama/reference_impl/model.py}; Hugging Face
     * {@code rope_type="llama3"}).
     *
     * <pre>
     *   λ_j = 2π / θ_j
     *   λ_j &lt; L / high_freq_factor:   θ'_j = θ_j                                 (high frequencies kept)
     *   λ_j &gt; L / low_freq_factor:    θ'_j = θ_j / s                             (low frequencies interpolated)
     *   otherwise:  smooth = (L/λ_j − low_freq_factor) / (high_freq_factor − low_freq_factor)
     *               θ'_j = (1 − smooth)·θ_j / s + smooth·θ_j
     * </pre>
     *
     * <p>What it solves: extends Llama 3 from 8K to 128K tokens by interpolating only the pairs whose wavelength
     * exceeds the training context, with a linear blend in wavelength band between; positions are unchanged. Used by
     * Llama 3.1 (s = 8, 1, 4, L = 8192) and Llama 3.2 (s = 32). Computed in double; Meta's code runs it on float32
     * frequencies.
     *
     * @param factor the factor s ≥ 1
     * @param lowFreqFactor the low band edge, &gt; 0
     * @param highFreqFactor the high band edge, &gt; lowFreqFactor
     * @param originalMaxPosition the training context L ≥ 1
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPosition)
            implements RopeScaling {
        /**
         * Validates the parameters.
         *
         * @param factor the factor s ≥ 1
         * @param lowFreqFactor the low band edge, &gt; 0
         * @param highFreqFactor the high band edge, &gt; lowFreqFactor
         * @param originalMaxPosition the training context L ≥ 1
         * @throws IllegalArgumentException if a parameter is out of range
         */
        public Llama3 {
            checkFactor("factor", factor);
            if (!(lowFreqFactor > 0) || !Double.isFinite(lowFreqFactor)) {
                throw new IllegalArgumentException("lowFreqFactor must be finite and > 0, got " + lowFreqFactor);
            }
            if (!(highFreqFactor > lowFreqFactor) || !Double.isFinite(highFreqFactor)) {
                throw new IllegalArgumentException("highFreqFactor must be finite and > lowFreqFactor (" + lowFreqFactor
                        + "), got " + highFreqFactor);
            }
            checkPositive("originalMaxPosition", originalMaxPosition);
        }

        @Override
        public String type() {
            return "llama3";
        }

        @Override
        public double[] inverseFrequencies(double base, int headDim) {
            double[] inv = unscaledInverseFrequencies(base, headDim);
            double lowFreqWavelen = originalMaxPosition / lowFreqFactor;
            double highFreqWavelen = originalMaxPosition / highFreqFactor;
            for (int j = 0; j < inv.length; j++) {
                double freq = inv[j];
                double wavelen = 2 * Math.PI / freq;
                if (wavelen < highFreqWavelen) {
                    inv[j] = freq;
                } else if (wavelen > lowFreqWavelen) {
                    inv[j] = freq / factor;
                } else {
                    double smooth = (originalMaxPosition / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                    inv[j] = (1 - smooth) * freq / factor + smooth * freq;
                }
            }
            return inv;
        }
    }

    private static void checkFactor(String name, double factor) {
        if (!(factor >= 1) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException(name + " must be finite and >= 1, got " + factor);
        }
    }

    private static void checkPositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    private static void checkBase(double base) {
        if (!(base > 1) || !Double.isFinite(base)) {
            throw new IllegalArgumentException("base must be finite and > 1, got " + base);
        }
    }
}
