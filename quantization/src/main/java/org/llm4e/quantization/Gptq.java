package org.llm4e.quantization;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/**
 * GPTQ (Frantar et al. 2022, arXiv 2210.17323): post-training weight quantization of one linear layer that rounds
 * one column at a time and pushes each rounding error onto the columns not yet quantized, weighted by the inverse
 * Hessian of the layer's output error. "Level 3" of {@code 大模型量化认知的三重境界.md} (catalog B7, B11): the
 * article gives the intuition (calibration, layer by layer, error compensation from a Hessian approximation); the
 * formulas are the paper's.
 *
 * <pre>
 *   minimise ‖W X − Ŵ X‖²_F  over Ŵ on the grid        (X here is [samples, in]: the layer sees the rows xₛ)
 *   H = 2 XᵀX / n  (+ λ I,  λ = percDamp · mean(diag H))
 *   U = chol(H⁻¹)ᵀ (upper, H⁻¹ = UᵀU)
 *   for each column j (in blocks of B columns):
 *       q_j   = quant(w_j)                                   (per row; grid of the row or of its group)
 *       e_j   = (w_j − q_j) / U_jj
 *       w_k  −= e_j · U_jk          for the columns k &gt; j of the block
 *   after each block [i₁, i₂):  W[:, i₂:] −= E · U[i₁:i₂, i₂:]     (the lazy batch update)
 * </pre>
 *
 * <p>Matches the reference {@code gptq.py} ({@code GPTQ.fasterquant} and its {@code Quantizer}): asymmetric min-max
 * grid per row by default with the range widened to contain 0, {@code scale = (x_max − x_min) / (2^bits − 1)},
 * {@code zero = round(−x_min / scale)}, unsigned codes in [0, 2^bits − 1], {@code round} = half to even as
 * {@code torch.round}; {@link Builder#symmetric(boolean) symmetric(true)} gives gptq.py's {@code sym=True} grid (zero
 * in the middle, {@code 2^(bits−1)}). Columns whose Hessian diagonal is 0 (inputs that are always 0) are set to 0
 * with {@code H_jj = 1}, as gptq.py. With {@code groupSize} G, each group of G columns gets its grid when its first
 * column comes up (from the weights as updated so far); with act-order, the columns are quantized in order of
 * decreasing {@code H_jj} and G counts columns in that order, so a group's columns are scattered over the row: the
 * result keeps GPTQ's {@code g_idx} ({@link QuantizedTensor#groupIndex()}) and the order
 * ({@link QuantizedTensor#permutation()}); the codes are in the original column order, as gptq.py's
 * {@code Q[:, invperm]}.
 *
 * <p>Where this departs from gptq.py: a block never straddles the start of a group (it ends there and the next one
 * begins), so every group's grid sees all earlier error feedback. gptq.py reads the grid of a group that starts
 * inside a block from weights that miss that block's updates so far, which makes its result depend on the block
 * size when {@code blockSize} does not divide {@code groupSize}; here the block size only changes the speed (the
 * lazy batch is exact algebra). The two agree whenever {@code blockSize} divides {@code groupSize}, which includes
 * the defaults (128 and 128) and the golden file's setting. Everything is computed in double (the golden reference
 * is float64); the returned scales are float32. On the golden layer ({@code W [64, 128]}, 256 correlated calibration
 * rows, 4 bits, blocks of 32) the output error ‖(W − Q)X‖² goes from RTN's 260.37 to 146.83 per channel (ratio
 * 0.564) and from 168.07 to 95.12 with groups of 32 (0.566), as the reference to seven digits.
 *
 * <p>The Hessian inverse's Cholesky factor comes from EJML's dense Cholesky: the one peer library this module uses
 * at run time, because a well-kept library should do what is not the lesson here. Immutable and thread-safe; the
 * rows are processed on the library pool (each row's arithmetic is independent of the others and of the thread
 * count).
 */
public final class Gptq {
    private final int bits;
    private final int groupSize;
    private final int blockSize;
    private final double percDamp;
    private final boolean symmetric;
    private final boolean actOrder;

