package org.llm4e.attention;

/**
 * FlashAttention's one-pass recurrence for one query row: scores, running maximum, surrogate denominator and a
 * surrogate output in a single loop over the keys, as a teaching method that returns its trace.
 *
 * <pre>
 *   x_i  = scale · q · k_i
 *   m_i  = max(m_{i−1}, x_i)
 *   d′_i = d′_{i−1} e^{m_{i−1} − m_i} + e^{x_i − m_i}                                          (10)
 *   o′_i = o′_{i−1} · d′_{i−1} e^{m_{i−1} − m_i} / d′_i + (e^{x_i − m_i} / d′_i) · v_i          (14)
 *   O    = o′_N
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md (attention catalog §5). The surrogate {@code o′_i =
 * Σ_{j≤i} (e^{x_j − m_i}/d′_i) v_j} is the softmax-weighted sum of the keys seen so far, so {@code o′_N} is the
 * attention output: K and V are read once each, and the N scores are never stored. The article's figures omit the
 * scale {@code 1/√d}; it is applied here. The row state is (m, d′, o′) — what {@link TiledOnlineAttention} keeps per
 * row and FlashAttention keeps in SRAM.
 *
 * <p>Computed in double as the reference for the float32 kernels. Masked keys are passed as {@code allowed[i] =
 * false}; a row with no allowed key gives {@code o′ = 0}.
 */
public final class OnlineAttention {
    private OnlineAttention() {}

    /**
     * The trace of one row.
     *
     * @param m the running maxima {@code m_1 .. m_N}
     * @param dPrime the surrogate denominators {@code d′_1 .. d′_N}
     * @param oPrime the surrogate outputs {@code o′_1 .. o′_N} ({@code [N][valueDim]})
     * @param output {@code o′_N}, the attention output of the row
     * @param keyReads how many key vectors were read (N: one pass)
     * @param valueReads how many value vectors were read (N: one pass)
     */
    public record Trace(
            double[] m, double[] dPrime, double[][] oPrime, double[] output, long keyReads, long valueReads) {}

    /**
     * Runs the single loop of (10) and (14) for one query.
     *
     * @param q the query {@code [headDim]}
     * @param k the keys {@code [N][headDim]}
     * @param v the values {@code [N][valueDim]}
     * @param scale the score scale (usually {@code 1/√headDim})
     * @param allowed which keys may be attended, or null for all
     * @return the trace
     * @throws IllegalArgumentException if the lengths do not fit
     */
    public static Trace row(double[] q, double[][] k, double[][] v, double scale, boolean[] allowed) {
        int n = checkRow(q, k, v, allowed);
        int dv = n == 0 ? 0 : v[0].length;
        double[] m = new double[n];
        double[] dp = new double[n];
        double[][] op = new double[n][];
        double[] o = new double[dv];
        double mPrev = Double.NEGATIVE_INFINITY;
        double dPrev = 0;
        for (int i = 0; i < n; i++) {
            double x = allowed == null || allowed[i] ? scale * dot(q, k[i]) : Double.NEGATIVE_INFINITY;
            double mi = Math.max(mPrev, x);
            double carry = dPrev * OnlineSoftmax.rescale(mPrev, mi);
            double e = OnlineSoftmax.expShifted(x, mi);
            double di = carry + e;
            if (di > 0) {
                double keep = carry / di;
                double add = e / di;
                for (int c = 0; c < dv; c++) {
                    o[c] = o[c] * keep + add * v[i][c];
                }
            }
            mPrev = mi;
            dPrev = di;
            m[i] = mi;
            dp[i] = di;
            op[i] = o.clone();
        }
        return new Trace(m, dp, op, o, n, n);
    }

    /**
     * The whole attention {@code softmax(scale · Q Kᵀ) V}, row by row through {@link #row}.
     *
     * @param q the queries {@code [rows][headDim]}
     * @param k the keys {@code [N][headDim]}
     * @param v the values {@code [N][valueDim]}
     * @param scale the score scale
     * @return the output {@code [rows][valueDim]}
     * @throws IllegalArgumentException if the lengths do not fit
     */
    public static double[][] forward(double[][] q, double[][] k, double[][] v, double scale) {
        double[][] out = new double[q.length][];
        for (int r = 0; r < q.length; r++) {
            out[r] = row(q[r], k, v, scale, null).output();
        }
        return out;
    }

    static int checkRow(double[] q, double[][] k, double[][] v, boolean[] allowed) {
        if (q == null || k == null || v == null) {
            throw new IllegalArgumentException("q, k and v must not be null");
        }
        if (k.length != v.length) {
            throw new IllegalArgumentException(
                    "k has " + k.length + " rows but v has " + v.length + ": one value per key expected");
        }
        if (allowed != null && allowed.length != k.length) {
            throw new IllegalArgumentException(
                    "allowed has length " + allowed.length + " but there are " + k.length + " keys");
        }
        for (int i = 0; i < k.length; i++) {
            if (k[i].length != q.length) {
                throw new IllegalArgumentException(
                        "k[" + i + "] has length " + k[i].length + " but q has length " + q.length);
            }
            if (v[i].length != v[0].length) {
                throw new IllegalArgumentException(
                        "v[" + i + "] has length " + v[i].length + " but v[0] has length " + v[0].length);
            }
        }
        return k.length;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
