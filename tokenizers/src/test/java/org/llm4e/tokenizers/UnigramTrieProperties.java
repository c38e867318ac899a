package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Unigram's trie lattice ({@link Unigram#viterbi(String)}, {@link Unigram#encode(String)}) gives the segmentation
 * of the readable per-(start, end) look-up ({@code viterbiByLookup}): the same ids, pieces and bit-identical score,
 * under both tie rules, on random vocabularies whose scores are drawn from a few values (so that ties are common),
 * some {@code -Infinity}, with or without {@code <unk>} and byte fallback; where the reference fails for an
 * uncovered character, the fast one fails with the same message.
 */
class UnigramTrieProperties {
    private static final String CHARS = "abcdé中\u2581 \uD83D\uDE00\uD800";

    private static String randomString(Random rnd, int maxLength, boolean min1) {
        StringBuilder sb = new StringBuilder();
        int n = (min1 ? 1 : 0) + rnd.nextInt(maxLength);
        while (sb.length() < n) {
            int i = rnd.nextInt(CHARS.length());
            char c = CHARS.charAt(i);
            if (c == '\uD83D') {
                sb.append(c).append('\uDE00');
            } else if (c != '\uDE00') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static Unigram randomModel(Random rnd, int size) {
        Set<String> pieces = new LinkedHashSet<>();
        int kind = rnd.nextInt(3);
        if (kind == 1) {
            pieces.add(Unigram.UNK);
        }
        for (int i = 0; i < size; i++) {
            pieces.add(randomString(rnd, 4, true).replace(' ', Unigram.SPACE));
        }
        if (kind == 2) {
            for (int b = 0; b < 256; b++) {
                pieces.add(Unigram.bytePiece(b));
            }
        }
        double[] levels = {-1, -2, -2.5, -3, -0.5};
        double[] scores = new double[pieces.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = rnd.nextInt(25) == 0 ? Double.NEGATIVE_INFINITY : levels[rnd.nextInt(levels.length)];
        }
        Unigram model = Unigram.of(new ArrayList<>(pieces), scores);
        return rnd.nextBoolean() ? model : model.withTieBreak(Unigram.TieBreak.LATEST_START);
    }

    @Property(tries = 120)
    void trieLatticeEqualsTheLookupViterbi(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 120) int vocabSize,
            @ForAll @IntRange(max = 80) int textLength) {
        Random rnd = new Random(seed);
        Unigram model = randomModel(rnd, vocabSize);
        String text = randomString(rnd, textLength + 1, false);
        Unigram.Segmentation expected;
        try {
            expected = model.viterbiByLookup(text);
        } catch (IllegalArgumentException e) {
            assertEquals(
                    e.getMessage(),
                    assertThrows(IllegalArgumentException.class, () -> model.viterbi(text))
                            .getMessage());
            return;
        }
        assertEquals(expected, model.viterbi(text));
        assertArrayEquals(model.encodeByLookup(text), model.encode(text));
    }

    @Property(tries = 100)
    void encodeEqualsTheReferenceOnSpacedText(@ForAll long seed, @ForAll @IntRange(min = 1, max = 120) int vocabSize) {
        Random rnd = new Random(seed);
        Unigram model = randomModel(rnd, vocabSize);
        String text = randomString(rnd, 200, false);
        try {
            int[] expected = model.encodeByLookup(text);
            assertArrayEquals(expected, model.encode(text));
        } catch (IllegalArgumentException e) {
            assertEquals(
                    e.getMessage(),
                    assertThrows(IllegalArgumentException.class, () -> model.encode(text))
                            .getMessage());
        }
    }
}
