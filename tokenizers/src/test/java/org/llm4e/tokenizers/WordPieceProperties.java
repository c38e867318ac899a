package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * WordPiece round trips. Encoding is not lossless (lower-casing, accents, runs of white space and the spaces around
 * punctuation are lost), so the property is stated on what survives: for text made of words over the vocabulary's
 * alphabet, decoding gives the lower-cased words joined by single spaces.
 */
class WordPieceProperties {
    private static final WordPiece WP = WordPieceTrainer.builder()
            .vocabSize(120)
            .build()
            // a pangram, and every letter inside a word too, so that every word has a WordPiece segmentation
            .train("the quick brown fox jumps over the lazy dog the dog naps while the fox runs far away"
                    + " abcdefghijklmnopqrstuvwxyz a b c d e f g h i j k l m n o p q r s t u v w x y z")
            .tokenizer(true);

    @Provide
    Arbitrary<String> sentences() {
        Arbitrary<String> word = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                .ofMinLength(1)
                .ofMaxLength(12);
        Arbitrary<String> gap = Arbitraries.of(" ", "  ", "\t", "\n", " \u00A0");
        return Combinators.combine(word.list().ofMinSize(1).ofMaxSize(8), gap).as((ws, g) -> String.join(g, ws));
    }

    @Property(tries = 150)
    void decodeOfEncodeGivesTheNormalizedWords(@ForAll("sentences") String text) {
        String expected = String.join(" ", text.toLowerCase(Locale.ROOT).trim().split("[\\s\\u00A0]+"));
        assertEquals(expected, WP.decode(WP.encode(text)));
    }

    @Property(tries = 150)
    void tokenizeWordConcatenatesBackToTheWord(@ForAll("sentences") String text) {
        for (String word : BertPreTokenizer.split(BertNormalizer.normalize(text, true))) {
            assertEquals(word, String.join("", WP.tokenizeWord(word)).replace(WordPiece.CONTINUATION, ""));
        }
    }
}