    private Gptq(Builder b) {
        this.bits = b.bits;
        this.groupSize = b.groupSize;
        this.blockSize = b.blockSize;
        this.percDamp = b.percDamp;
        this.symmetric = b.symmetric;
        this.actOrder = b.actOrder;
    }

    /**
     * A builder with gptq.py's defaults: 4 bits, per channel ({@code groupSize −1}), blocks of 128 columns, 1 %
     * damping, asymmetric grid, no act-order.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bit width.
     *
     * @return 4 or 8
     */
    public int bits() {
        return bits;
    }

    /**
     * The group size.
     *
     * @return the columns per group, or −1 for one grid per row
     */
    public int groupSize() {
        return groupSize;
    }

    /**
     * The lazy-batch block size.
     *
     * @return columns per block
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The damping, as a fraction of the mean Hessian diagonal.
     *
     * @return percDamp
     */
    public double percDamp() {
        return percDamp;
    }

    /**
     * Whether the grid is symmetric.
     *
     * @return {@code true} for gptq.py's {@code sym=True}
     */
    public boolean symmetric() {
        return symmetric;
    }

    /**
     * Whether the columns are quantized in order of decreasing Hessian diagonal.
     *
     * @return {@code true} for act-order
     */
    public boolean actOrder() {
        return actOrder;
    }

    /**
     * Quantizes a weight with GPTQ, using the calibration inputs the layer sees.
     *
     * @param w the weight, {@code [out, in]} ({@code nn.Linear} layout)
     * @param x calibration inputs, {@code [samples, in]} (one row per token the layer sees)
     * @return unsigned codes with one (scale, zero point) per row or per group, and the permutation and group index
     *     when act-order is on
     * @throws IllegalArgumentException if a tensor is not 2-D, the inner dimensions differ, there are no samples,
     *     {@code groupSize} does not divide {@code in}, an element is not finite or the damped Hessian is not
     *     positive definite
     */
    public QuantizedTensor quantize(Tensor w, Tensor x) {
        checkWeight(w);
        if (x.rank() != 2) {
            throw new IllegalArgumentException("x must be 2-D [samples, in], got shape " + Arrays.toString(x.shape()));
        }
        if (x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("x shape " + Arrays.toString(x.shape()) + " must have in = " + w.dim(1)
                    + " columns to match w shape " + Arrays.toString(w.shape()));
        }
        if (x.dim(0) < 1) {
            throw new IllegalArgumentException(
                    "x must hold at least one sample, got shape " + Arrays.toString(x.shape()));
        }
        LinearQuantizer.checkFinite(x.data(), "x");
        return quantizeWithHessian(w, hessian(x));
    }

    /**
     * Quantizes a weight with GPTQ given the Hessian {@code H = 2 XᵀX / n} directly (e.g. accumulated over many
     * calibration batches with {@link #hessian(Tensor)}). The array is not modified.
     *
     * @param w the weight, {@code [out, in]}
     * @param h the Hessian, {@code [in, in]} row-major, symmetric
     * @return as {@link #quantize(Tensor, Tensor)}
     * @throws IllegalArgumentException if {@code h.length != in²}, or as {@link #quantize(Tensor, Tensor)}
     */
    public QuantizedTensor quantizeWithHessian(Tensor w, double[] h) {
        checkWeight(w);
        int rows = w.dim(0);
        int cols = w.dim(1);
        if (h.length != (long) cols * cols) {
            throw new IllegalArgumentException("h.length must be in² = " + ((long) cols * cols) + " for w shape "
                    + Arrays.toString(w.shape()) + ", got " + h.length);
        }
        double[] hh = h.clone();
        double[] wd = new double[rows * cols];
        float[] wf = w.data();
        for (int i = 0; i < wd.length; i++) {
            wd[i] = wf[i];
        }
        // Inputs that are always zero say nothing about their weights: zero them and make H invertible there.
        for (int j = 0; j < cols; j++) {
            if (hh[j * cols + j] == 0) {
                hh[j * cols + j] = 1;
                for (int r = 0; r < rows; r++) {
                    wd[r * cols + j] = 0;
                }
            }
        }
        int[] perm = null;
        if (actOrder) {
            perm = actOrder(hh, cols);
            wd = permuteColumns(wd, rows, cols, perm);
            hh = permuteSymmetric(hh, cols, perm);
        }
        double[] u = inverseCholeskyUpper(hh, cols, percDamp);
        return run(wd, rows, cols, u, perm);
    }

