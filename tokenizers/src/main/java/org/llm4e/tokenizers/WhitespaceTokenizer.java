package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * The first word-level baseline: split on whitespace, nothing else. Punctuation stays attached ({@code "tasks."}),
 * and every distinct word needs its own vocabulary entry, so unseen words are out of vocabulary (OOV), which is the
 * weakness the articles start from.
 *
 * <pre>
 *   "Let's do some NLP tasks."  →  Let's | do | some | NLP | tasks.          (5 tokens)
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（一）.md} (word-level tokenization). Whitespace is Unicode's White_Space
 * (so NBSP and the ideographic space U+3000 split too).
 */
public final class WhitespaceTokenizer {
    private WhitespaceTokenizer() {}

    /**
     * Splits a text on runs of whitespace.
     *
     * @param text the text
     * @return the words, without empty strings
     */
    public static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && isWhitespace(text.codePointAt(i))) {
                i += Character.charCount(text.codePointAt(i));
            }
            int start = i;
            while (i < n && !isWhitespace(text.codePointAt(i))) {
                i += Character.charCount(text.codePointAt(i));
            }
            if (i > start) {
                out.add(text.substring(start, i));
            }
        }
        return out;
    }

    /**
     * Unicode's White_Space property: the space separators (Zs, Zl, Zp) plus U+0009–U+000D and U+0085. Java's {@code
     * isWhitespace} is not it (it excludes NBSP and includes U+001C–U+001F).
     */
    static boolean isWhitespace(int cp) {
        return Character.isSpaceChar(cp) || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85;
    }
}
