package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding round trips, model metadata and malformed model files. */
class SentencePieceTest {
    @Test
    void llamaStyleModelRoundTripsEveryLine() {
        // identity normalization, no whitespace clean-up, byte fallback: decoding gives the text back exactly
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        for (String line : SentencePieceTestData.lines()) {
            assertEquals(line, sp.decode(sp.encode(line)));
        }
    }

    @Test
    void t5StyleModelRoundTripsItsNormalizedText() {
        SentencePiece sp = SentencePieceTestData.model("t5_unigram");
        int checked = 0;
        for (String line : SentencePieceTestData.lines()) {
            int[] ids = sp.encode(line);
            if (Arrays.stream(ids).noneMatch(id -> id == sp.unkId())) {
                // without <unk>, decoding gives the normalized text with ▁ turned back into spaces
                assertEquals(sp.normalize(line).replace('\u2581', ' ').substring(1), sp.decode(ids));
                checked++;
            }
        }
        assertTrue(checked > 100, "lines without <unk>: " + checked);
    }

    @Test
    void modelMetadata() {
        SentencePiece llama = SentencePieceTestData.model("llama_bpe");
        assertEquals(SentencePiece.ModelType.BPE, llama.modelType());
        assertTrue(llama.byteFallback());
        assertEquals("identity", llama.normalizerName());
        assertEquals(1000, llama.vocabSize());
        assertEquals(SentencePiece.PieceType.UNKNOWN, llama.pieceType(llama.unkId()));
        assertEquals(SentencePiece.PieceType.BYTE, llama.pieceType(llama.pieceToId("<0x41>")));
        SentencePiece t5 = SentencePieceTestData.model("t5_unigram");
        assertEquals(SentencePiece.ModelType.UNIGRAM, t5.modelType());
        assertEquals("nmt_nfkc", t5.normalizerName());
        assertEquals(2, t5.unkId());
        assertEquals("<pad>", t5.idToPiece(0));
        assertEquals("</s>", t5.idToPiece(1));
        SentencePiece ud = SentencePieceTestData.model("unigram_bytes");
        assertEquals(SentencePiece.PieceType.USER_DEFINED, ud.pieceType(ud.pieceToId("<mask>")));
        assertEquals(SentencePiece.PieceType.CONTROL, ud.pieceType(ud.pieceToId("<sep>")));
        assertEquals(ud.unkId(), ud.pieceToId("no such piece"));
    }

    @Test
    void userDefinedPiecesAreOneTokenAndControlPiecesDecodeToNothing() {
        SentencePiece sp = SentencePieceTestData.model("unigram_bytes");
        int mask = sp.pieceToId("<mask>");
        int[] ids = sp.encode("a<mask>b");
        assertTrue(Arrays.stream(ids).anyMatch(id -> id == mask), Arrays.toString(ids));
        int sep = sp.pieceToId("<sep>");
        int[] withControl = new int[ids.length + 1];
        withControl[0] = sep;
        System.arraycopy(ids, 0, withControl, 1, ids.length);
        assertEquals("a<mask>b", sp.decode(withControl));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sp.decode(new int[] {5, 1000}));
        assertTrue(e.getMessage().contains("ids[1]") && e.getMessage().contains("1000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sp.idToPiece(-1));
    }

    @Test
    void invalidUtf8FromBytePiecesDecodesToReplacementCharacters() {
        SentencePiece sp = SentencePieceTestData.model("llama_bpe");
        int[] ids = {sp.pieceToId("<0xE4>"), sp.pieceToId("<0xBD>")};
        assertEquals("\uFFFD\uFFFD", sp.decode(ids));
        assertArrayEquals(new byte[] {(byte) 0xE4, (byte) 0xBD}, sp.decodeBytes(ids));
    }

    @Test
    void truncatedFileNamesTheFieldAndTheOffset(@TempDir Path dir) throws IOException {
        byte[] model = Files.readAllBytes(SentencePieceTestData.modelPath("llama_bpe"));
        Path cut = dir.resolve("cut.model");
        Files.write(cut, Arrays.copyOf(model, 1001));
        ProtobufFormatException e = assertThrows(ProtobufFormatException.class, () -> SentencePiece.load(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("pieces"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.offset() <= 1001 && e.offset() > 900, e.getMessage());
    }

    @Test
    void unknownModelTypeNamesTheFieldAndTheOffset() {
        byte[] trainerSpec = concat(tag(3, 0), varint(7));
        byte[] model = concat(pieceField("<unk>", 0f, 2), field(2, trainerSpec));
        ProtobufFormatException e = assertThrows(ProtobufFormatException.class, () -> SentencePiece.fromBytes(model));
        int expectedOffset = model.length - 1; // the varint 7 is the last byte
        assertEquals(expectedOffset, e.offset());
        assertEquals("trainer_spec.model_type", e.field());
        assertTrue(e.getMessage().contains("unknown model type 7"), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset " + expectedOffset), e.getMessage());
    }

    @Test
    void malformedVarintAndMissingUnknownPiece() {
        byte[] longVarint = concat(tag(2, 2), new byte[] {
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            1
        });
        ProtobufFormatException e =
                assertThrows(ProtobufFormatException.class, () -> SentencePiece.fromBytes(longVarint));
        assertTrue(e.getMessage().contains("longer than 10 bytes") && e.offset() == 1, e.getMessage());

        byte[] noUnk = pieceField("a", -1f, 1);
        e = assertThrows(ProtobufFormatException.class, () -> SentencePiece.fromBytes(noUnk));
        assertTrue(e.getMessage().contains("UNKNOWN"), e.getMessage());

        byte[] badType = pieceField("<unk>", 0f, 9);
        e = assertThrows(ProtobufFormatException.class, () -> SentencePiece.fromBytes(badType));
        assertEquals("pieces[0].type", e.field());

        byte[] groupWireType = concat(tag(7, 3));
        e = assertThrows(ProtobufFormatException.class, () -> SentencePiece.fromBytes(groupWireType));
        assertTrue(e.getMessage().contains("wire type 3"), e.getMessage());
    }

    @Test
    void handWrittenModelEncodesByScore() throws ProtobufFormatException {
        // a three-piece BPE vocabulary: "▁ab" outranks "▁a" + "b"
        byte[] model = concat(
                pieceField("<unk>", 0f, 2),
                pieceField("\u2581", -3f, 1),
                pieceField("a", -4f, 1),
                pieceField("b", -5f, 1),
                pieceField("\u2581a", -1f, 1),
                pieceField("\u2581ab", -2f, 1),
                field(2, concat(tag(3, 0), varint(2))));
        SentencePiece sp = SentencePiece.fromBytes(model);
        assertEquals(List.of("\u2581ab", "\u2581a"), sp.encodeAsPieces("ab a"));
        assertArrayEquals(new int[] {5, 0}, sp.encode("ab\u00e9\u00e8")); // one <unk> for the run
        assertEquals("ab \u2047 ", sp.decode(new int[] {5, 0}));
    }

    // a tiny protobuf writer for hand-made models
    static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    static byte[] tag(int field, int wireType) {
        return varint((long) field << 3 | wireType);
    }

    static byte[] field(int number, byte[] payload) {
        return concat(tag(number, 2), varint(payload.length), payload);
    }

    static byte[] pieceField(String piece, float score, int type) {
        int bits = Float.floatToIntBits(score);
        byte[] f = {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)};
        return field(
                1, concat(field(1, piece.getBytes(StandardCharsets.UTF_8)), tag(2, 5), f, tag(3, 0), varint(type)));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
