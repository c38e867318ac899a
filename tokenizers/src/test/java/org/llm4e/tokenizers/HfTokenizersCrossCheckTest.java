package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-check against Hugging Face tokenizers (the Rust library, through DJL's JNI binding): the same vocabulary
 * written as a tokenizer.json must give the same ids.
 */
class HfTokenizersCrossCheckTest {
    private static final String CORPUS = "The quick brown fox jumps over the lazy dog. Le café déjà vu, naïve façade!"
            + " 中文分词器把文本切分成词元。 Ελληνικά γράμματα, ΣΟΦΙΑ. İstanbul's \"quotes\" (parens) [brackets] a+b=c;"
            + " don't stop-believing... unaffable unbelievable tokenization tokenizers token tokens ";

    /** Random texts over an alphabet that mixes what BERT's normalizer and pre-tokenizer treat specially. */
    private static List<String> texts(int count, long seed) {
        String[] atoms = {
            "the",
            "quick",
            "fox",
            "café",
            "déjà",
            "naïve",
            "中",
            "文",
            "词",
            "ΣΟΦΙΑ",
            "γράμματα",
            "İ",
            "token",
            "tokenization",
            "un",
            "affable",
            "zzz",
            "Q",
            "x",
            ",",
            ".",
            "!",
            "'",
            "\"",
            "(",
            ")",
            "$",
            "+",
            "«",
            "»",
            "—",
            "…",
            " ",
            " ",
            " ",
            "  ",
            "\t",
            "\n",
            "\u00A0",
            "\u200B",
            "\u0000",
            "\u3000",
            "e\u0301",
            "👍",
            "\uFFFD",
            "x".repeat(101)
        };
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(25);
            for (int k = 0; k < n; k++) {
                sb.append(atoms[rnd.nextInt(atoms.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void wordPieceMatchesHuggingFaceBertPipeline(@TempDir Path dir) throws IOException {
        for (boolean lowercase : new boolean[] {true, false}) {
            WordPiece wp = WordPieceTrainer.builder()
                    .vocabSize(300)
                    .lowercase(lowercase)
                    .build()
                    .train(CORPUS)
                    .tokenizer(lowercase);
            Path json = dir.resolve("bert-" + lowercase + ".json");
            Files.writeString(json, bertJson(wp.vocabulary(), lowercase), StandardCharsets.UTF_8);
            try (HuggingFaceTokenizer hf =
                    HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "false"))) {
                List<String> texts = texts(300, lowercase ? 1 : 2);
                texts.add(CORPUS);
                for (String t : texts) {
                    Encoding e = hf.encode(t, false, false);
                    assertArrayEquals(
                            toInt(e.getIds()),
                            wp.encode(t),
                            () -> "lowercase=" + lowercase + " text " + SpecialTokens.quote(t) + " HF tokens "
                                    + List.of(e.getTokens()));
                }
                for (String t : texts.subList(0, 50)) {
                    int[] ids = wp.encode(t);
                    long[] asLong = new long[ids.length];
                    for (int i = 0; i < ids.length; i++) {
                        asLong[i] = ids[i];
                    }
                    assertEquals(hf.decode(asLong, false), wp.decode(ids), () -> SpecialTokens.quote(t));
                }
            }
        }
    }

    @Test
    void unigramViterbiMatchesHuggingFaceUnigram(@TempDir Path dir) throws IOException {
        Unigram model = UnigramTrainer.builder().vocabSize(120).build().train(CORPUS);
        Path json = dir.resolve("unigram.json");
        Files.writeString(json, unigramJson(model), StandardCharsets.UTF_8);
        // texts made of the corpus's characters only: HF fuses consecutive unknowns into one, this class does not
        String alphabet = CORPUS;
        SplittableRandom rnd = new SplittableRandom(3);
        List<String> texts = new ArrayList<>();
        texts.add(CORPUS);
        for (int i = 0; i < 200; i++) {
            int start = rnd.nextInt(alphabet.length() - 40);
            StringBuilder sb = new StringBuilder(alphabet.substring(start, start + 1 + rnd.nextInt(39)));
            for (int k = rnd.nextInt(5); k > 0; k--) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            texts.add(sb.toString());
        }
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "false"))) {
            for (String t : texts) {
                Encoding e = hf.encode(t, false, false);
                assertArrayEquals(
                        toInt(e.getIds()),
                        model.encode(t),
                        () -> "text " + SpecialTokens.quote(t) + " HF tokens " + List.of(e.getTokens()));
            }
        }
    }

    private static int[] toInt(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    static String bertJson(List<String> vocab, boolean lowercase) {
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < vocab.size(); i++) {
            v.append(i == 0 ? "" : ",").append(quote(vocab.get(i))).append(':').append(i);
        }
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
                + "\"strip_accents\":null,\"lowercase\":" + lowercase + "},"
                + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":null,"
                + "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},"
                + "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
                + "\"max_input_chars_per_word\":100,\"vocab\":{" + v + "}}}";
    }

    static String unigramJson(Unigram model) {
        StringBuilder v = new StringBuilder();
        double[] scores = model.scores();
        for (int i = 0; i < model.vocabSize(); i++) {
            v.append(i == 0 ? "" : ",")
                    .append('[')
                    .append(quote(model.piece(i)))
                    .append(',')
                    .append(scores[i])
                    .append(']');
        }
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\u2581\"},"
                + "\"pre_tokenizer\":null,\"post_processor\":null,\"decoder\":null,"
                + "\"model\":{\"type\":\"Unigram\",\"unk_id\":" + model.id(Unigram.UNK) + ",\"vocab\":[" + v
                + "],\"byte_fallback\":false}}";
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
