package org.llm4e.tokenizers.internal;

import static org.llm4e.tokenizers.internal.CodePointClass.LETTER;
import static org.llm4e.tokenizers.internal.CodePointClass.NEWLINE;
import static org.llm4e.tokenizers.internal.CodePointClass.NUMBER;
import static org.llm4e.tokenizers.internal.CodePointClass.SPACE;

/**
 * cl100k_base's pre-split written out by hand: the same chunks as the regex (kept as the reference in {@code
 * Tiktoken.CL100K_PATTERN} and run by {@link RegexSplitter}), without a backtracking engine. At each position the
 * alternatives are tried in the regex's order, and each one is resolved the way the regex resolves it:
 *
 * <pre>
 *   '(?i:[sdmt]|ll|ve|re)          a contraction (2 or 3 chars, letters up to Unicode case: 'ſ counts)
 *   [^\r\n\p{L}\p{N}]?+\p{L}++     at most one non-letter, non-digit, non-newline, then every following letter
 *   \p{N}{1,3}+                    one to three digits (numbers in any script)
 *   ' '?[^\s\p{L}\p{N}]++[\r\n]*+  an optional space, a run of symbols, then every following \r and \n
 *   \s++$                          a whitespace run that ends the text
 *   \s*[\r\n]                      a whitespace run cut after its last \r or \n
 *   \s+(?!\S)                      a whitespace run but its last char (which stays to prefix the next word)
 *   \s                             one whitespace char
 * </pre>
 *
 * Immutable and thread-safe.
 */
public final class Cl100kSplitter implements Splitter {
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
        if (cp == '\'') {
            int n = CodePointClass.contraction(text, i, to, true);
            if (n > 0) {
                return i + n;
            }
        }
        if ((cls & LETTER) != 0) {
            return CodePointClass.skip(text, after, to, LETTER);
        }
        if ((cls & (NEWLINE | NUMBER)) == 0 && after < to) {
            // one "prefix" char then letters; possessive: no letter after it means this alternative fails
            int end = CodePointClass.skip(text, after, to, LETTER);
            if (end > after) {
                return end;
            }
        }
        if ((cls & NUMBER) != 0) {
            int end = after;
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
            return CodePointClass.skip(text, symbolsEnd, to, NEWLINE);
        }
        // whitespace (every char that is not a letter, a number or a symbol)
        int runEnd = CodePointClass.skip(text, i, to, SPACE);
        if (runEnd == to) {
            return to;
        }
        for (int k = runEnd - 1; k >= i; k--) {
            char c = text.charAt(k);
            if (c == '\r' || c == '\n') {
                return k + 1;
            }
        }
        // White_Space has no supplementary code points, so giving back one code point is giving back one char
        return runEnd - 1 > i ? runEnd - 1 : i + 1;
    }
}