    /**
     * The Hessian of the layer's squared output error, {@code H = 2 XᵀX / n}, in double.
     *
     * @param x calibration inputs {@code [samples, in]}
     * @return {@code [in, in]} row-major
     * @throws IllegalArgumentException if x is not 2-D
     */
    public static double[] hessian(Tensor x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("x must be 2-D [samples, in], got shape " + Arrays.toString(x.shape()));
        }
        int n = x.dim(0);
        int cols = x.dim(1);
        // Transpose to [in, samples] in double so each entry is one contiguous dot product.
        double[] xt = new double[cols * n];
        float[] xd = x.data();
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < cols; j++) {
                xt[j * n + s] = xd[s * cols + j];
            }
        }
        double[] h = new double[cols * cols];
        double factor = n == 0 ? 0 : 2.0 / n;
        Parallel.forRange(0, cols, 8, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                for (int j = 0; j <= i; j++) {
                    double acc = 0;
                    for (int s = 0, a = i * n, b = j * n; s < n; s++) {
                        acc += xt[a + s] * xt[b + s];
                    }
                    h[i * cols + j] = factor * acc;
                }
            }
        });
        for (int i = 0; i < cols; i++) {
            for (int j = i + 1; j < cols; j++) {
                h[i * cols + j] = h[j * cols + i];
            }
        }
        return h;
    }

    /**
     * Round-to-nearest with the same grid and granularity and no error feedback: the baseline GPTQ is measured
     * against ({@code RTN} in the paper and the golden file).
     *
     * @param w the weight, {@code [out, in]}
     * @return codes, scales and zero points
     * @throws IllegalArgumentException if w is not 2-D, {@code groupSize} does not divide {@code in}, or an element
     *     is not finite
     */
    public QuantizedTensor roundToNearest(Tensor w) {
        checkWeight(w);
        int rows = w.dim(0);
        int cols = w.dim(1);
        int gs = groupSize == -1 ? cols : groupSize;
        int groups = cols / gs;
        MinMaxGrid grid = new MinMaxGrid(bits, symmetric, true);
        byte[] codes = new byte[rows * cols];
        float[] scales = new float[rows * groups];
        int[] zeros = new int[rows * groups];
        double[] row = new double[cols];
        double[] p = new double[2];
        float[] wf = w.data();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                row[c] = wf[r * cols + c];
            }
            for (int g = 0; g < groups; g++) {
                grid.params(row, g * gs, (g + 1) * gs, p);
                scales[r * groups + g] = (float) p[0];
                zeros[r * groups + g] = (int) p[1];
                for (int c = g * gs; c < (g + 1) * gs; c++) {
                    codes[r * cols + c] = (byte) grid.code(row[c], p[0], p[1]);
                }
            }
        }
        return new QuantizedTensor(w.shape(), scheme(), codes, scales, zeros, new int[] {rows, groups}, gs);
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

    /** The layout the codes follow: unsigned, 4 or 8 bits, zero point per group (midpoint when symmetric). */
    private LinearQuantizer scheme() {
        LinearQuantizer.Builder b = LinearQuantizer.builder()
                .bits(bits)
                .symmetric(symmetric)
                .signed(false)
                .fullRange(true);
        return (groupSize == -1 ? b.perChannel() : b.perGroup(groupSize)).build();
    }

    /** Columns sorted by decreasing Hessian diagonal (ties keep their order): gptq.py's {@code act_order}. */
    private static int[] actOrder(double[] h, int cols) {
        Integer[] idx = new Integer[cols];
        for (int i = 0; i < cols; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(h[b * cols + b], h[a * cols + a]));
        int[] perm = new int[cols];
        for (int i = 0; i < cols; i++) {
            perm[i] = idx[i];
        }
        return perm;
    }

    private static double[] permuteColumns(double[] w, int rows, int cols, int[] perm) {
        double[] out = new double[w.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = w[r * cols + perm[j]];
            }
        }
        return out;
    }

    private static double[] permuteSymmetric(double[] h, int cols, int[] perm) {
        double[] out = new double[h.length];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = h[perm[i] * cols + perm[j]];
            }
        }
        return out;
    }

    /**
     * Damps H, then returns U with H⁻¹ = UᵀU: Cholesky of H, {@code cholesky_inverse}, Cholesky of the inverse
     * (upper), as gptq.py. The inverse's factor holds, in row j, exactly the coefficients that spread column j's
     * error over the later columns (the paper's Cholesky reformulation of the OBS update).
     */
    static double[] inverseCholeskyUpper(double[] h, int cols, double percDamp) {
        double mean = 0;
        for (int j = 0; j < cols; j++) {
            mean += h[j * cols + j];
        }
        mean /= cols;
        double damp = percDamp * mean;
        DMatrixRMaj hm = new DMatrixRMaj(cols, cols);
        System.arraycopy(h, 0, hm.data, 0, h.length);
        for (int j = 0; j < cols; j++) {
            hm.data[j * cols + j] += damp;
        }
        CholeskyDecomposition_F64<DMatrixRMaj> lower = DecompositionFactory_DDRM.chol(cols, true);
        if (!lower.decompose(hm) || !positiveDiagonal(lower.getT(null), cols)) {
            throw new IllegalArgumentException("the damped Hessian is not positive definite with percDamp " + percDamp
                    + "; expected a larger percDamp or more calibration samples");
        }
        DMatrixRMaj l = lower.getT(null);
        TriangularSolver_DDRM.invertLower(l.data, cols);
        DMatrixRMaj hinv = new DMatrixRMaj(cols, cols);
        CommonOps_DDRM.multTransA(l, l, hinv); // (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹
        CholeskyDecomposition_F64<DMatrixRMaj> upper = DecompositionFactory_DDRM.chol(cols, false);
        if (!upper.decompose(hinv) || !positiveDiagonal(upper.getT(null), cols)) {
            throw new IllegalArgumentException("the inverse of the damped Hessian is not positive definite"
                    + " (ill-conditioned) with percDamp " + percDamp + "; expected a larger percDamp");
        }
        return upper.getT(null).data;
    }

    /**
     * EJML may finish the factorisation of a (numerically) singular matrix with a tiny, zero or NaN pivot; a pivot
     * ratio below 1e−7 (condition number above about 1e14) is treated as singular.
     */
    private static boolean positiveDiagonal(DMatrixRMaj t, int n) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int j = 0; j < n; j++) {
            double d = t.data[j * n + j];
            if (!(d > 0) || Double.isInfinite(d)) {
                return false;
            }
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        return min > 1e-7 * max;
    }

    /** The column loop with lazy batch updates, rows in parallel; w is in processing order. */
    private QuantizedTensor run(double[] w, int rows, int cols, double[] u, int[] perm) {
        int gs = groupSize == -1 ? cols : groupSize;
        int groups = cols / gs;
        MinMaxGrid grid = new MinMaxGrid(bits, symmetric, true);
        byte[] codes = new byte[rows * cols];
        float[] scales = new float[rows * groups];
        int[] zeros = new int[rows * groups];
        Parallel.forRange(0, rows, 4, (lo, hi) -> {
            double[] p = new double[2];
            double[] scale = new double[hi - lo];
            double[] zero = new double[hi - lo];
            double[] err = new double[(hi - lo) * blockSize];
            if (groupSize == -1) { // one grid per row, from the weights before any update (gptq.py find_params(W))
                for (int r = lo; r < hi; r++) {
                    grid.params(w, r * cols, (r + 1) * cols, p);
                    scale[r - lo] = p[0];
                    zero[r - lo] = p[1];
                    scales[r] = (float) p[0];
                    zeros[r] = (int) p[1];
                }
            }
            for (int i1 = 0; i1 < cols; ) {
                int i2 = Math.min(cols, i1 + blockSize);
                if (groupSize != -1) {
                    i2 = Math.min(i2, (i1 / gs + 1) * gs); // a block never straddles a group start
                }
                int nb = i2 - i1;
                for (int r = lo; r < hi; r++) {
                    int base = r * cols;
                    int e = (r - lo) * blockSize;
                    for (int i = i1; i < i2; i++) {
                        if (groupSize != -1 && i % gs == 0) {
                            grid.params(w, base + i, base + i + gs, p);
                            scale[r - lo] = p[0];
                            zero[r - lo] = p[1];
                            scales[r * groups + i / gs] = (float) p[0];
                            zeros[r * groups + i / gs] = (int) p[1];
                        }
                        double s = scale[r - lo];
                        double z = zero[r - lo];
                        double wi = w[base + i];
                        int q = grid.code(wi, s, z);
                        codes[base + (perm == null ? i : perm[i])] = (byte) q;
                        double ei = (wi - MinMaxGrid.value(q, s, z)) / u[i * cols + i];
                        err[e + i - i1] = ei;
                        for (int k = i + 1, uo = i * cols; k < i2; k++) {
                            w[base + k] -= ei * u[uo + k];
                        }
                    }
                }
                // Lazy batch: the rest of each row receives the whole block's errors at once.
                for (int b = 0; b < nb; b++) {
                    int uo = (i1 + b) * cols;
                    for (int r = lo; r < hi; r++) {
                        double eb = err[(r - lo) * blockSize + b];
                        if (eb == 0) {
                            continue;
                        }
                        for (int k = i2, base = r * cols; k < cols; k++) {
                            w[base + k] -= eb * u[uo + k];
                        }
                    }
                }
                i1 = i2;
            }
        });
        int[] groupIndex = null;
        if (perm != null && groupSize != -1) {
            groupIndex = new int[cols];
            for (int j = 0; j < cols; j++) {
                groupIndex[perm[j]] = j / gs;
            }
        }
        return new QuantizedTensor(
                new int[] {rows, cols}, scheme(), codes, scales, zeros, new int[] {rows, groups}, gs, perm, groupIndex);
    }

    @Override
    public String toString() {
        return "Gptq[bits " + bits + ", " + (groupSize == -1 ? "per channel" : "group " + groupSize) + ", block "
                + blockSize + ", percDamp " + percDamp + (symmetric ? ", symmetric" : ", asymmetric")
                + (actOrder ? ", act-order" : "") + "]";
    }

    /** Builds a {@link Gptq}; every setting is validated when it is set. */
    public static final class Builder {
        private int bits = 4;
        private int groupSize = -1;
        private int blockSize = 128;
        private double percDamp = 0.01;
        private boolean symmetric;
        private boolean actOrder;

        private Builder() {}

        /**
         * The bit width of the codes.
         *
         * @param bits 4 or 8 (the widths {@link QuantizedTensor} stores)
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
         * The number of consecutive columns (in processing order) that share one grid.
         *
         * @param groupSize ≥ 1, or −1 for one grid per row (default)
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
         * The number of columns per lazy batch update (speed only, see the class comment).
         *
         * @param blockSize ≥ 1 (default 128)
         * @return this builder
         * @throws IllegalArgumentException if {@code blockSize < 1}
         */
        public Builder blockSize(int blockSize) {
            if (blockSize < 1) {
                throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
            }
            this.blockSize = blockSize;
            return this;
        }

        /**
         * The damping added to the Hessian diagonal, as a fraction of its mean.
         *
         * @param percDamp finite, ≥ 0 (default 0.01)
         * @return this builder
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder percDamp(double percDamp) {
            if (!(percDamp >= 0) || Double.isInfinite(percDamp)) {
                throw new IllegalArgumentException("percDamp must be finite and >= 0, got " + percDamp);
            }
            this.percDamp = percDamp;
            return this;
        }

        /**
         * Symmetric grid (gptq.py {@code sym=True}) instead of the asymmetric default.
         *
         * @param symmetric {@code true} for symmetric
         * @return this builder
         */
        public Builder symmetric(boolean symmetric) {
            this.symmetric = symmetric;
            return this;
        }

        /**
         * Quantize the columns in order of decreasing Hessian diagonal (gptq.py {@code act_order}).
         *
         * @param actOrder {@code true} for act-order
         * @return this builder
         */
        public Builder actOrder(boolean actOrder) {
            this.actOrder = actOrder;
            return this;
        }

        /**
         * Builds the quantizer.
         *
         * @return an immutable quantizer
         */
        public Gptq build() {
            return new Gptq(this);
        }
    }
}
