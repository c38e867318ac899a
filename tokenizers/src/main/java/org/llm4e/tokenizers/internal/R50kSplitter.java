package org.llm4e.tokenizers.internal;

import static org.llm4e.tokenizers.internal.CodePointClass.LETTER;
import static org.llm4e.tokenizers.internal.CodePointClass.NUMBER;
import static org.llm4e.tokenizers.internal.CodePointClass.SPACE;

/**
 * r50k_base's and p50k_base's pre-split (GPT-2's pattern as tiktoken writes it) by hand: the same chunks as the
 * regex in {@code Tiktoken.R50K_PATTERN}, which stays the reference ({@link RegexSplitter}).
 *
 * <pre>
 *   '(?:[sdmt]|ll|ve|re)          a contraction, lower case only
 *   ' '?\p{L}++                   an optional space and a run of letters
 *   ' '?\p{N}++                   an optional space and a run of numbers (no limit of three, unlike cl100k)
 *   ' '?[^\s\p{L}\p{N}]++         an optional space and a run of symbols
 *   \s++$                         a whitespace run that ends the text
 *   \s+(?!\S)                     a whitespace run but its last char
 *   \s                            one whitespace char
 * </pre>
 *
 * Immutable and thread-safe.
 */
public final class R50kSplitter implements Splitter {
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
        char c = text.charAt(i);
        if (c == '\'') {
            int n = CodePointClass.contraction(text, i, to, false);
            if (n > 0) {
                return i + n;
            }
        }
        int start = c == ' ' && i + 1 < to ? i + 1 : i;
        int cls = CodePointClass.of(CodePointClass.codePointAt(text, start, to));
        if ((cls & LETTER) != 0) {
            return CodePointClass.skip(text, start, to, LETTER);
        }
        if ((cls & NUMBER) != 0) {
            return CodePointClass.skip(text, start, to, NUMBER);
        }
        if ((cls & SPACE) == 0) {
            return CodePointClass.skipNot(text, start, to, SPACE | LETTER | NUMBER);
        }
        // whitespace at i (a space followed by whitespace, or another whitespace char)
        int runEnd = CodePointClass.skip(text, i, to, SPACE);
        if (runEnd == to) {
            return to;
        }
        return runEnd - 1 > i ? runEnd - 1 : i + 1;
    }
}
