package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configurations, ids and files give errors that name the parameter, the value and what was expected. */
class ByteLevelBpeBadInputTest {
    @TempDir
    Path dir;

    private static IllegalArgumentException iae(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(IllegalArgumentException.class, e);
    }

    @Test
    void vocabSizeBelow256() {
        IllegalArgumentException e =
                iae(() -> ByteLevelBpeTrainer.builder().vocabSize(255).build());
        assertEquals("vocabSize must be >= 256 (the 256 byte tokens come first), got 255", e.getMessage());
    }

    @Test
    void specialTokenIdsOutOfRangeOrDuplicate() {
        IllegalArgumentException e = iae(() -> ByteLevelBpeTrainer.builder()
                .vocabSize(300)
                .specialTokens(Map.of("<|eot|>", 299))
                .build());
        assertEquals(
                "specialTokens[\"<|eot|>\"] must be an id >= 300 (ids below are bytes and merges), got 299",
                e.getMessage());
        e = iae(() -> ByteLevelBpeTrainer.builder()
                .vocabSize(300)
                .specialTokens(Map.of("<|eot|>", -1))
                .build());
        assertTrue(e.getMessage().endsWith("got -1"), e.getMessage());
        Map<String, Integer> dup = new LinkedHashMap<>();
        dup.put("<|a|>", 400);
        dup.put("<|b|>", 400);
        e = iae(() ->
                ByteLevelBpeTrainer.builder().vocabSize(300).specialTokens(dup).build());
        assertEquals("specialTokens ids must be distinct, got id 400 for both \"<|a|>\" and \"<|b|>\"", e.getMessage());
        e = iae(() ->
                ByteLevelBpeTrainer.builder().specialTokens(Map.of("", 1000)).build());
        assertEquals("specialTokens keys must be non-empty strings, got \"\"", e.getMessage());
        e = iae(() -> ByteLevelBpeTrainer.builder()
                .specialTokens(Map.of("a\nb", 1000))
                .build());
        assertTrue(e.getMessage().contains("must not contain a line break"), e.getMessage());
        e = iae(() -> ByteLevelBpeTrainer.builder().specialTokens(null).build());
        assertEquals("specialTokens must not be null (use an empty map)", e.getMessage());
    }

    @Test
    void invalidPattern() {
        IllegalArgumentException e =
                iae(() -> ByteLevelBpeTrainer.builder().splitPattern("(\\p{L}").build());
        assertTrue(
                e.getMessage().startsWith("splitPattern must be a valid regular expression, got \"(\\\\p{L}\""),
                e.getMessage());
    }

    @Test
    void unknownIdsAndSpecialTokens() {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(260)
                .specialTokens(Map.of("<|eot|>", 300))
                .build()
                .train("aaaa bbbb aaaa");
        IllegalArgumentException e = iae(() -> bpe.decode(new int[] {97, 280}));
        assertEquals("ids[1] must be a token id (0..259 or a special token [300]), got 280", e.getMessage());
        e = iae(() -> bpe.decode(new int[] {-1}));
        assertTrue(e.getMessage().startsWith("ids[0] must be a token id"), e.getMessage());
        e = iae(() -> bpe.encode("x", Set.of("<|bos|>")));
        assertEquals(
                "allowedSpecial must contain special tokens of this tokenizer [<|eot|>], got \"<|bos|>\"",
                e.getMessage());
        assertEquals("<|eot|>", bpe.decode(new int[] {300}));
        assertEquals("<|eot|>", bpe.renderToken(300));
        assertEquals(301, bpe.vocabSize());
    }

    @Test
    void mergesOutOfSequence() {
        IllegalArgumentException e = iae(() -> ByteLevelBpe.of(null, List.of(new Merge(97, 98, 257)), Map.of()));
        assertEquals("merges[0].id must be 256 (256 + rank), got 257", e.getMessage());
        e = iae(() -> new Merge(97, 300, 256));
        assertEquals(
                "id must be greater than left and right (a merge builds on earlier tokens), got 256 for (97, 300)",
                e.getMessage());
        e = iae(() -> new Merge(-1, 3, 256));
        assertEquals("left and right must be non-negative token ids, got (-1, 3)", e.getMessage());
    }

    @Test
    void decodeOfASplitCharacterUsesReplacementButBytesAreLossless() {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder().vocabSize(256).build().train("");
        int[] ids = bpe.encode("€"); // e2 82 ac
        assertEquals(3, ids.length);
        assertEquals("\uFFFD", bpe.decode(new int[] {ids[0], ids[1]}));
        assertEquals("\uFFFDa", bpe.decode(new int[] {ids[2], 'a'}));
        byte[] raw = bpe.decodeBytes(new int[] {ids[0], ids[1]});
        assertEquals(2, raw.length);
        assertEquals((byte) 0xE2, raw[0]);
    }

