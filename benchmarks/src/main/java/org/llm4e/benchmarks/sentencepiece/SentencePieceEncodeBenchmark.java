package org.llm4e.benchmarks.sentencepiece;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.llm4e.tokenizers.SentencePiece;
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
 * SentencePiece encoding throughput: llm4e's pure-Java {@link SentencePiece} against DJL's bundled native
 * sentencepiece ({@code ai.djl.sentencepiece} 0.34.0, JNI) on the same model and the same lines, which both encode
 * to identical ids (checked in the setup). Models: the Llama-style BPE (identity normalization, byte fallback) and
 * the T5-style Unigram ({@code nmt_nfkc}) test models of the tokenizers module; text: that module's 3000 lines of
 * mixed text (CJK, emoji, accents, full-width characters, whitespace runs), encoded line by line as sentencepiece is
 * used. Run from the repository root, or pass {@code -p dir=...}.
 *
 * <p>Units: one op encodes every line; MB/s = ops/s × the UTF-8 size the setup prints (about 0.23 MB). Single
 * thread for both.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Threads(1)
@State(Scope.Benchmark)
public class SentencePieceEncodeBenchmark {
    /** The folder with the models and test.txt. */
    @Param({"tokenizers/src/test/resources/sentencepiece"})
    public String dir;

    /** The model: {@code llama_bpe} (BPE) or {@code t5_unigram} (Unigram). */
    @Param({"llama_bpe", "t5_unigram"})
    public String model;

    private String[] lines;
    private SentencePiece llm4e;
    private SpTokenizer djl;
    private SpProcessor djlProcessor;

    /** Loads both tokenizers and the text and checks that they agree. */
    @Setup(Level.Trial)
    public void setUp() {
        try {
            Path d = Path.of(dir);
            List<String> all = Arrays.asList(Files.readString(d.resolve("test.txt"), StandardCharsets.UTF_8)
                    .split("\n"));
            lines = all.toArray(new String[0]);
            llm4e = SentencePiece.load(d.resolve(model + ".model"));
            djl = new SpTokenizer(d.resolve(model + ".model"));
            djlProcessor = djl.getProcessor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long bytes = 0;
        for (String l : lines) {
            bytes += l.getBytes(StandardCharsets.UTF_8).length;
            if (!Arrays.equals(llm4e.encode(l), djlProcessor.encode(l))) {
                throw new IllegalStateException("llm4e and DJL disagree on: " + l);
            }
        }
        System.out.println("text bytes: " + bytes + " in " + lines.length + " lines");
    }

    /** Releases the native processor. */
    @TearDown(Level.Trial)
    public void tearDown() {
        djl.close();
    }

    /**
     * llm4e, pure Java.
     *
     * @return the number of ids
     */
    @Benchmark
    public long llm4e() {
        long n = 0;
        for (String l : lines) {
            n += llm4e.encode(l).length;
        }
        return n;
    }

    /**
     * DJL: native sentencepiece through JNI.
     *
     * @return the number of ids
     */
    @Benchmark
    public long djlNative() {
        long n = 0;
        for (String l : lines) {
            n += djlProcessor.encode(l).length;
        }
        return n;
    }
}
