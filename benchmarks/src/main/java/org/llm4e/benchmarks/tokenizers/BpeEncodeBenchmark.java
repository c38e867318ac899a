package org.llm4e.benchmarks.tokenizers;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteLevelBpeTrainer;
import org.llm4e.tokenizers.SplitPatterns;
import org.llm4e.tokenizers.Tiktoken;
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
 * Encoding throughput on one text: llm4e's tiktoken encodings against jtokkit 1.1.0 on identical vocabularies
 * ({@code cl100k_base}, {@code o200k_base}, same ids), a minbpe-style byte-level BPE trained by llm4e (256 + 10,000
 * merges, GPT-4 split; a different vocabulary, so only the encoder architecture is comparable), and the regex
 * pre-split alone, which bounds what the merging can gain. One thread for every participant (JMH {@code
 * @Threads(1)}); both libraries are single-threaded per call.
 *
 * <p>Units: the score is ops/s where one op encodes the whole text; MB/s = ops/s × corpus MB (the setup prints the
 * corpus size in bytes). {@code -p corpus=FILE} encodes a file instead of the synthetic default ({@code BenchCorpus}).
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
public class BpeEncodeBenchmark {
    /** A text file to encode; empty = the synthetic corpus. */
    @Param({""})
    public String corpus;

    private String text;
    private ByteLevelBpe bpe;
    private Encoding cl100k;
    private Encoding o200k;
    private Tiktoken llm4eCl100k;
    private Tiktoken llm4eO200k;
    private Pattern split;

    /** Loads the text, trains the tokenizer on its first 1 MB, loads jtokkit's cl100k_base. */
    @Setup(Level.Trial)
    public void setUp() {
        text = BenchCorpus.load(corpus, 0);
        bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 10_000)
                .splitPattern(SplitPatterns.GPT4)
                .build()
                .train(BenchCorpus.prefix(text, 1_000_000));
        cl100k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        o200k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        llm4eCl100k = Tiktoken.load(Tiktoken.CL100K_BASE);
        llm4eO200k = Tiktoken.load(Tiktoken.O200K_BASE);
        split = Pattern.compile(SplitPatterns.GPT4, Pattern.UNICODE_CHARACTER_CLASS);
        System.out.println("corpus bytes: " + BenchCorpus.utf8Length(text));
    }

    /**
     * llm4e: regex split + rank-ordered pair merging.
     *
     * @return the ids
     */
    @Benchmark
    public int[] llm4eByteLevelBpe() {
        return bpe.encode(text);
    }

    /**
     * llm4e cl100k_base, {@code encodeOrdinary}.
     *
     * @return the ids
     */
    @Benchmark
    public int[] llm4eCl100k() {
        return llm4eCl100k.encodeOrdinary(text);
    }

    /**
     * llm4e o200k_base, {@code encodeOrdinary}.
     *
     * @return the ids
     */
    @Benchmark
    public int[] llm4eO200k() {
        return llm4eO200k.encodeOrdinary(text);
    }

    /**
     * jtokkit o200k_base, {@code encodeOrdinary}.
     *
     * @return the number of tokens
     */
    @Benchmark
    public int jtokkitO200k() {
        return o200k.encodeOrdinary(text).size();
    }

    /**
     * jtokkit cl100k_base, {@code encodeOrdinary}.
     *
     * @return the number of tokens
     */
    @Benchmark
    public int jtokkitCl100k() {
        return cl100k.encodeOrdinary(text).size();
    }

    /**
     * The GPT-4 split pattern alone with {@code java.util.regex} (what llm4e's encoder spends before any merge).
     *
     * @return the number of chunks
     */
    @Benchmark
    public int regexSplitOnly() {
        Matcher m = split.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
