package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.llm4e.testsupport.LlmArbitraries;

/**
 * Properties of {@link SentencePiece} on the committed test models (the per-line agreement with spm_encode and DJL is
 * in {@code SentencePieceGoldenTest} and {@code SentencePieceDjlCrossCheckTest}).
 */
class SentencePieceProperties {

    @Provide
    Arbitrary<String> texts() {
        return LlmArbitraries.unicodeStrings(60);
    }

    /** Identity normalization, no whitespace clean-up and byte fallback: nothing is lost, every string comes back. */
    @Property(tries = 150)
    void llamaStyleModelRoundTripsEveryString(@ForAll("texts") String text) {
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        int[] ids = sp.encode(text);
        assertEquals(text, sp.decode(ids));
        for (int id : ids) {
            assertTrue(id >= 0 && id < sp.vocabSize(), "id " + id + " outside the vocabulary");
            assertTrue(id != sp.unkId(), "byte fallback leaves nothing unknown: " + text);
        }
    }

    /** The pieces of an encoding are its ids' pieces, and encoding is a function of the text alone. */
    @Property(tries = 100)
    void unigramPiecesAreTheIdsPieces(@ForAll("texts") String text) {
        SentencePiece sp = SentencePieceTestData.model("t5_unigram");
        int[] ids = sp.encode(text);
        var pieces = sp.encodeAsPieces(text);
        assertEquals(ids.length, pieces.size());
        for (int i = 0; i < ids.length; i++) {
            assertEquals(sp.idToPiece(ids[i]), pieces.get(i));
        }
        assertEquals(java.util.Arrays.toString(ids), java.util.Arrays.toString(sp.encode(text)));
    }
}
