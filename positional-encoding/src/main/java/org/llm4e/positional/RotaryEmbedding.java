package org.llm4e.positional;

import java.util.Arrays;
import java.util.Objects;
import org.llm4e.core.Parallel;
import org.llm4e.core.Simd;
import org.llm4e.core.Tensor;
import org.llm4e.positional.internal.RopeKernel;
import org.llm4e.positional.internal.ScalarRopeKernel;

/**
 * Rotary position embedding (RoPE, Su et al., RoFormer): rotate each 2-D pair of a query or key head vector by an
 * angle proportional to the token's position, so that the dot product of a rotated query and a rotated key depends
 * only on their distance.
 *
 * <pre>
 *   θ_j = base^(−2j/d),  j = 0 … d/2 − 1            (then scaled by a {@link RopeScaling})
 *   f(x, m) = R^d_{Θ,m} x,    R^d_{Θ,m} = diag(R(mθ_0), …, R(mθ_{d/2−1})),   R(α) = [[cos α, −sin α], [sin α, cos α]]
 *   ⟨f(q, m), f(k, n)⟩ = qᵀ R(mθ)ᵀ R(nθ) k = qᵀ R((n − m)θ) k        depends on m − n only
 *   fast form:  x' = x ⊙ cos(mθ) + rot(x) ⊙ sin(mθ),   rot(a, b) = (−b, a) per pair
 * </pre>
 *
 * <p>Articles: 从欧拉公式的美到旋转位置编码RoPE.md (ROPE §3–5), 复变函数在大模型位置编码中的应用.md (COMPLEX §4),
 * 什么是大模型的位置编码Position-Encoding.md (PE §8–9). <b>Erratum:</b> the last line of ROPE img 20 (PE/COMPLEX img 6)
 * writes the middle matrix as {@code [[cos (m−n)θ, −sin (m−n)θ], [sin (m−n)θ, cos (m−n)θ]]}; the product
 * {@code R(mθ)ᵀ R(nθ)} is {@code R((n−m)θ)}, whose off-diagonal signs are the opposite. For q = (0.3, −1.2),
 * k = (0.7, 0.5), θ = 0.37, m = 5, n = 2 the true score is 0.713324 and the printed matrix would give −1.060160.
 * The articles index θ 1-based in the formula and 0-based in the matrix; both describe the same set.
 *
 * <p>Layouts ({@link RopeLayout}): {@code HALF} pairs (j, j + d/2) and matches Hugging Face Llama's
 * {@code apply_rotary_pos_emb}; {@code INTERLEAVED} pairs (2j, 2j + 1) and matches RoFormer and Meta's
 * {@code apply_rotary_emb} ({@code view_as_complex}). The three computations a learner can compare — multiplication
 * by {@code e^{imθ}}, the block-diagonal matrix, and the element-wise form — are in {@link RotaryForms}; this class is
 * the element-wise form, in double for {@link #rotate(double[], int, int)} and in float32 with a precomputed cos/sin
 * table for the tensor methods.
 *
 * <p><b>Numbers.</b> Angles {@code m·θ'_j} and their cos/sin are computed in double and rounded to float32 once, so
 * positions up to 131,072 and beyond keep their accuracy; Hugging Face and Meta compute the angles in float32 and
 * differ from the exact rotation by up to ~5e-3 at position 131,071. The cache holds positions
 * {@code [0, maxPosition)}; later positions are computed on the fly with the same code and give identical values,
 * never an error. With YaRN, cos and sin are multiplied by {@link #attentionScaling()} as transformers does, so the
 * rotation then scales norms by that factor.
 *
 * <p>Matches transformers' {@code LlamaRotaryEmbedding} + {@code apply_rotary_pos_emb} (HALF) and Meta's Llama
 * reference (INTERLEAVED), computed in double. Immutable and thread-safe; the tensor methods use the library pool.
 */
