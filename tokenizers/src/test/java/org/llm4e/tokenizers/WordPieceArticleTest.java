package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** W-WP of {@code 搞懂大模型的分词器（三）.md}: WordPiece's score on the faster / higher / stronger corpus (checks 9–12). */
class WordPieceArticleTest {
    private static final WordPieceTrainer ARTICLE_STYLE = WordPieceTrainer.builder()
            .endOfWord("</w>")
            .vocabSize(0)
            .specialTokens(List.of())
            .numMerges(4)
            .build();

    private static Map<String, Integer> corpus() {
        return ClassicBpeArticleTest.corpus();
    }

    private static Map<String, WordPieceScore> step1Scores() {
        WordPieceTrainer.Result r = WordPieceTrainer.builder()
                .endOfWord("</w>")
                .vocabSize(0)
                .specialTokens(List.of())
                .numMerges(0)
                .build()
                .train(corpus());
        Map<String, WordPieceScore> out = new LinkedHashMap<>();
        WordPieceTrainer.scores(r.initialSegmentation(), corpus()).forEach((p, s) -> out.put(p.merged(), s));
        return out;
    }

    @Test
    void symbolFrequenciesCountHTwiceInHigher() {
        WordPieceTrainer.Result r = ARTICLE_STYLE.train(corpus());
        Map<String, Long> f = WordPieceTrainer.symbolCounts(r.initialSegmentation(), corpus());
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("f", 8L);
        expected.put("a", 8L);
        expected.put("s", 15L);
        expected.put("t", 15L);
        expected.put("e", 21L);
        expected.put("r</w>", 21L);
        // erratum: the article's scores use h = 6; "higher" has two h's, so h = 12
        expected.put("h", 12L);
        expected.put("i", 6L);
        expected.put("g", 13L);
        expected.put("r", 7L);
        expected.put("o", 7L);
        expected.put("n", 7L);
        assertEquals(expected, f);
    }

    @Test
    void step1ScoresAreTheCorrectedFractions() {
        Map<String, WordPieceScore> s = step1Scores();
        assertEquals(
                List.of("fa", "as", "st", "te", "er</w>", "hi", "ig", "gh", "he", "tr", "ro", "on", "ng", "ge"),
                List.copyOf(s.keySet()));
        assertEquals(1.0 / 8, s.get("fa").value(), 1e-15);
        assertEquals(1.0 / 15, s.get("as").value(), 1e-15);
        assertEquals(1.0 / 15, s.get("st").value(), 1e-15);
        assertEquals(8.0 / 315, s.get("te").value(), 1e-15);
        assertEquals(1.0 / 21, s.get("er</w>").value(), 1e-15);
        // erratum: printed 1/6, 1/13, 1/21 (h counted 6 times instead of 12)
        assertEquals(1.0 / 12, s.get("hi").value(), 1e-15);
        assertEquals(1.0 / 26, s.get("gh").value(), 1e-15);
        assertEquals(1.0 / 42, s.get("he").value(), 1e-15);
        assertNotEquals(1.0 / 6, s.get("hi").value(), 1e-6);
        assertEquals(1.0 / 13, s.get("ig").value(), 1e-15);
        assertEquals(1.0 / 15, s.get("tr").value(), 1e-15);
        assertEquals(1.0 / 7, s.get("ro").value(), 1e-15);
        assertEquals(1.0 / 7, s.get("on").value(), 1e-15);
        assertEquals(1.0 / 13, s.get("ng").value(), 1e-15);
        // printed 7/(13*21) = 1/39 (that one is right)
        assertEquals(1.0 / 39, s.get("ge").value(), 1e-15);
        assertEquals(new WordPieceScore(1, 7, 1), new WordPieceScore(1, 7, 1));
        assertEquals(0, s.get("ro").compareTo(s.get("on")), "ro and on tie exactly at 1/7");
    }

    @Test
    void logFormHasTheSameArgmaxAsTheRatio() {
        Map<String, WordPieceScore> s = step1Scores();
        String byRatio = null;
        String byLog = null;
        for (Map.Entry<String, WordPieceScore> e : s.entrySet()) {
            if (byRatio == null || e.getValue().compareTo(s.get(byRatio)) > 0) {
                byRatio = e.getKey();
            }
            if (byLog == null || e.getValue().log() > s.get(byLog).log()) {
                byLog = e.getKey();
            }
            assertEquals(Math.log(e.getValue().value()), e.getValue().log(), 1e-12);
        }
        assertEquals("ro", byRatio);
        assertEquals(byRatio, byLog);
    }

    @Test
    void mergesAreRoRonFaHiNotThePrintedHi() {
        WordPieceTrainer.Result r = ARTICLE_STYLE.train(corpus());
        // erratum: the article merges h + i first (its score 1/6 comes from h = 6); the maximum is 1/7, ro/on tied,
        // and first-seen picks ro
        assertEquals(
                List.of(
                        new SymbolPair("r", "o"),
                        new SymbolPair("ro", "n"),
                        new SymbolPair("f", "a"),
                        new SymbolPair("h", "i")),
                r.merges());
        assertEquals(new WordPieceScore(7, 7, 7), r.steps().get(0).score());
        assertEquals(new WordPieceScore(7, 7, 7), r.steps().get(1).score());
        assertEquals(1.0 / 8, r.steps().get(2).score().value(), 1e-15);
        assertEquals(1.0 / 12, r.steps().get(3).score().value(), 1e-15);
    }

    @Test
    void segmentationAfterOneMerge() {
        WordPieceTrainer.Result r = WordPieceTrainer.builder()
                .endOfWord("</w>")
                .vocabSize(0)
                .specialTokens(List.of())
                .numMerges(1)
                .build()
                .train(corpus());
        assertEquals(List.of("f", "a", "s", "t", "e", "r</w>"), r.segmentation().get("faster"));
        assertEquals(List.of("h", "i", "g", "h", "e", "r</w>"), r.segmentation().get("higher"));
        assertEquals(
                List.of("s", "t", "ro", "n", "g", "e", "r</w>"),
                r.segmentation().get("stronger"));
        assertThrows(IllegalStateException.class, () -> r.tokenizer(true), "article style cannot drive ## encoding");
    }

    @Test
    void bertStyleTrainingEncodesItsTrainingWordsAsSegmented() {
        WordPieceTrainer.Result r =
                WordPieceTrainer.builder().vocabSize(40).build().train(corpus());
        assertTrue(r.vocabulary().contains("##a") && r.vocabulary().contains("f"));
        WordPiece wp = r.tokenizer(true);
        for (Map.Entry<String, List<String>> e : r.segmentation().entrySet()) {
            // check 12: greedy longest-match with ## gives back a segmentation made of vocabulary pieces
            List<String> pieces = wp.tokenizeWord(e.getKey());
            assertEquals(e.getKey(), String.join("", pieces).replace("##", ""));
            assertTrue(!pieces.contains(WordPiece.UNK) && r.vocabulary().containsAll(pieces), pieces.toString());
        }
        assertEquals(List.of(WordPiece.UNK), wp.tokenizeWord("xyz"));
    }
}
