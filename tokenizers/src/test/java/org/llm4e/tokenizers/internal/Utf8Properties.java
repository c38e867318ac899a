package org.llm4e.tokenizers.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.llm4e.testsupport.LlmArbitraries;

/** {@link Utf8} agrees with the JDK's UTF-8 encoder on well-formed text and writes U+FFFD for lone surrogates. */
class Utf8Properties {
    @Provide
    Arbitrary<String> texts() {
        return LlmArbitraries.unicodeStrings(100);
    }

    @Property(tries = 200)
    void matchesJdkEncoder(@ForAll("texts") String s) {
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), Utf8.bytes(s, 0, s.length()));
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacter() {
        String s = "a\uD800b\uDC00\uD83D";
        byte[] expected = "a\uFFFDb\uFFFD\uFFFD".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, Utf8.bytes(s, 0, s.length()));
        // a surrogate pair cut by the range end is a lone surrogate too
        String emoji = "x😀";
        assertArrayEquals("x\uFFFD".getBytes(StandardCharsets.UTF_8), Utf8.bytes(emoji, 0, 2));
    }
}
