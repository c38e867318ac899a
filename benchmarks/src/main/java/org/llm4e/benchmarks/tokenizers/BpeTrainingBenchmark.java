package org.llm4e.benchmarks.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteLevelBpeTrainer;
import org.llm4e.tokenizers.SplitPatterns;
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
 * Byte-level BPE training: llm4e's incremental trainer, its minbpe-style reference trainer and sentencepiece's
 * {@code spm_train --model_type=bpe}, on the same text and vocabulary size.
 *
 * <p>What is compared. {@code incremental} = {@code ByteLevelBpeTrainer.train} (GPT-4 split, deduplicated chunks,
 * occurrence lists, lazy priority queue; one thread). {@code reference} = {@code trainReference}, minbpe's loop that
 * recounts every pair after every merge: O(merges × text), so it is timed only on the small configuration (it would
 * take hours on 5 MB with 10,000 merges). {@code spmTrain} runs Debian's {@code spm_train} (sentencepiece 0.1.97, C++,
 * {@code --num_threads=1}) as an external process on a temporary copy of the text, so its time includes process
 * start-up and reading the file; it needs {@code spm_train} on the {@code PATH} and fails otherwise. sentencepiece's
 * BPE differs in its rules (whitespace as ▁, characters, not bytes, as the base alphabet, sentences of at most
 * {@code max_sentence_length} bytes), so only the time is comparable, not the merges.
 *
 * <p>Units: seconds per training run (single shot). Training throughput in MB/s = corpus MB / (s/op); the setup prints
 * the corpus size in bytes. Parameters: {@code size} = {@code small} (200 kB, 256 + 500 merges, all three) or {@code
 * large} (the whole corpus, 5 MB by default, 256 + 10,000 merges; the reference is skipped); {@code -p corpus=FILE}
 * trains on a file instead of the synthetic default (see {@code BenchCorpus}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
@Threads(1)
@State(Scope.Benchmark)
public class BpeTrainingBenchmark {
    /** A text file to train on; empty = the synthetic corpus. */
    @Param({""})
    public String corpus;

    /** {@code small}: 200 kB and 500 merges; {@code large}: the whole corpus and 10,000 merges. */
    @Param({"small", "large"})
    public String size;

    private String text;
    private int vocabSize;
    private Path textFile;
    private Path modelDir;

    /**
     * Loads the text and writes the copy {@code spm_train} reads.
     *
     * @throws IOException if the temporary files cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        boolean small = "small".equals(size);
        text = BenchCorpus.load(corpus, small ? 200_000 : 0);
        vocabSize = small ? 256 + 500 : 256 + 10_000;
        textFile = Files.createTempFile("llm4e-bpe-corpus", ".txt");
        Files.writeString(textFile, text, StandardCharsets.UTF_8);
        modelDir = Files.createTempDirectory("llm4e-spm");
        System.out.println("corpus bytes: " + BenchCorpus.utf8Length(text) + ", vocabSize: " + vocabSize);
    }

    /**
     * Removes the temporary files.
     *
     * @throws IOException if they cannot be deleted
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(textFile);
        try (var files = Files.list(modelDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(modelDir);
    }

    /**
     * llm4e's incremental trainer.
     *
     * @return the trained tokenizer
     */
    @Benchmark
    public ByteLevelBpe incremental() {
        return ByteLevelBpeTrainer.builder()
                .vocabSize(vocabSize)
                .splitPattern(SplitPatterns.GPT4)
                .build()
                .train(text);
    }

    /**
     * llm4e's reference trainer (minbpe's loop); small configuration only.
     *
     * @return the trained tokenizer, or null on the large configuration
     */
    @Benchmark
    public ByteLevelBpe reference() {
        if (!"small".equals(size)) {
            return null; // O(merges × text): hours at 10,000 merges on 5 MB
        }
        return ByteLevelBpeTrainer.builder()
                .vocabSize(vocabSize)
                .splitPattern(SplitPatterns.GPT4)
                .build()
                .trainReference(text);
    }

    /**
     * sentencepiece's BPE trainer as an external process, one thread.
     *
     * @return the exit code (0)
     * @throws Exception if the process cannot run or fails
     */
    @Benchmark
    public int spmTrain() throws Exception {
        Process p = new ProcessBuilder(
                        "spm_train",
                        "--input=" + textFile,
                        "--model_prefix=" + modelDir.resolve("bpe"),
                        "--model_type=bpe",
                        "--vocab_size=" + vocabSize,
                        "--num_threads=1",
                        "--max_sentence_length=100000",
                        "--minloglevel=2")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("spm_train exited with " + rc);
        }
        return rc;
    }
}
