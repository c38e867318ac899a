package org.llm4e.attention;

/**
 * The 3-pass safe softmax, first stop on the road to FlashAttention, as a teaching method that returns its trace.
 *
 * <pre>
 *   softmax(x)_i = e^{x_i} / Σ_j e^{x_j} = e^{x_i − m} / Σ_j e^{x_j − m},   m = max_j x_j          (5), (6)
 *
 *   m_0 = −∞,  d_0 = 0
 *   pass 1:  m_i ← max(m_{i−1}, x_i)                                                           (7)
 *   pass 2:  d_i ← d_{i−1} + e^{x_i − m_N}                                                     (8)
 *   pass 3:  a_i ← e^{x_i − m_N} / d_N                                                         (9)
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md (attention catalog §3). Subtracting the maximum keeps
 * every exponent ≤ 0, so nothing overflows: the article's motivation is fp16, whose largest finite value is 65504 (the
 * article says "65536", an erratum), so {@code e^x} overflows there from {@code x ≈ 11.09}. Because the scores are
 * {@code x = Q Kᵀ}, three passes over them mean reading Q and K three times; the {@link OnlineSoftmax} removes one.
 *
 * <p>Computed in double: this is the readable reference the float32 kernels are checked against. A row with no
 * finite entry ({@code m_N = −∞}) gives all zeros, the library's rule for fully masked attention rows.
 */
public final class SafeSoftmax {
    private SafeSoftmax() {}

    /**
     * The trace of one 3-pass run.
     *
     * @param m the running maxima {@code m_1 .. m_N}
     * @param d the partial denominators {@code d_1 .. d_N} (all taken against the final maximum {@code m_N})
     * @param a the softmax {@code a_1 .. a_N}
     * @param passes the number of passes over the scores (3)
     * @param scoreReads how many times a score was read ({@code 3N})
     */
    public record Trace(double[] m, double[] d, double[] a, int passes, long scoreReads) {}

    /**
     * Runs the three passes over {@code x}.
     *
     * @param x the scores ({@code −∞} entries are masked)
     * @return the trace, whose {@code a} is the softmax
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Trace threePass(double[] x) {
        if (x == null) {
            throw new IllegalArgumentException("x must not be null");
        }
        int n = x.length;
        double[] m = new double[n];
        double[] d = new double[n];
        double[] a = new double[n];
        long reads = 0;
        double mPrev = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) { // pass 1 (7)
            mPrev = Math.max(mPrev, x[i]);
            m[i] = mPrev;
            reads++;
        }
        double mN = mPrev;
        double dPrev = 0;
        for (int i = 0; i < n; i++) { // pass 2 (8)
            dPrev += mN == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x[i] - mN);
            d[i] = dPrev;
            reads++;
        }
        double dN = dPrev;
        for (int i = 0; i < n; i++) { // pass 3 (9)
            a[i] = mN == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x[i] - mN) / dN;
            reads++;
        }
        return new Trace(m, d, a, 3, reads);
    }

    /**
     * The naive softmax {@code e^{x_i} / Σ_j e^{x_j}} without the maximum: overflows to NaN once some
     * {@code e^{x_i}} exceeds the largest double (about {@code x > 709.78}). Kept to show why (6) is needed.
     *
     * @param x the scores
     * @return the naive softmax, NaN where it overflowed
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static double[] naive(double[] x) {
        if (x == null) {
            throw new IllegalArgumentException("x must not be null");
        }
        double sum = 0;
        for (double xi : x) {
            sum += Math.exp(xi);
        }
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = Math.exp(x[i]) / sum;
        }
        return a;
    }
}
