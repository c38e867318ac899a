package org.llm4e.activations;

import org.llm4e.activations.internal.Checks;

/**
 * The hard tanh: a clamp.
 *
 * <pre>
 *   f(x)  = min(max(x, min_val), max_val)        defaults min_val = −1, max_val = 1
 *   f′(x) = 1 for min_val &lt; x &lt; max_val, else 0  (PyTorch: 0 at both kinks)
 * </pre>
 *
 * <p>Absent from the articles; matches {@code F.hardtanh}.
 */
public final class Hardtanh extends ElementwiseActivation {
    private final double minVal;
    private final double maxVal;

    /**
     * Creates a hard tanh.
     *
     * @param minVal the lower bound (finite)
     * @param maxVal the upper bound (finite, ≥ minVal)
     * @throws IllegalArgumentException if a bound is not finite or {@code maxVal < minVal}
     */
    public Hardtanh(double minVal, double maxVal) {
        this.minVal = Checks.finite("min_val", minVal);
        this.maxVal = Checks.finite("max_val", maxVal);
        if (maxVal < minVal) {
            throw new IllegalArgumentException(
                    "max_val must be >= min_val, got max_val=" + maxVal + " and min_val=" + minVal);
        }
    }

    /** Creates the hard tanh with PyTorch's defaults [−1, 1]. */
    public Hardtanh() {
        this(-1.0, 1.0);
    }

    static double clamp(double x, double lo, double hi) {
        // comparisons rather than Math.min/max: NaN falls through both tests and propagates
        if (x < lo) {
            return lo;
        }
        return x > hi ? hi : x;
    }

    @Override
    public String name() {
        return "hardtanh";
    }

    @Override
    public double apply(double x) {
        return clamp(x, minVal, maxVal);
    }

    @Override
    public double derivative(double x) {
        return x > minVal && x < maxVal ? 1.0 : (Double.isNaN(x) ? x : 0.0);
    }
}
