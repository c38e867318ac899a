package org.llm4e.attention;

/**
 * The tiled form of FlashAttention's recurrence for one query row: the keys are processed in tiles of {@code b}, and
 * the state (m, d′, o′) is updated once per tile — the step that makes the recurrence fit on-chip memory.
 *
 * <pre>
 *   for tile i = 1 .. ⌈N/b⌉:
 *     x_i         = scale · q K_iᵀ                         (the tile's b scores; the last tile may be shorter)
 *     m_i^(local) = max_j x_i[j]
 *     m_i         = max(m_{i−1}, m_i^(local))
 *     d′_i        = d′_{i−1} e^{m_{i−1} − m_i} + Σ_j e^{x_i[j] − m_i}
 *     o′_i        = o′_{i−1} d′_{i−1} e^{m_{i−1} − m_i} / d′_i + Σ_j (e^{x_i[j] − m_i} / d′_i) V_i[j]
 *   O = o′_last
 * </pre>
 *
 * <p>From 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md (attention catalog §5, img 16–17). The article assumes
 * {@code b} divides N ({@code #tiles = N/b}); here the last tile holds the remainder, which the recurrence handles
 * unchanged because every operation is associative. "Build a recurrence so partial results accumulate into the
 * global result" is the article's takeaway.
 *
 * <p>Computed in double as the reference for the float32 kernels; masked keys give {@code −∞} scores, and a row with
 * no allowed key gives 0.
 */
public final class TiledOnlineAttention {
    private TiledOnlineAttention() {}

    /**
     * The per-tile trace of one row.
     *
     * @param m the maxima after each tile
     * @param dPrime the surrogate denominators after each tile
     * @param oPrime the surrogate outputs after each tile ({@code [tiles][valueDim]})
     * @param output the attention output of the row
     * @param tiles the number of tiles, {@code ⌈N/b⌉}
     */
    public record Trace(double[] m, double[] dPrime, double[][] oPrime, double[] output, int tiles) {}

    /**
     * Runs the tiled recurrence for one query.
     *
     * @param q the query {@code [headDim]}
     * @param k the keys {@code [N][headDim]}
     * @param v the values {@code [N][valueDim]}
     * @param scale the score scale
     * @param blockSize the tile size {@code b} ≥ 1 (need not divide N)
     * @param allowed which keys may be attended, or null for all
     * @return the trace
     * @throws IllegalArgumentException if the lengths do not fit or {@code blockSize < 1}
     */
    public static Trace row(double[] q, double[][] k, double[][] v, double scale, int blockSize, boolean[] allowed) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        }
        int n = OnlineAttention.checkRow(q, k, v, allowed);
        int dv = n == 0 ? 0 : v[0].length;
        int tiles = (n + blockSize - 1) / blockSize;
        double[] m = new double[tiles];
        double[] dp = new double[tiles];
        double[][] op = new double[tiles][];
        double[] o = new double[dv];
        double[] x = new double[blockSize];
        double[] acc = new double[dv];
        double mPrev = Double.NEGATIVE_INFINITY;
        double dPrev = 0;
        for (int t = 0; t < tiles; t++) {
            int j0 = t * blockSize;
            int len = Math.min(blockSize, n - j0);
            double local = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                int key = j0 + j;
                x[j] = allowed == null || allowed[key]
                        ? scale * OnlineAttention.dot(q, k[key])
                        : Double.NEGATIVE_INFINITY;
                local = Math.max(local, x[j]);
            }
            double mi = Math.max(mPrev, local);
            double carry = dPrev * OnlineSoftmax.rescale(mPrev, mi);
            double tileSum = 0;
            java.util.Arrays.fill(acc, 0);
            for (int j = 0; j < len; j++) {
                double e = OnlineSoftmax.expShifted(x[j], mi);
                tileSum += e;
                for (int c = 0; c < dv; c++) {
                    acc[c] += e * v[j0 + j][c];
                }
            }
            double di = carry + tileSum;
            if (di > 0) {
                for (int c = 0; c < dv; c++) {
                    o[c] = (o[c] * carry + acc[c]) / di;
                }
            }
            mPrev = mi;
            dPrev = di;
            m[t] = mi;
            dp[t] = di;
            op[t] = o.clone();
        }
        return new Trace(m, dp, op, o, tiles);
    }
}
