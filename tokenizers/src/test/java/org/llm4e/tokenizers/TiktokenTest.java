package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiktoken encodings: minbpe's README example, jtokkit agreement, threads, rank-file errors. */
class TiktokenTest {
    @TempDir
    Path dir;

    @Test
    void minbpeReadmeExampleForCl100k() {
        assertArrayEquals(
                new int[] {15339, 4513, 12340, 30, 320, 31495, 230, 75265, 243, 92245, 16715, 57037},
                Tiktoken.load("cl100k_base").encode("hello123!!!? (안녕하세요!) 😉"));
    }

    @Test
    void oneCachedInstancePerNameAndVocabularySizes() {
        assertSame(Tiktoken.load("cl100k_base"), Tiktoken.load("cl100k_base"));
        assertEquals(50257, Tiktoken.load("r50k_base").vocabSize());
        assertEquals(50281, Tiktoken.load("p50k_base").vocabSize());
        assertEquals(100277, Tiktoken.load("cl100k_base").vocabSize());
        assertEquals(200019, Tiktoken.load("o200k_base").vocabSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tiktoken.load("gpt2"));
        assertEquals("name must be one of [r50k_base, p50k_base, cl100k_base, o200k_base], got gpt2", e.getMessage());
    }

    /** A long generated text mixing the scripts and shapes the encodings treat differently. */
    static String generatedText(long seed, int pieces) {
        String[] parts = {
            "Hello",
            " world",
            "'s",
            "'LL",
            " don't",
            "  ",
            "\n",
            "\r\n",
            "\t",
            "12345678",
            " 3.14",
            "中文分词",
            "。",
            "😀",
            "👍🏽",
            "e\u0301",
            "\u00a0",
            "\u3000",
            "int x = a[i];",
            "    return",
            "—",
            "!!!",
            "CamelCase",
            "über",
            "Ωmega",
            "ſ",
            "\u212a",
            "https://example.org/a?b=c",
            "<|endoftext|>"
        };
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(parts[rnd.nextInt(parts.length)]);
        }
        return sb.toString();
    }

    @Test
    void jtokkitAgreesOnALargeGeneratedText() {
        EncodingRegistry registry = Encodings.newDefaultEncodingRegistry();
        String text = generatedText(7, 40_000);
        for (String name : Tiktoken.names()) {
            Encoding peer = registry.getEncoding(EncodingType.fromName(name).orElseThrow());
            int[] expected = peer.encodeOrdinary(text).toArray();
            int[] ids = Tiktoken.load(name).encode(text);
            assertArrayEquals(expected, ids, name);
            assertEquals(text, Tiktoken.load(name).decode(ids));
        }
    }

    @Test
    void eightThreadsGetTheSameIdsAsOne() throws Exception {
        Tiktoken enc = Tiktoken.load("o200k_base");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            texts.add(generatedText(100 + i, 2_000));
        }
        List<int[]> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(enc.encode(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (String t : texts) {
                    futures.add(pool.submit(() -> enc.encode(t)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertArrayEquals(expected.get(i % texts.size()), futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Path rankFile(String content) throws IOException {
        Path f = Files.createTempFile(dir, "ranks", ".tiktoken");
        Files.writeString(f, content, StandardCharsets.US_ASCII);
        return f;
    }

    private static String byteRanks() {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            sb.append(java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) b}))
                    .append(' ')
                    .append(b)
                    .append('\n');
        }
        return sb.toString();
    }

    @Test
    void customRankFileFromAMinbpeExport() throws IOException {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 40)
                .splitPattern(SplitPatterns.GPT4)
                .build()
                .train("the cat sat on the mat; the cat ate the rat. ".repeat(5));
        Path f = dir.resolve("toy.tiktoken");
        bpe.exportTiktoken(f);
        Tiktoken enc = Tiktoken.load(f, SplitPatterns.GPT4, Map.of("<|eot|>", 500));
        String text = "the rat sat on the cat<|eot|>";
        assertArrayEquals(bpe.encode(text), enc.encode(text));
        assertEquals(501, enc.vocabSize());
        assertEquals(text, enc.decode(enc.encode(text, enc.specialTokens().keySet())));
    }

    @Test
    void corruptRankFilesNameTheLine() throws IOException {
        String good = byteRanks();
        TokenizerFormatException e = assertThrows(
                TokenizerFormatException.class,
                () -> Tiktoken.load(rankFile(good + "!!!! 256\n"), SplitPatterns.GPT2, Map.of()));
        assertEquals(257, e.line());
        assertTrue(e.getMessage().contains("invalid base64 \"!!!!\""), e.getMessage());

        e = assertThrows(
                TokenizerFormatException.class,
                () -> Tiktoken.load(rankFile(good + "YWI= 7\n"), SplitPatterns.GPT2, Map.of()));
        assertEquals(257, e.line());
        assertTrue(e.getMessage().contains("rank 7 already given on line 8"), e.getMessage());

        e = assertThrows(
                TokenizerFormatException.class,
                () -> Tiktoken.load(rankFile(good + "YWI= 300\n"), SplitPatterns.GPT2, Map.of()));
        assertTrue(e.getMessage().contains("rank 256 is missing"), e.getMessage());

        e = assertThrows(
                TokenizerFormatException.class,
                () -> Tiktoken.load(rankFile(good + "YQ== 256\n"), SplitPatterns.GPT2, Map.of()));
        assertEquals(257, e.line());
        assertTrue(e.getMessage().contains("token YQ== already given on line 98"), e.getMessage());

        e = assertThrows(
                TokenizerFormatException.class,
                () -> Tiktoken.load(rankFile(good + "YWI= x\n"), SplitPatterns.GPT2, Map.of()));
        assertTrue(e.getMessage().contains("expected a non-negative integer rank, got \"x\""), e.getMessage());

        // a special token may fill a gap in the ranks, as <|endoftext|> does in p50k_base
        Tiktoken gap = Tiktoken.load(rankFile(good + "YWI= 257\n"), SplitPatterns.GPT2, Map.of("<|x|>", 256));
        assertEquals(258, gap.vocabSize());
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> Tiktoken.load(rankFile(good), SplitPatterns.GPT2, Map.of("<|x|>", 97)));
        assertEquals("specialTokens[\"<|x|>\"] must not be a rank of the file, got 97 (line 98)", bad.getMessage());
    }

    @Test
    void unknownIdsAndSpecialSets() {
        Tiktoken enc = Tiktoken.load("p50k_base");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.decode(new int[] {60000}));
        assertEquals("ids[0] must be a token id of p50k_base (a rank or a special token), got 60000", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> enc.encode("x", java.util.Set.of("<|fim_prefix|>")));
        assertTrue(e.getMessage().startsWith("allowedSpecial must contain special tokens of p50k_base"));
        assertEquals("<|endoftext|>", enc.decode(new int[] {50256}));
    }

    @Test
    void bundledRankFilesAreOpenAisOriginals() throws Exception {
        // the sha256 values tiktoken checks when it downloads the files (tiktoken_ext/openai_public.py)
        Map<String, String> expected = Map.of(
                "r50k_base", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
                "p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
                "cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
                "o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            try (var in = Tiktoken.class.getResourceAsStream(e.getKey() + ".tiktoken")) {
                byte[] digest =
                        java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
                assertEquals(e.getValue(), java.util.HexFormat.of().formatHex(digest), e.getKey());
            }
        }
    }
}