public final class RotaryEmbedding {
    private static final RopeKernel BEST_KERNEL = Simd.load(
            RopeKernel.class, "org.llm4e.positional.internal.simd.PanamaRopeKernel", ScalarRopeKernel.INSTANCE);
    /** Elements per parallel chunk worth a thread. */
    private static final int GRAIN_ELEMENTS = 1 << 15;

    private final int headDim;
    private final int half;
    private final double base;
    private final RopeLayout layout;
    private final RopeScaling scaling;
    private final int maxPosition;
    private final boolean simd;
    private final double[] invFreq;
    private final double attentionScaling;
    private final float[] cosCache;
    private final float[] sinCache;
    private final RopeKernel kernel;
    private volatile RotaryEmbedding lastForLength;

    private RotaryEmbedding(Builder b) {
        this.headDim = b.headDim;
        this.half = b.headDim / 2;
        this.base = b.base;
        this.layout = b.layout;
        this.scaling = b.scaling;
        this.maxPosition = b.maxPosition;
        this.simd = b.simd;
        this.invFreq = scaling.inverseFrequencies(base, headDim);
        if (invFreq.length != half) {
            throw new IllegalStateException(
                    "scaling " + scaling + " returned " + invFreq.length + " frequencies, expected " + half);
        }
        this.attentionScaling = scaling.attentionScaling();
        this.kernel = simd ? BEST_KERNEL : ScalarRopeKernel.INSTANCE;
        long cacheSize = (long) maxPosition * half;
        if (cacheSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxPosition * headDim / 2 must fit in an array, got maxPosition="
                    + maxPosition + ", headDim=" + headDim);
        }
        this.cosCache = new float[(int) cacheSize];
        this.sinCache = new float[(int) cacheSize];
        for (int m = 0; m < maxPosition; m++) {
            fillCosSin(m, cosCache, sinCache, m * half);
        }
    }

    /**
     * Starts a builder: base 10000, {@link RopeLayout#HALF}, no scaling, {@code maxPosition} 4096.
     *
     * @param headDim the head dimension d, positive and even
     * @return a builder
     * @throws IllegalArgumentException if {@code headDim} is odd or not positive
     */
    public static Builder builder(int headDim) {
        return new Builder(headDim);
    }

    /** Configures a {@link RotaryEmbedding}. Not thread-safe; {@link #build()} may be called repeatedly. */
    public static final class Builder {
        private final int headDim;
        private double base = 10000.0;
        private RopeLayout layout = RopeLayout.HALF;
        private RopeScaling scaling = RopeScaling.none();
        private int maxPosition = 4096;
        private boolean simd = true;

        private Builder(int headDim) {
            checkHeadDim(headDim);
            this.headDim = headDim;
        }

        /**
         * The rotary base ({@code rope_theta}): 10000 in RoFormer and Llama 2, 500000 in Llama 3, 10⁶ in Qwen2.5.
         *
         * @param base finite and &gt; 1
         * @return this builder
         * @throws IllegalArgumentException if {@code base} is out of range
         */
        public Builder base(double base) {
            if (!(base > 1) || !Double.isFinite(base)) {
                throw new IllegalArgumentException("base must be finite and > 1, got " + base);
            }
            this.base = base;
            return this;
        }

        /**
         * Which dimensions form a pair.
         *
         * @param layout {@link RopeLayout#HALF} or {@link RopeLayout#INTERLEAVED}
         * @return this builder
         * @throws IllegalArgumentException if {@code layout} is null
         */
        public Builder layout(RopeLayout layout) {
            if (layout == null) {
                throw new IllegalArgumentException("layout must not be null");
            }
            this.layout = layout;
            return this;
        }

        /**
         * The frequency scaling for long contexts.
         *
         * @param scaling one of the {@link RopeScaling} factories
         * @return this builder
         * @throws IllegalArgumentException if {@code scaling} is null
         */
        public Builder scaling(RopeScaling scaling) {
            if (scaling == null) {
                throw new IllegalArgumentException("scaling must not be null");
            }
            this.scaling = scaling;
            return this;
        }

        /**
         * The number of positions whose cos/sin are precomputed; later positions are computed on the fly.
         *
         * @param maxPosition ≥ 0 (0 disables the cache)
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPosition} is negative
         */
        public Builder maxPosition(int maxPosition) {
            if (maxPosition < 0) {
                throw new IllegalArgumentException("maxPosition must be >= 0, got " + maxPosition);
            }
            this.maxPosition = maxPosition;
            return this;
        }

        /**
         * Whether the float32 path may use the Vector API kernel (when {@code -Dllm4e.simd} and the JVM allow it).
         * {@code false} forces the scalar kernel, for comparisons; both give identical results.
         *
         * @param simd true (default) to allow SIMD
         * @return this builder
         */
        public Builder simd(boolean simd) {
            this.simd = simd;
            return this;
        }

        /**
         * Builds the embedding and fills its cos/sin cache.
         *
         * @return a new immutable embedding
         */
        public RotaryEmbedding build() {
            return new RotaryEmbedding(this);
        }
    }

    static void checkHeadDim(int headDim) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException(
                    "headDim must be positive and even (RoPE rotates pairs of dimensions), got " + headDim);
        }
    }

    private static void checkPosition(String name, long position) {
        if (position < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + position);
        }
    }

    /** cos and sin of every pair at position m, computed in double and rounded once; the cache uses the same code. */
    private void fillCosSin(int position, float[] cos, float[] sin, int off) {
        for (int j = 0; j < half; j++) {
            double angle = position * invFreq[j];
            cos[off + j] = (float) (Math.cos(angle) * attentionScaling);
            sin[off + j] = (float) (Math.sin(angle) * attentionScaling);
        }
    }

    /**
     * The rotation angle of pair {@code j} at position {@code m}, in double.
     *
     * @param position the position m ≥ 0
     * @param pair the pair index j in [0, d/2)
     * @return {@code m · θ'_j}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public double angle(int position, int pair) {
        checkPosition("position", position);
        if (pair < 0 || pair >= half) {
            throw new IllegalArgumentException("pair must be in [0, " + half + "), got " + pair);
        }
        return position * invFreq[pair];
    }

    /**
     * Rotates one head vector in place (float32, the fast path): {@code x[offset .. offset + d)} becomes
     * {@code R^d_{Θ,m} x} (times {@link #attentionScaling()}).
     *
     * @param x the array holding the vector
     * @param offset where the vector starts
     * @param position the token position m ≥ 0
     * @throws IllegalArgumentException if the position is negative or the vector does not fit in {@code x}
     */
    public void apply(float[] x, int offset, int position) {
        rotateOne(x, offset, position, false);
    }

    /**
     * The backward pass of {@link #apply(float[], int, int)}: the rotation's Jacobian is {@code R(mθ)} (times the
     * attention scaling), so the gradient is rotated by {@code −mθ}: {@code dx = R(mθ)ᵀ dy}, in place.
     *
     * @param grad the array holding the upstream gradient; overwritten by the input gradient
     * @param offset where the vector starts
     * @param position the token position m ≥ 0 used in the forward pass
     * @throws IllegalArgumentException if the position is negative or the vector does not fit in {@code grad}
     */
    public void backward(float[] grad, int offset, int position) {
        rotateOne(grad, offset, position, true);
    }

    private void rotateOne(float[] x, int offset, int position, boolean inverse) {
        Objects.requireNonNull(x, "x");
        checkPosition("position", position);
        if (offset < 0 || (long) offset + headDim > x.length) {
            throw new IllegalArgumentException(
                    "offset must be in [0, x.length - headDim] = [0, " + (x.length - headDim) + "], got " + offset);
        }
        if (position < maxPosition) {
            kernel.rotate(x, offset, x, offset, half, interleaved(), cosCache, sinCache, position * half, inverse);
        } else {
            float[] c = new float[half];
            float[] s = new float[half];
            fillCosSin(position, c, s, 0);
            kernel.rotate(x, offset, x, offset, half, interleaved(), c, s, 0, inverse);
        }
    }

    private boolean interleaved() {
        return layout == RopeLayout.INTERLEAVED;
    }

    /**
     * The element-wise rotation in double, the precise reference of the float32 path:
     * {@code x[offset .. offset + d)} becomes {@code R^d_{Θ,m} x} (times {@link #attentionScaling()}).
     *
     * @param x the array holding the vector
     * @param offset where the vector starts
     * @param position the token position m ≥ 0
     * @throws IllegalArgumentException if the position is negative or the vector does not fit in {@code x}
     */
    public void rotate(double[] x, int offset, int position) {
        Objects.requireNonNull(x, "x");
        checkPosition("position", position);
        if (offset < 0 || (long) offset + headDim > x.length) {
            throw new IllegalArgumentException(
                    "offset must be in [0, x.length - headDim] = [0, " + (x.length - headDim) + "], got " + offset);
        }
        for (int j = 0; j < half; j++) {
            double angle = position * invFreq[j];
            double c = Math.cos(angle) * attentionScaling;
            double s = Math.sin(angle) * attentionScaling;
            int ia = offset + layout.first(j, headDim);
            int ib = offset + layout.second(j, headDim);
            double a = x[ia];
            double b = x[ib];
            x[ia] = a * c - b * s;
            x[ib] = a * s + b * c;
        }
    }

    /**
     * Rotates a {@code [seq, heads, headDim]} tensor (HF's q/k before the transpose): row {@code t} of every head is
     * rotated for position {@code positions[t]}.
     *
     * @param x the input, unchanged
     * @param positions one position ≥ 0 per row of the first dimension
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if the shape or the positions do not fit
     */
    public Tensor apply(Tensor x, int[] positions) {
        Tensor out = Tensor.zeros(x.shape());
        seqHeads(x, positions, out, false);
        return out;
    }

    /**
     * {@link #apply(Tensor, int[])} in place.
     *
     * @param x the {@code [seq, heads, headDim]} tensor to rotate
     * @param positions one position ≥ 0 per row
     * @throws IllegalArgumentException if the shape or the positions do not fit
     */
    public void applyInPlace(Tensor x, int[] positions) {
        seqHeads(x, positions, x, false);
    }

    /**
     * The backward pass of {@link #apply(Tensor, int[])}: rotates the upstream gradient by {@code −mθ}.
     *
     * @param grad the upstream gradient {@code [seq, heads, headDim]}, unchanged
     * @param positions the positions of the forward pass
     * @return the gradient with respect to the input
     * @throws IllegalArgumentException if the shape or the positions do not fit
     */
    public Tensor backward(Tensor grad, int[] positions) {
        Tensor out = Tensor.zeros(grad.shape());
        seqHeads(grad, positions, out, true);
        return out;
    }

    /**
     * Rotates a {@code [batch, heads, seq, headDim]} tensor (the attention layout): element {@code [b, h, t, ·]} is
     * rotated for position {@code positions[t]}, in every batch and head.
     *
     * @param x the input, unchanged
     * @param positions one position ≥ 0 per sequence index
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if the shape or the positions do not fit
     */
    public Tensor applyToHeads(Tensor x, int[] positions) {
        Tensor out = Tensor.zeros(x.shape());
        batchHeads(x, positions, out, false);
        return out;
    }

    /**
     * {@link #applyToHeads(Tensor, int[])} for the contiguous positions {@code start, start + 1, …} (prefill at an
     * offset, or one decode step).
     *
     * @param x the {@code [batch, heads, seq, headDim]} input, unchanged
     * @param start the position of sequence index 0, ≥ 0
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if the shape does not fit or {@code start} is negative
     */
    public Tensor applyToHeads(Tensor x, int start) {
        checkPosition("start", start);
        int seq = x.rank() == 4 ? x.dim(2) : 0;
        return applyToHeads(x, contiguous(start, seq));
    }

    /**
     * {@link #applyToHeads(Tensor, int[])} in place.
     *
     * @param x the {@code [batch, heads, seq, headDim]} tensor to rotate
     * @param positions one position ≥ 0 per sequence index
     * @throws IllegalArgumentException if the shape or the positions do not fit
     */
    public void applyToHeadsInPlace(Tensor x, int[] positions) {
        batchHeads(x, positions, x, false);
    }

    /**
     * The backward pass of {@link #applyToHeads(Tensor, int[])}: rotates the upstream gradient by {@code −mθ}.
     *
     * @param grad the upstream gradient {@code [batch, heads, seq, headDim]}, unchanged
     * @param positions the positions of the forward pass
     * @return the gradient with respect to the input
     * @throws IllegalArgumentException if the shape or the positions do not fit
     */
    public Tensor backwardToHeads(Tensor grad, int[] positions) {
        Tensor out = Tensor.zeros(grad.shape());
        batchHeads(grad, positions, out, true);
        return out;
    }

    private static int[] contiguous(int start, int n) {
        if ((long) start + n - 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("start + seq - 1 must fit in an int, got start=" + start + ", seq=" + n);
        }
        int[] p = new int[n];
        for (int t = 0; t < n; t++) {
            p[t] = start + t;
        }
        return p;
    }

    private void checkPositions(int[] positions, int expected) {
        Objects.requireNonNull(positions, "positions");
        if (positions.length != expected) {
            throw new IllegalArgumentException(
                    "positions.length must equal the sequence length " + expected + ", got " + positions.length);
        }
        for (int t = 0; t < positions.length; t++) {
            if (positions[t] < 0) {
                throw new IllegalArgumentException("positions[" + t + "] must be >= 0, got " + positions[t]);
            }
        }
    }

    private void checkShape(Tensor x, int rank, String expected) {
        Objects.requireNonNull(x, "x");
        if (x.rank() != rank || x.dim(rank - 1) != headDim) {
            throw new IllegalArgumentException("x must have shape " + expected + " with headDim=" + headDim + ", got "
                    + Arrays.toString(x.shape()));
        }
    }

    private void seqHeads(Tensor x, int[] positions, Tensor out, boolean inverse) {
        checkShape(x, 3, "[seq, heads, headDim]");
        int seq = x.dim(0);
        int heads = x.dim(1);
        checkPositions(positions, seq);
        float[] src = x.data();
        float[] dst = out.data();
        int rowSize = heads * headDim;
        int grain = Math.max(1, GRAIN_ELEMENTS / Math.max(1, rowSize));
        Parallel.forRange(0, seq, grain, (lo, hi) -> {
            float[] c = new float[half];
            float[] s = new float[half];
            for (int t = lo; t < hi; t++) {
                int m = positions[t];
                float[] ct = cosCache;
                float[] st = sinCache;
                int csOff = m * half;
                if (m >= maxPosition) {
                    fillCosSin(m, c, s, 0);
                    ct = c;
                    st = s;
                    csOff = 0;
                }
                for (int h = 0; h < heads; h++) {
                    int off = t * rowSize + h * headDim;
                    kernel.rotate(src, off, dst, off, half, interleaved(), ct, st, csOff, inverse);
                }
            }
        });
    }

    private void batchHeads(Tensor x, int[] positions, Tensor out, boolean inverse) {
        checkShape(x, 4, "[batch, heads, seq, headDim]");
        int seq = x.dim(2);
        checkPositions(positions, seq);
        int rows = x.dim(0) * x.dim(1);
        float[] src = x.data();
        float[] dst = out.data();
        int planeSize = seq * headDim;
        int grain = Math.max(1, GRAIN_ELEMENTS / Math.max(1, planeSize));
        // positions beyond the cache: compute their cos/sin once, shared by every (batch, head) plane
        float[] farCos = null;
        float[] farSin = null;
        int[] farIndex = null;
        int far = 0;
        for (int m : positions) {
            if (m >= maxPosition) {
                far++;
            }
        }
        if (far > 0) {
            farCos = new float[far * half];
            farSin = new float[far * half];
            farIndex = new int[seq];
            int f = 0;
            for (int t = 0; t < seq; t++) {
                if (positions[t] >= maxPosition) {
                    fillCosSin(positions[t], farCos, farSin, f * half);
                    farIndex[t] = f++;
                }
            }
        }
        float[] fc = farCos;
        float[] fs = farSin;
        int[] fi = farIndex;
        Parallel.forRange(0, rows, grain, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                for (int t = 0; t < seq; t++) {
                    int m = positions[t];
                    int off = r * planeSize + t * headDim;
                    if (m < maxPosition) {
                        kernel.rotate(src, off, dst, off, half, interleaved(), cosCache, sinCache, m * half, inverse);
                    } else {
                        kernel.rotate(src, off, dst, off, half, interleaved(), fc, fs, fi[t] * half, inverse);
                    }
                }
            }
        });
    }

    /**
     * The inverse frequencies after scaling.
     *
     * @return {@code θ'_j} for j = 0 … d/2 − 1 (a copy)
     */
    public double[] inverseFrequencies() {
        return invFreq.clone();
    }

    /**
     * The factor by which the rotation scales vectors: 1 except with YaRN ({@code 0.1·ln s + 1}).
     *
     * @return the attention scaling
     */
    public double attentionScaling() {
        return attentionScaling;
    }

    /**
     * The embedding to use for a sequence of {@code seqLen} tokens: with {@link RopeScaling#dynamicNtk(double, int)}
     * a new embedding whose base grows with {@code seqLen} beyond the training context; otherwise this embedding.
     *
     * @param seqLen the sequence length (largest position + 1), ≥ 1
     * @return the embedding for that length
     * @throws IllegalArgumentException if {@code seqLen} is not positive
     */
    public RotaryEmbedding forSequenceLength(int seqLen) {
        RopeScaling resolved = scaling.forSequenceLength(seqLen);
        if (resolved.equals(scaling)) {
            return this;
        }
        RotaryEmbedding last = lastForLength;
        if (last != null && last.scaling.equals(resolved)) {
            return last;
        }
        RotaryEmbedding made = builder(headDim)
                .base(base)
                .layout(layout)
                .scaling(resolved)
                .maxPosition(maxPosition)
                .simd(simd)
                .build();
        lastForLength = made;
        return made;
    }

    /**
     * The head dimension.
     *
     * @return d
     */
    public int headDim() {
        return headDim;
    }

    /**
     * The rotary base.
     *
     * @return the configured base (before any NTK adjustment)
     */
    public double base() {
        return base;
    }

    /**
     * The pair layout.
     *
     * @return HALF or INTERLEAVED
     */
    public RopeLayout layout() {
        return layout;
    }

    /**
     * The frequency scaling.
     *
     * @return the scaling this embedding was built with
     */
    public RopeScaling scaling() {
        return scaling;
    }

    /**
     * The size of the cos/sin cache.
     *
     * @return the number of cached positions
     */
    public int maxPosition() {
        return maxPosition;
    }

    /** The kernel class in use, for tests that must know SIMD was really exercised. */
    String kernelName() {
        return kernel.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "RotaryEmbedding[headDim=" + headDim + ", base=" + base + ", layout=" + layout + ", scaling=" + scaling
                + ", maxPosition=" + maxPosition + "]";
    }
}
