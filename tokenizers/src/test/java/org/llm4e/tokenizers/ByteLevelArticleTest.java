package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** W-BYTE of {@code 搞懂大模型的分词器（六）.md}, figure 1: {@code 'I like cats.'} on bytes (checks 21 and 22). */
class ByteLevelArticleTest {
    private static final String TEXT = "I like cats.";

    private static ByteLevelBpe untrained(String pattern) {
        return ByteLevelBpeTrainer.builder()
                .vocabSize(256)
                .splitPattern(pattern)
                .build()
                .train("");
    }

    @Test
    void rows2To4PreTokensBytesAndRendering() {
        for (String pattern : List.of(SplitPatterns.GPT2, SplitPatterns.GPT4)) {
            ByteLevelBpe bpe = untrained(pattern);
            List<String> pieces = bpe.preTokenize(TEXT);
            assertEquals(List.of("I", " like", " cats", "."), pieces, pattern);
            List<int[]> bytes = new ArrayList<>();
            List<String> rendered = new ArrayList<>();
            for (String piece : pieces) {
                int[] ids = bpe.encode(piece); // no merges: the ids are the bytes
                bytes.add(ids);
                rendered.add(ByteToUnicode.render(piece.getBytes(StandardCharsets.UTF_8)));
            }
            assertArrayEquals(new int[] {0x49}, bytes.get(0));
            assertArrayEquals(new int[] {0x20, 0x6c, 0x69, 0x6b, 0x65}, bytes.get(1));
            assertArrayEquals(new int[] {0x20, 0x63, 0x61, 0x74, 0x73}, bytes.get(2));
            assertArrayEquals(new int[] {0x2e}, bytes.get(3));
            assertEquals(List.of("I", "Ġlike", "Ġcats", "."), rendered);
        }
    }

    @Test
    void row5MergesStayInsidePreTokens() {
        // the figure's merges are illustrative (not given); training on the sentence itself shows the rule it
        // illustrates: every token lies inside one pre-token, and the leading space sticks to the word
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 20)
                .splitPattern(SplitPatterns.GPT2)
                .build()
                .train(TEXT);
        List<String> tokens = new ArrayList<>();
        for (int id : bpe.encode(TEXT)) {
            tokens.add(bpe.renderToken(id));
        }
        assertEquals(List.of("I", "Ġlike", "Ġcats", "."), tokens);
        assertEquals(TEXT, bpe.decode(bpe.encode(TEXT)));
    }

    @Test
    void byteToUnicodeIsABijectionWithGpt2sValues() {
        Set<Character> image = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteToUnicode.toChar((byte) b);
            image.add(c);
            assertEquals(b, ByteToUnicode.toByte(c));
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            if (printable) {
                assertEquals(b, c, "printable bytes map to themselves");
            } else {
                assertEquals(true, c >= 0x100 && c < 0x144, "the 68 others go to U+0100..U+0143");
            }
        }
        assertEquals(256, image.size());
        assertEquals('Ġ', ByteToUnicode.toChar((byte) 0x20));
        assertEquals('Ċ', ByteToUnicode.toChar((byte) 0x0A));
        assertEquals('ĉ', ByteToUnicode.toChar((byte) 0x09));
        assertEquals('Ā', ByteToUnicode.toChar((byte) 0x00));
        assertEquals('ġ', ByteToUnicode.toChar((byte) 0x7F));
        assertEquals('Ń', ByteToUnicode.toChar((byte) 0xAD));
        assertEquals("ä½ł", ByteToUnicode.render("你".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("你".getBytes(StandardCharsets.UTF_8), ByteToUnicode.parse("ä½ł"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteToUnicode.toByte(' '));
        assertEquals("c must be one of the 256 byte-level characters, got U+0020", e.getMessage());
    }

    @Test
    void noOutOfVocabularyCjkAndEmojiRoundTrip() {
        ByteLevelBpe bpe =
                ByteLevelBpeTrainer.builder().vocabSize(256 + 30).build().train("I like cats. I like dogs.");
        for (String s : List.of("我们来做一个自然语言处理任务。", "👍🏽 🇨🇳 e\u0301 한국어", "\u0000\u007f\u00ad", "")) {
            int[] ids = bpe.encode(s);
            assertEquals(s, bpe.decode(ids));
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), bpe.decodeBytes(ids));
            for (int id : ids) {
                assertEquals(true, id >= 0 && id < bpe.vocabSize(), "every id is in the vocabulary");
            }
        }
    }
}
