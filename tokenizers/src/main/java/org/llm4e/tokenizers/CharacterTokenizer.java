package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * The character-level baseline: one token per character (Unicode code point, so an emoji outside the BMP is one
 * token, not two UTF-16 chars), whitespace dropped, case and punctuation kept. The vocabulary is tiny and almost
 * nothing is out of vocabulary, but sequences get long and single Latin letters carry little meaning.
 *
 * <pre>
 *   "Let's do some NLP tasks."         →  L e t ' s d o s o m e N L P t a s k s .   (20 tokens)
 *   "我们来做一个自然语言处理任务。"     →  我 们 来 做 一 个 自 然 语 言 处 理 任 务 。   (15 tokens)
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（一）.md} (character-level tokenization).
 */
public final class CharacterTokenizer {
    private CharacterTokenizer() {}

    /**
     * Splits a text into its non-whitespace code points.
     *
     * @param text the text
     * @return one string per code point
     */
    public static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (!WhitespaceTokenizer.isWhitespace(cp)) {
                out.add(text.substring(i, i + n));
            }
            i += n;
        }
        return out;
    }
}
