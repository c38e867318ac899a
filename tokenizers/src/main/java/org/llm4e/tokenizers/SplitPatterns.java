package org.llm4e.tokenizers;

/**
 * The regular expressions that pre-split text into chunks before byte-level BPE (merges never cross a chunk
 * boundary, so {@code " cats"} and {@code "."} stay apart). They are written in the syntax that Python's {@code
 * regex} module and {@code java.util.regex} share; the library compiles them with Unicode character classes so that
 * {@code \s} means Unicode White_Space as in Python and Rust.
 */
public final class SplitPatterns {
    private SplitPatterns() {}

    /**
     * GPT-2's pattern as minbpe writes it ({@code GPT2_SPLIT_PATTERN}): contractions, optional space + letters,
     * optional space + digits, optional space + other symbols, trailing whitespace. On {@code 'I like cats.'} it
     * gives {@code 'I', ' like', ' cats', '.'}.
     */
    public static final String GPT2 = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /**
     * GPT-4's pattern as minbpe writes it ({@code GPT4_SPLIT_PATTERN}): case-insensitive contractions, letters with at
     * most one leading non-letter, digit groups of at most three, punctuation runs with trailing newlines. It is not
     * byte-identical to tiktoken's {@code cl100k_base} pattern: possessive quantifiers and {@code
     * \s*[\r\n]} instead of {@code \s*[\r\n]+}; this is the pattern of the {@code bpe_train} golden cases.
     */
    public static final String GPT4 = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";
}
