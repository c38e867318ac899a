package org.llm4e.testsupport;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.llm4e.core.Tensor;

/**
 * Shared jqwik arbitraries: shapes, float arrays and tensors with realistic magnitudes, and Unicode strings that
 * exercise tokenizers (ASCII, accents, CJK, emoji, combining marks, whitespace runs, surrogate pairs).
 */
public final class LlmArbitraries {
    private LlmArbitraries() {}

    /**
     * Shapes of the given rank with each dimension in {@code [1, maxDim]}.
     *
     * @param rank the number of dimensions
     * @param maxDim the largest dimension
     * @return an arbitrary shape
     */
    public static Arbitrary<int[]> shapes(int rank, int maxDim) {
        return Arbitraries.integers().between(1, maxDim).array(int[].class).ofSize(rank);
    }

    /**
     * Float arrays of a length in {@code [minLength, maxLength]} with values in {@code [-bound, bound]}.
     *
     * @param minLength shortest length
     * @param maxLength longest length
     * @param bound the largest magnitude
     * @return an arbitrary array
     */
    public static Arbitrary<float[]> floatArrays(int minLength, int maxLength, float bound) {
        return Arbitraries.floats()
                .between(-bound, bound)
                .array(float[].class)
                .ofMinSize(minLength)
                .ofMaxSize(maxLength);
    }

    /**
     * Standard-normal tensors of a random shape of the given rank, from {@link Tensor#randn(long, int...)}.
     *
     * @param rank the number of dimensions
     * @param maxDim the largest dimension
     * @return an arbitrary tensor
     */
    public static Arbitrary<Tensor> tensors(int rank, int maxDim) {
        return Combinators.combine(Arbitraries.longs(), shapes(rank, maxDim)).as(Tensor::randn);
    }

    /**
     * Strings mixing scripts and the characters that break naive tokenizers: ASCII words and punctuation, Latin with
     * accents (precomposed and combining), Greek, Cyrillic, CJK, emoji outside the BMP (surrogate pairs), digits,
     * runs of spaces, tabs and newlines.
     *
     * @param maxLength the longest string, in chars
     * @return an arbitrary string
     */
    public static Arbitrary<String> unicodeStrings(int maxLength) {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(3),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(6),
                Arbitraries.of(" ", "  ", "\t", "\n", "\r\n", " \n ", "   "),
                Arbitraries.of(".", ",", "!", "?", "'s", "'t", "'re", "-", "(", ")", "\"", "…", "—"),
                Arbitraries.of("é", "ü", "ñ", "e\u0301", "a\u0308", "Ångström", "naïve", "ß"),
                Arbitraries.strings().withCharRange('α', 'ω').ofMinLength(1).ofMaxLength(5),
                Arbitraries.strings().withCharRange('а', 'я').ofMinLength(1).ofMaxLength(5),
                Arbitraries.strings()
                        .withCharRange('\u4e00', '\u9fa5')
                        .ofMinLength(1)
                        .ofMaxLength(4),
                Arbitraries.of("😀", "🤖", "👍🏽", "🇨🇳", "𝔘𝔫𝔦", "\uD83D\uDE80"),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(2).filter(LlmArbitraries::wellFormed));
        return pieces.list()
                .ofMaxSize(Math.max(1, maxLength / 2))
                .map(list -> String.join("", list))
                .filter(s -> s.length() <= maxLength);
    }

    /**
     * Whether a string is well-formed UTF-16 (no unpaired surrogate), i.e. encodable to UTF-8 and back unchanged.
     *
     * @param s the string
     * @return true if every surrogate is paired
     */
    public static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
