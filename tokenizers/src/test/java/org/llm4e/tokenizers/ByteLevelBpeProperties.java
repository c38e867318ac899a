package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.testsupport.LlmArbitraries;

/** jqwik properties of byte-level BPE: lossless round trip, fast trainer = reference trainer, save/load. */
class ByteLevelBpeProperties {
    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.of(SplitPatterns.GPT4, SplitPatterns.GPT2, "\\s+|\\S+", "")
                .map(p -> p.isEmpty() ? null : p);
    }

    @Provide
    Arbitrary<String> texts() {
        return LlmArbitraries.unicodeStrings(200);
    }

    /** Small alphabets: long runs ("aaaa"), overlapping pairs and many equal counts, where tie-breaks decide. */
    @Provide
    Arbitrary<String> tieHeavyTexts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars('a', 'b', ' ').ofMaxLength(120),
                Arbitraries.strings().withChars('a', 'b', 'c', 'é', '中').ofMaxLength(80),
                LlmArbitraries.unicodeStrings(160).map(s -> s + s.toUpperCase() + s));
    }

    private static ByteLevelBpeTrainer trainer(int merges, String pattern) {
        return ByteLevelBpeTrainer.builder()
                .vocabSize(256 + merges)
                .splitPattern(pattern)
                .build();
    }

    @Property(tries = 150)
    void decodeEncodeIsIdentity(
            @ForAll("texts") String corpus,
            @ForAll("texts") String s,
            @ForAll @IntRange(max = 80) int merges,
            @ForAll("patterns") String pattern) {
        ByteLevelBpe bpe = trainer(merges, pattern).train(corpus + s.substring(0, s.length() / 2));
        int[] ids = bpe.encode(s);
        assertEquals(s, bpe.decode(ids));
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), bpe.decodeBytes(ids));
        // the chunks of the split cover the text: encoding chunk by chunk gives the same ids
        List<Integer> perChunk = new ArrayList<>();
        for (String chunk : bpe.preTokenize(s)) {
            for (int id : bpe.encode(chunk)) {
                perChunk.add(id);
            }
        }
        assertArrayEquals(perChunk.stream().mapToInt(Integer::intValue).toArray(), ids);
    }

    @Property(tries = 150)
    void incrementalTrainerEqualsReference(
            @ForAll("tieHeavyTexts") String corpus,
            @ForAll @IntRange(max = 120) int merges,
            @ForAll("patterns") String pattern) {
        ByteLevelBpeTrainer t = trainer(merges, pattern);
        List<Integer> fastCounts = new ArrayList<>();
        List<Integer> refCounts = new ArrayList<>();
        ByteLevelBpe fast = t.train(corpus, (m, c) -> fastCounts.add(c));
        ByteLevelBpe ref = t.trainReference(corpus, (m, c) -> refCounts.add(c));
        assertEquals(ref.merges(), fast.merges());
        assertEquals(refCounts, fastCounts);
        assertArrayEquals(ref.encode(corpus), fast.encode(corpus));
    }

    @Property(tries = 60)
    void incrementalTrainerEqualsReferenceOnMixedText(
            @ForAll("texts") String corpus,
            @ForAll @IntRange(min = 1, max = 4) int repeats,
            @ForAll("patterns") String pattern) {
        String text = corpus.repeat(repeats);
        ByteLevelBpeTrainer t = trainer(150, pattern);
        assertEquals(t.trainReference(text).merges(), t.train(text).merges());
    }

    @Property(tries = 40)
    void saveLoadRoundTrip(
            @ForAll("texts") String corpus,
            @ForAll @IntRange(max = 60) int merges,
            @ForAll("patterns") String pattern,
            @ForAll @IntRange(max = 3) int specials) {
        Map<String, Integer> special = new LinkedHashMap<>();
        for (int i = 0; i < specials; i++) {
            special.put("<|special " + i + " é|>", 256 + merges + 3 * i);
        }
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + merges)
                .splitPattern(pattern)
                .specialTokens(special)
                .build()
                .train(corpus);
        try {
            Path file = Files.createTempFile("bpe", ".model");
            try {
                bpe.save(file);
                ByteLevelBpe loaded = ByteLevelBpe.load(file);
                assertEquals(bpe.merges(), loaded.merges());
                assertEquals(bpe.splitPattern(), loaded.splitPattern());
                assertEquals(bpe.specialTokens(), loaded.specialTokens());
                assertEquals(bpe.vocabSize(), loaded.vocabSize());
                String probe = corpus + String.join("", special.keySet());
                assertArrayEquals(bpe.encode(probe, special.keySet()), loaded.encode(probe, special.keySet()));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 60)
    void allowedSpecialTokensCutTheTextIntoOrdinaryPieces(
            @ForAll("texts") String corpus, @ForAll @IntRange(max = 8) int pieces, @ForAll long seed) {
        Map<String, Integer> special = new LinkedHashMap<>();
        special.put("<|endoftext|>", 400);
        special.put("<|fim|>", 401);
        special.put("<|endoftext|>!", 402); // starts like another one: the longer match wins
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 40)
                .specialTokens(special)
                .build()
                .train(corpus);
        java.util.Random rnd = new java.util.Random(seed);
        List<String> names = new ArrayList<>(special.keySet());
        StringBuilder text = new StringBuilder();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < pieces; i++) {
            int cut = rnd.nextInt(corpus.length() + 1);
            if (cut > 0 && cut < corpus.length() && Character.isHighSurrogate(corpus.charAt(cut - 1))) {
                cut--; // never cut a surrogate pair: half of one is not a string that round-trips
            }
            String piece = corpus.substring(0, cut).replace("!", "?");
            text.append(piece);
            for (int id : bpe.encode(piece)) {
                expected.add(id);
            }
            String name = names.get(rnd.nextInt(names.size()));
            text.append(name);
            expected.add(special.get(name));
        }
        int[] ids = bpe.encode(text.toString(), special.keySet());
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), ids);
        assertEquals(text.toString(), bpe.decode(ids));
    }
}
