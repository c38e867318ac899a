package org.llm4e.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.llm4e.testsupport.LlmArbitraries;
import org.llm4e.tokenizers.ByteLevelBpe;

/**
 * A byte-level BPE saved as tokenizer.json and loaded back is the same tokenizer: the same ids as the library's own
 * encoder for any text, and decoding gives the text back (byte-level BPE loses nothing).
 */
class HfTokenizerProperties {
    private static HfTokenizer saved;

    private static synchronized HfTokenizer saved() {
        if (saved == null) {
            try {
                Path file = Files.createTempFile("llm4e-bpe", ".json");
                file.toFile().deleteOnExit();
                HfTokenizer.save(Fixtures.byteLevelBpe(), file);
                saved = HfTokenizer.load(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return saved;
    }

    @Provide
    Arbitrary<String> texts() {
        return LlmArbitraries.unicodeStrings(60);
    }

    @Property(tries = 150)
    void savedByteLevelBpeEncodesAsTheLibraryAndRoundTrips(@ForAll("texts") String text) {
        ByteLevelBpe bpe = Fixtures.byteLevelBpe();
        HfTokenizer hf = saved();
        int[] ids = hf.encode(text, false);
        assertArrayEquals(bpe.encode(text), ids);
        assertEquals(text, hf.decode(ids));
    }
}
