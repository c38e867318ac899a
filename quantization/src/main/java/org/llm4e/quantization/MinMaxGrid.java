package org.llm4e.quantization;

/**
 * The integer grid of the reference GPTQ and AWQ code, computed in double: unsigned codes in [0, 2^bits − 1], one
 * (scale, zero) per group of a row, {@code round} = half to even as {@code torch.round}.
 *
 * <pre>
 *   gptq.py Quantizer (includeZero):  x_min = min(min x, 0), x_max = max(max x, 0); both 0 → [−1, 1]
 *     symmetric: x_max = max(|x_min|, x_max), x_min = −x_max if x_min &lt; 0;  zero = (maxq + 1) / 2
 *   llm-awq pseudo_quantize_tensor:   x_min = min x, x_max = max x (no widening), scale ≥ 1e−5 / maxq
 *   scale = (x_max − x_min) / maxq     zero = round(−x_min / scale) (clamped to [0, maxq] for AWQ)
 *   q = clamp(round(x / scale) + zero, 0, maxq)        x̂ = scale · (q − zero)
 * </pre>
 */
final class MinMaxGrid {
    final int maxq;
    final boolean symmetric;
    final boolean includeZero;

    MinMaxGrid(int bits, boolean symmetric, boolean includeZero) {
        this.maxq = (1 << bits) - 1;
        this.symmetric = symmetric;
        this.includeZero = includeZero;
    }

    /** Scale and zero of {@code w[from, to)}, written to {@code out[0]} and {@code out[1]}. */
    void params(double[] w, int from, int to, double[] out) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            lo = Math.min(lo, w[i]);
            hi = Math.max(hi, w[i]);
        }
        if (includeZero) {
            lo = Math.min(lo, 0);
            hi = Math.max(hi, 0);
        }
        if (symmetric) {
            hi = Math.max(Math.abs(lo), hi);
            if (lo < 0) {
                lo = -hi;
            }
        }
        double scale;
        if (includeZero) {
            if (lo == 0 && hi == 0) {
                lo = -1;
                hi = 1;
            }
            scale = (hi - lo) / maxq;
        } else {
            scale = Math.max(hi - lo, 1e-5) / maxq; // llm-awq: (max − min).clamp(min=1e-5) / max_int
        }
        double zero;
        if (symmetric) {
            zero = (maxq + 1) / 2.0;
        } else {
            zero = Math.rint(-lo / scale);
            if (!includeZero) {
                zero = Math.max(0, Math.min(maxq, zero));
            }
        }
        out[0] = scale;
        out[1] = zero;
    }

    /** The code of x, {@code clamp(round_half_even(x / scale) + zero, 0, maxq)}. */
    int code(double x, double scale, double zero) {
        double q = Math.rint(x / scale) + zero;
        return (int) Math.max(0, Math.min(maxq, q));
    }

    /** The value of a code. */
    static double value(int q, double scale, double zero) {
        return scale * (q - zero);
    }
}
