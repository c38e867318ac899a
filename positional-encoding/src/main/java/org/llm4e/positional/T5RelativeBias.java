package org.llm4e.positional;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * T5's bucketed relative position bias (Raffel et al., 2020, §2.1): one learned scalar per head and per bucket of the
 * relative position {@code r = j − i}; exact buckets for small distances, logarithmically wider ones up to
 * {@code maxDistance}, one shared bucket beyond.
 *
 * <pre>
 *   bidirectional:  B = numBuckets / 2,  offset = (r &gt; 0) ? B : 0,  n = |r|
 *   causal:         B = numBuckets,      offset = 0,                 n = max(−r, 0)
 *   exact = B / 2
 *   bucket(r) = offset + ( n &lt; exact ? n
 *                          : min(B − 1, exact + ⌊ ln(n / exact) / ln(maxDistance / exact) · (B − exact) ⌋) )
 *   bias(h, i, j) = w[bucket(j − i), h]
 * </pre>
 *
 * <p>Articles: 什么是大模型的位置编码Position-Encoding.md §6 describes relative encodings as "a term depending on the
 * relative position added to the attention scores … learned parameters or other functions" without giving T5's
 * formula; it comes from the T5 paper. Matches Hugging Face {@code T5Attention._relative_position_bucket} (defaults
 * 32 buckets, max distance 128, bidirectional in the encoder and causal in the decoder), including its float32
 * evaluation of the logarithm, and the weight layout of {@code relative_attention_bias} ({@code nn.Embedding(
 * numBuckets, heads)}, so {@code w[bucket * heads + h]}).
 *
 * <p>Stateful like every layer: the weight and its gradient are live arrays. {@link #bias(int, int, int)} is safe for
 * concurrent reads.
 */
public final class T5RelativeBias implements AttentionBias {
    private final int heads;
    private final int numBuckets;
    private final int maxDistance;
    private final boolean bidirectional;
    private final Parameter weight;

    /**
     * Wraps a weight {@code [numBuckets, heads]} (row-major, as HF's {@code relative_attention_bias.weight}).
     *
     * @param heads the number of heads, ≥ 1
     * @param numBuckets the number of buckets, ≥ 2 (even when bidirectional)
     * @param maxDistance the distance from which all positions share the last bucket, &gt; numBuckets / 4
     *     (bidirectional) or numBuckets / 2 (causal)
     * @param bidirectional true for the encoder (both signs), false for the causal decoder
     * @param weight {@code numBuckets * heads} values, wrapped
     * @throws IllegalArgumentException if a parameter is out of range or {@code weight} has the wrong length
     */
    public T5RelativeBias(int heads, int numBuckets, int maxDistance, boolean bidirectional, float[] weight) {
        checkConfig(numBuckets, maxDistance, bidirectional);
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        }
        Objects.requireNonNull(weight, "weight");
        if (weight.length != (long) numBuckets * heads) {
            throw new IllegalArgumentException("weight.length must be numBuckets * heads = " + numBuckets + " * "
                    + heads + " = " + ((long) numBuckets * heads) + ", got " + weight.length);
        }
        this.heads = heads;
        this.numBuckets = numBuckets;
        this.maxDistance = maxDistance;
        this.bidirectional = bidirectional;
        this.weight = new Parameter("relative_attention_bias.weight", weight);
    }

    /**
     * A bias with normally distributed initial weights (standard deviation {@code std}).
     *
     * @param heads the number of heads, ≥ 1
     * @param numBuckets the number of buckets (T5: 32)
     * @param maxDistance the saturation distance (T5: 128)
     * @param bidirectional true for the encoder
     * @param std the initial standard deviation, ≥ 0
     * @param seed the seed of {@link Tensor#randn(long, int...)}
     * @return a new bias
     * @throws IllegalArgumentException if a parameter is out of range
     */
    public static T5RelativeBias random(
            int heads, int numBuckets, int maxDistance, boolean bidirectional, double std, long seed) {
        if (!(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("std must be finite and >= 0, got " + std);
        }
        checkConfig(numBuckets, maxDistance, bidirectional);
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        }
        float[] w = Tensor.randn(seed, numBuckets, heads).data();
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (w[i] * std);
        }
        return new T5RelativeBias(heads, numBuckets, maxDistance, bidirectional, w);
    }

    private static void checkConfig(int numBuckets, int maxDistance, boolean bidirectional) {
        if (numBuckets < 2 || (bidirectional && (numBuckets < 4 || numBuckets % 2 != 0))) {
            throw new IllegalArgumentException(
                    "numBuckets must be >= 2 (even and >= 4 when bidirectional), got " + numBuckets);
        }
        int exact = (bidirectional ? numBuckets / 2 : numBuckets) / 2;
        if (maxDistance <= exact) {
            throw new IllegalArgumentException(
                    "maxDistance must be > the exact range " + exact + ", got " + maxDistance);
        }
    }

    /**
     * T5's bucket of a relative position, as {@code _relative_position_bucket}.
     *
     * @param relativePosition {@code key − query}
     * @param bidirectional true to give positive and negative distances their own buckets
     * @param numBuckets the total number of buckets
     * @param maxDistance distances ≥ this share the last bucket (of each sign)
     * @return the bucket in [0, numBuckets)
     * @throws IllegalArgumentException if the configuration is invalid
     */
    public static int bucket(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        checkConfig(numBuckets, maxDistance, bidirectional);
        int buckets = numBuckets;
        int result = 0;
        long n;
        if (bidirectional) {
            buckets /= 2;
            if (relativePosition > 0) {
                result += buckets;
            }
            n = Math.abs((long) relativePosition);
        } else {
            n = -Math.min((long) relativePosition, 0L);
        }
        int maxExact = buckets / 2;
        if (n < maxExact) {
            return result + (int) n;
        }
        // transformers evaluates this in float32: log(n.float() / max_exact) / log(max_distance / max_exact) * (...)
        float ratio = (float) n / maxExact;
        float scaled = (float) Math.log(ratio);
        scaled = scaled / (float) Math.log((double) maxDistance / maxExact);
        scaled = scaled * (buckets - maxExact);
        long large = maxExact + (long) scaled;
        return result + (int) Math.min(large, buckets - 1);
    }

    /**
     * This bias's bucket of a relative position.
     *
     * @param relativePosition {@code key − query}
     * @return the bucket in [0, numBuckets)
     */
    public int bucket(int relativePosition) {
        return bucket(relativePosition, bidirectional, numBuckets, maxDistance);
    }

    /**
     * {@inheritDoc}
     *
     * @param head the head, in [0, heads)
     * @param query the query position
     * @param key the key position
     * @return {@code w[bucket(key − query), head]}
     * @throws IllegalArgumentException if {@code head} is out of range
     */
    @Override
    public float bias(int head, int query, int key) {
        if (head < 0 || head >= heads) {
            throw new IllegalArgumentException("head must be in [0, " + heads + "), got " + head);
        }
        return weight.data()[bucket(key - query) * heads + head];
    }

    /**
     * Accumulates the weight gradient from the gradient of the scores: every score adds its gradient to its
     * (bucket, head) weight, {@code dw[bucket(j − i), h] += Σ_batch dS[b, h, i, j]}.
     *
     * @param dScores the gradient of the pre-softmax scores, {@code [heads, queries, keys]} or
     *     {@code [batch, heads, queries, keys]}, with query and key indices in this bias's frame
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
        float[] g = dScores.data();
        float[] dw = weight.grad();
        int[] bucketOf = new int[queries + keys - 1];
        for (int r = -(queries - 1); r <= keys - 1; r++) {
            bucketOf[r + queries - 1] = bucket(r);
        }
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int base = (b * heads + h) * queries * keys;
                for (int i = 0; i < queries; i++) {
                    for (int j = 0; j < keys; j++) {
                        dw[bucketOf[j - i + queries - 1] * heads + h] += g[base + i * keys + j];
                    }
                }
            }
        }
    }

    /**
     * The trainable weight.
     *
     * @return a one-element list: {@code relative_attention_bias.weight} {@code [numBuckets, heads]}
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
     * The number of buckets.
     *
     * @return numBuckets
     */
    public int numBuckets() {
        return numBuckets;
    }

    /**
     * The saturation distance.
     *
     * @return maxDistance
     */
    public int maxDistance() {
        return maxDistance;
    }

    /**
     * Whether positive and negative distances have separate buckets.
     *
     * @return true for the encoder form
     */
    public boolean bidirectional() {
        return bidirectional;
    }
}
