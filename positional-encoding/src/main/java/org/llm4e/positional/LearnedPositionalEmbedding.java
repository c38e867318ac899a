package org.llm4e.positional;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * A learned absolute position table (BERT, GPT-2's {@code wpe}): a trainable matrix {@code P ∈ R^{maxLen × d}} whose
 * row {@code pos} is added to the embedding of the token at that position.
 *
 * <pre>
 *   forward:   y_t = P[pos_t]                       (a lookup, [n, d])
 *   backward:  ∂L/∂P[p] += Σ_{t : pos_t = p} ∂L/∂y_t   (scatter-add; rows never looked up get no gradient)
 * </pre>
 *
 * <p>Article: 什么是大模型的位置编码Position-Encoding.md §4 describes learned encodings only as "parameters learned in
 * training", with no formula beyond the table; the article also (wrongly) lists them as relative encodings — they are
 * absolute. The table cannot represent positions ≥ maxLen, which is the extrapolation problem relative encodings and
 * RoPE address. Initialisation: normal with standard deviation 0.02, as GPT-2.
 *
 * <p>Stateful: {@link #parameters()} exposes the live table and gradient for the optimizers. Not thread-safe during
 * {@link #backward(int[], Tensor)}.
 */
public final class LearnedPositionalEmbedding {
    private final int maxLen;
    private final int dim;
    private final Parameter weight;

    /**
     * Wraps a table {@code [maxLen, dim]}.
     *
     * @param maxLen the number of positions, ≥ 1
     * @param dim the embedding dimension, ≥ 1
     * @param weight {@code maxLen * dim} values, row-major, wrapped
     * @throws IllegalArgumentException if a size is out of range or {@code weight} has the wrong length
     */
    public LearnedPositionalEmbedding(int maxLen, int dim, float[] weight) {
        if (maxLen < 1 || dim < 1) {
            throw new IllegalArgumentException("maxLen and dim must be >= 1, got maxLen=" + maxLen + ", dim=" + dim);
        }
        Objects.requireNonNull(weight, "weight");
        if (weight.length != (long) maxLen * dim) {
            throw new IllegalArgumentException(
                    "weight.length must be maxLen * dim = " + ((long) maxLen * dim) + ", got " + weight.length);
        }
        this.maxLen = maxLen;
        this.dim = dim;
        this.weight = new Parameter("wpe.weight", weight);
    }

    /**
     * A table initialised with normal values of standard deviation 0.02 (GPT-2).
     *
     * @param maxLen the number of positions, ≥ 1
     * @param dim the embedding dimension, ≥ 1
     * @param seed the seed of {@link Tensor#randn(long, int...)}
     * @return a new embedding
     * @throws IllegalArgumentException if a size is out of range
     */
    public static LearnedPositionalEmbedding random(int maxLen, int dim, long seed) {
        if (maxLen < 1 || dim < 1) {
            throw new IllegalArgumentException("maxLen and dim must be >= 1, got maxLen=" + maxLen + ", dim=" + dim);
        }
        float[] w = Tensor.randn(seed, maxLen, dim).data();
        for (int i = 0; i < w.length; i++) {
            w[i] *= 0.02f;
        }
        return new LearnedPositionalEmbedding(maxLen, dim, w);
    }

    private void checkPositions(int[] positions) {
        Objects.requireNonNull(positions, "positions");
        for (int t = 0; t < positions.length; t++) {
            if (positions[t] < 0 || positions[t] >= maxLen) {
                throw new IllegalArgumentException("positions[" + t + "] must be in [0, maxLen = " + maxLen + "), got "
                        + positions[t] + " (a learned table cannot extrapolate)");
            }
        }
    }

    /**
     * Looks up the rows of the given positions.
     *
     * @param positions the positions, each in [0, maxLen)
     * @return a new {@code [positions.length, dim]} tensor
     * @throws IllegalArgumentException if a position is out of range
     */
    public Tensor forward(int[] positions) {
        checkPositions(positions);
        Tensor out = Tensor.zeros(positions.length, dim);
        for (int t = 0; t < positions.length; t++) {
            System.arraycopy(weight.data(), positions[t] * dim, out.data(), t * dim, dim);
        }
        return out;
    }

    /**
     * Adds the encodings of positions {@code start, start + 1, …} to a batch of embeddings in place.
     *
     * @param x {@code [seq, dim]} or {@code [batch, seq, dim]}
     * @param start the position of sequence index 0, ≥ 0
     * @throws IllegalArgumentException if the shape does not match or a position is out of range
     */
    public void addTo(Tensor x, int start) {
        Objects.requireNonNull(x, "x");
        int[] s = x.shape();
        if (!(s.length == 2 || s.length == 3) || s[s.length - 1] != dim) {
            throw new IllegalArgumentException("x must have shape [seq, dim] or [batch, seq, dim] with dim=" + dim
                    + ", got " + Arrays.toString(s));
        }
        int seq = s[s.length - 2];
        if (start < 0 || (long) start + seq > maxLen) {
            throw new IllegalArgumentException(
                    "start must be in [0, maxLen - seq] = [0, " + (maxLen - seq) + "], got " + start);
        }
        int batch = s.length == 3 ? s[0] : 1;
        float[] xd = x.data();
        float[] w = weight.data();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int xo = (b * seq + t) * dim;
                int wo = (start + t) * dim;
                for (int i = 0; i < dim; i++) {
                    xd[xo + i] += w[wo + i];
                }
            }
        }
    }

    /**
     * The gradient of a lookup: scatter-adds {@code dOut[t]} into row {@code positions[t]} of the table's gradient.
     *
     * @param positions the positions of the forward pass
     * @param dOut the upstream gradient {@code [positions.length, dim]}
     * @throws IllegalArgumentException if the shape does not match or a position is out of range
     */
    public void backward(int[] positions, Tensor dOut) {
        checkPositions(positions);
        Objects.requireNonNull(dOut, "dOut");
        if (dOut.rank() != 2 || dOut.dim(0) != positions.length || dOut.dim(1) != dim) {
            throw new IllegalArgumentException("dOut must have shape [" + positions.length + ", " + dim + "], got "
                    + Arrays.toString(dOut.shape()));
        }
        float[] g = weight.grad();
        float[] d = dOut.data();
        for (int t = 0; t < positions.length; t++) {
            int wo = positions[t] * dim;
            for (int i = 0; i < dim; i++) {
                g[wo + i] += d[t * dim + i];
            }
        }
    }

    /**
     * The trainable table.
     *
     * @return a one-element list: {@code wpe.weight} {@code [maxLen, dim]}
     */
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    /**
     * The table size.
     *
     * @return maxLen
     */
    public int maxLen() {
        return maxLen;
    }

    /**
     * The embedding dimension.
     *
     * @return dim
     */
    public int dim() {
        return dim;
    }
}
