package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.llm4e.testsupport.LlmArbitraries;

/** decode(encode(s)) == s in every bundled encoding, and decodeBytes is the UTF-8 of s. */
class TiktokenProperties {
    @Provide
    Arbitrary<String> texts() {
        return LlmArbitraries.unicodeStrings(300);
    }

    @Provide
    Arbitrary<String> encodings() {
        return Arbitraries.of(Tiktoken.names());
    }

    @Property(tries = 200)
    void decodeEncodeIsIdentity(@ForAll("texts") String s, @ForAll("encodings") String name) {
        Tiktoken enc = Tiktoken.load(name);
        int[] ids = enc.encode(s);
        assertEquals(s, enc.decode(ids));
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), enc.decodeBytes(ids));
    }
}
