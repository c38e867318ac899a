package org.llm4e.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed and unsupported tokenizer.json files: each error names the problem and where it is. */
class HfFormatErrorTest {
    private static final String BPE_MODEL =
            "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\"]}";

    private static HfFormatException fails(String json) {
        return assertThrows(HfFormatException.class, () -> HfTokenizer.fromJson(json));
    }

    @Test
    void malformedJsonNamesLineColumnAndOffset(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\n  \"model\": {\"type\": \"BPE\",\n    \"vocab\": {\"a\": 0,,}\n}");
        HfFormatException e = assertThrows(HfFormatException.class, () -> HfTokenizer.load(file));
        assertTrue(e.getMessage().startsWith("line 3, column "), e.getMessage());
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void truncatedJsonIsMalformed() {
        HfFormatException e = fails("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0");
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void notAnObject() {
        assertEquals("$", fails("[1, 2]").jsonPath());
    }

    @Test
    void missingModel() {
        HfFormatException e = fails("{\"normalizer\": null}");
        assertEquals("$.model", e.jsonPath());
        assertTrue(e.getMessage().contains("required"), e.getMessage());
    }

    @Test
    void unknownModelTypeNamesPathAndType() {
        HfFormatException e = fails("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}}}");
        assertEquals("$.model.type", e.jsonPath());
        assertTrue(e.getMessage().contains("\"WordLevel\""), e.getMessage());
        assertTrue(e.getMessage().contains("BPE, WordPiece, Unigram"), e.getMessage());
    }

    @Test
    void unknownComponentsNameTheirPath() {
        assertEquals(
                "$.normalizer.normalizers[1].type",
                fails("{\"model\":" + BPE_MODEL + ",\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":"
                                + "[{\"type\":\"NFC\"},{\"type\":\"ByteLevel\"}]}}")
                        .jsonPath());
        assertEquals(
                "$.pre_tokenizer.type",
                fails("{\"model\":" + BPE_MODEL + ",\"pre_tokenizer\":{\"type\":\"UnicodeScripts\"}}")
                        .jsonPath());
        assertEquals(
                "$.decoder.type",
                fails("{\"model\":" + BPE_MODEL + ",\"decoder\":{\"type\":\"CTC\"}}")
                        .jsonPath());
        assertEquals(
                "$.post_processor.type",
                fails("{\"model\":" + BPE_MODEL + ",\"post_processor\":{\"type\":\"Nonsense\"}}")
                        .jsonPath());
    }

    @Test
    void badFieldsNameTheirPath() {
        assertEquals(
                "$.model.merges[0]",
                fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a b\"]}}")
                        .jsonPath());
        assertEquals(
                "$.model.merges[0]",
                fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"ab\"]}}")
                        .jsonPath());
        assertEquals(
                "$.model.vocab.a",
                fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":\"zero\"},\"merges\":[]}}")
                        .jsonPath());
        assertEquals(
                "$.model.dropout",
                fails("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[],\"dropout\":0.1}}")
                        .jsonPath());
        assertEquals(
                "$.pre_tokenizer.behavior",
                fails("{\"model\":" + BPE_MODEL
                                + ",\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},"
                                + "\"behavior\":\"Sideways\",\"invert\":false}}")
                        .jsonPath());
        assertEquals(
                "$.normalizer.pattern.Regex",
                fails("{\"model\":" + BPE_MODEL + ",\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"(\"},"
                                + "\"content\":\"\"}}")
                        .jsonPath());
        assertEquals(
                "$.model.byte_fallback",
                fails("{\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0.0],[\"a\",-1.0]],"
                                + "\"byte_fallback\":true}}")
                        .jsonPath());
        assertEquals(
                "$.model.unk_token",
                fails("{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"<unk>\",\"vocab\":{\"a\":0}}}")
                        .jsonPath());
        assertEquals(
                "$.added_tokens[0].id",
                fails("{\"model\":" + BPE_MODEL + ",\"added_tokens\":[{\"content\":\"x\"}]}")
                        .jsonPath());
    }

    @Test
    void minimalBpeLoadsAndMerges() throws HfFormatException {
        HfTokenizer t = HfTokenizer.fromJson("{\"model\":" + BPE_MODEL + "}");
        assertEquals(3, t.vocabSize());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 2, 0}, t.encode("ababa"));
        assertEquals("ab ab a", t.decode(new int[] {2, 2, 0}));
    }

    @Test
    void decodeRejectsUnknownIds() throws HfFormatException {
        HfTokenizer t = HfTokenizer.fromJson("{\"model\":" + BPE_MODEL + "}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {0, 7}));
        assertTrue(e.getMessage().contains("ids[1]") && e.getMessage().contains("7"), e.getMessage());
    }
}
