package org.llm4e.tokenizers.internal;

/**
 * The character classes of the tiktoken split patterns, as {@code java.util.regex} with {@link
 * java.util.regex.Pattern#UNICODE_CHARACTER_CLASS} defines them, for the hand-written splitters. Each code point maps
 * to a bit set:
 *
 * <pre>
 *   \p{L}  = Lu ∪ Ll ∪ Lt ∪ Lm ∪ Lo          (Character.getType)
 *   \p{N}  = Nd ∪ Nl ∪ No
 *   \p{M}  = Mn ∪ Mc ∪ Me
 *   \s     = Unicode White_Space = Zs ∪ Zl ∪ Zp ∪ [U+0009, U+000D] ∪ {U+0085}
 *            (NBSP, U+3000, U+0085 and U+2028 included; U+200B, a format character, not)
 * </pre>
 *
 * <p>The classes come from the running JDK's {@link Character#getType(int)}, exactly as the regex does, so the
 * splitters and the regex agree on every JDK; both follow the JDK's Unicode version (13.0 on JDK 17, 16.0 on JDK 25):
 * a code point assigned after the JDK's version is {@code Cn} (unassigned), neither a letter nor a number. The table
 * covers the BMP (64 KB, built once); supplementary code points are classified on the fly.
 */
public final class CodePointClass {
    /** Lu or Lt (o200k's "upper" letters that are not also "lower"). */
    public static final int UPPER = 1;
    /** Ll. */
    public static final int LOWER = 1 << 1;
    /** Lm or Lo (both "upper" and "lower" for o200k). */
    public static final int OTHER_LETTER = 1 << 2;
    /** Mn, Mc or Me. */
    public static final int MARK = 1 << 3;
    /** Nd, Nl or No. */
    public static final int NUMBER = 1 << 4;
    /** Unicode White_Space. */
    public static final int SPACE = 1 << 5;
    /** {@code \r} or {@code \n}. */
    public static final int NEWLINE = 1 << 6;

    /** {@code \p{L}}. */
    public static final int LETTER = UPPER | LOWER | OTHER_LETTER;
    /** o200k's {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]}. */
    public static final int CASED_UPPER = UPPER | OTHER_LETTER | MARK;
    /** o200k's {@code [\p{Ll}\p{Lm}\p{Lo}\p{M}]}. */
    public static final int CASED_LOWER = LOWER | OTHER_LETTER | MARK;

    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < BMP.length; c++) {
            BMP[c] = (byte) compute(c);
        }
    }

    private CodePointClass() {}

    /**
     * Returns the class bits of a code point.
     *
     * @param cp a code point (a lone surrogate is its own code point, of type Cs: no bit)
     * @return the bits
     */
    public static int of(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    private static int compute(int cp) {
        int bits;
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER:
            case Character.TITLECASE_LETTER:
                bits = UPPER;
                break;
            case Character.LOWERCASE_LETTER:
                bits = LOWER;
                break;
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
                bits = OTHER_LETTER;
                break;
            case Character.NON_SPACING_MARK:
            case Character.COMBINING_SPACING_MARK:
            case Character.ENCLOSING_MARK:
                bits = MARK;
                break;
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
                bits = NUMBER;
                break;
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                bits = SPACE;
                break;
            default:
                bits = 0;
        }
        if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85) {
            bits |= SPACE;
        }
        if (cp == '\r' || cp == '\n') {
            bits |= NEWLINE;
        }
        return bits;
    }

    /**
     * Returns the code point at {@code i}, pairing a high surrogate with a following low one only inside {@code [i,
     * to)}, as the regex matcher does at a region's end.
     *
     * @param text the text
     * @param i the index, below {@code to}
     * @param to the end of the region
     * @return the code point (a lone surrogate as itself)
     */
    public static int codePointAt(CharSequence text, int i, int to) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < to) {
            char d = text.charAt(i + 1);
            if (Character.isLowSurrogate(d)) {
                return Character.toCodePoint(c, d);
            }
        }
        return c;
    }

    /**
     * Whether a char is one of a contraction's letters up to case, as {@code (?i)} with Unicode case folding matches
     * it: the letter, its other ASCII case, and for {@code s} also U+017F LATIN SMALL LETTER LONG S (whose upper case
     * is {@code S}; the Kelvin sign U+212A folds to {@code k}, which no contraction uses).
     *
     * @param c the char
     * @param lower the ASCII lower-case letter
     * @return whether {@code c} matches {@code lower} case-insensitively
     */
    public static boolean equalsIgnoreCase(char c, char lower) {
        return c == lower || c == lower - ('a' - 'A') || (lower == 's' && c == '\u017F');
    }

    /**
     * The length of a contraction at {@code i}: {@code '(?:[sdmt]|ll|ve|re)} (r50k, case-sensitive), the same with
     * {@code (?i)} (cl100k), or o200k's {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)}, which is the same set.
     *
     * @param text the text
     * @param i where the apostrophe would be
     * @param to the end of the region
     * @param ignoreCase whether the letters match up to case
     * @return 2 or 3 chars, or 0 if there is no contraction at {@code i}
     */
    public static int contraction(CharSequence text, int i, int to, boolean ignoreCase) {
        if (i + 1 >= to || text.charAt(i) != '\'') {
            return 0;
        }
        char a = text.charAt(i + 1);
        if (is(a, 's', ignoreCase) || is(a, 'd', ignoreCase) || is(a, 'm', ignoreCase) || is(a, 't', ignoreCase)) {
            return 2;
        }
        if (i + 2 >= to) {
            return 0;
        }
        char b = text.charAt(i + 2);
        boolean two = (is(a, 'l', ignoreCase) && is(b, 'l', ignoreCase))
                || (is(a, 'v', ignoreCase) && is(b, 'e', ignoreCase))
                || (is(a, 'r', ignoreCase) && is(b, 'e', ignoreCase));
        return two ? 3 : 0;
    }

    private static boolean is(char c, char lower, boolean ignoreCase) {
        return ignoreCase ? equalsIgnoreCase(c, lower) : c == lower;
    }

    /**
     * The end of the run of code points, from {@code i}, whose class has a bit of {@code mask}.
     *
     * @param text the text
     * @param i the first char
     * @param to the end of the region
     * @param mask the class bits
     * @return the index after the run ({@code i} if the code point at {@code i} is not in the class)
     */
    public static int skip(CharSequence text, int i, int to, int mask) {
        while (i < to) {
            char c = text.charAt(i);
            if (c < 0xD800) {
                if ((BMP[c] & mask) == 0) {
                    return i;
                }
                i++;
            } else {
                int cp = codePointAt(text, i, to);
                if ((of(cp) & mask) == 0) {
                    return i;
                }
                i += Character.charCount(cp);
            }
        }
        return i;
    }

    /**
     * The end of the run of code points, from {@code i}, whose class has no bit of {@code mask}.
     *
     * @param text the text
     * @param i the first char
     * @param to the end of the region
     * @param mask the class bits
     * @return the index after the run
     */
    public static int skipNot(CharSequence text, int i, int to, int mask) {
        while (i < to) {
            char c = text.charAt(i);
            if (c < 0xD800) {
                if ((BMP[c] & mask) != 0) {
                    return i;
                }
                i++;
            } else {
                int cp = codePointAt(text, i, to);
                if ((of(cp) & mask) != 0) {
                    return i;
                }
                i += Character.charCount(cp);
            }
        }
        return i;
    }
}
