package org.llm4e.tokenizers.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link Splitter} that emits the matches of a regular expression, as Python's {@code regex.findall} does (text
 * between matches is dropped; the GPT-2 and GPT-4 patterns match every char, so nothing is dropped in practice).
 *
 * <p>The pattern is compiled with {@link Pattern#UNICODE_CHARACTER_CLASS} so that {@code \s} is Unicode's
 * White_Space property, as in Python's {@code regex} module and Rust's {@code regex} crate (without the flag Java's
 * {@code \s} is ASCII only and NBSP or U+3000 would split differently). {@code \p{L}} and {@code \p{N}} are the
 * same in all three.
 */
public final class RegexSplitter implements Splitter {
    private final Pattern pattern;

    /**
     * Compiles a split pattern.
     *
     * @param regex the pattern, in the syntax shared by Python's {@code regex} and {@code java.util.regex}
     * @throws java.util.regex.PatternSyntaxException if the pattern is malformed
     */
    public RegexSplitter(String regex) {
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    @Override
    public void split(CharSequence text, int from, int to, ChunkSink sink) {
        Matcher m = pattern.matcher(text);
        m.region(from, to);
        while (m.find()) {
            int s = m.start();
            int e = m.end();
            if (e > s) {
                sink.accept(s, e);
            }
        }
    }
}
