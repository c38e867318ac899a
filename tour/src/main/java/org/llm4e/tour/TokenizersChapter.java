package org.llm4e.tour;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteLevelBpeTrainer;
import org.llm4e.tokenizers.Merge;
import org.llm4e.tokenizers.SplitPatterns;
import org.llm4e.tokenizers.Tiktoken;

/**
 * Chapter {@code tokenizers}: byte-level BPE trained on a corpus (the project's own README files and sources packaged
 * with the tour, or {@code --corpus FILE}), its first merges, the compression it reaches as the vocabulary grows, and
 * how many tokens per character the four tiktoken encodings spend on English, other languages and code.
 *
 * <pre>
 *   training (minbpe): repeat vocabSize − 256 times: the most frequent adjacent pair (a, b) becomes a new token
 *   compression:       bytes per token = UTF-8 bytes of the text / tokens      (higher is better)
 *   cost of a text:    tokens per character = tokens / Unicode code points
 * </pre>
 *
 * <p>The corpus is split 90 / 10: the trainer ({@link ByteLevelBpeTrainer}, GPT-4 split pattern) sees the first 90 %,
 * compression is measured on the last 10 %, which it never saw, with the first k merges of the one training run for
 * each vocabulary size k. The tiktoken encodings ({@link Tiktoken}, {@code encode_ordinary}) are measured on the same
 * held-out text and on short built-in samples.
 */
public final class TokenizersChapter implements Chapter {
    /** The vocabulary sizes of the compression chart; the trainer runs once, to the largest. */
    public static final int[] DEFAULT_VOCAB_SIZES = {256, 320, 384, 512, 768, 1024, 1536, 2048};

    /** Short texts of the same content in several languages, and code: what a token costs in each. */
    static final Map<String, String> SAMPLES = samples();

    private final Path corpusFile;
    private final int[] vocabSizes;
    private final int firstMerges;

    /** The chapter on the built-in corpus with {@link #DEFAULT_VOCAB_SIZES}. */
    public TokenizersChapter() {
        this(null);
    }

    /**
     * The chapter on another corpus.
     *
     * @param corpusFile a UTF-8 text file, or null for the built-in corpus
     */
    public TokenizersChapter(Path corpusFile) {
        this(corpusFile, DEFAULT_VOCAB_SIZES, 20);
    }

    /**
     * The chapter with other vocabulary sizes.
     *
     * @param corpusFile a UTF-8 text file, or null for the built-in corpus
     * @param vocabSizes ascending vocabulary sizes, each ≥ 256
     * @param firstMerges how many of the first merges to list
     */
    public TokenizersChapter(Path corpusFile, int[] vocabSizes, int firstMerges) {
        if (vocabSizes.length == 0) {
            throw new IllegalArgumentException("vocabSizes must not be empty");
        }
        for (int i = 0; i < vocabSizes.length; i++) {
            if (vocabSizes[i] < 256 || (i > 0 && vocabSizes[i] <= vocabSizes[i - 1])) {
                throw new IllegalArgumentException(
                        "vocabSizes must be >= 256 and ascending, got " + java.util.Arrays.toString(vocabSizes));
            }
        }
        if (firstMerges < 0) {
            throw new IllegalArgumentException("firstMerges must be >= 0, got " + firstMerges);
        }
        this.corpusFile = corpusFile;
        this.vocabSizes = vocabSizes.clone();
        this.firstMerges = firstMerges;
    }

    @Override
    public String name() {
        return "tokenizers";
    }

