package org.llm4e.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.tokenizers.ByteToUnicode;

/**
 * The {@code Precompiled} normalizer against Hugging Face tokenizers (through DJL) with the {@code nmt_nfkc} character
 * map of a SentencePiece model ({@code precompiled/nmt_nfkc.charsmap.b64}: the {@code precompiled_charsmap} field of
 * the tokenizers module's {@code t5_unigram.model} test model, base64). The model is byte-level BPE without merges,
 * so each id is one UTF-8 byte of the normalized text: equal ids mean equal normalization.
 */
class PrecompiledNormalizerTest {
    @TempDir
    Path dir;

    @Test
    void normalizesAsHuggingFaceTokenizers() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Fixtures.MAPPER.writeValue(file.toFile(), bytesOfNormalizedText(charsmap()));
        List<String> lines = new ArrayList<>(List.of(
                "ＡＢＣ１２３ full width",
                "①②③ ⅫⅣ ㍻ ﬁ ﬂ",
                "ｶﾀｶﾅ ﾊﾟﾝ",
                "e\u0301 and é, Å",
                "  leading and trailing  ",
                "ideographic\u3000space",
                "👩\u200D👩\u200D👧 family, 👍🏽 thumbs",
                "tab\there\u00A0nbsp"));
        List<String> corpus = Fixtures.lines();
        for (int i = 0; i < corpus.size(); i += 3) {
            lines.add(corpus.get(i));
        }
        HfTokenizer ours = HfTokenizer.load(file);
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(
                file, Map.of("addSpecialTokens", "false", "truncation", "false", "modelMaxLength", "1000000000"))) {
            for (int i = 0; i < lines.size(); i++) {
                long[] expected = djl.encode(lines.get(i), false, false).getIds();
                int[] want = new int[expected.length];
                for (int k = 0; k < want.length; k++) {
                    want[k] = (int) expected[k];
                }
                assertArrayEquals(want, ours.encode(lines.get(i), false), "line " + i + ": " + lines.get(i));
            }
        }
        // the map does something: full-width letters and digits become ASCII
        assertLength(
                "ABC123".getBytes(StandardCharsets.UTF_8).length,
                ours.encode("ＡＢＣ１２３", false).length,
                "ＡＢＣ１２３ normalizes to six ASCII bytes");
    }

    private static void assertLength(int expected, int actual, String message) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual, message);
    }

    private static String charsmap() throws IOException {
        try (InputStream in =
                PrecompiledNormalizerTest.class.getResourceAsStream("/precompiled/nmt_nfkc.charsmap.b64")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    /** A tokenizer.json whose ids are the UTF-8 bytes of the Precompiled-normalized text. */
    private static ObjectNode bytesOfNormalizedText(String charsmap) {
        ObjectNode root = Fixtures.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Precompiled");
        normalizer.put("precompiled_charsmap", charsmap);
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", false);
        pre.put("use_regex", false);
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", false);
        decoder.put("trim_offsets", false);
        decoder.put("use_regex", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteToUnicode.toChar((byte) b)), b);
        }
        model.putArray("merges");
        return root;
    }
}
