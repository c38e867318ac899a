package org.llm4e.tokenizers;

import java.util.Arrays;

/**
 * BERT's post-processing: the special tokens around one sentence or a pair, and the segment (token type) ids.
 *
 * <pre>
 *   single:  [CLS] A [SEP]              type ids  0 0…0 0
 *   pair:    [CLS] A [SEP] B [SEP]      type ids  0 0…0 0 1…1 1
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（三）.md}, figure 0 (BERT's input {@code [CLS] my dog is cute} with token,
 * segment E_A and position embeddings). Matches Hugging Face tokenizers' {@code BertProcessing} post-processor
 * (the {@code add_special_tokens = true} path); truncation and padding are not part of it. Immutable and
 * thread-safe.
 *
 * @param clsId the id of {@code [CLS]}
 * @param sepId the id of {@code [SEP]}
 */
public record BertPostProcessor(int clsId, int sepId) {
    /** The classification token that starts every input. */
    public static final String CLS = "[CLS]";
    /** The separator that ends every sentence. */
    public static final String SEP = "[SEP]";

    /**
     * Validates the ids.
     *
     * @throws IllegalArgumentException if an id is negative
     */
    public BertPostProcessor {
        if (clsId < 0 || sepId < 0) {
            throw new IllegalArgumentException(
                    "clsId and sepId must be token ids >= 0, got clsId " + clsId + ", sepId " + sepId);
        }
    }

    /**
     * Looks up {@code [CLS]} and {@code [SEP]} in a WordPiece vocabulary.
     *
     * @param tokenizer the tokenizer
     * @return the post-processor
     * @throws IllegalArgumentException if the vocabulary lacks one of them
     */
    public static BertPostProcessor of(WordPiece tokenizer) {
        int cls = tokenizer.id(CLS);
        int sep = tokenizer.id(SEP);
        if (cls < 0 || sep < 0) {
            throw new IllegalArgumentException("tokenizer vocabulary must contain " + CLS + " and " + SEP + ", got "
                    + CLS + " id " + cls + ", " + SEP + " id " + sep + " (-1 = missing)");
        }
        return new BertPostProcessor(cls, sep);
    }

    /**
     * Adds the special tokens to one sentence.
     *
     * @param a the sentence's ids
     * @return {@code [CLS] a [SEP]}
     */
    public int[] process(int[] a) {
        int[] out = new int[a.length + 2];
        out[0] = clsId;
        System.arraycopy(a, 0, out, 1, a.length);
        out[a.length + 1] = sepId;
        return out;
    }

    /**
     * Adds the special tokens to a sentence pair.
     *
     * @param a the first sentence's ids
     * @param b the second sentence's ids
     * @return {@code [CLS] a [SEP] b [SEP]}
     */
    public int[] process(int[] a, int[] b) {
        int[] out = new int[a.length + b.length + 3];
        out[0] = clsId;
        System.arraycopy(a, 0, out, 1, a.length);
        out[a.length + 1] = sepId;
        System.arraycopy(b, 0, out, a.length + 2, b.length);
        out[out.length - 1] = sepId;
        return out;
    }

    /**
     * Returns the segment ids of a processed pair: 0 for {@code [CLS] a [SEP]}, 1 for {@code b [SEP]}.
     *
     * @param aLength the number of ids of the first sentence
     * @param bLength the number of ids of the second sentence
     * @return the type ids, length {@code aLength + bLength + 3}
     * @throws IllegalArgumentException if a length is negative
     */
    public int[] typeIds(int aLength, int bLength) {
        if (aLength < 0 || bLength < 0) {
            throw new IllegalArgumentException(
                    "aLength and bLength must be >= 0, got aLength " + aLength + ", bLength " + bLength);
        }
        int[] out = new int[aLength + bLength + 3];
        Arrays.fill(out, aLength + 2, out.length, 1);
        return out;
    }

    /**
     * Encodes a sentence and adds the special tokens.
     *
     * @param tokenizer the tokenizer
     * @param text the sentence
     * @return {@code [CLS] encode(text) [SEP]}
     */
    public int[] encode(Tokenizer tokenizer, String text) {
        return process(tokenizer.encode(text));
    }

    /**
     * Encodes a sentence pair and adds the special tokens.
     *
     * @param tokenizer the tokenizer
     * @param a the first sentence
     * @param b the second sentence
     * @return {@code [CLS] encode(a) [SEP] encode(b) [SEP]}
     */
    public int[] encode(Tokenizer tokenizer, String a, String b) {
        return process(tokenizer.encode(a), tokenizer.encode(b));
    }
}
