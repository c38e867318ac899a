package org.llm4e.benchmarks.sentencepiece;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToIntFunction;
import org.llm4e.tokenizers.BpeTrainer;
import org.llm4e.tokenizers.ClassicBpe;
import org.llm4e.tokenizers.SentencePiece;
import org.llm4e.tokenizers.Unigram;
import org.llm4e.tokenizers.UnigramTrainer;

/**
 * Training compared with sentencepiece's {@code spm_train}: llm4e's {@link UnigramTrainer} and classic
 * {@link BpeTrainer} against {@code spm_train --model_type=unigram|bpe} on the same text and vocabulary size. It
 * reports the wall time of each training (one run, so a rough figure) and the compression the resulting vocabulary
 * gives on held-out text: tokens per character (lower is better).
 *
 * <p>Usage, from the repository root, with {@code spm_train} on the PATH (Debian: {@code apt-get install
 * sentencepiece}):
 *
 * <pre>
 * python3 tokenizers/src/test/resources/sentencepiece/make_corpus.py README.md /tmp/train.txt /tmp/test.txt
 * java -cp benchmarks/target/benchmarks.jar org.llm4e.benchmarks.sentencepiece.SpmTrainComparison \
 *     /tmp/train.txt /tmp/test.txt 1000
 * </pre>
 *
 * Differences in what is trained: spm_train keeps characters covering 99.95 % of the text and normalizes with
 * nmt_nfkc by default (set to identity here, as llm4e's trainers do not normalize); llm4e's BPE trainer is the
 * classic word-count one with {@code </w>}, so its compression is measured per whitespace-separated word.
 */
public final class SpmTrainComparison {
    private SpmTrainComparison() {}

    /**
     * Runs the comparison and prints a table.
     *
     * @param args training text, held-out text, vocabulary size
     * @throws IOException if a file cannot be read or spm_train fails
     * @throws InterruptedException if interrupted while spm_train runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path train = Path.of(args[0]);
        Path test = Path.of(args[1]);
        int vocab = Integer.parseInt(args[2]);
        String trainText = Files.readString(train, StandardCharsets.UTF_8);
        List<String> testLines = Files.readAllLines(test, StandardCharsets.UTF_8);
        long chars = testLines.stream()
                .mapToLong(l -> l.codePointCount(0, l.length()))
                .sum();

        System.out.printf("%-28s %10s %14s%n", "trainer", "seconds", "tokens/char");
        long t0 = System.nanoTime();
        Unigram unigram = UnigramTrainer.builder().vocabSize(vocab).build().train(trainText);
        report("llm4e UnigramTrainer", t0, l -> unigram.encode(l).length, testLines, chars);
        t0 = System.nanoTime();
        ClassicBpe bpe = BpeTrainer.builder().vocabSize(vocab).build().train(trainText);
        report("llm4e BpeTrainer (classic)", t0, l -> bpe.tokenize(l).size(), testLines, chars);
        for (String type : new String[] {"unigram", "bpe"}) {
            Path prefix = Files.createTempDirectory("spm").resolve(type);
            t0 = System.nanoTime();
            Process p = new ProcessBuilder(
                            "spm_train",
                            "--input=" + train,
                            "--model_prefix=" + prefix,
                            "--model_type=" + type,
                            "--vocab_size=" + vocab,
                            "--normalization_rule_name=identity",
                            "--num_threads=1",
                            "--minloglevel=2")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() != 0) {
                throw new IOException("spm_train failed with exit code " + p.exitValue());
            }
            SentencePiece sp = SentencePiece.load(Path.of(prefix + ".model"));
            report("spm_train " + type, t0, l -> sp.encode(l).length, testLines, chars);
        }
    }

    private static void report(String name, long t0, ToIntFunction<String> tokens, List<String> lines, long chars) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        long n = 0;
        for (String l : lines) {
            n += tokens.applyAsInt(l);
        }
        System.out.printf("%-28s %10.2f %14.4f%n", name, seconds, (double) n / chars);
    }
}
