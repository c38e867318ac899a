package org.llm4e.quantization;

import java.util.Arrays;
import java.util.List;
import org.llm4e.core.Tensor;

/**
 * Linear (uniform) integer quantization, "level 1" of {@code 大模型量化认知的三重境界.md}: symmetric absmax or
 * asymmetric zero-point, signed or unsigned, 8 or 4 bits, per tensor, per channel (row) or per group of consecutive
 * elements of a row; dynamic (parameters from the tensor itself) or static (parameters calibrated once on sample
 * batches, min-max or percentile, then frozen).
 *
 * <pre>
 *   symmetric:   s = max|r| / q_max                 q = clamp(round(r / s), q_min, q_max)      r̂ = s · q
 *   asymmetric:  s = (r_max − r_min) / (q_max − q_min)
 *                z = clamp(q_min − round(r_min / s), q_min, q_max)
 *                q = clamp(round(r / s) + z, q_min, q_max)                                  r̂ = s · (q − z)
 * </pre>
 *
 * <p>From {@code 10分钟理解大模型的量化.md} §3–§5 (figures 5–8) and the level-1 list of the three-levels article.
 * The articles print only the symmetric formula {@code q = int(round(r / s)), s = r_max / q_max}; the asymmetric
 * formulas are the standard ones of the course the article cites. What the articles leave open is fixed here:
 *
 * <ul>
 *   <li><b>Rounding</b>: half away from zero (C {@code roundf}), on the float32 quotient: every step is one float32
 *       operation in the order written, {@code s = f32(amax / q_max)}, {@code f32(r / s)}, {@code r̂ = f32(f32(q − z) ·
 *       s)}, as the golden reference {@code quant_ref.py}; bytes depend on it.
 *   <li><b>Range</b>: symmetric signed INT8 uses the restricted range [−127, 127] (so that 0 is the middle and −r_max
 *       maps to −127); {@link Builder#fullRange(boolean) fullRange(true)} uses [−128, 127] with
 *       {@code s = max|r| / 127.5} as PyTorch's symmetric observers do: the grid of the article's figure 0, whose
 *       ends ±r_max fall on ±127.5 (r_max clamps to 127; −r_max lies on the −128 / −127 tie, decided by the last
 *       bit of the float32 quotient), and static parameters reach −128 for values beyond the calibrated range. Symmetric INT4 uses [−8, 7] with {@code s = max|r| / 7} (−8 is never
 *       produced; full range: {@code s = max|r| / 7.5}). Asymmetric schemes use the whole range: [−128, 127] or
 *       [0, 255], [−8, 7] or [0, 15]; the range [r_min, r_max] is widened to contain 0 so that real 0 is exactly
 *       representable (r̂(z) = 0). Symmetric unsigned stores q + 2^(bits−1) (zero point 128 or 8, as PyTorch's
 *       symmetric quint8).
 *   <li><b>Degenerate ranges</b>: a group of zeros (scale 0) gets scale 1.
 *   <li><b>Granularity</b> ({@code 10分钟…} §4, figure 8): per tensor one (s, z); per channel one per row of a
 *       {@code [rows, cols]} weight (the output channel: TensorRT's default for weights); per group G one per G
 *       consecutive elements of a row. G must divide the row length (otherwise {@link IllegalArgumentException}).
 *       Tensors of other ranks are read as {@code [size / lastDim, lastDim]}.
 *   <li><b>Calibration</b> (the article names it without a method): min-max by default; {@link Builder#percentile}
 *       clips at the p-th percentile of |r| (symmetric) or at the (100 − p)-th and p-th percentiles (asymmetric),
 *       numpy's linear interpolation. {@link #quantize(Tensor)} is dynamic quantization; {@link #calibrate(List)}
 *       is static quantization (values outside the calibrated range clamp).
 *   <li><b>NaN / ±∞</b> cannot be represented by integer codes and are rejected with an
 *       {@link IllegalArgumentException} naming the element.
 * </ul>
 *
 * <p>Matches {@code golden/quantization.json} ({@code int8_sym}, {@code int4_sym}, {@code uint8_asym},
 * {@code int8_asym}, {@code uint4_asym} at every granularity) code for code. Immutable and thread-safe.
 */
public final class LinearQuantizer {

    /** Which elements share one (scale, zero point). */
    public enum Granularity {
        /** One pair for the whole tensor. */
        PER_TENSOR,
        /** One pair per row (output channel). */
        PER_CHANNEL,
        /** One pair per group of consecutive elements of a row. */
        PER_GROUP
    }

