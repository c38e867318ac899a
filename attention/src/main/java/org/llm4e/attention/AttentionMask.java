package org.llm4e.attention;

import java.util.Arrays;

/**
 * Which keys each query may attend: a boolean predicate {@code allowed(b, i, j)} applied before the softmax, where a
 * disallowed score becomes {@code −∞}.
 *
 * <pre>
 *   S[b, h, i, j] = scale · q_i · k_j            if allowed(b, i, j)
 *                 = −∞                          otherwise
 * </pre>
 *
 * <p>Three kinds combine with {@link #and(AttentionMask)}:
 *
 * <ul>
 *   <li>{@link #none()}: every key is allowed;
 *   <li>{@link #causal()}: <b>bottom-right aligned</b>, query {@code i} may attend key {@code j} iff {@code j ≤ i +
 *       (kvSeq − qSeq)}. With {@code qSeq = kvSeq} this is the familiar lower triangle {@code j ≤ i}; with fewer queries
 *       than keys the queries are the <em>last</em> tokens of the sequence, which is what KV-cache decoding and
 *       chunked prefill need (FlashAttention ≥ 2.1 aligns the same way; torch 2.x's {@code is_causal=True} aligns
 *       top-left instead);
 *   <li>{@link #keyPadding(boolean[][])}: per batch row, which key positions hold real tokens.
 * </ul>
 *
 * <p>The articles do not write the causal mask down (attention catalog §2: it is only the implicit {@code Σ_{j ≤ t}}
 * of the MHA equations in 一文了解Deepseek系列中的MLA技术.md); this class is the standard definition.
 *
 * <p><b>Rows with no allowed key</b> (for example a query before a left-padded prompt) give output 0 and log-sum-exp
 * {@code −∞} everywhere in this library, where torch's softmax over an all-{@code −∞} row gives NaN.
 *
 * <p>Instances are immutable (the padding array is copied) and thread-safe.
 */
public final class AttentionMask {
    private static final AttentionMask NONE = new AttentionMask(false, null);
    private static final AttentionMask CAUSAL = new AttentionMask(true, null);

    private final boolean causal;
    private final boolean[][] keyAllowed; // [batch][kvSeq] or null

    private AttentionMask(boolean causal, boolean[][] keyAllowed) {
        this.causal = causal;
        this.keyAllowed = keyAllowed;
    }

    /**
     * The mask that allows every key.
     *
     * @return the empty mask
     */
    public static AttentionMask none() {
        return NONE;
    }

    /**
     * The bottom-right aligned causal mask: query {@code i} may attend key {@code j} iff {@code j ≤ i + (kvSeq −
     * qSeq)}.
     *
     * @return the causal mask
     */
    public static AttentionMask causal() {
        return CAUSAL;
    }

    /**
     * A key-padding mask: {@code allowed[b][j]} says whether key {@code j} of batch row {@code b} may be attended
     * (true = may attend, torch 2.x's convention). The array is copied.
     *
     * @param allowed {@code [batch][kvSeq]}, every row of the same length
     * @return the padding mask
     * @throws IllegalArgumentException if {@code allowed} is null, empty, or ragged
     */
    public static AttentionMask keyPadding(boolean[][] allowed) {
        if (allowed == null || allowed.length == 0) {
            throw new IllegalArgumentException(
                    "allowed must be a non-empty [batch][kvSeq] array, got " + (allowed == null ? "null" : "length 0"));
        }
        boolean[][] copy = new boolean[allowed.length][];
        for (int b = 0; b < allowed.length; b++) {
            if (allowed[b] == null || allowed[b].length != allowed[0].length) {
                throw new IllegalArgumentException("allowed[" + b + "] must have length " + allowed[0].length
                        + " like allowed[0], got " + (allowed[b] == null ? "null" : allowed[b].length));
            }
            copy[b] = allowed[b].clone();
        }
        return new AttentionMask(false, copy);
    }

    /**
     * A right-padding mask from the number of real keys per batch row: key {@code j} of row {@code b} is allowed iff
     * {@code j < keyLengths[b]}.
     *
     * @param keyLengths {@code [batch]}, each in {@code [0, kvSeq]}
     * @param kvSeq the key sequence length
     * @return the padding mask
     * @throws IllegalArgumentException if a length is outside {@code [0, kvSeq]}
     */
    public static AttentionMask keyLengths(int[] keyLengths, int kvSeq) {
        if (keyLengths == null || keyLengths.length == 0) {
            throw new IllegalArgumentException("keyLengths must be non-empty");
        }
        boolean[][] allowed = new boolean[keyLengths.length][kvSeq];
        for (int b = 0; b < keyLengths.length; b++) {
            if (keyLengths[b] < 0 || keyLengths[b] > kvSeq) {
                throw new IllegalArgumentException(
                        "keyLengths[" + b + "] must be in [0, " + kvSeq + "], got " + keyLengths[b]);
            }
            Arrays.fill(allowed[b], 0, keyLengths[b], true);
        }
        return new AttentionMask(false, allowed);
    }

