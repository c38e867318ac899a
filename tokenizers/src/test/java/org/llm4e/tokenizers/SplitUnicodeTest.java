package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.llm4e.tokenizers.internal.RegexSplitter;
import org.llm4e.tokenizers.internal.Splitter;

/**
 * Pre-split cases where Java's regex defaults differ from tiktoken's Rust regex (whitespace beyond ASCII, Unicode case
 * folding), and digit runs; each expected split follows from the pattern, and both the hand-written splitter and the
 * regex must produce it. Then the Unicode version: the JDK's character tables decide what a letter is, and JDK 17
 * (Unicode 13.0) and JDK 25 (Unicode 16.0) disagree on code points assigned in between.
 */
class SplitUnicodeTest {
    private static final String TOTO_PA = new String(Character.toChars(0x1E290)); // Unicode 14.0, Lo
    private static final String KAWI_A = new String(Character.toChars(0x11F04)); // Unicode 15.0, Lo
    private static final String CJK_EXT_H = new String(Character.toChars(0x31350)); // Unicode 15.0, Lo
    private static final String GARAY_CAPITAL_A = new String(Character.toChars(0x10D50)); // Unicode 16.0, Lu
    private static final String OUTLINED_ZERO = new String(Character.toChars(0x1CCF0)); // Unicode 16.0, Nd
    private static final String PEPET = "\u0897"; // ARABIC PEPET, Unicode 16.0, Mn

    private static List<String> split(Splitter s, String text) {
        List<String> out = new ArrayList<>();
        s.split(text, 0, text.length(), (a, b) -> out.add(text.substring(a, b)));
        return out;
    }

    /** The split by the encoding's splitter, checked equal to the split by its regex. */
    private static List<String> chunks(String encoding, String text) {
        String pattern = Tiktoken.load(encoding).pattern();
        List<String> hand = split(Tiktoken.splitterFor(pattern), text);
        assertEquals(split(new RegexSplitter(pattern), text), hand, "hand-written splitter vs regex");
        return hand;
    }

    @Test
    void unicodeWhitespaceIsWhitespace() {
        // \s+(?!\S) leaves the last whitespace char to prefix the word; with ASCII-only \s these runs would be
        // symbols and split as ["a", "\u00a0\u00a0", "b"]
        for (String ws : new String[] {"\u00A0", "\u3000", "\u0085", "\u2028", "\u2003", "\u202F"}) {
            String text = "a" + ws + ws + "b";
            assertEquals(List.of("a", ws, ws + "b"), chunks("cl100k_base", text), text);
            assertEquals(List.of("a", ws, ws + "b"), chunks("o200k_base", text), text);
            // only ' ' prefixes a word in r50k: the last whitespace char stands alone
            assertEquals(List.of("a", ws, ws, "b"), chunks("r50k_base", text), text);
        }
        // U+200B ZERO WIDTH SPACE is a format character, not White_Space: a symbol
        assertEquals(List.of("a", " \u200B\u200B", "b"), chunks("cl100k_base", "a \u200B\u200Bb"));
    }

    @Test
    void contractionsFoldCaseAsUnicodeDoes() {
        // ſ (U+017F) upper-cases to S, so (?i)'s matches 'ſ in cl100k and o200k; r50k is case-sensitive
        assertEquals(List.of("x", "'ſ"), chunks("cl100k_base", "x'ſ"));
        assertEquals(List.of("x", "'S"), chunks("cl100k_base", "x'S"));
        assertEquals(List.of("x'ſ"), chunks("o200k_base", "x'ſ"));
        assertEquals(List.of("x", "'", "ſ"), chunks("r50k_base", "x'ſ"));
        assertEquals(List.of("x", "'", "S"), chunks("r50k_base", "x'S"));
        assertEquals(List.of("x", "'LL"), chunks("cl100k_base", "x'LL"));
        // the Kelvin sign (U+212A) is an upper-case letter; it folds to k, which no contraction uses
        assertEquals(List.of("\u212Aelvin's"), chunks("o200k_base", "\u212Aelvin's"));
        assertEquals(List.of("\u212Aelvin", "'s"), chunks("cl100k_base", "\u212Aelvin's"));
        assertEquals(List.of("'\u212A"), chunks("cl100k_base", "'\u212A")); // a prefixed word, not a contraction
    }

