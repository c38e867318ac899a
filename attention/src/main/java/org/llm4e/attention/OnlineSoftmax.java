package org.llm4e.attention;

/**
 * The 2-pass online softmax: the running maximum and a surrogate denominator in one loop, as a teaching method that
 * returns its trace.
 *
 * <pre>
 *   d′_i = Σ_{j≤i} e^{x_j − m_i}                         (surrogate: uses the running maximum m_i)
 *   d′_i = d′_{i−1} · e^{m_{i−1} − m_i} + e^{x_i − m_i}     (10)   and   d′_N = d_N
 *
 *   loop 1:  m_i ← max(m_{i−1}, x_i);  d′_i ← d′_{i−1} e^{m_{i−1} − m_i} + e^{x_i − m_i}
 *   loop 2:  a_i ← e^{x_i − m_N} / d′_N
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md (attention catalog §4). Passes (7) and (8) of
 * {@link SafeSoftmax} cannot be fused because (8) needs the final maximum; the surrogate {@code d′} needs only the
 * previous and current maxima, so it fuses with (7). A plain softmax cannot go below two passes (the outputs need
 * {@code d′_N}); attention can, because it needs {@code O = A V} rather than A ({@link OnlineAttention}).
 *
 * <p>Computed in double. {@code e^{m_{i−1} − m_i}} with {@code m_{i−1} = m_i = −∞} (only masked entries so far) is
 * taken as 1 with {@code d′ = 0}, so leading {@code −∞} entries are harmless; a row with no finite entry gives all
 * zeros.
 */
public final class OnlineSoftmax {
    private OnlineSoftmax() {}

    /**
     * The trace of one 2-pass run.
     *
     * @param m the running maxima {@code m_1 .. m_N}
     * @param dPrime the surrogate denominators {@code d′_1 .. d′_N}
     * @param a the softmax
     * @param passes the number of passes over the scores (2)
     * @param scoreReads how many times a score was read ({@code 2N})
     */
    public record Trace(double[] m, double[] dPrime, double[] a, int passes, long scoreReads) {}

    /**
     * Runs the two loops over {@code x}.
     *
     * @param x the scores ({@code −∞} entries are masked)
     * @return the trace, whose {@code a} is the softmax
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Trace twoPass(double[] x) {
        if (x == null) {
            throw new IllegalArgumentException("x must not be null");
        }
        int n = x.length;
        double[] m = new double[n];
        double[] dp = new double[n];
        double[] a = new double[n];
        long reads = 0;
        double mPrev = Double.NEGATIVE_INFINITY;
        double dPrev = 0;
        for (int i = 0; i < n; i++) { // loop 1: (7) fused with (10)
            double mi = Math.max(mPrev, x[i]);
            dPrev = dPrev * rescale(mPrev, mi) + expShifted(x[i], mi);
            mPrev = mi;
            m[i] = mi;
            dp[i] = dPrev;
            reads++;
        }
        for (int i = 0; i < n; i++) { // loop 2
            a[i] = mPrev == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x[i] - mPrev) / dPrev;
            reads++;
        }
        return new Trace(m, dp, a, 2, reads);
    }

    /** {@code e^{mOld − mNew}}, 1 while both are −∞ (nothing accumulated yet, nothing to rescale). */
    static double rescale(double mOld, double mNew) {
        return mOld == Double.NEGATIVE_INFINITY ? (mNew == Double.NEGATIVE_INFINITY ? 1 : 0) : Math.exp(mOld - mNew);
    }

    /** {@code e^{x − m}}, 0 while the maximum is still −∞. */
    static double expShifted(double x, double m) {
        return m == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x - m);
    }
}
