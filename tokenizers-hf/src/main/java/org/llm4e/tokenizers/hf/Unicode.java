package org.llm4e.tokenizers.hf;

/**
 * The Rust {@code char} predicates that Hugging Face tokenizers uses, written for Java code points (Java's own
 * {@link Character#isWhitespace(int)} and {@link Character#isLetterOrDigit(int)} are different sets).
 */
final class Unicode {
    private Unicode() {}

    /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D)
                || cp == 0x20
                || cp == 0x85
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    /** Rust's {@code char::is_numeric}: general categories Nd, Nl, No. */
    static boolean isNumeric(int cp) {
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** Rust's {@code char::is_alphanumeric}: Alphabetic or Numeric. */
    static boolean isAlphanumeric(int cp) {
        return Character.isAlphabetic(cp) || isNumeric(cp);
    }

    /**
     * Rust's {@code char::to_lowercase} (full case mapping, without context): the simple mapping, except U+0130
     * (capital I with dot above) which lower-cases to two code points.
     */
    static void appendLowercase(StringBuilder out, int cp) {
        if (cp == 0x130) {
            out.append("i\u0307");
        } else {
            out.appendCodePoint(Character.toLowerCase(cp));
        }
    }

    static String lowercase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            appendLowercase(out, cp);
        }
        return out.toString();
    }
}
