package org.llm4e.tokenizers.internal;

import static org.llm4e.tokenizers.internal.CodePointClass.CASED_LOWER;
import static org.llm4e.tokenizers.internal.CodePointClass.CASED_UPPER;
import static org.llm4e.tokenizers.internal.CodePointClass.LETTER;
import static org.llm4e.tokenizers.internal.CodePointClass.NEWLINE;
import static org.llm4e.tokenizers.internal.CodePointClass.NUMBER;
import static org.llm4e.tokenizers.internal.CodePointClass.SPACE;

/**
 * o200k_base's pre-split by hand: the same chunks as the regex in {@code Tiktoken.O200K_PATTERN} (the reference,
 * {@link RegexSplitter}). With {@code U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]}, {@code W = [\p{Ll}\p{Lm}\p{Lo}\p{M}]}
 * and {@code P = [^\r\n\p{L}\p{N}]}:
 *
 * <pre>
 *   P? U* W+ C?        a word ending in lower case ("Hello", " world", "McDonald" gives "Mc", "Donald")
 *   P? U+ W* C?        a word in upper case ("HTTP", " ABC")
 *   \p{N}{1,3}         one to three digits
 *   ' '?[^\s\p{L}\p{N}]+[\r\n/]*   symbols, then newlines and slashes
 *   \s*[\r\n]+         whitespace up to and including its last \r or \n
 *   \s+(?!\S)          a whitespace run but its last char
 *   \s+                the rest of a whitespace run
 *   where C = (?i:'s|'t|'re|'ve|'m|'ll|'d)
 * </pre>
 *
 * <p>The first two alternatives are not possessive, and U and W overlap (Lm, Lo, marks), so the regex backtracks;
 * the result is computed directly. {@code U*} first takes the longest run of U; if the next code point is in W (an
 * Ll), {@code W+} takes the run of W from there; otherwise {@code U*} gives code points back until one is in W, and
 * the word ends right after the last W of the U run. If there is none, the alternative fails, and the optional P is
 * given back before the next alternative is tried. Immutable and thread-safe.
 */
public final class O200kSplitter implements Splitter {
    @Override
    public void split(CharSequence text, int from, int to, ChunkSink sink) {
        int i = from;
        while (i < to) {
            int end = next(text, i, to);
            sink.accept(i, end);
            i = end;
        }
    }

    /** The end of the chunk that starts at {@code i}. */
    static int next(CharSequence text, int i, int to) {
        int cp = CodePointClass.codePointAt(text, i, to);
        int cls = CodePointClass.of(cp);
        int after = i + Character.charCount(cp);
        boolean prefix = (cls & (NEWLINE | LETTER | NUMBER)) == 0;
        // P? U* W+ C?
        int end = prefix ? upperThenLower(text, after, to) : -1;
        if (end < 0) {
            end = upperThenLower(text, i, to);
        }
        if (end < 0) {
            // P? U+ W* C?
            int start = prefix && after < to ? after : i;
            int upperEnd = CodePointClass.skip(text, start, to, CASED_UPPER);
            if (upperEnd == start && start == after) {
                start = i;
                upperEnd = CodePointClass.skip(text, start, to, CASED_UPPER);
            }
            if (upperEnd > start) {
                end = CodePointClass.skip(text, upperEnd, to, CASED_LOWER);
            }
        }
        if (end >= 0) {
            return end + CodePointClass.contraction(text, end, to, true);
        }
        if ((cls & NUMBER) != 0) {
            end = after;
            for (int k = 1; k < 3 && end < to; k++) {
                int d = CodePointClass.codePointAt(text, end, to);
                if ((CodePointClass.of(d) & NUMBER) == 0) {
                    break;
                }
                end += Character.charCount(d);
            }
            return end;
        }
        int symbols = cp == ' ' ? after : i;
        int symbolsEnd = CodePointClass.skipNot(text, symbols, to, SPACE | LETTER | NUMBER);
        if (symbolsEnd > symbols) {
            while (symbolsEnd < to) {
                char c = text.charAt(symbolsEnd);
                if (c != '\r' && c != '\n' && c != '/') {
                    break;
                }
                symbolsEnd++;
            }
            return symbolsEnd;
        }
        // whitespace
        int runEnd = CodePointClass.skip(text, i, to, SPACE);
        for (int k = runEnd - 1; k >= i; k--) {
            char c = text.charAt(k);
            if (c == '\r' || c == '\n') {
                return k + 1;
            }
        }
        if (runEnd == to) {
            return to;
        }
        return runEnd - 1 > i ? runEnd - 1 : runEnd;
    }

    /** {@code U* W+} from {@code s}: the end of the match, or -1 if it fails. */
    private static int upperThenLower(CharSequence text, int s, int to) {
        if (s >= to) {
            return -1;
        }
        int upperEnd = CodePointClass.skip(text, s, to, CASED_UPPER);
        if (upperEnd < to && (CodePointClass.of(CodePointClass.codePointAt(text, upperEnd, to)) & CASED_LOWER) != 0) {
            return CodePointClass.skip(text, upperEnd, to, CASED_LOWER);
        }
        // give code points back: the match ends after the last code point of the U run that is also in W
        int last = -1;
        for (int k = s; k < upperEnd; ) {
            int cp = CodePointClass.codePointAt(text, k, to);
            k += Character.charCount(cp);
            if ((CodePointClass.of(cp) & CASED_LOWER) != 0) {
                last = k;
            }
        }
        return last;
    }
}
