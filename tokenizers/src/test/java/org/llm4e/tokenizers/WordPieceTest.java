package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BERT normalization, pre-tokenization, WordPiece encoding, vocab.txt and post-processing. */
class WordPieceTest {
    static final List<String> VOCAB = List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "the", "cafe", "!", ",", "my", "dog",
            "is", "cute", "hello", "world", "中", "文", "a", "##b", "##c", "ab", "abc", "x", "##x", ".", "'", "s", "don",
            "t", "n", "##t");

    private final WordPiece uncased = WordPiece.of(VOCAB, true);

    @Test
    void greedyLongestMatchFirstWithContinuationPrefix() {
        assertEquals(List.of("un", "##aff", "##able"), uncased.tokenize("unaffable"));
        assertEquals(List.of("abc"), uncased.tokenizeWord("abc"));
        assertEquals(
                List.of("ab", "##c"),
                WordPiece.of(List.of("[UNK]", "ab", "a", "##c", "##bc"), true).tokenizeWord("abc"));
        // one unmatched position makes the whole word [UNK], not only its tail
        assertEquals(List.of("[UNK]"), uncased.tokenizeWord("abq"));
        assertArrayEquals(new int[] {5, 6, 7}, uncased.encode("unaffable"));
    }

    @Test
    void wordsLongerThan100CodePointsAreUnknown() {
        assertEquals(List.of("x", "##x"), uncased.tokenizeWord("xx"));
        assertEquals(100, uncased.tokenizeWord("x".repeat(100)).size());
        assertEquals(List.of("[UNK]"), uncased.tokenizeWord("x".repeat(101)));
    }

    @Test
    void normalizerCleansSplitsCjkStripsAccentsAndLowerCases() {
        assertEquals("cafe", BertNormalizer.normalize("Café", true));
        assertEquals("Café", BertNormalizer.normalize("Café", false));
        assertEquals("a b", BertNormalizer.normalize("a\u0000\u200B\tb\uFFFD", true));
        assertEquals(" 中  文 ", BertNormalizer.normalize("中文", true));
        assertEquals("a b", BertNormalizer.normalize("a\u00A0b", true), "no-break space is white space");
        assertEquals("i\u0307", BertNormalizer.normalize("\u0130", false, false, false, true));
        // code point by code point as Hugging Face: no final-sigma rule (String.toLowerCase would give σς)
        assertEquals("σσ", BertNormalizer.normalize("ΣΣ", false, false, false, true));
    }

    @Test
    void preTokenizerSplitsWhitespaceAndIsolatesPunctuation() {
        assertEquals(List.of("hello", ",", "world", "!", "!"), BertPreTokenizer.split("hello,  world!!"));
        assertEquals(List.of("a", "$", "b", "+", "c"), BertPreTokenizer.split("a$b+c"), "ASCII symbols count");
        assertEquals(List.of("x", "«", "y", "»"), BertPreTokenizer.split("x«y»"));
        assertEquals(List.of(), BertPreTokenizer.split(" \t\n"));
    }

    @Test
    void encodeAndDecodeASentence() {
        int[] ids = uncased.encode("My dog is CUTE, Hello world! 中文");
        assertEquals(
                List.of("my", "dog", "is", "cute", ",", "hello", "world", "!", "中", "文"),
                uncased.tokenize("My dog is CUTE, Hello world! 中文"));
        assertEquals("my dog is cute, hello world! 中 文", uncased.decode(ids));
        assertEquals("unaffable", uncased.decode(uncased.encode("unaffable")));
        // the HF decoder tidies each piece after adding its space: " ," and " ." lose the space, while " ' " never
        // occurs inside one piece, so "don ' t" stays as it is
        assertEquals("hello, world.", uncased.decode(uncased.encode("hello , world .")));
        assertEquals("don ' t", uncased.decode(uncased.encode("don't")));
        assertThrows(IllegalArgumentException.class, () -> uncased.decode(new int[] {VOCAB.size()}));
    }

    @Test
    void postProcessorAddsClsAndSep() {
        BertPostProcessor pp = BertPostProcessor.of(uncased);
        assertArrayEquals(new int[] {2, 12, 13, 3}, pp.encode(uncased, "my dog"));
        assertArrayEquals(new int[] {2, 12, 3, 13, 14, 3}, pp.encode(uncased, "my", "dog is"));
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, pp.typeIds(1, 2));
        assertEquals("[CLS] my dog [SEP]", uncased.decode(pp.encode(uncased, "my dog")));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> BertPostProcessor.of(WordPiece.of(List.of("[UNK]"), true)));
        assertTrue(e.getMessage().contains("[CLS]"), e.getMessage());
    }

    @Test
    void vocabTxtRoundTripsAndIdsAreLineNumbers(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        uncased.save(file);
        WordPiece back = WordPiece.load(file, true);
        assertEquals(VOCAB, back.vocabulary());
        assertEquals(VOCAB.size(), back.vocabSize());
        for (int i = 0; i < VOCAB.size(); i++) {
            assertEquals(i, back.id(VOCAB.get(i)));
        }
        Files.writeString(file, "[UNK]\r\nhello  \nworld\n", StandardCharsets.UTF_8);
        WordPiece crlf = WordPiece.load(file, false);
        assertEquals(List.of("[UNK]", "hello", "world"), crlf.vocabulary());
        assertArrayEquals(new int[] {1, 0, 2}, crlf.encode("hello Hello world"), "cased: Hello is unknown");
    }

    @Test
    void badInput(@TempDir Path dir) throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> WordPiece.load(empty, true));
        assertTrue(e.getMessage().contains("empty.txt"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WordPiece.of(List.of(), true));
        IllegalArgumentException noUnk = assertThrows(
                IllegalArgumentException.class,
                () -> WordPiece.of(List.of("a"), true).encode("b"));
        assertTrue(noUnk.getMessage().contains("\"b\"") && noUnk.getMessage().contains("[UNK]"), noUnk.getMessage());
        IllegalArgumentException emptyCorpus = assertThrows(
                IllegalArgumentException.class,
                () -> WordPieceTrainer.builder().build().train(java.util.Map.of()));
        assertTrue(emptyCorpus.getMessage().contains("wordCounts"), emptyCorpus.getMessage());
        IllegalArgumentException tooSmall = assertThrows(
                IllegalArgumentException.class,
                () -> WordPieceTrainer.builder().vocabSize(6).build().train("abc"));
        assertTrue(
                tooSmall.getMessage().contains("vocabSize")
                        && tooSmall.getMessage().contains("got 6"),
                tooSmall.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> WordPieceTrainer.builder().vocabSize(-1).build());
        assertThrows(IllegalArgumentException.class, () -> new WordPieceScore(0, 1, 1));
    }
}
