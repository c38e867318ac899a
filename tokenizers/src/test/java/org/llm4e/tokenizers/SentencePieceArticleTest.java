package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Article A7 (SentencePiece, TOK-5): its listed properties, checked on the models trained by make_models.sh, and
 * the items the article does not cover ([X] in the catalog: {@code ▁}, byte fallback, {@code <unk>}).
 */
class SentencePieceArticleTest {
    @Test
    void property2LanguageIndependentNoPreTokenization() {
        // "treats a sentence as a sequence of Unicode characters": Chinese without spaces is segmented too
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        String zh = "学习北京的机器今天";
        int[] ids = sp.encode(zh);
        assertTrue(ids.length > 1 && ids.length < zh.length() * 3, "ids: " + ids.length);
        assertEquals(zh, sp.decode(ids));
    }

    @Test
    void property3BpeAndUnigram() {
        assertEquals(
                SentencePiece.ModelType.BPE,
                SentencePieceTestData.model("llama_bpe").modelType());
        assertEquals(
                SentencePiece.ModelType.UNIGRAM,
                SentencePieceTestData.model("t5_unigram").modelType());
    }

    @Test
    void property6IdsDirectlyFromRawTextAndWhitespaceMarker() {
        // [X] spaces become ▁ (U+2581) before segmentation; decoding concatenates and turns ▁ back into spaces
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        String text = "the tokenizers module";
        List<String> pieces = sp.encodeAsPieces(text);
        assertTrue(pieces.get(0).startsWith("\u2581"), pieces.toString());
        assertEquals(" " + text, String.join("", pieces).replace('\u2581', ' '));
        assertEquals(text, sp.decode(sp.encode(text)));
    }

    @Test
    void property7NfkcBasedNormalization() {
        SentencePiece t5 = SentencePieceTestData.model("t5_unigram");
        // the ideographic space U+3000 becomes a space, and so ▁
        assertEquals("\u2581ABC123\u2581fi", t5.normalize("ＡＢＣ１２３\u3000ﬁ"));
        // identity normalization keeps the full-width characters
        SentencePiece llama = SentencePieceTestData.model("llama_bpe");
        assertEquals("\u2581ＡＢＣ", llama.normalize("ＡＢＣ"));
    }

    @Test
    void byteFallbackWritesUnknownCharactersAsTheirUtf8Bytes() {
        // [X] byte fallback: a character outside the vocabulary becomes <0xNN> pieces, one per UTF-8 byte
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        String rare = "\uD835\uDD18"; // 𝔘, U+1D518, not in the training text
        List<String> pieces = sp.encodeAsPieces(rare);
        List<String> expected = new ArrayList<>();
        expected.add("\u2581");
        for (byte b : rare.getBytes(StandardCharsets.UTF_8)) {
            expected.add(String.format("<0x%02X>", b & 0xFF));
        }
        assertEquals(expected, pieces);
        assertEquals(rare, sp.decode(sp.encode(rare)));
    }

    @Test
    void withoutByteFallbackUnknownCharactersAreOneUnk() {
        // [X] <unk>: a run of unknown characters is one <unk> id, decoded as " ⁇ "
        SentencePiece sp = SentencePieceTestData.model("bpe_nfkc");
        int[] ids = sp.encode("\u9F98\u9F98"); // 龘龘: not in the training text, unchanged by NFKC
        assertEquals(2, ids.length);
        assertEquals(sp.unkId(), ids[1]);
        assertEquals(" \u2047 ", sp.decode(new int[] {sp.unkId()}));
    }
}