    @Test
    void digitRuns() {
        assertEquals(List.of("123", "456", "7"), chunks("cl100k_base", "1234567"));
        assertEquals(List.of("123", "456", "7"), chunks("o200k_base", "1234567"));
        assertEquals(List.of("1234567"), chunks("r50k_base", "1234567"));
        assertEquals(List.of(" ", "123", "4"), chunks("cl100k_base", " 1234"));
        assertEquals(List.of(" 1234"), chunks("r50k_base", " 1234"));
        // \p{N} is every number: Arabic-Indic digits, vulgar fractions, Roman numerals
        assertEquals(List.of("\u0661\u0662\u0663", "\u0664"), chunks("cl100k_base", "\u0661\u0662\u0663\u0664"));
        assertEquals(List.of("\u00BD\u00BD\u00BD", "\u216B"), chunks("o200k_base", "\u00BD\u00BD\u00BD\u216B"));
    }

    /** The Unicode version of the running JDK's {@link Character} tables (java.lang.Character's Javadoc). */
    static double jdkUnicodeVersion() {
        int feature = Runtime.version().feature();
        if (feature <= 18) {
            return 13.0;
        }
        if (feature == 19) {
            return 14.0;
        }
        if (feature <= 21) {
            return 15.0;
        }
        if (feature <= 23) {
            return 15.1;
        }
        return 16.0;
    }

    @Test
    void newlyAssignedCodePointsFollowTheJdksUnicodeVersion() {
        double v = jdkUnicodeVersion();
        assertEquals(v >= 14.0, Character.getType(0x1E290) == Character.OTHER_LETTER, "U+1E290 TOTO LETTER PA");
        assertEquals(v >= 15.0, Character.getType(0x11F04) == Character.OTHER_LETTER, "U+11F04 KAWI LETTER A");
        assertEquals(v >= 16.0, Character.getType(0x10D50) == Character.UPPERCASE_LETTER, "U+10D50 GARAY A");
        assertEquals(v >= 16.0, Character.getType(0x1CCF0) == Character.DECIMAL_DIGIT_NUMBER, "U+1CCF0");
        assertEquals(v >= 16.0, Character.getType(0x0897) == Character.NON_SPACING_MARK, "U+0897 ARABIC PEPET");

        // a letter joins its neighbours; an unassigned code point is a symbol that prefixes the next word
        List<String> letters = v >= 14.0 ? List.of("ab" + TOTO_PA + "cd") : List.of("ab", TOTO_PA + "cd");
        assertEquals(letters, chunks("cl100k_base", "ab" + TOTO_PA + "cd"));
        assertEquals(v >= 15.0 ? List.of("x" + KAWI_A) : List.of("x", KAWI_A), chunks("cl100k_base", "x" + KAWI_A));
        List<String> kawiR50k = v >= 15.0 ? List.of(" " + KAWI_A + "x") : List.of(" " + KAWI_A, "x");
        assertEquals(kawiR50k, chunks("r50k_base", " " + KAWI_A + "x"));
        List<String> cjk = v >= 15.0 ? List.of("中" + CJK_EXT_H + "文") : List.of("中", CJK_EXT_H + "文");
        assertEquals(cjk, chunks("o200k_base", "中" + CJK_EXT_H + "文"));
        // o200k: two upper-case letters then a lower-case one form one word; two symbols stay apart from it
        String garay = GARAY_CAPITAL_A + GARAY_CAPITAL_A + "a";
        assertEquals(
                v >= 16.0 ? List.of(garay) : List.of(GARAY_CAPITAL_A + GARAY_CAPITAL_A, "a"),
                chunks("o200k_base", garay));
        assertEquals(
                v >= 16.0 ? List.of("7" + OUTLINED_ZERO + "7") : List.of("7", OUTLINED_ZERO, "7"),
                chunks("cl100k_base", "7" + OUTLINED_ZERO + "7"));
        assertEquals(
                v >= 16.0 ? List.of("a" + PEPET + "b") : List.of("a", PEPET + "b"),
                chunks("o200k_base", "a" + PEPET + "b"));

        // the ids are the BPE of those chunks, so they differ between the JDKs exactly where the chunks do
        Tiktoken enc = Tiktoken.load("cl100k_base");
        String text = "ab" + TOTO_PA + "cd";
        List<Integer> expected = new ArrayList<>();
        for (String c : letters) {
            for (int id : enc.encode(c)) {
                expected.add(id);
            }
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), enc.encode(text));
        assertEquals(text, enc.decode(enc.encode(text)));
    }
}
