package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's pre-tokenizer, the second stage of {@link WordPiece}: split at white space (dropped) and around every
 * punctuation character (kept, one per word).
 *
 * <pre>
 *   "hello, world!!"  →  [hello] [,] [world] [!] [!]
 *   punctuation = ASCII punctuation  !"#$%&amp;'()*+,-./:;&lt;=&gt;?@[\]^_`{|}~
 *                 ∪ Unicode categories Pc Pd Ps Pe Pi Pf Po
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（一）.md} splits words at white space and punctuation the same way
 * ({@link PunctuationTokenizer}); this is BERT's exact rule. Matches Hugging Face tokenizers' {@code
 * BertPreTokenizer} ({@code pre_tokenizers/bert.rs}): ASCII symbols such as {@code $ + < = > ^ ` |} count as
 * punctuation although Unicode files them as symbols (S*). Stateless and thread-safe.
 */
public final class BertPreTokenizer {
    private BertPreTokenizer() {}

    /**
     * Splits a normalized text into words.
     *
     * @param text the text (normally the output of {@link BertNormalizer})
     * @return the words, in order, none empty
     */
    public static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (BertNormalizer.isWhitespace(cp)) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
            } else if (isPunctuation(cp)) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
                words.add(text.substring(i, next));
            } else if (start < 0) {
                start = i;
            }
            i = next;
        }
        if (start >= 0) {
            words.add(text.substring(start));
        }
        return words;
    }

    /**
     * Tells whether a code point is punctuation for BERT.
     *
     * @param cp the code point
     * @return true for ASCII punctuation and Unicode P* categories
     */
    public static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= 33 && cp <= 47)
                    || (cp >= 58 && cp <= 64)
                    || (cp >= 91 && cp <= 96)
                    || (cp >= 123 && cp <= 126);
        }
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }
}
