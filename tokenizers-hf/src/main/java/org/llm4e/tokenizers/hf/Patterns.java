package org.llm4e.tokenizers.hf;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code pattern} member of HF's Replace normalizer, Split pre-tokenizer and Replace decoder: {@code {"String":
 * "…"}} (a literal) or {@code {"Regex": "…"}} (an Oniguruma regular expression in HF). Regexes are compiled by
 * {@code java.util.regex} with Unicode character classes, so {@code \s}, {@code \w} and {@code \d} are Unicode-aware as
 * in Oniguruma with UTF-8; the patterns real models use ({@code \p{L}}, {@code (?!\S)}, possessive quantifiers,
 * {@code (?i:…)}) mean the same in both.
 */
final class Patterns {
    private Patterns() {}

    static Pattern parse(Json j) throws HfFormatException {
        if (j.has("String")) {
            return Pattern.compile(Pattern.quote(j.string("String")));
        }
        if (j.has("Regex")) {
            String regex = j.string("Regex");
            try {
                return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw new HfFormatException(
                        j.path + ".Regex", "not a valid regular expression: " + e.getDescription(), e);
            }
        }
        throw new HfFormatException(j.path, "must be {\"String\": ...} or {\"Regex\": ...}, got " + j.describe());
    }
}