    @Override
    public String description() {
        return "byte-level BPE trained on the project's sources: merges, compression; tokens per character across"
                + " tiktoken encodings";
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        String corpus = corpusFile == null ? TourCorpus.load() : Files.readString(corpusFile, StandardCharsets.UTF_8);
        String source =
                corpusFile == null ? "the project's README files and main sources (built in)" : corpusFile.toString();
        int cut = splitPoint(corpus);
        String train = corpus.substring(0, cut);
        String heldOut = corpus.substring(cut);
        if (heldOut.isEmpty()) {
            throw new IllegalArgumentException("corpus is too short to hold out 10 %: " + corpus.length() + " chars");
        }
        int maxVocab = vocabSizes[vocabSizes.length - 1];
        out.printf(
                Locale.ROOT,
                "Corpus: %s, %,d bytes; training on the first 90 %% (%,d bytes), measuring on the last 10 %% (%,d bytes)%n",
                source,
                utf8(corpus),
                utf8(train),
                utf8(heldOut));

        ByteLevelBpe bpe;
        List<Integer> counts = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Progress progress = context.progress("training BPE", Math.max(1, maxVocab - 256))) {
            progress.show("vocab " + maxVocab);
            bpe = ByteLevelBpeTrainer.builder()
                    .vocabSize(maxVocab)
                    .splitPattern(SplitPatterns.GPT4)
                    .build()
                    .train(train, (merge, count) -> {
                        counts.add(count);
                        progress.step();
                    });
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(
                Locale.ROOT,
                "Trained %d merges (vocabulary %d, GPT-4 split pattern) in %.1f s%n%n",
                bpe.merges().size(),
                bpe.vocabSize(),
                seconds);
        out.println("The first merges: the most frequent adjacent pair becomes a token (Ġ = space, Ċ = newline, GPT-2's"
                + " byte map)");
        out.print(mergeTable(bpe, counts, firstMerges).render());

        Map<String, Tiktoken> encodings = new LinkedHashMap<>();
        double[] bytesPerToken = new double[vocabSizes.length];
        Map<String, Double> tiktokenBytesPerToken = new LinkedHashMap<>();
        try (Progress progress = context.progress(
                "measuring", vocabSizes.length + Tiktoken.names().size())) {
            for (int i = 0; i < vocabSizes.length; i++) {
                progress.show("vocab " + vocabSizes[i]);
                ByteLevelBpe prefix = truncate(bpe, vocabSizes[i]);
                bytesPerToken[i] = (double) utf8(heldOut) / prefix.encode(heldOut).length;
                progress.step();
            }
            for (String name : Tiktoken.names()) {
                progress.show(name);
                Tiktoken enc = Tiktoken.load(name);
                encodings.put(name, enc);
                tiktokenBytesPerToken.put(name, (double) utf8(heldOut) / enc.encode(heldOut).length);
                progress.step();
            }
        }
        out.println();
        out.println("Compression on the held-out 10 %: bytes per token against vocabulary size");
        TextTable comp = new TextTable("tokenizer", "vocabulary", "bytes per token", "tokens");
        for (int i = 0; i < vocabSizes.length; i++) {
            comp.row(
                    "trained here, first " + (vocabSizes[i] - 256) + " merges",
                    vocabSizes[i],
                    f3(bytesPerToken[i]),
                    Math.round(utf8(heldOut) / bytesPerToken[i]));
        }
        for (var e : tiktokenBytesPerToken.entrySet()) {
            comp.row(
                    e.getKey(),
                    encodings.get(e.getKey()).vocabSize(),
                    f3(e.getValue()),
                    Math.round(utf8(heldOut) / e.getValue()));
        }
        out.print(comp.render());
        out.println("wrote "
                + context.saveChart(
                        compressionChart(bytesPerToken, tiktokenBytesPerToken, encodings), "tokenizers-compression"));

        out.println();
        out.println("Tokens per character of the same short text in several languages, and of code (encode_ordinary):");
        Map<String, Map<String, Double>> perChar = tokensPerCharacter(encodings, bpe);
        out.print(tokensPerCharacterTable(perChar).render());
        Map<String, Double> english = perChar.get("English");
        Map<String, Double> chinese = perChar.get("Chinese");
        out.printf(
                Locale.ROOT,
                "A Chinese character (3 UTF-8 bytes) costs %.2f tokens in r50k_base, %.2f in cl100k_base and %.2f in"
                        + " o200k_base; an English one %.2f, %.2f and %.2f.%n",
                chinese.get(Tiktoken.R50K_BASE),
                chinese.get(Tiktoken.CL100K_BASE),
                chinese.get(Tiktoken.O200K_BASE),
                english.get(Tiktoken.R50K_BASE),
                english.get(Tiktoken.CL100K_BASE),
                english.get(Tiktoken.O200K_BASE));
        out.println("wrote " + context.saveChart(tokensPerCharacterChart(perChar), "tokenizers-tokens-per-character"));
        out.flush();
    }

    /** Where the held-out tail starts: 90 % of the text, moved back to a line start when there is one nearby. */
    static int splitPoint(String text) {
        int cut = (int) (text.length() * 0.9);
        int nl = text.lastIndexOf('\n', cut);
        if (nl > cut - 10_000 && nl > 0) {
            cut = nl + 1;
        }
        // never split a surrogate pair
        if (cut > 0 && cut < text.length() && Character.isLowSurrogate(text.charAt(cut))) {
            cut--;
        }
        return cut;
    }

    /** The tokenizer made of the first {@code vocabSize − 256} merges of a trained one. */
    static ByteLevelBpe truncate(ByteLevelBpe bpe, int vocabSize) {
        List<Merge> merges = bpe.merges();
        return ByteLevelBpe.of(
                bpe.splitPattern(), merges.subList(0, Math.min(merges.size(), vocabSize - 256)), Map.of());
    }

    static TextTable mergeTable(ByteLevelBpe bpe, List<Integer> counts, int n) {
        TextTable t = new TextTable("rank", "id", "left", "right", "new token", "pair count");
        List<Merge> merges = bpe.merges();
        for (int r = 0; r < Math.min(n, merges.size()); r++) {
            Merge m = merges.get(r);
            t.row(
                    r + 1,
                    m.id(),
                    "'" + bpe.renderToken(m.left()) + "'",
                    "'" + bpe.renderToken(m.right()) + "'",
                    "'" + bpe.renderToken(m.id()) + "'",
                    counts.get(r));
        }
        return t;
    }

