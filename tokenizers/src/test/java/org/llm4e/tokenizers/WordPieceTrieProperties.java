package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * WordPiece's trie encoder ({@link WordPiece#encode(String)}) gives the ids of the readable hash-map loop ({@code
 * tokenize}) on random vocabularies (continuation pieces, duplicates, the empty token, with and without {@code
 * [UNK]}) and random texts (upper case, accents, CJK, punctuation, {@code #}, supplementary characters, words over
 * the 100-character limit); where the loop fails for want of {@code [UNK]}, the encoder fails with the same message.
 */
class WordPieceTrieProperties {
    private static final String TOKEN_CHARS = "abcdeé中#\uD83D\uDE00";
    private static final String TEXT_CHARS = "abcdeABCÉé中文#,.!  \t\uD83D\uDE00";

    private static String randomToken(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(5);
        while (sb.length() < n) {
            int i = rnd.nextInt(TOKEN_CHARS.length());
            char c = TOKEN_CHARS.charAt(i);
            if (Character.isHighSurrogate(c)) {
                sb.append(c).append(TOKEN_CHARS.charAt(i + 1));
            } else if (!Character.isLowSurrogate(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static WordPiece randomVocabulary(Random rnd, int size) {
        List<String> vocab = new ArrayList<>();
        if (rnd.nextInt(4) != 0) {
            vocab.add(WordPiece.UNK);
        }
        for (int i = 0; i < size; i++) {
            int kind = rnd.nextInt(20);
            String t = kind == 0 ? "" : kind == 1 ? "##" : randomToken(rnd);
            vocab.add(rnd.nextBoolean() ? WordPiece.CONTINUATION + t : t);
            if (rnd.nextInt(10) == 0) {
                vocab.add(vocab.get(rnd.nextInt(vocab.size()))); // a duplicate line
            }
        }
        if (vocab.isEmpty()) {
            vocab.add("a");
        }
        return WordPiece.of(vocab, rnd.nextBoolean());
    }

    static String randomText(Random rnd, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (rnd.nextInt(40) == 0) {
                sb.append("ab".repeat(51 + rnd.nextInt(3)));
            }
            sb.append(TEXT_CHARS.charAt(rnd.nextInt(TEXT_CHARS.length())));
        }
        return sb.toString();
    }

    @Property(tries = 100)
    void trieEncoderEqualsTheLookupLoop(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 200) int vocabSize,
            @ForAll @IntRange(max = 300) int textLength) {
        Random rnd = new Random(seed);
        WordPiece wp = randomVocabulary(rnd, vocabSize);
        String text = randomText(rnd, textLength);
        int[] expected;
        try {
            expected = wp.encodeByLookup(text);
        } catch (IllegalArgumentException e) {
            assertEquals(
                    e.getMessage(),
                    assertThrows(IllegalArgumentException.class, () -> wp.encode(text))
                            .getMessage());
            return;
        }
        assertArrayEquals(expected, wp.encode(text), text);
    }

    @Property(tries = 3)
    void trainedVocabularyOnLongTexts(@ForAll long seed) {
        Random rnd = new Random(seed);
        String corpus = randomText(rnd, 1000);
        WordPiece wp =
                WordPieceTrainer.builder().vocabSize(150).build().train(corpus).tokenizer(true);
        String text = randomText(rnd, 3000);
        assertArrayEquals(wp.encodeByLookup(text), wp.encode(text));
    }
}
