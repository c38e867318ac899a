package org.llm4e.benchmarks.hf;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteLevelBpeTrainer;
import org.llm4e.tokenizers.SplitPatterns;
import org.llm4e.tokenizers.Tokenizer;
import org.llm4e.tokenizers.UnigramTrainer;
import org.llm4e.tokenizers.WordPieceTrainer;
import org.llm4e.tokenizers.hf.HfTokenizer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding throughput of {@code tokenizer.json} models: llm4e's pure-Java {@link HfTokenizer} against Hugging Face
 * tokenizers' Rust core through DJL ({@code ai.djl.huggingface:tokenizers}, JNI), on the same file, and the library's
 * own encoder for the trained model. The models are trained by llm4e in the setup and written with {@code
 * HfTokenizer.save}: {@code bpe} (byte-level BPE, GPT-2 split, 256 + 2,000 merges), {@code wordpiece} (BERT
 * uncased, 2,000 tokens), {@code unigram} (byte fallback, 3,000 pieces, the whole text one lattice). The setup
 * checks that llm4e and DJL give identical ids on the text.
 *
 * <p>Units: one op encodes the whole text (without special tokens); MB/s = ops/s × text MB (the setup prints the
 * size in bytes). {@code -p corpus=FILE} encodes the first {@code -p megabytes} of a file instead of the synthetic
 * mixed default. One thread each (JMH {@code @Threads(1)}); DJL's single-text {@code encode} is single-threaded.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
@State(Scope.Benchmark)
public class HfEncodeBenchmark {
    /** The model: {@code bpe}, {@code wordpiece} or {@code unigram}. */
    @Param({"bpe", "wordpiece", "unigram"})
    public String model;

    /** A text file to encode; empty = a synthetic mixed text (English words, CJK, accents, emoji, digits). */
    @Param({""})
    public String corpus;

    /** How much of the text to encode per op, in MB. */
    @Param({"0.25"})
    public double megabytes;

    private String text;
    private HfTokenizer hf;
    private Tokenizer nativeEncoder;
    private HuggingFaceTokenizer djl;
    private Path dir;

    /**
     * Builds the text, trains the model on its first 200 kB, saves and loads the tokenizer.json both ways, and checks
     * that the ids agree.
     *
     * @throws IOException if the temporary file cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int bytes = (int) (megabytes * 1_000_000);
        text = corpus.isEmpty() ? synthetic(bytes, 16) : prefix(Files.readString(Path.of(corpus)), bytes);
        String train = prefix(text, 200_000);
        dir = Files.createTempDirectory("hf-bench");
        Path file = dir.resolve("tokenizer.json");
        switch (model) {
            case "bpe": {
                ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                        .vocabSize(256 + 2000)
                        .splitPattern(SplitPatterns.GPT2)
                        .specialTokens(Map.of())
                        .build()
                        .train(train);
                HfTokenizer.save(bpe, file);
                nativeEncoder = bpe;
                break;
            }
            case "wordpiece": {
                var wp = WordPieceTrainer.builder()
                        .vocabSize(2000)
                        .build()
                        .train(train)
                        .tokenizer(true);
                HfTokenizer.save(wp, file);
                nativeEncoder = wp;
                break;
            }
            case "unigram": {
                var uni = UnigramTrainer.builder()
                        .vocabSize(3000)
                        .seedSize(50_000)
                        .byteFallback(true)
                        .build()
                        .train(train);
                HfTokenizer.save(uni, file);
                nativeEncoder = uni;
                break;
            }
            default:
                throw new IllegalArgumentException("model must be bpe, wordpiece or unigram, got " + model);
        }
        hf = HfTokenizer.load(file);
        // DJL truncates to modelMaxLength (512) unless told otherwise: one op encodes the whole text
        djl = HuggingFaceTokenizer.newInstance(
                file, Map.of("addSpecialTokens", "false", "truncation", "false", "modelMaxLength", "1000000000"));
        long[] expected = djl.encode(text, false, false).getIds();
        int[] actual = hf.encode(text, false);
        if (expected.length != actual.length) {
            throw new IllegalStateException("llm4e and DJL disagree: " + actual.length + " vs " + expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            if (expected[i] != actual[i]) {
                throw new IllegalStateException("llm4e and DJL disagree at token " + i);
            }
        }
        System.out.println(
                "text bytes: " + text.getBytes(StandardCharsets.UTF_8).length + ", tokens: " + actual.length);
    }

    /**
     * Closes DJL's native tokenizer and removes the temporary file.
     *
     * @throws IOException if the file cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        djl.close();
        Files.deleteIfExists(dir.resolve("tokenizer.json"));
        Files.deleteIfExists(dir);
    }

    /**
     * llm4e: the tokenizer.json pipeline in pure Java.
     *
     * @return the ids
     */
    @Benchmark
    public int[] llm4eHfTokenizer() {
        return hf.encode(text, false);
    }

    /**
     * Hugging Face tokenizers (Rust) through DJL, same file.
     *
     * @return the ids
     */
    @Benchmark
    public long[] djlNative() {
        return djl.encode(text, false, false).getIds();
    }

    /**
     * The library's own encoder for the trained model (ByteLevelBpe, WordPiece or Unigram).
     *
     * @return the ids
     */
    @Benchmark
    public int[] llm4eNativeEncoder() {
        return nativeEncoder.encode(text);
    }

    private static String prefix(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        String p = new String(b, 0, maxBytes, StandardCharsets.UTF_8);
        // drop a character cut in half at the end
        return p.endsWith("\uFFFD") ? p.substring(0, p.length() - 1) : p;
    }

    private static String synthetic(int bytes, long seed) {
        String[] atoms = {
            "the",
            "tokenizer",
            "splits",
            "text",
            "into",
            "pieces",
            "model",
            "attention",
            "café",
            "naïve",
            "中文",
            "分词",
            "模型",
            "注意力",
            "東京",
            "😀",
            "👍🏽",
            "2024",
            "3.14",
            "ＡＢＣ",
            ",",
            ".",
            "!",
            "\n",
            "  ",
            "don't"
        };
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder(bytes);
        int size = 0;
        while (size < bytes) {
            String a = atoms[r.nextInt(atoms.length)];
            b.append(a).append(' ');
            size += a.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return b.toString();
    }
}
