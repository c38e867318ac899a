package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The second word-level baseline: split on whitespace and cut punctuation off as tokens of its own, the regex {@code
 * \w+|[^\w\s]} (one token per run of word characters, one per punctuation character).
 *
 * <pre>
 *   "Let's do some NLP tasks."  →  Let | ' | s | do | some | NLP | tasks | .     (8 tokens)
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（一）.md}; the regex is not in the article, it is the rule that reproduces its
 * example. Word characters are Unicode's ({@code \w} with Unicode classes), so Chinese runs stay one token: the
 * article's Chinese example needs a dictionary segmenter (jieba), which is out of scope.
 */
public final class PunctuationTokenizer {
    private static final Pattern WORD_OR_PUNCT = Pattern.compile("\\w+|[^\\w\\s]", Pattern.UNICODE_CHARACTER_CLASS);

    private PunctuationTokenizer() {}

    /**
     * Splits a text into words and punctuation.
     *
     * @param text the text
     * @return the tokens in order; whitespace is dropped
     */
    public static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD_OR_PUNCT.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
