package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** W-WORD of {@code 搞懂大模型的分词器（一）.md}: the word- and character-level baselines (checks 1 and 2). */
class WordLevelArticleTest {
    private static final String SENTENCE = "Let's do some NLP tasks.";
    private static final String CHINESE = "我们来做一个自然语言处理任务。";

    @Test
    void whitespaceSplitKeepsPunctuationAttached() {
        assertEquals(List.of("Let's", "do", "some", "NLP", "tasks."), WhitespaceTokenizer.tokenize(SENTENCE));
    }

    @Test
    void figureSentenceGivesNineWords() {
        assertEquals(
                List.of("This", "is", "the", "first", "step", "in", "the", "NLP", "pipeline"),
                WhitespaceTokenizer.tokenize("This is the first step in the NLP pipeline"));
    }

    @Test
    void punctuationSplitGivesEightTokens() {
        assertEquals(
                List.of("Let", "'", "s", "do", "some", "NLP", "tasks", "."), PunctuationTokenizer.tokenize(SENTENCE));
    }

    @Test
    void characterLevelEnglishDropsSpacesKeepsCaseAndPunctuation() {
        List<String> chars = CharacterTokenizer.tokenize(SENTENCE);
        assertEquals(
                List.of(
                        "L", "e", "t", "'", "s", "d", "o", "s", "o", "m", "e", "N", "L", "P", "t", "a", "s", "k", "s",
                        "."),
                chars);
        assertEquals(20, chars.size());
    }

    @Test
    void characterLevelChineseGivesFifteenTokensIncludingTheFullStop() {
        List<String> chars = CharacterTokenizer.tokenize(CHINESE);
        assertEquals(List.of("我", "们", "来", "做", "一", "个", "自", "然", "语", "言", "处", "理", "任", "务", "。"), chars);
        assertEquals(15, chars.size());
    }

    @Test
    void unicodeWhitespaceAndSupplementaryCharacters() {
        // NBSP and the ideographic space are White_Space; U+001F is not, although Java's isWhitespace says so
        assertEquals(List.of("a", "b", "c\u001Fd"), WhitespaceTokenizer.tokenize("a\u00A0b\u3000c\u001Fd"));
        // one token per code point: the emoji is one token, not two UTF-16 chars
        assertEquals(List.of("😀", "x"), CharacterTokenizer.tokenize("😀 x"));
        assertEquals(List.of(), WhitespaceTokenizer.tokenize(" \t\n "));
    }
}
