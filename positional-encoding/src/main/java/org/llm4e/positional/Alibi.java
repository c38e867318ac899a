package org.llm4e.positional;

import java.util.ArrayList;
import java.util.List;

/**
 * ALiBi, attention with linear biases (Press, Smith and Lewis, 2022, "Train Short, Test Long"): no position is added to
 * the embeddings; instead each head h penalises a score linearly in the distance between query and key.
 *
 * <pre>
 *   bias(h, i, j) = m_h · (j − i)                       (≤ 0 for the keys a causal query sees)
 *   n a power of two:  m_h = 2^(−8(h+1)/n),  h = 0 … n − 1     (n = 8: 1/2, 1/4, …, 1/256)
 *   otherwise:         the slopes of p = 2^⌊log₂ n⌋ heads, followed by every other slope of 2p heads
 *                      (the first n − p of slopes(2p)[0], slopes(2p)[2], …)
 * </pre>
 *
 * <p>Articles: ALiBi appears only as a bias alternative inside a screenshot of Su Jianlin's blog in
 * 一文了解Deepseek系列中的MLA技术.md (MLA img 8); the formula comes from the paper. The slopes match the paper's
 * {@code get_slopes} and Hugging Face BLOOM's {@code build_alibi_tensor} for every head count, including non powers of
 * two. BLOOM adds {@code m_h · j} rather than {@code m_h · (j − i)}; the two differ by a constant per query row, which
 * the softmax ignores, so attention outputs are identical — and the same holds when a KV-cache kernel shifts the query
 * index. Used by BLOOM, MPT and Falcon-RW.
 *
 * <p>Immutable and thread-safe.
 */
public final class Alibi implements AttentionBias {
    private final double[] slopes;

    private Alibi(double[] slopes) {
        this.slopes = slopes;
    }

    /**
     * The ALiBi slopes for {@code heads} heads, as the paper's {@code get_slopes}.
     *
     * @param heads the number of heads, ≥ 1
     * @return {@code m_h} for h = 0 … heads − 1, each in (0, 1)
     * @throws IllegalArgumentException if {@code heads} is not positive
     */
    public static double[] slopes(int heads) {
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        }
        List<Double> out = slopeList(heads);
        double[] s = new double[heads];
        for (int h = 0; h < heads; h++) {
            s[h] = out.get(h);
        }
        return s;
    }

    private static List<Double> slopeList(int n) {
        int closestPowerOfTwo = Integer.highestOneBit(n);
        List<Double> result = powerOfTwoSlopes(closestPowerOfTwo);
        if (closestPowerOfTwo != n) {
            // as the paper: every other slope of the next power of two, which fall between the slopes above
            List<Double> finer = slopeList(2 * closestPowerOfTwo);
            for (int i = 0; i < n - closestPowerOfTwo; i++) {
                result.add(finer.get(2 * i));
            }
        }
        return result;
    }

    private static List<Double> powerOfTwoSlopes(int n) {
        // start = 2^(−2^−(log2 n − 3)) = 2^(−8/n); slope h = start^(h+1), written as the paper computes it
        double log2n = 31 - Integer.numberOfLeadingZeros(n);
        double start = Math.pow(2, -Math.pow(2, -(log2n - 3)));
        List<Double> s = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            s.add(start * Math.pow(start, i));
        }
        return s;
    }

    /**
     * The ALiBi bias for {@code heads} heads with the paper's slopes.
     *
     * @param heads the number of heads, ≥ 1
     * @return the bias {@code (h, i, j) → m_h · (j − i)}
     * @throws IllegalArgumentException if {@code heads} is not positive
     */
    public static Alibi bias(int heads) {
        return new Alibi(slopes(heads));
    }

    /**
     * An ALiBi bias with given slopes (e.g. learned or taken from a checkpoint).
     *
     * @param slopes one finite slope per head (copied)
     * @return the bias {@code (h, i, j) → slopes[h] · (j − i)}
     * @throws IllegalArgumentException if {@code slopes} is null, empty or not finite
     */
    public static Alibi bias(double[] slopes) {
        if (slopes == null || slopes.length == 0) {
            throw new IllegalArgumentException("slopes must have at least one element");
        }
        for (int h = 0; h < slopes.length; h++) {
            if (!Double.isFinite(slopes[h])) {
                throw new IllegalArgumentException("slopes[" + h + "] must be finite, got " + slopes[h]);
            }
        }
        return new Alibi(slopes.clone());
    }

    /**
     * The number of heads.
     *
     * @return the length of the slope array
     */
    public int heads() {
        return slopes.length;
    }

    /**
     * The slope of one head.
     *
     * @param head the head index
     * @return {@code m_head}
     * @throws IllegalArgumentException if {@code head} is out of range
     */
    public double slope(int head) {
        checkHead(head);
        return slopes[head];
    }

    /**
     * The slopes.
     *
     * @return a copy of the per-head slopes
     */
    public double[] slopes() {
        return slopes.clone();
    }

    /**
     * {@inheritDoc}
     *
     * @param head the head, in [0, heads)
     * @param query the query position
     * @param key the key position
     * @return {@code m_head · (key − query)}, computed in double and rounded to float
     * @throws IllegalArgumentException if {@code head} is out of range
     */
    @Override
    public float bias(int head, int query, int key) {
        checkHead(head);
        return (float) (slopes[head] * ((long) key - query));
    }

    private void checkHead(int head) {
        if (head < 0 || head >= slopes.length) {
            throw new IllegalArgumentException("head must be in [0, " + slopes.length + "), got " + head);
        }
    }
}
