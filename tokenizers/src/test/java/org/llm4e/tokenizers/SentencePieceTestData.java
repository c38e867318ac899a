package org.llm4e.tokenizers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/** The SentencePiece test models, test text and spm_encode ids in {@code src/test/resources/sentencepiece}. */
final class SentencePieceTestData {
    /** Every model trained by make_models.sh. */
    static final List<String> MODELS =
            List.of("llama_bpe", "t5_unigram", "bpe_nfkc", "unigram_bytes", "bpe_nodummy", "unigram_nodummy");

    private static final Map<String, SentencePiece> CACHE = new ConcurrentHashMap<>();
    private static List<String> lines;

    private SentencePieceTestData() {}

    static Path modelPath(String name) {
        try {
            return Path.of(SentencePieceTestData.class
                    .getResource("/sentencepiece/" + name + ".model")
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static SentencePiece model(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try {
                return SentencePiece.load(modelPath(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The 3000 lines of mixed text (make_corpus.py), without their line ends. */
    static synchronized List<String> lines() {
        if (lines == null) {
            lines = List.copyOf(readLines(SentencePieceTestData.class.getResourceAsStream("/sentencepiece/test.txt")));
        }
        return lines;
    }

    /** spm_encode --output_format=id of {@link #lines()}, one int[] per line. */
    static List<int[]> goldenIds(String name) {
        try (InputStream in = new GZIPInputStream(
                SentencePieceTestData.class.getResourceAsStream("/sentencepiece/" + name + ".ids.txt.gz"))) {
            List<int[]> out = new ArrayList<>();
            for (String l : readLines(in)) {
                out.add(
                        l.isEmpty()
                                ? new int[0]
                                : Arrays.stream(l.split(" "))
                                        .mapToInt(Integer::parseInt)
                                        .toArray());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readLines(InputStream in) {
        // Split on '\n' only, as spm_encode does (BufferedReader would also split on '\r').
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder all = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) > 0; ) {
                all.append(buf, 0, n);
            }
            List<String> out = new ArrayList<>(Arrays.asList(all.toString().split("\n", -1)));
            if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                out.remove(out.size() - 1);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
