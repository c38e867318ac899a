package org.llm4e.benchmarks.tokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The text the tokenizer benchmarks run on: a file given with {@code -p corpus=PATH} (the results in the project were
 * measured on a 5 MB mix of Chinese and English technical prose, code, licence texts and pseudo-English), or, by
 * default, a seeded synthetic mix generated here so that the benchmarks run anywhere: Zipf-distributed pseudo-English
 * words with punctuation, numbers, code-like lines, CJK runs and emoji.
 */
final class BenchCorpus {
    private BenchCorpus() {}

    /**
     * Loads or generates the corpus.
     *
     * @param corpus a file path, or the empty string for the synthetic text
     * @param maxBytes cut the text after about this many UTF-8 bytes (0 = whole file)
     * @return the text
     */
    static String load(String corpus, int maxBytes) {
        String text;
        if (corpus == null || corpus.isEmpty()) {
            text = synthetic(maxBytes > 0 ? maxBytes : 5_000_000, 20260101L);
        } else {
            try {
                text = Files.readString(Path.of(corpus), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus " + corpus, e);
            }
        }
        return maxBytes > 0 ? prefix(text, maxBytes) : text;
    }

    /** The longest prefix of at most {@code maxBytes} UTF-8 bytes that does not cut a surrogate pair. */
    static String prefix(String text, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int b = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + b > maxBytes) {
                break;
            }
            bytes += b;
            i += Character.charCount(cp);
        }
        return text.substring(0, i);
    }

    static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String synthetic(int bytes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String[] syllables = {
            "ta", "ke", "ni", "mo", "ra", "the", "in", "er", "on", "an", "st", "ing", "ed", "re", "at", "ou", "com",
            "pre", "tion", "al", "is", "or", "en", "ly"
        };
        String[] lexicon = new String[4000];
        for (int i = 0; i < lexicon.length; i++) {
            StringBuilder w = new StringBuilder();
            int n = 1 + rnd.nextInt(4);
            for (int k = 0; k < n; k++) {
                w.append(syllables[rnd.nextInt(syllables.length)]);
            }
            lexicon[i] = w.toString();
        }
        String[] extras = {
            "中文分词器把文本切分成词元。",
            "模型的训练需要大量的数据，",
            "😀",
            "👍🏽",
            "int x = a[i] * b[i];",
            "return ids;",
            "for (int i = 0; i < n; i++) {",
            "}",
            "3.14159",
            "2026",
            "—",
            "\"quoted\"",
            "(see §2.1)"
        };
        StringBuilder sb = new StringBuilder(bytes);
        int words = 0;
        while (sb.length() < bytes) {
            double u = rnd.nextDouble();
            int rank = (int) Math.floor(Math.pow(lexicon.length, u)) - 1; // Zipf-like: small ranks dominate
            if (rnd.nextInt(25) == 0) {
                sb.append(extras[rnd.nextInt(extras.length)]);
            } else {
                String w = lexicon[Math.max(0, rank)];
                sb.append(words % 12 == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
            }
            words++;
            int p = rnd.nextInt(100);
            sb.append(p < 6 ? ". " : p < 10 ? ", " : p < 11 ? ".\n\n" : p < 12 ? "\n    " : " ");
        }
        return prefix(sb.toString(), bytes);
    }
}
