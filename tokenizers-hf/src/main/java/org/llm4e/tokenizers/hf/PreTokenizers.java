package org.llm4e.tokenizers.hf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.llm4e.tokenizers.BertPreTokenizer;
import org.llm4e.tokenizers.ByteToUnicode;
import org.llm4e.tokenizers.internal.R50kSplitter;

/**
 * The {@code pre_tokenizer} section of a {@code tokenizer.json}: splits each piece of normalized text into the words
 * the model sees (merges never cross a word). Mirrors Hugging Face tokenizers' {@code pre_tokenizers/}: {@code
 * byte_level.rs} (GPT-2's regex, then bytes rendered as printable characters by {@link ByteToUnicode}), {@code
 * whitespace.rs} ({@code \w+|[^\w\s]+}, and WhitespaceSplit), {@code bert.rs} (reusing {@link BertPreTokenizer}),
 * {@code metaspace.rs}, {@code split.rs}, {@code digits.rs}, {@code punctuation.rs}, {@code delimiter.rs} and
 * {@code sequence.rs}.
 */
final class PreTokenizers {
    private PreTokenizers() {}

    /** Splits one piece and appends the results. */
    interface PreTokenizer {
        void split(Piece piece, List<Piece> out);
    }

    static final String SUPPORTED =
            "ByteLevel, Whitespace, WhitespaceSplit, BertPreTokenizer, Metaspace, Split, Digits,"
                    + " Punctuation, CharDelimiterSplit, Sequence";

    private static final Pattern WHITESPACE_WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    /** Parses a pre-tokenizer; {@code null} JSON means none (each piece is one word). */
    static PreTokenizer parse(Json j) throws HfFormatException {
        if (j.isNull()) {
            return (p, out) -> out.add(p);
        }
        String type = j.type();
        switch (type) {
            case "ByteLevel": {
                boolean addPrefixSpace = j.bool("add_prefix_space", true);
                boolean useRegex = j.bool("use_regex", true);
                return (p, out) -> byteLevel(p, addPrefixSpace, useRegex, out);
            }
            case "Whitespace":
                return (p, out) -> SplitBehavior.REMOVED.apply(p, regexBounds(WHITESPACE_WORDS, p.text(), true), out);
            case "WhitespaceSplit":
                return (p, out) -> splitOnChars(p, Unicode::isWhitespace, SplitBehavior.REMOVED, out);
            case "BertPreTokenizer":
                return PreTokenizers::bert;
            case "Metaspace":
                return metaspace(j);
            case "Split": {
                Pattern pattern = Patterns.parse(j.required("pattern"));
                SplitBehavior behavior = SplitBehavior.parse(j.required("behavior"));
                boolean invert = j.bool("invert", false);
                return (p, out) -> behavior.apply(p, regexBounds(pattern, p.text(), invert), out);
            }
            case "Digits": {
                boolean individual = j.bool("individual_digits", false);
                SplitBehavior behavior = individual ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS;
                return (p, out) -> splitOnChars(p, Unicode::isNumeric, behavior, out);
            }
            case "Punctuation": {
                SplitBehavior behavior =
                        j.has("behavior") ? SplitBehavior.parse(j.get("behavior")) : SplitBehavior.ISOLATED;
                return (p, out) -> splitOnChars(p, PreTokenizers::isPunctuation, behavior, out);
            }
            case "CharDelimiterSplit": {
                String d = j.string("delimiter");
                if (d.codePointCount(0, d.length()) != 1) {
                    throw new HfFormatException(j.path + ".delimiter", "must be one character, got \"" + d + "\"");
                }
                int cp = d.codePointAt(0);
                return (p, out) -> splitOnChars(p, c -> c == cp, SplitBehavior.REMOVED, out);
            }
            case "Sequence": {
                List<PreTokenizer> steps = new ArrayList<>();
                for (Json n : j.required("pretokenizers").array()) {
                    steps.add(parse(n));
                }
                return (p, out) -> {
                    List<Piece> current = List.of(p);
                    for (PreTokenizer step : steps) {
                        List<Piece> next = new ArrayList<>(current.size() * 2);
                        for (Piece q : current) {
                            step.split(q, next);
                        }
                        current = next;
                    }
                    out.addAll(current);
                };
            }
            default:
                throw j.unsupported("pre-tokenizer", type, SUPPORTED);
        }
    }

    /** HF's punctuation: ASCII punctuation (which includes symbols such as $ + &lt;) or a Unicode P* category. */
    static boolean isPunctuation(int cp) {
        return BertPreTokenizer.isPunctuation(cp);
    }

