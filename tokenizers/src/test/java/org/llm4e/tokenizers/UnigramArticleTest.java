package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** W-UNI of {@code 搞懂大模型的分词器（四）.md}: the hug / pug / pun / bun / hugs corpus (checks 13–19). */
class UnigramArticleTest {
    static Map<String, Integer> corpus() {
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("hug", 10);
        c.put("pug", 5);
        c.put("pun", 12);
        c.put("bun", 4);
        c.put("hugs", 5);
        return c;
    }

    private static final Map<String, Long> COUNTS = UnigramTrainer.substringCounts(corpus(), true);
    private static final Unigram ARTICLE = Unigram.ofCounts(COUNTS).withTieBreak(Unigram.TieBreak.LATEST_START);

    @Test
    void initialVocabularyIsTheFifteenStrictSubstringsWithTotal210() {
        Map<String, Long> expected = Map.ofEntries(
                Map.entry("h", 15L),
                Map.entry("u", 36L),
                Map.entry("g", 20L),
                Map.entry("hu", 15L),
                Map.entry("ug", 20L),
                Map.entry("p", 17L),
                Map.entry("pu", 17L),
                Map.entry("n", 16L),
                Map.entry("un", 16L),
                Map.entry("b", 4L),
                Map.entry("bu", 4L),
                Map.entry("s", 5L),
                Map.entry("hug", 15L),
                Map.entry("gs", 5L),
                Map.entry("ugs", 5L));
        assertEquals(expected, Map.copyOf(COUNTS));
        assertEquals(210L, COUNTS.values().stream().mapToLong(Long::longValue).sum());
        assertEquals(Math.log(20.0 / 210), ARTICLE.scoreOf(ARTICLE.id("ug")), 1e-15);
    }

    @Test
    void pugHasThreeSegmentationsAndThePrintedProbabilitiesAreWrong() {
        List<Unigram.Segmentation> all = ARTICLE.enumerate("pug");
        assertEquals(3, all.size());
        Map<List<String>, Double> p = new LinkedHashMap<>();
        all.forEach(s -> p.put(s.pieces(), s.probability()));
        // erratum (copied from the HF course): printed 0.000389 and 0.0022676 use 5 instead of 17 for P(p), P(pu)
        assertEquals(17.0 * 36 * 20 / (210.0 * 210 * 210), p.get(List.of("p", "u", "g")), 1e-15);
        assertEquals(0.0013217, p.get(List.of("p", "u", "g")), 5e-8);
        assertNotEquals(0.000389, p.get(List.of("p", "u", "g")), 1e-5);
        assertEquals(0.0077098, p.get(List.of("pu", "g")), 5e-8);
        assertEquals(p.get(List.of("pu", "g")), p.get(List.of("p", "ug")), 0.0, "pu g and p ug tie exactly");
        assertNotEquals(0.0022676, p.get(List.of("pu", "g")), 1e-5);
    }

    @Test
    void bestSegmentationsAndScoresWithTheArticlesTieRule() {
        Map<String, List<String>> seg = Map.of(
                "hug", List.of("hug"),
                "pug", List.of("pu", "g"),
                "pun", List.of("pu", "n"),
                "bun", List.of("bu", "n"),
                "hugs", List.of("hug", "s"));
        Map<String, Double> score =
                Map.of("hug", 0.071428, "pug", 0.007710, "pun", 0.006168, "bun", 0.001451, "hugs", 0.001701);
        for (String w : corpus().keySet()) {
            Unigram.Segmentation s = ARTICLE.viterbi(w);
            assertEquals(seg.get(w), s.pieces(), w);
            assertEquals(score.get(w), s.probability(), 1e-6, w);
            // check 15: Viterbi equals the exhaustive maximum
            assertEquals(ARTICLE.enumerate(w).get(0).logProb(), s.logProb(), 1e-12, w);
        }
        assertEquals(15.0 / 210, ARTICLE.viterbi("hug").probability(), 1e-15);
        assertEquals(340.0 / 44100, ARTICLE.viterbi("pug").probability(), 1e-15);
        assertEquals(272.0 / 44100, ARTICLE.viterbi("pun").probability(), 1e-15);
        assertEquals(64.0 / 44100, ARTICLE.viterbi("bun").probability(), 1e-15);
        assertEquals(75.0 / 44100, ARTICLE.viterbi("hugs").probability(), 1e-15);
    }

