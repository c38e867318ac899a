package org.llm4e.positional;

/**
 * An additive attention bias: a number added to the score of query {@code i} against key {@code j} in head
 * {@code h}, before the softmax.
 *
 * <pre>
 *   S[h, i, j] = scale · q_i · k_j + bias(h, i, j)
 *   P[h, i, ·] = softmax(S[h, i, ·])
 * </pre>
 *
 * <p>Every additive bias in the articles is positional, which is why this interface lives in the positional module
 * and attention accepts it: relative encodings "add a term depending on the relative position to the attention
 * scores" (什么是大模型的位置编码Position-Encoding.md, §6). Being a function rather than a {@code T×T} tensor, a bias
 * costs no memory however long the sequence is. The implementations in this package are:
 *
 * <ul>
 *   <li>{@link Alibi} — a fixed linear penalty {@code m_h·(j − i)} per head (Press et al., 2022);
 *   <li>{@link T5RelativeBias} — a learned scalar per head and log-spaced bucket of {@code j − i} (Raffel et al.);
 *   <li>{@link ShawRelativePosition} — a learned scalar per head and clipped distance {@code clip(j − i, −k, k)}
 *       (Shaw et al., 2018; the article's 7×7 figure with k = 3).
 * </ul>
 *
 * <p><b>Index frame.</b> {@code query} and {@code key} are positions in one frame. An attention kernel that processes a
 * chunk of queries whose first token sits at absolute position {@code p} (KV-cache decoding, chunked prefill) passes
 * {@code i + p} or wraps the bias with {@link #shifted(int)}. Biases that are linear in {@code j − i}, such as ALiBi,
 * are indifferent to that shift (the softmax of a row is invariant to adding a constant), but T5 and Shaw biases are
 * not.
 *
 * <p>Implementations must be thread-safe for concurrent reads: attention evaluates them from several workers.
 */
@FunctionalInterface
public interface AttentionBias {

    /**
     * The additive bias of one score.
     *
     * @param head the attention head, 0-based
     * @param query the query position
     * @param key the key position
     * @return the number added to the score; {@code -Infinity} masks the pair
     */
    float bias(int head, int query, int key);

    /**
     * The bias that adds nothing.
     *
     * @return {@code (h, i, j) → 0}
     */
    static AttentionBias none() {
        return (head, query, key) -> 0f;
    }

    /**
     * The sum of this bias and another one (for example ALiBi on top of a learned relative bias).
     *
     * @param other the second bias
     * @return {@code (h, i, j) → this.bias(h, i, j) + other.bias(h, i, j)}
     * @throws IllegalArgumentException if {@code other} is null
     */
    default AttentionBias plus(AttentionBias other) {
        if (other == null) {
            throw new IllegalArgumentException("other must not be null");
        }
        AttentionBias self = this;
        return (head, query, key) -> self.bias(head, query, key) + other.bias(head, query, key);
    }

    /**
     * This bias seen by queries whose index counts from {@code queryOffset}: the view a kernel needs when query row
     * 0 of its chunk is the token at absolute position {@code queryOffset}.
     *
     * @param queryOffset the absolute position of query row 0, ≥ 0
     * @return {@code (h, i, j) → this.bias(h, i + queryOffset, j)}
     * @throws IllegalArgumentException if {@code queryOffset} is negative
     */
    default AttentionBias shifted(int queryOffset) {
        if (queryOffset < 0) {
            throw new IllegalArgumentException("queryOffset must be >= 0, got " + queryOffset);
        }
        if (queryOffset == 0) {
            return this;
        }
        AttentionBias self = this;
        return (head, query, key) -> self.bias(head, query + queryOffset, key);
    }

    /**
     * Materializes one head's bias as a row-major {@code [queries, keys]} matrix, for inspection and tests.
     *
     * @param head the head
     * @param queries the number of query rows, ≥ 0
     * @param keys the number of key columns, ≥ 0
     * @return {@code m[i * keys + j] = bias(head, i, j)}
     * @throws IllegalArgumentException if a count is negative
     */
    default float[] matrix(int head, int queries, int keys) {
        if (queries < 0 || keys < 0) {
            throw new IllegalArgumentException(
                    "queries and keys must be >= 0, got queries=" + queries + ", keys=" + keys);
        }
        float[] m = new float[Math.multiplyExact(queries, keys)];
        for (int i = 0; i < queries; i++) {
            for (int j = 0; j < keys; j++) {
                m[i * keys + j] = bias(head, i, j);
            }
        }
        return m;
    }
}
