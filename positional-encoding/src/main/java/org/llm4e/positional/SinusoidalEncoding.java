package org.llm4e.positional;

import org.llm4e.core.Tensor;

/**
 * The Transformer's fixed sinusoidal absolute position encoding (Vaswani et al., 2017), added to the token embeddings.
 *
 * <pre>
 *   ω_i = 1 / base^(2i/d),  i = 0 … d/2 − 1                  (base 10000; wavelengths 2π … 2π·base)
 *   PE(pos, 2i)     = sin(pos · ω_i)
 *   PE(pos, 2i + 1) = cos(pos · ω_i)
 *   per pair:  PE(pos + k) = R(k·ω_i) · PE(pos)    ⇒    PE(pos)·PE(pos + k) = Σ_i cos(k·ω_i), independent of pos
 * </pre>
 *
 * <p>Article: 什么是大模型的位置编码Position-Encoding.md §4. <b>Erratum:</b> the article files sinusoidal (and learned)
 * encodings under "relative" encodings; both are absolute encodings — each position gets its own vector, added to the
 * input — even though the dot product of two sinusoidal encodings depends only on their distance. The base is a
 * parameter because the article's FAQ discusses it (a smaller base is more distance-sensitive, a larger one covers a
 * longer range).
 *
 * <p>The layout is interleaved sin/cos as in the paper and the golden file; some code (tensor2tensor's
 * {@code get_timing_signal}) concatenates all sines then all cosines instead. Values are computed in double and rounded
 * to float32 once. Matches the golden file's PyTorch float64 table.
 */
public final class SinusoidalEncoding {
    private SinusoidalEncoding() {}

    /**
     * The encoding table with base 10000.
     *
     * @param positions the number of positions (rows), ≥ 0
     * @param dim the model dimension d, positive and even
     * @return a {@code [positions, dim]} tensor
     * @throws IllegalArgumentException if {@code positions} is negative or {@code dim} is not positive and even
     */
    public static Tensor table(int positions, int dim) {
        return table(positions, dim, 10000.0);
    }

    /**
     * The encoding table with a given base.
     *
     * @param positions the number of positions (rows), ≥ 0
     * @param dim the model dimension d, positive and even
     * @param base the base, finite and &gt; 1
     * @return a {@code [positions, dim]} tensor, row {@code pos} = PE(pos)
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static Tensor table(int positions, int dim, double base) {
        if (positions < 0) {
            throw new IllegalArgumentException("positions must be >= 0, got " + positions);
        }
        double[] denominators = denominators(dim, base);
        Tensor t = Tensor.zeros(positions, dim);
        float[] data = t.data();
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < dim / 2; i++) {
                double arg = pos / denominators[i];
                data[pos * dim + 2 * i] = (float) Math.sin(arg);
                data[pos * dim + 2 * i + 1] = (float) Math.cos(arg);
            }
        }
        return t;
    }

    /**
     * One row of the table in double: {@code PE(pos)}.
     *
     * @param position the position, ≥ 0 (any real position works; integers are what models use)
     * @param dim the model dimension d, positive and even
     * @param base the base, finite and &gt; 1
     * @return the d values {@code sin(pos ω_0), cos(pos ω_0), sin(pos ω_1), …}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static double[] encode(double position, int dim, double base) {
        if (!(position >= 0) || !Double.isFinite(position)) {
            throw new IllegalArgumentException("position must be finite and >= 0, got " + position);
        }
        double[] denominators = denominators(dim, base);
        double[] pe = new double[dim];
        for (int i = 0; i < dim / 2; i++) {
            pe[2 * i] = Math.sin(position / denominators[i]);
            pe[2 * i + 1] = Math.cos(position / denominators[i]);
        }
        return pe;
    }

    /**
     * The angular frequencies {@code ω_i = 1 / base^(2i/d)}.
     *
     * @param dim the model dimension d, positive and even
     * @param base the base, finite and &gt; 1
     * @return d/2 frequencies from 1 down to base^(−(d−2)/d)
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static double[] frequencies(int dim, double base) {
        double[] omega = denominators(dim, base);
        for (int i = 0; i < omega.length; i++) {
            omega[i] = 1.0 / omega[i];
        }
        return omega;
    }

    /** {@code base^(2i/d)}: the table divides by it, as the paper's formula and the PyTorch reference do. */
    private static double[] denominators(int dim, double base) {
        if (dim <= 0 || dim % 2 != 0) {
            throw new IllegalArgumentException("dim must be positive and even (sin/cos pairs), got " + dim);
        }
        if (!(base > 1) || !Double.isFinite(base)) {
            throw new IllegalArgumentException("base must be finite and > 1, got " + base);
        }
        double[] den = new double[dim / 2];
        for (int i = 0; i < den.length; i++) {
            den[i] = Math.pow(base, (2.0 * i) / dim);
        }
        return den;
    }

    /**
     * The wavelength of each frequency pair, in positions.
     *
     * @param dim the model dimension d, positive and even
     * @param base the base, finite and &gt; 1
     * @return {@code 2π / ω_i}, from 2π up to 2π·base^((d−2)/d)
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static double[] wavelengths(int dim, double base) {
        double[] w = frequencies(dim, base);
        for (int i = 0; i < w.length; i++) {
            w[i] = 2 * Math.PI / w[i];
        }
        return w;
    }
}