    private final int bits;
    private final boolean symmetric;
    private final boolean signed;
    private final boolean fullRange;
    private final Granularity granularity;
    private final int groupSize;
    private final double percentile;
    private final int qmin;
    private final int qmax;
    private final int symmetricZeroPoint;
    private final float symmetricDivisor;

    private LinearQuantizer(Builder b) {
        this.bits = b.bits;
        this.symmetric = b.symmetric;
        this.signed = b.signed;
        this.fullRange = b.fullRange;
        this.granularity = b.granularity;
        this.groupSize = b.groupSize;
        this.percentile = b.percentile;
        int half = 1 << (bits - 1);
        int shift = signed ? 0 : half;
        if (symmetric) {
            int top = half - 1; // 127 or 7
            int bottom = fullRange || bits == 4 ? -half : -top; // restricted INT8 is [-127, 127]; INT4 [-8, 7]
            this.qmin = bottom + shift;
            this.qmax = top + shift;
            this.symmetricZeroPoint = shift;
            this.symmetricDivisor = fullRange ? top + 0.5f : top;
        } else {
            this.qmin = -half + shift;
            this.qmax = half - 1 + shift;
            this.symmetricZeroPoint = 0;
            this.symmetricDivisor = Float.NaN;
        }
    }

    /**
     * A builder with the defaults: 8 bits, symmetric, signed, restricted range, per tensor, min-max.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bit width.
     *
     * @return 8 or 4
     */
    public int bits() {
        return bits;
    }

    /**
     * Whether the scheme is symmetric (absmax).
     *
     * @return {@code true} for symmetric
     */
    public boolean symmetric() {
        return symmetric;
    }

    /**
     * Whether codes are signed.
     *
     * @return {@code true} for signed codes
     */
    public boolean signed() {
        return signed;
    }

    /**
     * The granularity.
     *
     * @return per tensor, channel or group
     */
    public Granularity granularity() {
        return granularity;
    }

    /**
     * The group size.
     *
     * @return the group size for {@link Granularity#PER_GROUP}, otherwise 0
     */
    public int groupSize() {
        return groupSize;
    }

    /**
     * The smallest code.
     *
     * @return e.g. −127 for restricted symmetric INT8, 0 for UINT8
     */
    public int qmin() {
        return qmin;
    }

    /**
     * The largest code.
     *
     * @return e.g. 127 for INT8, 255 for UINT8
     */
    public int qmax() {
        return qmax;
    }

    /**
     * Dynamic quantization: the parameters come from {@code w} itself.
     *
     * @param w the tensor, read as {@code [rows, cols]} (see the class comment)
     * @return codes, scales and zero points
     * @throws IllegalArgumentException if an element is not finite or the group size does not divide the row
     */
    public QuantizedTensor quantize(Tensor w) {
        checkFinite(w.data(), "w");
        return calibrate(List.of(w)).quantize(w);
    }

