package org.llm4e.tokenizers;

/**
 * One learned byte-level BPE merge: the adjacent pair {@code (left, right)} becomes the new token {@code id}. In a
 * minbpe-style tokenizer the merge of rank {@code k} has {@code id = 256 + k}.
 *
 * @param left the left token id
 * @param right the right token id
 * @param id the id of the merged token
 */
public record Merge(int left, int right, int id) {
    /**
     * Validates the ids.
     *
     * @throws IllegalArgumentException if an id is negative or {@code id} is not above both parts
     */
    public Merge {
        if (left < 0 || right < 0) {
            throw new IllegalArgumentException(
                    "left and right must be non-negative token ids, got (" + left + ", " + right + ")");
        }
        if (id <= left || id <= right) {
            throw new IllegalArgumentException("id must be greater than left and right (a merge builds on earlier"
                    + " tokens), got " + id + " for (" + left + ", " + right + ")");
        }
    }
}
