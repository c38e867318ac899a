package org.llm4e.benchmarks.wordpiece;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.llm4e.tokenizers.Unigram;
import org.llm4e.tokenizers.UnigramTrainer;
import org.llm4e.tokenizers.WordPiece;
import org.llm4e.tokenizers.WordPieceTrainer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * WordPiece and Unigram encode throughput in MB/s of UTF-8 input (the {@code megabytes} secondary result; the primary
 * ops/s is texts per second), single-threaded, on a seeded synthetic text of pseudo-English with punctuation and CJK
 * runs. The vocabularies are trained at setup on the first 100 KB by this library's trainers at {@code vocabSize}; the
 * training benchmarks time one training run on 100 KB of text as a function of the vocabulary size.
 *
 * <p>MB/s: read the {@code megabytes} row of each encode benchmark (UTF-8 megabytes encoded per second; the primary
 * score times the corpus size gives the same). {@code wordPieceEncode} and {@code unigramEncode} are the trie
 * encoders; {@code wordPieceTokenizeByLookup} runs the readable reference (one hash-map look-up of a substring per
 * (start, end), and the token strings) on the same text, for the gain of the trie. Hugging Face tokenizers (DJL) is
 * cross-checked for equal ids in the tokenizers module's tests; it is not raced here because the benchmarks module
 * does not depend on it.
 */
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class WordPieceUnigramBenchmark {

    /** Bytes encoded, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        /** Megabytes of UTF-8 input encoded. */
        public double megabytes;

        @Setup(Level.Iteration)
        public void reset() {
            megabytes = 0;
        }
    }

    /** The corpus and the trained tokenizers. */
    @State(Scope.Benchmark)
    public static class Models {
        @Param({"1000", "2000"})
        public int vocabSize;

        String text;
        double textMegabytes;
        WordPiece wordPiece;
        Unigram unigram;

        @Setup(Level.Trial)
        public void setUp() {
            text = synthetic(1_000_000, 20260101L);
            textMegabytes = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
            String training = text.substring(0, 100_000);
            wordPiece = WordPieceTrainer.builder()
                    .vocabSize(vocabSize)
                    .build()
                    .train(training)
                    .tokenizer(true);
            unigram = UnigramTrainer.builder().vocabSize(vocabSize).build().train(training);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int[] wordPieceEncode(Models m, Bytes b) {
        b.megabytes += m.textMegabytes;
        return m.wordPiece.encode(m.text);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object wordPieceTokenizeByLookup(Models m, Bytes b) {
        b.megabytes += m.textMegabytes;
        return m.wordPiece.tokenize(m.text);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int[] unigramEncode(Models m, Bytes b) {
        b.megabytes += m.textMegabytes;
        return m.unigram.encode(m.text);
    }

    /** Training time on 100 KB of text. */
    @State(Scope.Benchmark)
    public static class TrainingText {
        @Param({"500", "1000"})
        public int trainVocabSize;

        String text;

        @Setup(Level.Trial)
        public void setUp() {
            text = synthetic(100_000, 7L);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 2)
    public Object wordPieceTrain(TrainingText t) {
        return WordPieceTrainer.builder().vocabSize(t.trainVocabSize).build().train(t.text);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 2)
    public Object unigramTrain(TrainingText t) {
        return UnigramTrainer.builder().vocabSize(t.trainVocabSize).build().train(t.text);
    }

    /** Zipf-like pseudo-English over a syllable lexicon, with punctuation, numbers and CJK runs. */
    static String synthetic(int chars, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String[] syllables = {
            "ta", "ke", "ni", "mo", "ra", "the", "in", "er", "on", "an", "st", "ing", "ed", "re", "at", "ou", "com",
            "pre", "tion", "al", "is", "or", "en", "ly"
        };
        String[] lexicon = new String[3000];
        for (int i = 0; i < lexicon.length; i++) {
            StringBuilder w = new StringBuilder();
            for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                w.append(syllables[rnd.nextInt(syllables.length)]);
            }
            lexicon[i] = w.toString();
        }
        String[] extras = {", ", ". ", "! ", " 2026 ", " 中文分词器 ", " Café ", " (x) "};
        StringBuilder sb = new StringBuilder(chars + 64);
        while (sb.length() < chars) {
            // log-uniform rank (density ~ 1/rank, Zipf's law): a frequent head and a long tail
            int rank = (int) Math.pow(lexicon.length, rnd.nextDouble()) - 1;
            sb.append(lexicon[rank]);
            sb.append(rnd.nextInt(12) == 0 ? extras[rnd.nextInt(extras.length)] : " ");
        }
        return sb.substring(0, chars);
    }
}
