package org.llm4e.positional;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * Clipped relative positions (Shaw, Uszkoreit and Vaswani, 2018, "Self-Attention with Relative Position
 * Representations"): pairs further apart than {@code k} share one representation, so only {@code 2k + 1} relative
 * positions are learned, whatever the sequence length.
 *
 * <pre>
 *   clip(x, k) = max(−k, min(k, x))
 *   a_{ij} = w_{clip(j − i, k)}            2k + 1 learned values per head, index clip(j − i, k) + k
 *   bias(h, i, j) = w[h, clip(j − i, k) + k]
 * </pre>
 *
 * <p>Article: 什么是大模型的位置编码Position-Encoding.md §6 (asset 03.png) shows the 7×7 matrix of
 * {@code w_{clip(j−i, −3, 3)}} for i, j ∈ 0..6, which {@link #relativeIndexMatrix(int, int)} reproduces. Shaw et al.
 * learn a vector {@code a^K_{ij} ∈ R^{d}} added to the key ({@code e_ij = q_i·(k_j + a^K_{ij})/√d}); this class keeps
 * one learned scalar per head and clipped distance, the form that fits an {@link AttentionBias} (it is the bias the
 * vector form produces for a fixed query, and the scalar form later used by T5 with buckets instead of clipping).
 *
 * <p>Stateful like every layer: the weight and its gradient are live arrays. {@link #bias(int, int, int)} is safe for
 * concurrent reads.
 */
public final class ShawRelativePosition implements AttentionBias {
    private final int heads;
    private final int maxRelativePosition;
    private final Parameter weight;

    /**
     * Wraps a weight {@code [heads, 2k + 1]}.
     *
     * @param heads the number of heads, ≥ 1
     * @param maxRelativePosition the clipping distance k, ≥ 0
     * @param weight {@code heads * (2k + 1)} values, wrapped; entry {@code [h, r + k]} is the bias of distance r
     * @throws IllegalArgumentException if a parameter is out of range or {@code weight} has the wrong length
     */
    public ShawRelativePosition(int heads, int maxRelativePosition, float[] weight) {
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        }
        if (maxRelativePosition < 0 || maxRelativePosition > (1 << 28)) {
            throw new IllegalArgumentException("maxRelativePosition must be in [0, 2^28], got " + maxRelativePosition);
        }
        Objects.requireNonNull(weight, "weight");
        long expected = (long) heads * (2L * maxRelativePosition + 1);
        if (weight.length != expected) {
            throw new IllegalArgumentException("weight.length must be heads * (2 * maxRelativePosition + 1) = "
                    + expected + ", got " + weight.length);
        }
        this.heads = heads;
        this.maxRelativePosition = maxRelativePosition;
        this.weight = new Parameter("relative_position.weight", weight);
    }

    /**
     * A bias with normally distributed initial weights.
     *
     * @param heads the number of heads, ≥ 1
     * @param maxRelativePosition the clipping distance k, ≥ 0
     * @param std the initial standard deviation, ≥ 0
     * @param seed the seed of {@link Tensor#randn(long, int...)}
     * @return a new bias
     * @throws IllegalArgumentException if a parameter is out of range
     */
    public static ShawRelativePosition random(int heads, int maxRelativePosition, double std, long seed) {
        if (!(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("std must be finite and >= 0, got " + std);
        }
        if (heads < 1 || maxRelativePosition < 0) {
            throw new IllegalArgumentException("heads must be >= 1 and maxRelativePosition >= 0, got heads=" + heads
                    + ", maxRelativePosition=" + maxRelativePosition);
        }
        float[] w = Tensor.randn(seed, heads, 2 * maxRelativePosition + 1).data();
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (w[i] * std);
        }
        return new ShawRelativePosition(heads, maxRelativePosition, w);
    }

    /**
     * The clipped relative position.
     *
     * @param relativePosition {@code j − i}
     * @param k the clipping distance, ≥ 0
     * @return {@code max(−k, min(k, relativePosition))}
     * @throws IllegalArgumentException if {@code k} is negative
     */
    public static int clip(int relativePosition, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        return Math.max(-k, Math.min(k, relativePosition));
    }

    /**
     * The article's figure: the matrix of clipped relative positions {@code clip(j − i, k)} for i, j in [0, n).
     *
     * @param n the sequence length, ≥ 0
     * @param k the clipping distance, ≥ 0
     * @return {@code m[i][j] = clip(j − i, k)}, so the learned value used at (i, j) is {@code w_{m[i][j]}}
     * @throws IllegalArgumentException if {@code n} or {@code k} is negative
     */
    public static int[][] relativeIndexMatrix(int n, int k) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        int[][] m = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = clip(j - i, k);
            }
        }
        return m;
    }

    /**
     * {@inheritDoc}
     *
     * @param head the head, in [0, heads)
     * @param query the query position i
     * @param key the key position j
     * @return {@code w[head, clip(j − i, k) + k]}
     * @throws IllegalArgumentException if {@code head} is out of range
     */
    @Override
    public float bias(int head, int query, int key) {
        if (head < 0 || head >= heads) {
            throw new IllegalArgumentException("head must be in [0, " + heads + "), got " + head);
        }
        int k = maxRelativePosition;
        long rel = (long) key - query;
        int clipped = (int) Math.max(-k, Math.min(k, rel));
        return weight.data()[head * (2 * k + 1) + clipped + k];
    }

    /**
     * Accumulates the weight gradient from the gradient of the scores:
     * {@code dw[h, clip(j − i, k) + k] += Σ_batch dS[b, h, i, j]}.
     *
     * @param dScores {@code [heads, queries, keys]} or {@code [batch, heads, queries, keys]}
     * @throws IllegalArgumentException if the shape does not match
     */
    public void backward(Tensor dScores) {
        Objects.requireNonNull(dScores, "dScores");
        int[] s = dScores.shape();
        if (!(s.length == 3 || s.length == 4) || s[s.length - 3] != heads) {
            throw new IllegalArgumentException("dScores must have shape [heads, queries, keys] or [batch, heads, "
                    + "queries, keys] with heads=" + heads + ", got " + Arrays.toString(s));
        }
        int batch = s.length == 4 ? s[0] : 1;
        int queries = s[s.length - 2];
        int keys = s[s.length - 1];
        int k = maxRelativePosition;
        int width = 2 * k + 1;
        float[] g = dScores.data();
        float[] dw = weight.grad();
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int base = (b * heads + h) * queries * keys;
                for (int i = 0; i < queries; i++) {
                    for (int j = 0; j < keys; j++) {
                        dw[h * width + clip(j - i, k) + k] += g[base + i * keys + j];
                    }
                }
            }
        }
    }

    /**
     * The trainable weight.
     *
     * @return a one-element list: {@code relative_position.weight} {@code [heads, 2k + 1]}
     */
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    /**
     * The number of heads.
     *
     * @return heads
     */
    public int heads() {
        return heads;
    }

    /**
     * The clipping distance.
     *
     * @return k
     */
    public int maxRelativePosition() {
        return maxRelativePosition;
    }
}