    /**
     * Static quantization: collects the ranges over calibration batches once and freezes the parameters.
     *
     * @param batches one or more batches; per tensor they may have any shapes, per channel or group they must all
     *     have the same shape (the shape later quantized)
     * @return the frozen quantizer
     * @throws IllegalArgumentException if there are no batches, the shapes disagree, an element is not finite or
     *     the group size does not divide the row
     */
    public CalibratedQuantizer calibrate(List<Tensor> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("batches must hold at least one tensor, got none");
        }
        int[] shape = batches.get(0).shape();
        int groupLen = groupLength(shape);
        int groups = granularity == Granularity.PER_TENSOR ? 1 : batches.get(0).size() / groupLen;
        for (int b = 0; b < batches.size(); b++) {
            Tensor t = batches.get(b);
            if (granularity != Granularity.PER_TENSOR && !Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("batches[" + b + "] shape " + Arrays.toString(t.shape())
                        + " must equal batches[0] shape " + Arrays.toString(shape) + " for " + granularity);
            }
            checkFinite(t.data(), "batches[" + b + "]");
        }
        float[] lo = new float[groups];
        float[] hi = new float[groups];
        if (percentile >= 100.0) {
            minMax(batches, groupLen, lo, hi);
        } else {
            percentiles(batches, groupLen, lo, hi);
        }
        float[] scales = new float[groups];
        int[] zeroPoints = new int[groups];
        for (int g = 0; g < groups; g++) {
            parameters(lo[g], hi[g], scales, zeroPoints, g);
        }
        int[] scalesShape = granularity == Granularity.PER_TENSOR
                ? new int[] {1, 1}
                : new int[] {rowsOf(shape), groups / rowsOf(shape)};
        return new CalibratedQuantizer(
                this, granularity == Granularity.PER_TENSOR ? null : shape, groupLen, scales, zeroPoints, scalesShape);
    }

    /**
     * Static quantization over an array of batches.
     *
     * @param batches one or more batches
     * @return the frozen quantizer
     * @throws IllegalArgumentException as {@link #calibrate(List)}
     */
    public CalibratedQuantizer calibrate(Tensor... batches) {
        return calibrate(List.of(batches));
    }

    /** Elements per (scale, zero point): the groups are contiguous runs of the row-major data. */
    int groupLength(int[] shape) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        switch (granularity) {
            case PER_TENSOR:
                return Math.max(size, 1);
            case PER_CHANNEL:
                return Math.max(cols, 1);
            default:
                if (cols % groupSize != 0) {
                    throw new IllegalArgumentException("groupSize " + groupSize + " must divide the row length " + cols
                            + " of shape " + Arrays.toString(shape));
                }
                return groupSize;
        }
    }

    private static int rowsOf(int[] shape) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        return cols == 0 ? 0 : size / cols;
    }

    static void checkFinite(float[] x, String name) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(
                        name + "[" + i + "] must be finite (integer codes cannot hold NaN or infinity), got " + x[i]);
            }
        }
    }

    private static void minMax(List<Tensor> batches, int groupLen, float[] lo, float[] hi) {
        Arrays.fill(lo, Float.POSITIVE_INFINITY);
        Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        for (Tensor t : batches) {
            float[] x = t.data();
            int len = lo.length == 1 ? x.length : groupLen; // per tensor: one group, whatever the batch's shape
            for (int g = 0; g < lo.length; g++) {
                float mn = lo[g];
                float mx = hi[g];
                for (int i = g * len, end = i + len; i < end; i++) {
                    mn = Math.min(mn, x[i]);
                    mx = Math.max(mx, x[i]);
                }
                lo[g] = mn;
                hi[g] = mx;
            }
        }
        for (int g = 0; g < lo.length; g++) {
            if (lo[g] > hi[g]) { // empty group
                lo[g] = 0f;
                hi[g] = 0f;
            }
        }
    }

    private void percentiles(List<Tensor> batches, int groupLen, float[] lo, float[] hi) {
        int groups = lo.length;
        for (int g = 0; g < groups; g++) {
            int count = 0;
            for (Tensor t : batches) {
                count += groups == 1 ? t.size() : groupLen;
            }
            double[] v = new double[count];
            int k = 0;
            for (Tensor t : batches) {
                float[] x = t.data();
                int from = groups == 1 ? 0 : g * groupLen;
                int to = groups == 1 ? x.length : from + groupLen;
                for (int i = from; i < to; i++) {
                    v[k++] = symmetric ? Math.abs(x[i]) : x[i];
                }
            }
            Arrays.sort(v);
            if (symmetric) {
                lo[g] = 0f;
                hi[g] = (float) quantile(v, percentile / 100.0);
            } else {
                lo[g] = (float) quantile(v, 1.0 - percentile / 100.0);
                hi[g] = (float) quantile(v, percentile / 100.0);
            }
        }
    }

    /** numpy's default ("linear") quantile of sorted data. */
    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        if (i >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double frac = pos - i;
        return sorted[i] + (sorted[i + 1] - sorted[i]) * frac;
    }

    /** Scale and zero point of one group from its range, in the golden reference's float32 order. */
    private void parameters(float lo, float hi, float[] scales, int[] zeroPoints, int g) {
        if (symmetric) {
            float amax = Math.max(Math.abs(lo), Math.abs(hi));
            float scale = amax / symmetricDivisor;
            scales[g] = scale == 0f ? 1f : scale;
            zeroPoints[g] = symmetricZeroPoint;
        } else {
            float rmin = Math.min(lo, 0f);
            float rmax = Math.max(hi, 0f);
            float range = rmax - rmin;
            if (Float.isInfinite(range)) {
                throw new IllegalArgumentException("the range [" + rmin + ", " + rmax
                        + "] overflows float32; asymmetric quantization needs r_max − r_min to be finite");
            }
            float scale = range / (float) (qmax - qmin);
            if (scale == 0f) {
                scale = 1f;
            }
            scales[g] = scale;
            double z = qmin - Rounding.halfAway(rmin / scale);
            zeroPoints[g] = (int) Math.max(qmin, Math.min(qmax, z));
        }
    }

    /**
     * Encodes with given parameters: {@code q = clamp(round_half_away(f32(x / s)) + z, q_min, q_max)}.
     */
    static byte[] encode(float[] x, int groupLen, float[] scales, int[] zeroPoints, int qmin, int qmax) {
        byte[] codes = new byte[x.length];
        for (int g = 0; g < scales.length; g++) {
            float s = scales[g];
            int z = zeroPoints[g];
            for (int i = g * groupLen, end = Math.min(x.length, i + groupLen); i < end; i++) {
                codes[i] = (byte) Rounding.halfAwayClamped(x[i] / s, z, qmin, qmax);
            }
        }
        return codes;
    }

    @Override
    public String toString() {
        return "LinearQuantizer[" + (signed ? "int" : "uint") + bits + ", " + (symmetric ? "symmetric" : "asymmetric")
                + (symmetric && fullRange ? " full range" : "") + ", " + granularity
                + (granularity == Granularity.PER_GROUP ? " " + groupSize : "")
                + (percentile < 100 ? ", percentile " + percentile : ", min-max") + "]";
    }

    /** Builds a {@link LinearQuantizer}; every setting is validated when it is set. */
    public static final class Builder {
        private int bits = 8;
        private boolean symmetric = true;
        private boolean signed = true;
        private boolean fullRange;
        private Granularity granularity = Granularity.PER_TENSOR;
        private int groupSize;
        private double percentile = 100.0;

        private Builder() {}

        /**
         * The bit width.
         *
         * @param bits 8 or 4
         * @return this builder
         * @throws IllegalArgumentException for other widths
         */
        public Builder bits(int bits) {
            if (bits != 8 && bits != 4) {
                throw new IllegalArgumentException("bits must be 8 or 4, got " + bits);
            }
            this.bits = bits;
            return this;
        }

        /**
         * Symmetric absmax (default) or asymmetric zero-point quantization.
         *
         * @param symmetric {@code true} for symmetric
         * @return this builder
         */
        public Builder symmetric(boolean symmetric) {
            this.symmetric = symmetric;
            return this;
        }

        /**
         * Signed (default) or unsigned codes.
         *
         * @param signed {@code true} for signed codes
         * @return this builder
         */
        public Builder signed(boolean signed) {
            this.signed = signed;
            return this;
        }

        /**
         * For symmetric schemes: the full two's-complement range [−2^(b−1), 2^(b−1) − 1] with
         * {@code s = max|r| / (2^(b−1) − 0.5)} instead of the restricted default. Ignored by asymmetric schemes,
         * which always use the full range.
         *
         * @param fullRange {@code true} for the full range
         * @return this builder
         */
        public Builder fullRange(boolean fullRange) {
            this.fullRange = fullRange;
            return this;
        }

        /**
         * One (scale, zero point) for the whole tensor (default).
         *
         * @return this builder
         */
        public Builder perTensor() {
            this.granularity = Granularity.PER_TENSOR;
            this.groupSize = 0;
            return this;
        }

        /**
         * One (scale, zero point) per row.
         *
         * @return this builder
         */
        public Builder perChannel() {
            this.granularity = Granularity.PER_CHANNEL;
            this.groupSize = 0;
            return this;
        }

        /**
         * One (scale, zero point) per {@code groupSize} consecutive elements of a row.
         *
         * @param groupSize the group size, ≥ 1; it must divide the row length of the tensors quantized
         * @return this builder
         * @throws IllegalArgumentException if {@code groupSize < 1}
         */
        public Builder perGroup(int groupSize) {
            if (groupSize < 1) {
                throw new IllegalArgumentException("groupSize must be >= 1, got " + groupSize);
            }
            this.granularity = Granularity.PER_GROUP;
            this.groupSize = groupSize;
            return this;
        }

        /**
         * Min-max calibration (default): the range is the data's minimum and maximum.
         *
         * @return this builder
         */
        public Builder minMax() {
            this.percentile = 100.0;
            return this;
        }

        /**
         * Percentile calibration: clip the range at the p-th percentile (of |r| when symmetric; of r at both ends,
         * (100 − p) and p, when asymmetric).
         *
         * @param p in (50, 100]; 100 is min-max
         * @return this builder
         * @throws IllegalArgumentException if p is outside (50, 100]
         */
        public Builder percentile(double p) {
            if (!(p > 50.0 && p <= 100.0)) {
                throw new IllegalArgumentException("percentile must be in (50, 100], got " + p);
            }
            this.percentile = p;
            return this;
        }

        /**
         * Builds the quantizer.
         *
         * @return an immutable quantizer
         */
        public LinearQuantizer build() {
            return new LinearQuantizer(this);
        }
    }
}
