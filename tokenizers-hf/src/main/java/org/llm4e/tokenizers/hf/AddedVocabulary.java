package org.llm4e.tokenizers.hf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code added_tokens} of a {@code tokenizer.json}: strings cut out of the input before the model sees it, each
 * becoming its own id. Mirrors HF's {@code tokenizer/added_vocabulary.rs} ({@code split_with_indices}): matches are
 * found leftmost-longest and without overlap (Aho–Corasick's {@code LeftmostLongest}); then a {@code single_word}
 * token is skipped unless no word character ({@code char::is_alphanumeric} or {@code _}) touches it on either side,
 * {@code lstrip} swallows the white space before it and {@code rstrip} the white space after it. Tokens with
 * {@code normalized: false} are matched on the raw input; the others, after the normalizer, on the normalized pieces
 * (their content normalized too).
 */
final class AddedVocabulary {
    /** One added token. */
    record Token(
            int id,
            String content,
            boolean singleWord,
            boolean lstrip,
            boolean rstrip,
            boolean normalized,
            boolean special) {}

    /** A piece of input: an added token's id, or {@code -1} and text still to be tokenized. */
    record Segment(int id, String text, boolean atStart) {}

    private final Token[] tokens;

    AddedVocabulary(List<Token> tokens) {
        this.tokens = tokens.toArray(new Token[0]);
    }

    boolean isEmpty() {
        return tokens.length == 0;
    }

    /** Splits a piece of text on the tokens, appending the segments in order. */
    void split(String text, boolean atStart, List<Segment> out) {
        if (tokens.length == 0 || text.isEmpty()) {
            if (!text.isEmpty()) {
                out.add(new Segment(-1, text, atStart));
            }
            return;
        }
        // 1. all non-overlapping leftmost-longest matches, before any filtering (as the automaton reports them)
        List<int[]> matches = new ArrayList<>();
        int[] nextAt = new int[tokens.length];
        Arrays.fill(nextAt, -2);
        int from = 0;
        while (from < text.length()) {
            int best = -1;
            int bestToken = -1;
            for (int t = 0; t < tokens.length; t++) {
                String c = tokens[t].content();
                if (c.isEmpty()) {
                    continue;
                }
                if (nextAt[t] != -1 && nextAt[t] < from) {
                    nextAt[t] = text.indexOf(c, from);
                }
                int at = nextAt[t];
                if (at >= 0
                        && (best < 0
                                || at < best
                                || (at == best
                                        && c.length()
                                                > tokens[bestToken].content().length()))) {
                    best = at;
                    bestToken = t;
                }
            }
            if (best < 0) {
                break;
            }
            int end = best + tokens[bestToken].content().length();
            matches.add(new int[] {best, end, bestToken});
            from = end;
        }
        // 2. HF's loop over the matches
        int startOffset = 0;
        for (int[] m : matches) {
            int start = m[0];
            int stop = m[1];
            Token token = tokens[m[2]];
            if (token.singleWord()) {
                boolean startSpace = start == 0 || !isWordChar(text.codePointBefore(start));
                boolean stopSpace = stop == text.length() || !isWordChar(text.codePointAt(stop));
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (token.lstrip()) {
                int s = start;
                while (s > 0 && Unicode.isWhitespace(text.codePointBefore(s))) {
                    s -= Character.charCount(text.codePointBefore(s));
                }
                start = Math.max(s, startOffset);
            }
            if (token.rstrip()) {
                while (stop < text.length() && Unicode.isWhitespace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                out.add(new Segment(-1, text.substring(startOffset, start), atStart && startOffset == 0));
            }
            out.add(new Segment(token.id(), null, false));
            startOffset = stop;
        }
        if (startOffset < text.length()) {
            out.add(new Segment(-1, text.substring(startOffset), atStart && startOffset == 0));
        }
    }

    private static boolean isWordChar(int cp) {
        return Unicode.isAlphanumeric(cp) || cp == '_';
    }
}
