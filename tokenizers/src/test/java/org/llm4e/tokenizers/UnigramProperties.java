package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Viterbi against enumeration, round trips, EM monotonicity, sampling, training and bad input. */
class UnigramProperties {
    private static final String TRAIN_TEXT = "the quick brown fox jumps over the lazy dog and the dog sleeps while "
            + "the fox runs; tokenizers split words into pieces, pieces into ids, ids into vectors. "
            + "中文分词器把文本切分成词元 the end";

    private static final Unigram BYTE_FALLBACK =
            UnigramTrainer.builder().vocabSize(330).byteFallback(true).build().train(TRAIN_TEXT);

    @Provide
    Arbitrary<String> shortWords() {
        return Arbitraries.strings().withChars("abcd").ofMinLength(1).ofMaxLength(9);
    }

    /** A random vocabulary over a, b, c, d (all single letters in it) with random log probabilities. */
    private static Unigram randomModel(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Double> v = new LinkedHashMap<>();
        for (char c : "abcd".toCharArray()) {
            v.put(String.valueOf(c), -1 - 5 * rnd.nextDouble());
        }
        for (int i = 0; i < 30; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 2 + rnd.nextInt(3); k > 0; k--) {
                sb.append("abcd".charAt(rnd.nextInt(4)));
            }
            v.put(sb.toString(), -1 - 8 * rnd.nextDouble());
        }
        return Unigram.of(
                new ArrayList<>(v.keySet()),
                v.values().stream().mapToDouble(d -> d).toArray());
    }

    @Property(tries = 100)
    void viterbiEqualsExhaustiveSearch(@ForAll("shortWords") String word, @ForAll long seed) {
        Unigram m = randomModel(seed);
        List<Unigram.Segmentation> all = m.enumerate(word);
        Unigram.Segmentation best = m.viterbi(word);
        assertEquals(all.get(0).logProb(), best.logProb(), 1e-12);
        assertEquals(best.pieces().size(), best.ids().length);
        assertEquals(word, String.join("", best.pieces()));
        if (all.size() == 1 || all.get(0).logProb() - all.get(1).logProb() > 1e-9) {
            assertEquals(all.get(0).pieces(), best.pieces());
        }
        // the n-best list is the head of the sorted enumeration
        List<Unigram.Segmentation> nb = m.nBest(word, 4);
        assertEquals(Math.min(4, all.size()), nb.size());
        for (int i = 0; i < nb.size(); i++) {
            assertEquals(all.get(i).logProb(), nb.get(i).logProb(), 1e-12);
        }
    }

    @Property(tries = 100)
    void byteFallbackMakesEncodingLossless(@ForAll("texts") String text) {
        int[] ids = BYTE_FALLBACK.encode(text);
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), BYTE_FALLBACK.decodeBytes(ids));
        assertEquals(text, BYTE_FALLBACK.decode(ids));
        assertTrue(BYTE_FALLBACK.byteFallback());
    }

    @Provide
    Arbitrary<String> texts() {
        // valid UTF-16 (no lone surrogates), without U+2581, which decodes to a space as in SentencePiece
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(TRAIN_TEXT.toCharArray()).ofMaxLength(60),
                Arbitraries.strings()
                        .all()
                        .ofMaxLength(30)
                        .filter(s -> s.indexOf(Unigram.SPACE) < 0 && s.equals(roundTripUtf16(s))));
    }

    private static String roundTripUtf16(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Test
    void withoutByteFallbackUnknownCharactersBecomeUnk() {
        Unigram m = UnigramTrainer.builder().vocabSize(80).build().train(TRAIN_TEXT);
        assertEquals(0, m.id(Unigram.UNK));
        int[] ids = m.encode("the 👍");
        assertEquals(0, ids[ids.length - 1]);
        assertEquals(
                "the" + Unigram.UNK_SURFACE.stripTrailing(),
                m.decode(ids).stripTrailing().replace("  ", " "));
        assertTrue(m.vocabSize() <= 80);
    }

    @Test
    void emLikelihoodNeverDecreases() {
        Map<String, Integer> words = UnigramTrainer.words(TRAIN_TEXT + " " + TRAIN_TEXT.toUpperCase());
        Map<String, Long> counts = UnigramTrainer.substringCounts(words, false);
        counts.keySet().removeIf(s -> s.codePointCount(0, s.length()) > 5);
        Unigram seed = Unigram.ofCounts(counts);
        UnigramTrainer.Pieces p = new UnigramTrainer.Pieces(seed.pieces(), seed.scores());
        double previous = Double.NEGATIVE_INFINITY;
        for (int it = 0; it < 8; it++) {
            UnigramTrainer.EmResult r =
                    UnigramTrainer.emStep(p, words, Map.<String, Integer>of().keySet(), false, false);
            assertTrue(
                    r.logLikelihood() >= previous - 1e-9 * Math.abs(previous),
                    "iteration " + it + ": " + r.logLikelihood() + " < " + previous);
            previous = r.logLikelihood();
            p = r.next();
        }
    }

    @Test
    void samplingFollowsPowerAlphaOfTheProbabilities() {
        Unigram m = Unigram.ofCounts(UnigramTrainer.substringCounts(UnigramArticleTest.corpus(), true));
        for (double alpha : new double[] {0.0, 0.5, 1.0}) {
            List<Unigram.Segmentation> all = m.enumerate("hugs");
            double z = 0;
            for (Unigram.Segmentation s : all) {
                z += Math.exp(alpha * s.logProb());
            }
            Map<List<String>, Integer> seen = new HashMap<>();
            SplittableRandom rnd = new SplittableRandom(42);
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                seen.merge(m.sample("hugs", alpha, rnd).pieces(), 1, Integer::sum);
            }
            for (Unigram.Segmentation s : all) {
                double p = Math.exp(alpha * s.logProb()) / z;
                double observed = seen.getOrDefault(s.pieces(), 0) / (double) n;
                double sigma = Math.sqrt(p * (1 - p) / n);
                assertEquals(p, observed, 5 * sigma + 1e-4, "alpha " + alpha + " " + s.pieces());
            }
        }
    }

    @Test
    void trainingKeepsEveryCharacterAndReachesTheSize() {
        for (int size : new int[] {60, 100, 150}) {
            Unigram m = UnigramTrainer.builder().vocabSize(size).build().train(TRAIN_TEXT);
            // at most the size: EM drops pieces a small corpus cannot support (expected count < 0.5)
            assertTrue(m.vocabSize() <= size && m.vocabSize() > 40, "size " + m.vocabSize());
            TRAIN_TEXT
                    .replace(' ', Unigram.SPACE)
                    .codePoints()
                    .forEach(cp -> assertTrue(
                            m.id(new String(Character.toChars(cp))) >= 0, "character " + Character.toString(cp)));
            assertEquals(TRAIN_TEXT, m.decode(m.encode(TRAIN_TEXT)));
        }
        Unigram ml =
                UnigramTrainer.builder().vocabSize(100).digamma(false).build().train(TRAIN_TEXT);
        assertTrue(ml.vocabSize() <= 100);
        assertTrue(ml.encode(TRAIN_TEXT).length < TRAIN_TEXT.length(), "pieces longer than characters are used");
    }

    @Test
    void badInput() {
        IllegalArgumentException empty = assertThrows(
                IllegalArgumentException.class,
                () -> UnigramTrainer.builder().build().train(""));
        assertTrue(
                empty.getMessage().contains("wordCounts") && empty.getMessage().contains("empty"), empty.getMessage());
        IllegalArgumentException small = assertThrows(
                IllegalArgumentException.class,
                () -> UnigramTrainer.builder().vocabSize(5).build().train("abcdefg"));
        assertTrue(
                small.getMessage().contains("vocabSize") && small.getMessage().contains("got 5"), small.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> UnigramTrainer.builder().shrinkingFactor(1).build());
        assertThrows(IllegalArgumentException.class, () -> Unigram.of(List.of("a", "a"), new double[] {-1, -2}));
        assertThrows(IllegalArgumentException.class, () -> Unigram.of(List.of("a"), new double[] {Double.NaN}));
        IllegalArgumentException uncovered = assertThrows(
                IllegalArgumentException.class,
                () -> Unigram.of(List.of("a"), new double[] {-1}).encode("ab"));
        assertTrue(uncovered.getMessage().contains("\"b\""), uncovered.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BYTE_FALLBACK.sample("a", -1, new SplittableRandom()));
        assertThrows(IllegalArgumentException.class, () -> BYTE_FALLBACK.nBest("a", 0));
        assertThrows(IllegalArgumentException.class, () -> BYTE_FALLBACK.decode(new int[] {-1}));
    }
}
