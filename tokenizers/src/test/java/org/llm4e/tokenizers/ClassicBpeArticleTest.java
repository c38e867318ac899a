package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** W-BPE of {@code 搞懂大模型的分词器（二）.md}: the faster / higher / stronger corpus (checks 3 to 8). */
class ClassicBpeArticleTest {
    /** The article's corpus, verbatim except the marker, written {@code </ w>} in the article. */
    static Map<String, Integer> corpus() {
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("faster", 8);
        c.put("higher", 6);
        c.put("stronger", 7);
        return c;
    }

    private static SymbolPair p(String l, String r) {
        return new SymbolPair(l, r);
    }

    private static Map<String, Integer> byMergedSpelling(Map<SymbolPair, Integer> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k.merged(), v));
        return out;
    }

    private final ClassicBpe bpe = BpeTrainer.builder().numMerges(6).build().train(corpus());

    @Test
    void initialSegmentationFusesTheMarkerOntoTheLastCharacter() {
        assertEquals(
                List.of("f", "a", "s", "t", "e", "r</w>"),
                bpe.initialSegmentation().get("faster"));
        assertEquals(
                List.of("h", "i", "g", "h", "e", "r</w>"),
                bpe.initialSegmentation().get("higher"));
        assertEquals(
                List.of("s", "t", "r", "o", "n", "g", "e", "r</w>"),
                bpe.initialSegmentation().get("stronger"));
        // check 3: twelve symbols, r and r</w> both among them
        assertEquals(
                new TreeSet<>(Set.of("a", "e", "f", "g", "h", "i", "n", "o", "r", "s", "t", "r</w>")), bpe.alphabet());
    }

    @Test
    void step1PairCountsAndTheirSum() {
        BpeStep step1 = bpe.steps().get(0);
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("fa", 8);
        expected.put("as", 8);
        expected.put("st", 15);
        expected.put("te", 8);
        expected.put("er</w>", 21);
        expected.put("hi", 6);
        expected.put("ig", 6);
        expected.put("gh", 6);
        expected.put("he", 6);
        expected.put("tr", 7);
        expected.put("ro", 7);
        expected.put("on", 7);
        expected.put("ng", 7);
        expected.put("ge", 7);
        assertEquals(expected, byMergedSpelling(step1.pairCounts()));
        // ERRATUM (W-BPE): the article prints "=115"; the fourteen counts it lists sum to 119
        assertEquals(119, step1.pairCountSum());
        assertNotEquals(115, step1.pairCountSum());
    }

    @Test
    void merge1IsErAndAbsorbsEAndRMarkerButNotR() {
        BpeStep step1 = bpe.steps().get(0);
        assertEquals(p("e", "r</w>"), step1.merge());
        assertEquals(21, step1.count());
        assertEquals(List.of("f", "a", "s", "t", "er</w>"), step1.segmentation().get("faster"));
        assertEquals(List.of("h", "i", "g", "h", "er</w>"), step1.segmentation().get("higher"));
        assertEquals(
                List.of("s", "t", "r", "o", "n", "g", "er</w>"),
                step1.segmentation().get("stronger"));
        // check 5: the dictionary has 11 symbols; e and r</w> absorbed, r survives in "stronger"
        assertEquals(
                new TreeSet<>(Set.of("a", "f", "g", "h", "i", "n", "o", "s", "r", "t", "er</w>")),
                step1.symbolsInUse());
    }

    @Test
    void step2PairCounts() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("fa", 8);
        expected.put("as", 8);
        expected.put("st", 15);
        expected.put("ter</w>", 8);
        expected.put("hi", 6);
        expected.put("ig", 6);
        expected.put("gh", 6);
        expected.put("her</w>", 6);
        expected.put("tr", 7);
        expected.put("ro", 7);
        expected.put("on", 7);
        expected.put("ng", 7);
        expected.put("ger</w>", 7);
        BpeStep step2 = bpe.steps().get(1);
        assertEquals(expected, byMergedSpelling(step2.pairCounts()));
        assertEquals(98, step2.pairCountSum());
    }

    @Test
    void merge2IsStNotTerAsPrinted() {
        BpeStep step2 = bpe.steps().get(1);
        // ERRATUM (W-BPE): the article merges t + er</w> → ter</w> (count 8); by its own rule (most frequent pair)
        // merge 2 is s + t → st (count 15)
        assertEquals(p("s", "t"), step2.merge());
        assertEquals(15, step2.count());
        assertNotEquals(p("t", "er</w>"), step2.merge());
        assertEquals(List.of("f", "a", "st", "er</w>"), step2.segmentation().get("faster"));
        assertEquals(List.of("h", "i", "g", "h", "er</w>"), step2.segmentation().get("higher"));
        assertEquals(
                List.of("st", "r", "o", "n", "g", "er</w>"),
                step2.segmentation().get("stronger"));
        assertEquals(
                new TreeSet<>(Set.of("a", "er</w>", "f", "g", "h", "i", "n", "o", "r", "st")), step2.symbolsInUse());
    }

    @Test
    void sixMergesWithFirstSeenTieBreak() {
        assertEquals(
                List.of(p("e", "r</w>"), p("s", "t"), p("f", "a"), p("fa", "st"), p("fast", "er</w>"), p("st", "r")),
                bpe.merges());
        assertEquals(83, bpe.steps().get(2).pairCountSum());
    }

    @Test
    void encodingByRankReproducesTheTrainingSegmentation() {
        // check 8: after 5 merges, faster is one symbol
        ClassicBpe five = BpeTrainer.builder().numMerges(5).build().train(corpus());
        assertEquals(List.of("faster</w>"), five.tokenizeWord("faster"));
        for (String w : corpus().keySet()) {
            assertEquals(bpe.steps().get(5).segmentation().get(w), bpe.tokenizeWord(w), w);
        }
        // an unseen word reuses learned pieces; an unseen character stays alone (out of vocabulary)
        assertEquals(List.of("str", "a", "f", "er</w>"), bpe.tokenizeWord("strafer"));
        assertEquals(List.of("fast", "é", "r</w>"), bpe.tokenizeWord("fastér"));
        assertEquals(List.of("faster</w>", "str", "o", "n", "g", "er</w>"), bpe.tokenize("faster  stronger"));
    }

    @Test
    void trainingFromTextCountsWordsInFirstSeenOrder() {
        ClassicBpe fromText = BpeTrainer.builder()
                .numMerges(6)
                .build()
                .train("faster ".repeat(8) + "higher ".repeat(6) + "stronger ".repeat(7));
        assertEquals(bpe.merges(), fromText.merges());
    }

    @Test
    void vocabularySizeStopsTrainingAndCountsTheAlphabet() {
        ClassicBpe limited =
                BpeTrainer.builder().numMerges(100).vocabSize(15).build().train(corpus());
        assertEquals(3, limited.merges().size());
        assertEquals(15, limited.vocabulary().size());
        ClassicBpe exhausted = BpeTrainer.builder().numMerges(100).build().train(corpus());
        // every word ends as one symbol: no pair is left
        assertEquals(List.of("faster</w>"), exhausted.tokenizeWord("faster"));
        assertEquals(List.of("stronger</w>"), exhausted.tokenizeWord("stronger"));
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> BpeTrainer.builder().numMerges(-1).build());
        assertEquals("numMerges must be >= 0, got -1", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> BpeTrainer.builder().vocabSize(-5).build());
        assertEquals("vocabSize must be >= 0 (0 = no limit), got -5", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> BpeTrainer.builder().endOfWord("").build());
        assertEquals("endOfWord must be a non-empty marker, got \"\"", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> BpeTrainer.builder().build().train(Map.of("low", 0)));
        assertEquals("wordCounts[\"low\"] must be a positive count, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bpe.tokenizeWord(""));
        assertEquals("word must be a non-empty string, got \"\"", e.getMessage());
    }
}
