package org.llm4e.tokenizers;

import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back. Implementations are immutable and thread-safe.
 *
 * <p>{@link #decode(int[])} of ids that cut a UTF-8 sequence in the middle writes U+FFFD for the broken bytes
 * (tiktoken's {@code errors="replace"}); {@link #decodeBytes(int[])} is the lossless form for byte-level tokenizers.
 */
public interface Tokenizer {
    /**
     * Encodes a text.
     *
     * @param text the text
     * @return the token ids
     */
    int[] encode(String text);

    /**
     * Decodes token ids to text; bytes that are not valid UTF-8 become U+FFFD.
     *
     * @param ids the token ids
     * @return the text
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    String decode(int[] ids);

    /**
     * Decodes token ids to the bytes they stand for. The default encodes {@link #decode(int[])} as UTF-8, which is
     * lossless only for tokenizers whose tokens are whole characters; byte-level tokenizers override it.
     *
     * @param ids the token ids
     * @return the bytes
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    default byte[] decodeBytes(int[] ids) {
        return decode(ids).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Returns the size of the id space: the largest id plus one.
     *
     * @return the vocabulary size
     */
    int vocabSize();
}