    /** Tokens per code point of every sample under every tiktoken encoding and the tokenizer trained here. */
    static Map<String, Map<String, Double>> tokensPerCharacter(Map<String, Tiktoken> encodings, ByteLevelBpe trained) {
        Map<String, Map<String, Double>> result = new LinkedHashMap<>();
        for (var sample : SAMPLES.entrySet()) {
            String text = sample.getValue();
            double chars = text.codePointCount(0, text.length());
            Map<String, Double> row = new LinkedHashMap<>();
            for (var e : encodings.entrySet()) {
                row.put(e.getKey(), e.getValue().encode(text).length / chars);
            }
            row.put("trained here (" + trained.vocabSize() + ")", trained.encode(text).length / chars);
            result.put(sample.getKey(), row);
        }
        return result;
    }

    static TextTable tokensPerCharacterTable(Map<String, Map<String, Double>> perChar) {
        List<String> columns = new ArrayList<>();
        columns.add("sample");
        columns.add("characters");
        columns.add("UTF-8 bytes");
        columns.addAll(perChar.values().iterator().next().keySet());
        TextTable t = new TextTable(columns.toArray(new String[0]));
        for (var e : perChar.entrySet()) {
            String text = SAMPLES.get(e.getKey());
            List<Object> row = new ArrayList<>();
            row.add(e.getKey());
            row.add(text.codePointCount(0, text.length()));
            row.add(utf8(text));
            for (double v : e.getValue().values()) {
                row.add(f3(v));
            }
            t.row(row.toArray());
        }
        return t;
    }

    private XYChart compressionChart(
            double[] bytesPerToken, Map<String, Double> tiktoken, Map<String, Tiktoken> encodings) {
        XYChart c = Charts.xy(
                "Byte-level BPE: compression on held-out text against vocabulary size",
                "vocabulary size (log scale)",
                "bytes per token");
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        double[] v = new double[vocabSizes.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = vocabSizes[i];
        }
        c.addSeries("trained here (first k − 256 merges)", v, bytesPerToken).setMarker(SeriesMarkers.CIRCLE);
        for (var e : tiktoken.entrySet()) {
            XYSeries s = c.addSeries(
                    e.getKey(), new double[] {encodings.get(e.getKey()).vocabSize()}, new double[] {e.getValue()});
            s.setMarker(SeriesMarkers.DIAMOND);
        }
        return c;
    }

    private static CategoryChart tokensPerCharacterChart(Map<String, Map<String, Double>> perChar) {
        CategoryChart c = new CategoryChartBuilder()
                .width(1000)
                .height(600)
                .title("Tokens per character: the same text in several languages, and code")
                .xAxisTitle("sample")
                .yAxisTitle("tokens per character")
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        List<String> samples = new ArrayList<>(perChar.keySet());
        for (String enc : perChar.values().iterator().next().keySet()) {
            List<Double> ys = new ArrayList<>();
            for (String s : samples) {
                ys.add(perChar.get(s).get(enc));
            }
            c.addSeries(enc, samples, ys);
        }
        return c;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static Map<String, String> samples() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(
                "English",
                "A tokenizer cuts text into pieces that a language model can count. Byte pair encoding starts from"
                        + " single bytes and repeatedly joins the pair that occurs most often, so frequent words"
                        + " become one token while rare words are spelled out in several. The same sentence can"
                        + " therefore cost very different numbers of tokens in different languages.");
        m.put(
                "German",
                "Ein Tokenizer zerlegt Text in Stücke, die ein Sprachmodell zählen kann. Die Byte-Paar-Kodierung"
                        + " beginnt mit einzelnen Bytes und verbindet immer wieder das häufigste Paar, sodass häufige"
                        + " Wörter zu einem Token werden, während seltene Wörter in mehreren buchstabiert werden.");
        m.put(
                "Russian",
                "Токенизатор разрезает текст на части, которые языковая модель может посчитать. Кодирование пар"
                        + " байтов начинается с отдельных байтов и снова и снова объединяет самую частую пару, так что"
                        + " частые слова становятся одним токеном, а редкие записываются несколькими.");
        m.put(
                "Chinese",
                "分词器把文本切成语言模型可以计数的小块。字节对编码从单个字节开始，反复合并出现次数最多的相邻字节对，"
                        + "因此常见的词会变成一个词元，而少见的词要用好几个词元拼出来。同一句话在不同语言里的词元数量可能相差很大。");
        m.put(
                "Japanese",
                "トークナイザーは、言語モデルが数えられる単位にテキストを区切ります。バイトペア符号化は一つ一つのバイトから始め、"
                        + "最も頻繁に現れる隣り合った組を繰り返し結合するので、よく使われる語は一つのトークンになります。");
        m.put(
                "code (Java)",
                "public static int[] encode(String text, Map<String, Integer> ranks) {\n"
                        + "    List<Integer> ids = new ArrayList<>();\n"
                        + "    for (String piece : split(text)) {\n"
                        + "        Integer id = ranks.get(piece);\n"
                        + "        if (id != null) {\n"
                        + "            ids.add(id);\n"
                        + "        } else {\n"
                        + "            ids.addAll(mergeBytes(piece.getBytes(UTF_8), ranks));\n"
                        + "        }\n"
                        + "    }\n"
                        + "    return ids.stream().mapToInt(Integer::intValue).toArray();\n"
                        + "}\n");
        return java.util.Collections.unmodifiableMap(m);
    }
}
