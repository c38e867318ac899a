package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteLevelBpeTrainer;
import org.llm4e.tokenizers.Merge;
import org.llm4e.tokenizers.SplitPatterns;
import org.llm4e.tokenizers.Tiktoken;

class TokenizersChapterTest {

    /** The first 60,000 characters of the built-in corpus: small enough to train in a moment. */
    static Path smallCorpus(Path dir) throws Exception {
        String text = TourCorpus.load().substring(0, 60_000);
        Path file = dir.resolve("corpus.txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void trainsOnTheCorpusAndComparesTheEncodings(@TempDir Path dir) throws Exception {
        Path corpus = smallCorpus(dir);
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new TokenizersChapter(corpus, new int[] {256, 300, 400}, 5), ctx, dir.resolve("out"));
        Pngs.assertRealPngs(ctx[0].written(), "tokenizers-compression.png", "tokenizers-tokens-per-character.png");

        // the first merges are those of the trainer on the same 90 % of the text
        String text = Files.readString(corpus);
        String train = text.substring(0, TokenizersChapter.splitPoint(text));
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(260)
                .splitPattern(SplitPatterns.GPT4)
                .build()
                .train(train);
        for (int r = 0; r < 4; r++) {
            Merge m = bpe.merges().get(r);
            String row = String.format(Locale.ROOT, "%d | %d | '%s'", r + 1, m.id(), bpe.renderToken(m.left()));
            assertTrue(
                    out.lines()
                            .anyMatch(l -> l.trim().startsWith(row) && l.contains("'" + bpe.renderToken(m.id()) + "'")),
                    row + " in\n" + out);
        }
        assertTrue(out.contains("Trained 144 merges (vocabulary 400"), out);
        // no merges: one token per byte
        assertTrue(
                out.lines().anyMatch(l -> l.startsWith("trained here, first 0 merges") && l.contains("| 1.000 |")),
                out);

        // tokens per character: each sample under each encoding, as tiktoken counts them
        for (var sample : TokenizersChapter.SAMPLES.entrySet()) {
            String s = sample.getValue();
            double chars = s.codePointCount(0, s.length());
            StringBuilder expected = new StringBuilder();
            for (String name : Tiktoken.names()) {
                expected.append(String.format(
                        Locale.ROOT, " | %.3f", Tiktoken.load(name).encode(s).length / chars));
            }
            String line = out.lines()
                    .filter(l -> l.startsWith(sample.getKey() + " "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(sample.getKey() + " missing in\n" + out));
            assertTrue(line.replaceAll(" +", " ").contains(expected.toString()), expected + " in " + line);
        }
    }

    @Test
    void chineseCostsMoreTokensPerCharacterThanEnglishInEveryEncoding() {
        String en = TokenizersChapter.SAMPLES.get("English");
        String zh = TokenizersChapter.SAMPLES.get("Chinese");
        for (String name : Tiktoken.names()) {
            Tiktoken enc = Tiktoken.load(name);
            double e = (double) enc.encode(en).length / en.codePointCount(0, en.length());
            double z = (double) enc.encode(zh).length / zh.codePointCount(0, zh.length());
            assertTrue(z > 2 * e, name + ": Chinese " + z + ", English " + e);
        }
    }

    @Test
    void builtInCorpusHoldsTheReadmeAndTheSourcesInPathOrder() throws Exception {
        String corpus = TourCorpus.load();
        assertTrue(corpus.length() > 200_000, "corpus has only " + corpus.length() + " characters");
        assertTrue(corpus.contains("public final class Tiktoken"), "tokenizers sources missing");
        assertTrue(corpus.contains("public final class RotaryEmbedding"), "positional sources missing");
        assertEquals(corpus, TourCorpus.load());
    }

    @Test
    void splitPointKeepsSurrogatePairsWhole() {
        String s = "ab" + "😀".repeat(10);
        int cut = TokenizersChapter.splitPoint(s);
        assertTrue(!Character.isLowSurrogate(s.charAt(cut)), "cut at " + cut);
    }

    @Test
    void badVocabularySizesAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new TokenizersChapter(null, new int[] {300, 200}, 5));
        assertTrue(e.getMessage().contains("[300, 200]"), e.getMessage());
    }
}