    private Path write(String content) throws IOException {
        Path f = Files.createTempFile(dir, "bad", ".bpe");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private TokenizerFormatException corrupt(String content) throws IOException {
        Path f = write(content);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> ByteLevelBpe.load(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ":" + e.line() + ": "), e.getMessage());
        return e;
    }

    @Test
    void corruptFilesNameTheLineAndTheReason() throws IOException {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(260)
                .specialTokens(Map.of("<|eot|>", 300))
                .build()
                .train("aaaa bbbb aaaa abab");
        Path good = dir.resolve("good.bpe");
        bpe.save(good);
        String text = Files.readString(good);
        List<String> lines = List.of(text.split("\n", -1));
        // header, pattern count, pattern, special count, 1 special, merges count, 4 merges
        assertEquals("llm4e-bpe 1", lines.get(0));
        assertEquals("merges 4", lines.get(5));
        assertEquals("97 97\taa", lines.get(6));

        TokenizerFormatException e = corrupt(text.replace("llm4e-bpe 1", "minbpe v1"));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("expected the header \"llm4e-bpe 1\", got \"minbpe v1\""));

        e = corrupt(text.replace("merges 4", "merges four"));
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("expected a non-negative integer merges count, got \"four\""));

        e = corrupt(text.replace("97 97\taa", "97 999\taa"));
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("merge 0 creates id 256 and must use ids below it, got (97, 999)"));

        e = corrupt(text.replace("97 97\taa", "97 97\tab"));
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("merge 0 spells \"aa\" but the file says \"ab\""));

        e = corrupt(text + "extra\n");
        assertEquals(11, e.line());
        assertTrue(e.getMessage().contains("unexpected content after 4 merges"));

        e = corrupt(text.substring(0, text.indexOf("merges 4")));
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("unexpected end of file"));

        e = corrupt(text.replace("300 <|eot|>", "259 <|eot|>"));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("must be an id >= 260"));

        Path binary = dir.resolve("binary.bpe");
        Files.write(binary, new byte[] {(byte) 0xFF, (byte) 0xFE, 0});
        e = assertThrows(TokenizerFormatException.class, () -> ByteLevelBpe.load(binary));
        assertTrue(e.getMessage().contains("not valid UTF-8"));
    }

    @Test
    void patternWithLineBreaksSurvivesSaveAndLoad() throws IOException {
        String pattern = "[^\n]+|\n";
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(270)
                .splitPattern(pattern)
                .build()
                .train("line one\nline two\n");
        Path f = dir.resolve("nl.bpe");
        bpe.save(f);
        ByteLevelBpe loaded = ByteLevelBpe.load(f);
        assertEquals(pattern, loaded.splitPattern());
        assertEquals(bpe.merges(), loaded.merges());
    }

    @Test
    void exportTiktokenWritesBase64BytesAndRanks() throws IOException {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 20)
                .specialTokens(Map.of("<|eot|>", 1000))
                .build()
                .train("hello hello world, the world says hello");
        Path f = dir.resolve("toy.tiktoken");
        bpe.exportTiktoken(f);
        List<String> lines = Files.readAllLines(f);
        assertEquals(256 + bpe.merges().size(), lines.size(), "bytes and merges; no special tokens");
        for (int rank = 0; rank < lines.size(); rank++) {
            String[] parts = lines.get(rank).split(" ");
            assertEquals(2, parts.length);
            assertEquals(rank, Integer.parseInt(parts[1]));
            assertEquals(
                    java.util.Arrays.toString(bpe.tokenBytes(rank)),
                    java.util.Arrays.toString(Base64.getDecoder().decode(parts[0])));
        }
        assertEquals("IA== 32", lines.get(32));
    }

    @Test
    void exportTiktokenRefusesTwoTokensWithTheSameBytes() {
        // (a, b) → 256 "ab", (b, c) → 257 "bc", (256, c) → 258 "abc", (a, 257) → 259 "abc" again
        ByteLevelBpe bpe = ByteLevelBpe.of(
                null,
                List.of(
                        new Merge(97, 98, 256),
                        new Merge(98, 99, 257),
                        new Merge(256, 99, 258),
                        new Merge(97, 257, 259)),
                Map.of());
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> bpe.exportTiktoken(dir.resolve("dup.tiktoken")));
        assertEquals(
                "tokens 258 and 259 have the same bytes \"abc\"; a .tiktoken file maps each byte string to one rank",
                e.getMessage());
    }
}