    /**
     * The intersection of two masks: a key is allowed iff both allow it.
     *
     * @param other the second mask
     * @return the combined mask
     * @throws IllegalArgumentException if {@code other} is null or both carry padding of different shapes
     */
    public AttentionMask and(AttentionMask other) {
        if (other == null) {
            throw new IllegalArgumentException("other must not be null");
        }
        boolean[][] padding;
        if (keyAllowed == null) {
            padding = other.keyAllowed;
        } else if (other.keyAllowed == null) {
            padding = keyAllowed;
        } else {
            if (keyAllowed.length != other.keyAllowed.length || keyAllowed[0].length != other.keyAllowed[0].length) {
                throw new IllegalArgumentException("cannot combine key-padding masks of shapes " + paddingShape()
                        + " and " + other.paddingShape());
            }
            padding = new boolean[keyAllowed.length][keyAllowed[0].length];
            for (int b = 0; b < padding.length; b++) {
                for (int j = 0; j < padding[b].length; j++) {
                    padding[b][j] = keyAllowed[b][j] && other.keyAllowed[b][j];
                }
            }
        }
        return new AttentionMask(causal || other.causal, padding);
    }

    /**
     * Whether the causal rule is part of this mask.
     *
     * @return true for {@code causal()} and combinations containing it
     */
    public boolean isCausal() {
        return causal;
    }

    /**
     * Whether a key-padding rule is part of this mask.
     *
     * @return true when {@link #keyPadding(boolean[][])} contributed
     */
    public boolean hasKeyPadding() {
        return keyAllowed != null;
    }

    /**
     * Whether query {@code i} of batch row {@code b} may attend key {@code j}.
     *
     * @param b the batch row
     * @param i the query index within the {@code qSeq} queries
     * @param j the key index within the {@code kvSeq} keys
     * @param qSeq the number of queries
     * @param kvSeq the number of keys
     * @return true if the score is kept
     */
    public boolean allowed(int b, int i, int j, int qSeq, int kvSeq) {
        if (causal && j > i + (kvSeq - qSeq)) {
            return false;
        }
        return keyAllowed == null || keyAllowed[b][j];
    }

    /**
     * One past the last key that the causal rule lets query {@code i} see: {@code min(kvSeq, i + kvSeq − qSeq + 1)}
     * when causal (at least 0), else {@code kvSeq}. Kernels use it to skip keys that are masked anyway.
     *
     * @param i the query index
     * @param qSeq the number of queries
     * @param kvSeq the number of keys
     * @return the exclusive key limit of row {@code i}
     */
    public int keyLimit(int i, int qSeq, int kvSeq) {
        if (!causal) {
            return kvSeq;
        }
        long limit = (long) i + kvSeq - qSeq + 1;
        return (int) Math.max(0, Math.min(kvSeq, limit));
    }

    /**
     * Checks that this mask fits an attention call.
     *
     * @param batch the batch size of the call
     * @param kvSeq the key sequence length of the call
     * @throws IllegalArgumentException if the padding array is not {@code [batch][kvSeq]}, naming both shapes
     */
    public void validate(int batch, int kvSeq) {
        if (keyAllowed != null && (keyAllowed.length != batch || keyAllowed[0].length != kvSeq)) {
            throw new IllegalArgumentException("key-padding mask has shape " + paddingShape()
                    + " but attention needs [batch, kvSeq] = [" + batch + ", " + kvSeq + "]");
        }
    }

    private String paddingShape() {
        return keyAllowed == null ? "[]" : "[" + keyAllowed.length + ", " + keyAllowed[0].length + "]";
    }

    @Override
    public String toString() {
        if (!causal && keyAllowed == null) {
            return "AttentionMask.none()";
        }
        String s = causal ? "causal()" : "";
        if (keyAllowed != null) {
            s += (causal ? ".and(" : "") + "keyPadding" + paddingShape() + (causal ? ")" : "");
        }
        return "AttentionMask." + s;
    }
}