    private static void bert(Piece p, List<Piece> out) {
        List<String> words = BertPreTokenizer.split(p.text());
        boolean first = p.atStart()
                && !p.text().isEmpty()
                && !Unicode.isWhitespace(p.text().codePointAt(0));
        for (String w : words) {
            out.add(new Piece(w, first));
            first = false;
        }
    }

    // ---- ByteLevel -------------------------------------------------------------------------------------------

    private static final R50kSplitter GPT2_REGEX = new R50kSplitter();

    private static void byteLevel(Piece p, boolean addPrefixSpace, boolean useRegex, List<Piece> out) {
        String text = p.text();
        if (addPrefixSpace && !text.startsWith(" ")) {
            text = " " + text;
        }
        if (!useRegex) {
            if (!text.isEmpty()) {
                out.add(new Piece(toByteLevel(text), p.atStart()));
            }
            return;
        }
        String t = text;
        boolean[] first = {p.atStart()};
        GPT2_REGEX.split(t, 0, t.length(), (s, e) -> {
            out.add(new Piece(toByteLevel(t.substring(s, e)), first[0] && s == 0));
            first[0] = false;
        });
    }

    /** UTF-8 bytes of a text, each rendered as GPT-2's printable character for that byte. */
    static String toByteLevel(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = ByteToUnicode.toChar(bytes[i]);
        }
        return new String(out);
    }

    // ---- Metaspace -------------------------------------------------------------------------------------------

    private static PreTokenizer metaspace(Json j) throws HfFormatException {
        String rep = j.string("replacement", "\u2581");
        if (rep.codePointCount(0, rep.length()) != 1) {
            throw new HfFormatException(j.path + ".replacement", "must be one character, got \"" + rep + "\"");
        }
        String scheme;
        if (j.has("prepend_scheme")) {
            scheme = j.string("prepend_scheme");
        } else {
            // files written before tokenizers 0.14 have add_prefix_space instead
            scheme = j.bool("add_prefix_space", true) ? "always" : "never";
        }
        if (!scheme.equals("always") && !scheme.equals("first") && !scheme.equals("never")) {
            throw new HfFormatException(
                    j.path + ".prepend_scheme", "must be \"always\", \"first\" or \"never\", got \"" + scheme + "\"");
        }
        boolean split = j.bool("split", true);
        int repCp = rep.codePointAt(0);
        String s = scheme;
        return (p, out) -> {
            String text = p.text().replace(" ", rep);
            boolean prepend = s.equals("always") || (s.equals("first") && p.atStart());
            if (prepend && !text.startsWith(rep)) {
                text = rep + text;
            }
            Piece q = new Piece(text, p.atStart());
            if (split) {
                splitOnChars(q, c -> c == repCp, SplitBehavior.MERGED_WITH_NEXT, out);
            } else if (!text.isEmpty()) {
                out.add(q);
            }
        };
    }

    // ---- matches -----------------------------------------------------------------------------------------------

    private static void splitOnChars(Piece p, IntPredicate isDelimiter, SplitBehavior behavior, List<Piece> out) {
        String s = p.text();
        int[] bounds = new int[24];
        int n = 0;
        int prev = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isDelimiter.test(cp)) {
                if (prev < i) {
                    bounds = add(bounds, n++, prev, i, 0);
                }
                bounds = add(bounds, n++, i, next, 1);
                prev = next;
            }
            i = next;
        }
        if (prev < s.length()) {
            bounds = add(bounds, n++, prev, s.length(), 0);
        }
        behavior.apply(p, bounds, n, out);
    }

    /** The ranges of a regex's matches and the gaps between them, HF's {@code Pattern::find_matches}. */
    static int[] regexBounds(Pattern pattern, String s, boolean invert) {
        int[] bounds = new int[24];
        int n = 0;
        int prev = 0;
        Matcher m = pattern.matcher(s);
        while (m.find()) {
            if (m.end() == m.start()) {
                continue; // an empty match delimits nothing
            }
            if (prev < m.start()) {
                bounds = add(bounds, n++, prev, m.start(), invert ? 1 : 0);
            }
            bounds = add(bounds, n++, m.start(), m.end(), invert ? 0 : 1);
            prev = m.end();
        }
        if (prev < s.length()) {
            bounds = add(bounds, n++, prev, s.length(), invert ? 1 : 0);
        }
        // the count travels in a trailing slot so that callers get one array
        int[] out = Arrays.copyOf(bounds, 3 * n + 1);
        out[3 * n] = n;
        return out;
    }

    private static int[] add(int[] bounds, int i, int s, int e, int match) {
        if (bounds.length < 3 * i + 4) {
            bounds = Arrays.copyOf(bounds, bounds.length * 2 + 4);
        }
        bounds[3 * i] = s;
        bounds[3 * i + 1] = e;
        bounds[3 * i + 2] = match;
        return bounds;
    }
}
