package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import org.junit.jupiter.api.Test;

/** The nmt_nfkc character map of the T5-style test model. */
class PrecompiledCharsMapTest {
    private static PrecompiledCharsMap map() {
        return SentencePieceTestData.model("t5_unigram").charsMap();
    }

    @Test
    void fullWidthAsciiBecomesAsciiAsNfkc() {
        assertEquals("\uFF5E", map().normalize("\uFF5E"));
        PrecompiledCharsMap m = map();
        // U+FF01..U+FF5D; nmt_nfkc keeps the full-width tilde U+FF5E, which NFKC maps to ~
        for (int c = 0xFF01; c <= 0xFF5D; c++) {
            String s = Character.toString(c);
            assertEquals(Normalizer.normalize(s, Normalizer.Form.NFKC), m.normalize(s), "U+" + Integer.toHexString(c));
            assertEquals(m.normalize(s), m.normalizeGraphemes(s));
        }
    }

    @Test
    void ligaturesCompatibilityCharactersAndUntouchedText() {
        PrecompiledCharsMap m = map();
        assertEquals("fi ffi 1⁄2 (株)", m.normalize("ﬁ ﬃ ½ ㈱"));
        assertEquals("plain ascii, 中文", m.normalize("plain ascii, 中文"));
        assertEquals("fi", m.transform("ﬁ"));
        assertNull(m.transform("a"));
        // combining sequences compose: e + U+0301 → é
        assertEquals("\u00e9", m.normalize("e\u0301"));
        assertEquals("\u00e9", m.normalizeGraphemes("e\u0301"));
    }

    @Test
    void parseRejectsTruncatedBlobs() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PrecompiledCharsMap.parse(new byte[] {1, 0}));
        assertTrue(e.getMessage().contains("byte offset 2"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> PrecompiledCharsMap.parse(new byte[] {64, 0, 0, 0, 1, 2, 3, 4}));
        assertTrue(e.getMessage().contains("trie size 64"), e.getMessage());
    }
}
