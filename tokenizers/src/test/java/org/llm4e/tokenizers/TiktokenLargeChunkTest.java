package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Chunks far longer than the heap threshold (one pre-split piece of tens of thousands of bytes: a word without
 * spaces, a whitespace run, a symbol run, CJK without punctuation) encode to jtokkit's ids in all four encodings; the
 * merge goes through the heap form there, and through the scan for the short pieces of the same texts.
 */
class TiktokenLargeChunkTest {
    static Map<String, String> texts() {
        SplittableRandom rnd = new SplittableRandom(11);
        Map<String, String> texts = new LinkedHashMap<>();
        StringBuilder letters = new StringBuilder();
        StringBuilder cjk = new StringBuilder();
        StringBuilder symbols = new StringBuilder();
        String punct = "!@#$%^&*()_+-=[]{};:,.<>?/|~";
        for (int i = 0; i < 20_000; i++) {
            letters.append((char) ('a' + rnd.nextInt(26)));
            symbols.append(punct.charAt(rnd.nextInt(punct.length())));
        }
        for (int i = 0; i < 7_000; i++) {
            cjk.append((char) (0x4E00 + rnd.nextInt(3000)));
        }
        texts.put("random letters", letters.toString());
        texts.put("one letter", "a".repeat(20_000));
        texts.put("spaces then a word", " ".repeat(20_000) + "word");
        texts.put("symbols", symbols.toString());
        texts.put("CJK", cjk.toString());
        texts.put("medium pieces", (letters.substring(0, 150) + " " + letters.substring(150, 230) + ". ").repeat(20));
        return texts;
    }

    @Test
    void hugeSingleChunksMatchJtokkit() {
        EncodingRegistry registry = Encodings.newDefaultEncodingRegistry();
        for (String name : Tiktoken.names()) {
            Encoding peer = registry.getEncoding(EncodingType.fromName(name).orElseThrow());
            Tiktoken enc = Tiktoken.load(name);
            for (Map.Entry<String, String> t : texts().entrySet()) {
                int[] ids = enc.encode(t.getValue());
                assertArrayEquals(peer.encodeOrdinary(t.getValue()).toArray(), ids, name + " " + t.getKey());
                assertEquals(t.getValue(), enc.decode(ids));
            }
        }
    }
}
