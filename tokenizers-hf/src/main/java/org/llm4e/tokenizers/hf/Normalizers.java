package org.llm4e.tokenizers.hf;

import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.llm4e.tokenizers.BertNormalizer;

/**
 * The {@code normalizer} section of a {@code tokenizer.json}: a function from text to text, applied to each piece of
 * the input that is not an added token. Mirrors Hugging Face tokenizers' {@code normalizers/} ({@code unicode.rs}
 * NFC/NFD/NFKC/NFKD and {@code Nmt}, {@code utils.rs} Lowercase and Sequence, {@code strip.rs} Strip and
 * StripAccents, {@code bert.rs}, {@code precompiled.rs}, {@code replace.rs}, {@code prepend.rs}). Only the text
 * matters here (ids), so the alignments HF keeps for offsets are not tracked. The Unicode tables are the running
 * JDK's; HF's Rust crates may be a different Unicode version, which matters only for code points assigned in between.
 */
final class Normalizers {
    private Normalizers() {}

    static final String SUPPORTED =
            "NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, BertNormalizer, Precompiled, Replace, Prepend, Strip, Nmt,"
                    + " Sequence";

    /** Parses a normalizer; {@code null} JSON means none (the identity). */
    static UnaryOperator<String> parse(Json j) throws HfFormatException {
        if (j.isNull()) {
            return UnaryOperator.identity();
        }
        String type = j.type();
        switch (type) {
            case "NFC":
                return s -> unicode(s, Form.NFC);
            case "NFD":
                return s -> unicode(s, Form.NFD);
            case "NFKC":
                return s -> unicode(s, Form.NFKC);
            case "NFKD":
                return s -> unicode(s, Form.NFKD);
            case "Lowercase":
                return Unicode::lowercase;
            case "StripAccents":
                return Normalizers::stripAccents;
            case "BertNormalizer": {
                boolean clean = j.bool("clean_text", true);
                boolean chinese = j.bool("handle_chinese_chars", true);
                boolean lower = j.bool("lowercase", true);
                // strip_accents null means "as lowercase", as BERT's uncased models do
                boolean strip = j.bool("strip_accents", lower);
                return s -> BertNormalizer.normalize(s, clean, chinese, strip, lower);
            }
            case "Precompiled":
                return PrecompiledNormalizer.parse(j);
            case "Replace": {
                Pattern p = Patterns.parse(j.required("pattern"));
                String content = j.string("content");
                String replacement = Matcher.quoteReplacement(content);
                return s -> p.matcher(s).replaceAll(replacement);
            }
            case "Prepend": {
                String prefix = j.string("prepend");
                return s -> s.isEmpty() ? s : prefix + s;
            }
            case "Strip": {
                boolean left = j.bool("strip_left", true);
                boolean right = j.bool("strip_right", true);
                return s -> strip(s, left, right);
            }
            case "Nmt":
                return Normalizers::nmt;
            case "Sequence": {
                List<UnaryOperator<String>> steps = new ArrayList<>();
                for (Json n : j.required("normalizers").array()) {
                    steps.add(parse(n));
                }
                return s -> {
                    for (UnaryOperator<String> step : steps) {
                        s = step.apply(s);
                    }
                    return s;
                };
            }
            default:
                throw j.unsupported("normalizer", type, SUPPORTED);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    static String unicode(String s, Form form) {
        // ASCII is invariant under all four forms: skip the JDK's normalizer in the common case
        return isAscii(s) ? s : java.text.Normalizer.normalize(s, form);
    }

    /** HF's StripAccents: drops non-spacing marks (Mn); decomposing first is the job of an NFD/NFKD before it. */
    static String stripAccents(String s) {
        if (isAscii(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    static String strip(String s, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        if (left) {
            while (from < to && Unicode.isWhitespace(s.codePointAt(from))) {
                from += Character.charCount(s.codePointAt(from));
            }
        }
        if (right) {
            while (to > from && Unicode.isWhitespace(s.codePointBefore(to))) {
                to -= Character.charCount(s.codePointBefore(to));
            }
        }
        return s.substring(from, to);
    }

    /** HF's {@code Nmt}: drops some control characters and maps other separators to a space. */
    static String nmt(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if ((cp >= 0x01 && cp <= 0x08)
                    || cp == 0x0B
                    || (cp >= 0x0E && cp <= 0x1F)
                    || cp == 0x7F
                    || cp == 0x8F
                    || cp == 0x9F) {
                continue;
            }
            boolean space = cp == 0x09
                    || cp == 0x0A
                    || cp == 0x0C
                    || cp == 0x0D
                    || cp == 0x1680
                    || (cp >= 0x200B && cp <= 0x200F)
                    || cp == 0x2028
                    || cp == 0x2029
                    || cp == 0x2581
                    || cp == 0xFEFF
                    || cp == 0xFFFD;
            out.appendCodePoint(space ? ' ' : cp);
        }
        return out.toString();
    }
}