    @Test
    void sentencePiecesTieRuleGivesTheOtherSplitsWithTheSameScores() {
        Unigram sp = ARTICLE.withTieBreak(Unigram.TieBreak.EARLIEST_START);
        assertEquals(List.of("p", "ug"), sp.viterbi("pug").pieces());
        assertEquals(List.of("p", "un"), sp.viterbi("pun").pieces());
        assertEquals(List.of("b", "un"), sp.viterbi("bun").pieces());
        assertEquals(List.of("h", "ugs"), sp.viterbi("hugs").pieces());
        for (String w : corpus().keySet()) {
            assertEquals(ARTICLE.viterbi(w).logProb(), sp.viterbi(w).logProb(), 0.0, w);
        }
        // hugs ties three ways: hug s, hu gs, h ugs (the n-best list orders them by the tie rule)
        List<Unigram.Segmentation> three = ARTICLE.nBest("hugs", 3);
        assertEquals(List.of("hug", "s"), three.get(0).pieces());
        assertEquals(three.get(0).logProb(), three.get(2).logProb(), 0.0);
        assertEquals(
                Set.of(List.of("hug", "s"), List.of("hu", "gs"), List.of("h", "ugs")),
                Set.of(
                        three.get(0).pieces(),
                        three.get(1).pieces(),
                        three.get(2).pieces()));
    }

    @Test
    void initialLossIs169point80InNats() {
        double loss = UnigramTrainer.loss(ARTICLE, corpus());
        assertEquals(169.80, loss, 0.01);
        assertEquals(169.8028, loss, 1e-4);
        double printed = 10 * -Math.log(0.071428)
                + 5 * -Math.log(0.007710)
                + 12 * -Math.log(0.006168)
                + 4 * -Math.log(0.001451)
                + 5 * -Math.log(0.001701);
        assertEquals(printed, loss, 0.01);
    }

    @Test
    void removingHugCosts23point51AndEveryOtherPieceNothing() {
        Unigram without = ARTICLE.without("hug");
        assertEquals(List.of("hu", "g"), without.viterbi("hug").pieces());
        assertEquals(0.006802, without.viterbi("hug").probability(), 1e-6);
        assertEquals(300.0 / 44100, without.viterbi("hug").probability(), 1e-15);
        assertEquals(List.of("hu", "gs"), without.viterbi("hugs").pieces());
        assertEquals(0.001701, without.viterbi("hugs").probability(), 1e-6);
        double delta = UnigramTrainer.lossIncrease(ARTICLE, corpus(), "hug");
        assertEquals(23.51, delta, 0.01);
        assertEquals(10 * Math.log(10.5), delta, 1e-9);
        for (String piece : List.of("hu", "ug", "pu", "un", "bu", "ugs", "gs")) {
            assertEquals(0.0, UnigramTrainer.lossIncrease(ARTICLE, corpus(), piece), 1e-9, piece);
        }
    }

    @Test
    void segmentationCountIsTwoToTheNMinusOne() {
        for (String w : List.of("a", "ab", "abc", "abcd", "abcde", "hugs")) {
            Map<String, Integer> one = Map.of(w, 1);
            Unigram all = Unigram.ofCounts(UnigramTrainer.substringCounts(one, false));
            assertEquals(1 << (w.length() - 1), all.enumerate(w).size(), w);
        }
        // with the article's vocabulary (hugs itself is no piece): pug has 3 (p u g, p ug, pu g)
        assertEquals(3, ARTICLE.enumerate("pug").size());
    }
}
