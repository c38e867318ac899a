package org.llm4e.tokenizers;

import java.text.Normalizer;

/**
 * BERT's text normalization, the first stage of {@link WordPiece}: clean the text, put spaces around CJK ideographs,
 * strip accents, lower-case.
 *
 * <pre>
 *   1. clean      drop U+0000, U+FFFD and every "other" code point (categories Cc Cf Cn Co Cs) except \t \n \r;
 *                 map every White_Space code point (and \t \n \r) to ' '
 *   2. CJK        c ↦ ' ' c ' '  for c in the CJK Unified Ideographs blocks (Ext. A–E, compatibility)
 *   3. accents    NFD, then drop the non-spacing marks (category Mn):  "Café" → "Cafe"
 *   4. lower-case c ↦ c.to_lowercase() code point by code point (İ → i̇; no final-sigma rule)
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（三）.md} says only that BERT uses WordPiece; the normalization is not in the
 * article (catalog item A5, [X]). Matches Hugging Face tokenizers' {@code BertNormalizer} ({@code
 * normalizers/bert.rs}) with {@code strip_accents = null} (accents follow {@code lowercase}), including its CJK
 * ranges, which start extension E at U+2B920 where Google's original BERT starts it at U+2B820. The Unicode tables
 * are the running JDK's (Unicode 13 on JDK 17, 16 on JDK 25), HF's are those of its Rust crates: code points
 * assigned in between can differ. Stateless and thread-safe.
 */
public final class BertNormalizer {
    private BertNormalizer() {}

    /**
     * Normalizes a text as BERT's uncased ({@code lowercase}) or cased models do.
     *
     * @param text the text
     * @param lowercase strip accents and lower-case (uncased models) or not (cased models)
     * @return the normalized text
     */
    public static String normalize(String text, boolean lowercase) {
        return normalize(text, true, true, lowercase, lowercase);
    }

    /**
     * Normalizes a text with each stage switched separately, as Hugging Face's {@code BertNormalizer(clean_text,
     * handle_chinese_chars, strip_accents, lowercase)}.
     *
     * @param text the text
     * @param cleanText drop control characters and map white space to ' '
     * @param handleChineseChars put spaces around CJK ideographs
     * @param stripAccents NFD and drop non-spacing marks
     * @param lowercase lower-case
     * @return the normalized text
     */
    public static String normalize(
            String text, boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {
        String s = text;
        if (cleanText || handleChineseChars) {
            StringBuilder out = new StringBuilder(s.length() + 8);
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                if (cleanText) {
                    if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                        continue;
                    }
                    if (isWhitespace(cp)) {
                        cp = ' ';
                    }
                }
                if (handleChineseChars && isChineseChar(cp)) {
                    out.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    out.appendCodePoint(cp);
                }
            }
            s = out.toString();
        }
        // ASCII is already in NFD, has no marks and lower-cases one to one: the common case skips both passes
        boolean ascii = isAscii(s);
        if (stripAccents && !ascii) {
            String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder out = new StringBuilder(nfd.length());
            for (int i = 0; i < nfd.length(); ) {
                int cp = nfd.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                    out.appendCodePoint(cp);
                }
            }
            s = out.toString();
        }
        if (lowercase) {
            s = ascii ? asciiLower(s) : lower(s);
        }
        return s;
    }

    /**
     * Tells whether a code point is white space for BERT: \t, \n, \r, or Unicode White_Space (Rust's {@code
     * char::is_whitespace}, which unlike {@link Character#isWhitespace(int)} includes the no-break spaces).
     *
     * @param cp the code point
     * @return true if it is white space
     */
    public static boolean isWhitespace(int cp) {
        switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                return true;
            default:
                return cp >= 0x2000 && cp <= 0x200A;
        }
    }

    /**
     * Tells whether a code point is a control character for BERT: Unicode category C (Cc, Cf, Cn, Co, Cs) except \t,
     * \n and \r, which count as white space.
     *
     * @param cp the code point
     * @return true if cleaning removes it
     */
    public static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL
                || type == Character.FORMAT
                || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE
                || type == Character.SURROGATE;
    }

    /**
     * Tells whether a code point is a CJK ideograph that BERT isolates (Hugging Face's ranges).
     *
     * @param cp the code point
     * @return true if it is in one of the CJK Unified Ideographs blocks or the compatibility blocks
     */
    public static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String asciiLower(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] += 'a' - 'A';
            }
        }
        return new String(c);
    }

    private static String lower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0x130) {
                // the one unconditional one-to-many lower-case mapping (SpecialCasing.txt): İ → i + U+0307
                out.append('i').append('\u0307');
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        return out.toString();
    }
}
