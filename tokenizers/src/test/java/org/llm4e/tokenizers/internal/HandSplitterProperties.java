package org.llm4e.tokenizers.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.testsupport.Golden;
import org.llm4e.testsupport.LlmArbitraries;
import org.llm4e.tokenizers.Tiktoken;

/**
 * The hand-written splitters of r50k/p50k, cl100k and o200k give exactly the chunks of their regex ({@link
 * RegexSplitter}, the reference): on every golden text, on strings drawn from one representative of every character
 * class the patterns distinguish (supplementary letters and digits, marks, every kind of whitespace, lone
 * surrogates, contraction letters up to case), on arbitrary chars, and on sub-ranges (special tokens cut the text
 * into regions).
 */
class HandSplitterProperties {
    private static final List<String> PATTERNS =
            List.of(Tiktoken.R50K_PATTERN, Tiktoken.CL100K_PATTERN, Tiktoken.O200K_PATTERN);
    private static final List<Splitter> HAND = List.of(new R50kSplitter(), new Cl100kSplitter(), new O200kSplitter());
    private static final List<Splitter> REGEX =
            PATTERNS.stream().map(p -> (Splitter) new RegexSplitter(p)).collect(java.util.stream.Collectors.toList());

    /** One code point (as a string) of each class that the three patterns tell apart. */
    static final String[] ALPHABET = {
        "a",
        "z",
        "s",
        "t",
        "d",
        "m",
        "l",
        "v",
        "e",
        "r",
        "S",
        "T",
        "D",
        "M",
        "L",
        "V",
        "E",
        "R",
        "K",
        "x",
        "Q",
        "\u017F", // ſ, whose upper case is S: (?i)'s matches 'ſ
        "\u212A", // Kelvin sign, Lu, folds to k
        "\u01C5", // ǅ, Lt
        "\u02B0", // ʰ, Lm
        "\u00AA", // ª, Lo
        "中",
        "语",
        "ß",
        "é",
        "Ω",
        "ω",
        "я",
        "\u0301", // combining acute, Mn
        "\u0903", // Devanagari visarga, Mc
        "\u20DD", // enclosing circle, Me
        "0",
        "7",
        "9",
        "\u0663", // Arabic-Indic three, Nd
        "\u216B", // Ⅻ, Nl
        "\u00BD", // ½, No
        "\uD835\uDD18", // 𝔘, supplementary Lu
        "\uD835\uDC1A", // 𝐚, supplementary Ll
        "\uD835\uDFD8", // 𝟘, supplementary Nd
        "\uD83D\uDE00",
        "\uD83D\uDC4D\uD83C\uDFFD", // emoji (So) and a skin-tone modifier (Sk)
        " ",
        " ",
        " ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\u000B",
        "\u000C",
        "\u0085", // NEL, White_Space
        "\u00A0", // NBSP
        "\u1680",
        "\u2003",
        "\u2028",
        "\u2029",
        "\u202F",
        "\u3000",
        "\u200B", // zero-width space: a format char, not White_Space
        "'",
        "'",
        "\u2019",
        "/",
        ".",
        ",",
        "!",
        "-",
        "_",
        "(",
        "#",
        "\u3002",
        "\u2014",
        "\uD800", // lone high surrogate
        "\uDC00", // lone low surrogate
    };

    static List<int[]> chunks(Splitter s, String text, int from, int to) {
        List<int[]> out = new ArrayList<>();
        s.split(text, from, to, (a, b) -> out.add(new int[] {a, b}));
        return out;
    }

    static String render(List<int[]> chunks, String text) {
        StringBuilder sb = new StringBuilder();
        for (int[] c : chunks) {
            sb.append('[').append(escape(text.substring(c[0], c[1]))).append(']');
        }
        return sb.toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return sb.toString();
    }

    static void assertSameChunks(String text, int from, int to) {
        for (int p = 0; p < PATTERNS.size(); p++) {
            String expected = render(chunks(REGEX.get(p), text, from, to), text);
            String actual = render(chunks(HAND.get(p), text, from, to), text);
            assertEquals(expected, actual, HAND.get(p).getClass().getSimpleName() + " on \"" + escape(text) + "\"");
        }
    }

    @Provide
    Arbitrary<String> classRepresentatives() {
        return Arbitraries.of(ALPHABET).list().ofMaxSize(40).map(l -> String.join("", l));
    }

    @Property(tries = 1500)
    void equalToTheRegexOnEveryCharacterClass(@ForAll("classRepresentatives") String text) {
        assertSameChunks(text, 0, text.length());
    }

    @Property(tries = 300)
    void equalToTheRegexOnArbitraryChars(@ForAll("anyChars") String text) {
        assertSameChunks(text, 0, text.length());
    }

    @Provide
    Arbitrary<String> anyChars() {
        return Arbitraries.strings().all().ofMaxLength(60);
    }

    @Property(tries = 300)
    void equalToTheRegexOnUnicodeText(@ForAll("unicode") String text) {
        assertSameChunks(text, 0, text.length());
    }

    @Provide
    Arbitrary<String> unicode() {
        return LlmArbitraries.unicodeStrings(200);
    }

    @Property(tries = 500)
    void equalToTheRegexOnSubRanges(
            @ForAll("classRepresentatives") String text,
            @ForAll @IntRange(max = 100) int a,
            @ForAll @IntRange(max = 100) int b) {
        int from = Math.min(a, b) * text.length() / 100;
        int to = Math.max(a, b) * text.length() / 100;
        // regions never cut a surrogate pair in the encoder (they end at ASCII special tokens); where one is cut,
        // java.util.regex reads the pair across the region's end and drops the half inside, the splitters keep it
        from += from > 0 && from < text.length() && Character.isSurrogatePair(text.charAt(from - 1), text.charAt(from))
                ? 1
                : 0;
        to += to > 0 && to < text.length() && Character.isSurrogatePair(text.charAt(to - 1), text.charAt(to)) ? 1 : 0;
        assertSameChunks(text, Math.min(from, to), to);
    }

    @Example
    void equalToTheRegexOnEveryGoldenText() {
        JsonNode golden = Golden.load("tokenizers.json");
        int n = 0;
        for (JsonNode t : golden.get("texts")) {
            String text = t.get("text").asText();
            assertSameChunks(text, 0, text.length());
            n++;
        }
        assertEquals(156, n);
    }

    @Example
    void aRegionEndingInsideASurrogatePairKeepsTheHighHalf() {
        String text = "a\uD835\uDD18";
        for (Splitter s : HAND) {
            assertEquals("[a][\\uD835]", render(chunks(s, text, 0, 2), text));
        }
        assertEquals("[a]", render(chunks(REGEX.get(1), text, 0, 2), text));
    }

    @Example
    void longRunsOfEachClass() {
        for (String s : ALPHABET) {
            assertSameChunks(s.repeat(1000), 0, s.length() * 1000);
            assertSameChunks("x" + s.repeat(300) + "y" + s.repeat(2) + "\u0301 ", 0, s.length() * 302 + 4);
        }
    }
}
