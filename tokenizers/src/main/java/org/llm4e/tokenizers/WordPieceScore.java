package org.llm4e.tokenizers;

/**
 * WordPiece's merge score of one adjacent pair, kept as the exact fraction so that ties are ties.
 *
 * <pre>
 *   score(a, b) = freq(ab) / (freq(a) · freq(b))        log form: log freq(ab) − log freq(a) − log freq(b)
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（三）.md}. {@code freq(x)} counts every occurrence of symbol x in the
 * current segmentation, weighted by word counts. Comparing two scores cross-multiplies in 128 bits, so 1/7 and 7/49
 * compare equal, which floating point would not promise.
 *
 * @param pairCount freq(ab): how often a is directly followed by b
 * @param leftCount freq(a)
 * @param rightCount freq(b)
 */
public record WordPieceScore(long pairCount, long leftCount, long rightCount) implements Comparable<WordPieceScore> {
    /**
     * Validates the counts.
     *
     * @throws IllegalArgumentException if a count is not positive or exceeds 2³¹ − 1
     */
    public WordPieceScore {
        if (pairCount <= 0 || leftCount <= 0 || rightCount <= 0) {
            throw new IllegalArgumentException("pairCount, leftCount and rightCount must be > 0, got " + pairCount
                    + ", " + leftCount + ", " + rightCount);
        }
        if (pairCount > Integer.MAX_VALUE || leftCount > Integer.MAX_VALUE || rightCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("counts must be <= 2^31 - 1 for exact comparison, got " + pairCount
                    + ", " + leftCount + ", " + rightCount);
        }
    }

    /**
     * Returns the score as a double.
     *
     * @return freq(ab) / (freq(a)·freq(b))
     */
    public double value() {
        return (double) pairCount / ((double) leftCount * (double) rightCount);
    }

    /**
     * Returns the score in log space, the article's "division becomes subtraction".
     *
     * @return ln freq(ab) − ln freq(a) − ln freq(b)
     */
    public double log() {
        return Math.log(pairCount) - Math.log(leftCount) - Math.log(rightCount);
    }

    /**
     * Compares exactly: {@code p₁·(l₂·r₂)} against {@code p₂·(l₁·r₁)} as unsigned 128-bit products.
     *
     * @param o the other score
     * @return negative, zero or positive as this score is smaller, equal or larger
     */
    @Override
    public int compareTo(WordPieceScore o) {
        long d1 = leftCount * rightCount; // < 2^62
        long d2 = o.leftCount * o.rightCount;
        long hi1 = Math.multiplyHigh(pairCount, d2);
        long lo1 = pairCount * d2;
        long hi2 = Math.multiplyHigh(o.pairCount, d1);
        long lo2 = o.pairCount * d1;
        int c = Long.compare(hi1, hi2);
        return c != 0 ? c : Long.compareUnsigned(lo1, lo2);
    }

    @Override
    public String toString() {
        return pairCount + "/(" + leftCount + "*" + rightCount + ")";
    }
}
