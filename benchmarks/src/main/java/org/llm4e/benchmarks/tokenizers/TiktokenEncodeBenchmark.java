package org.llm4e.benchmarks.tokenizers;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.llm4e.tokenizers.Tiktoken;
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
 * tiktoken encodings, llm4e against jtokkit 1.1.0 in one run: {@code encodeOrdinary} throughput in MB/s of UTF-8
 * input, one thread each (both libraries encode a call on the calling thread), on a mixed corpus (English-like prose,
 * Chinese, code; {@code BenchCorpus}'s synthetic 1 MB by default, {@code -p corpus=FILE} for a file).
 *
 * <p>{@code chunking=whole} encodes the corpus in one call; {@code chunking=1KB} encodes it as consecutive pieces of
 * about 1 KB (cut at char boundaries), one call each, which adds the per-call overhead (allocation of the result and
 * the scratch buffers, special-token handling) that dominates when a service counts tokens of short messages.
 * {@code chunking=longRuns} encodes instead four texts that are each one huge pre-split piece of about 100 KB
 * (lower-case letters without a space, digits for r50k-style patterns, a symbol run, CJK without punctuation): the
 * merge runs on pieces of tens of thousands of bytes, where the linear scan would be quadratic and the heap form
 * ({@code PairMerger.mergeHeap}) takes over; its MB/s next to {@code whole}'s tells the cost per byte of long pieces.
 *
 * <p>Unit: the {@code megabytes} secondary result (an {@link AuxCounters} counter of the UTF-8 megabytes encoded,
 * reported per second) is MB/s; the primary score is calls of the whole corpus per second. The setup fails if the two
 * libraries disagree on a single id, so the race is between identical outputs. Measured figures belong in {@code
 * benchmarks/results/} with the machine and the JDK.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Threads(1)
@State(Scope.Benchmark)
public class TiktokenEncodeBenchmark {
    /** The encoding, in both libraries. */
    @Param({"cl100k_base", "o200k_base"})
    public String encoding;

    /**
     * {@code whole}: one call for the corpus; {@code 1KB}: one call per 1 KB piece; {@code longRuns}: one call per
     * 100 KB text that pre-splits into a single piece.
     */
    @Param({"whole", "1KB", "longRuns"})
    public String chunking;

    /** A text file to encode; empty = the synthetic mixed corpus. */
    @Param({""})
    public String corpus;

    private String[] pieces;
    private double megabytes;
    private Tiktoken llm4e;
    private Encoding jtokkit;

    /** Megabytes encoded, reported per second (MB/s). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Throughput {
        /** UTF-8 megabytes encoded in this iteration. */
        public double megabytes;

        /** Starts each iteration at zero. */
        @Setup(Level.Iteration)
        public void reset() {
            megabytes = 0;
        }
    }

    /** Loads the corpus and both encodings and checks that they agree on every id. */
    @Setup(Level.Trial)
    public void setUp() {
        if (chunking.equals("longRuns")) {
            pieces = longRuns(100_000, 17L);
        } else {
            String text = BenchCorpus.load(corpus, corpus.isEmpty() ? 1_000_000 : 0);
            pieces = chunking.equals("whole") ? new String[] {text} : pieces(text, 1024);
        }
        long bytes = 0;
        for (String p : pieces) {
            bytes += p.getBytes(StandardCharsets.UTF_8).length;
        }
        megabytes = bytes / 1e6;
        llm4e = Tiktoken.load(encoding);
        jtokkit = Encodings.newDefaultEncodingRegistry()
                .getEncoding(EncodingType.fromName(encoding).orElseThrow());
        for (String p : pieces) {
            if (!Arrays.equals(
                    llm4e.encodeOrdinary(p), jtokkit.encodeOrdinary(p).toArray())) {
                throw new IllegalStateException("llm4e and jtokkit disagree on " + encoding);
            }
        }
    }

    /**
     * Texts that are each one pre-split piece in cl100k and o200k: random lower-case letters, random symbols, random
     * CJK ideographs (each {@code chars} long), and a digit run (one piece in r50k/p50k, runs of three in the others).
     */
    static String[] longRuns(int chars, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String punct = "!@#$%^&*()_+-=[]{};:,.<>?/|~";
        StringBuilder letters = new StringBuilder(chars);
        StringBuilder symbols = new StringBuilder(chars);
        StringBuilder digits = new StringBuilder(chars);
        StringBuilder cjk = new StringBuilder(chars / 3);
        for (int i = 0; i < chars; i++) {
            letters.append((char) ('a' + rnd.nextInt(26)));
            symbols.append(punct.charAt(rnd.nextInt(punct.length())));
            digits.append((char) ('0' + rnd.nextInt(10)));
        }
        for (int i = 0; i < chars / 3; i++) {
            cjk.append((char) (0x4E00 + rnd.nextInt(3000)));
        }
        return new String[] {letters.toString(), symbols.toString(), digits.toString(), cjk.toString()};
    }

    /** Consecutive pieces of at most {@code maxBytes} UTF-8 bytes that do not cut a surrogate pair. */
    static String[] pieces(String text, int maxBytes) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            String p = BenchCorpus.prefix(text.substring(start, Math.min(text.length(), start + maxBytes)), maxBytes);
            out.add(p);
            start += p.length();
        }
        return out.toArray(new String[0]);
    }

    /**
     * llm4e {@code Tiktoken.encodeOrdinary}.
     *
     * @param t the MB counter
     * @return the number of tokens
     */
    @Benchmark
    public long llm4e(Throughput t) {
        long n = 0;
        for (String p : pieces) {
            n += llm4e.encodeOrdinary(p).length;
        }
        t.megabytes += megabytes;
        return n;
    }

    /**
     * jtokkit {@code Encoding.encodeOrdinary}.
     *
     * @param t the MB counter
     * @return the number of tokens
     */
    @Benchmark
    public long jtokkit(Throughput t) {
        long n = 0;
        for (String p : pieces) {
            n += jtokkit.encodeOrdinary(p).size();
        }
        t.megabytes += megabytes;
        return n;
    }
}
