package org.llm4e.tokenizers.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteLevelBpeTrainer;
import org.llm4e.tokenizers.Merge;
import org.llm4e.tokenizers.SplitPatterns;
import org.llm4e.tokenizers.Unigram;
import org.llm4e.tokenizers.UnigramTrainer;
import org.llm4e.tokenizers.WordPiece;
import org.llm4e.tokenizers.WordPieceTrainer;

/** Trained models and tokenizer.json files shared by the tests (trained once per JVM on a small corpus). */
final class Fixtures {
    private Fixtures() {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    static String resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/corpus/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A few thousand lines: article and license text, and synthetic CJK, emoji, accents, full-width, spaces. */
    static List<String> lines() {
        return Lazy.LINES;
    }

    static ByteLevelBpe byteLevelBpe() {
        return Lazy.BPE;
    }

    static ByteLevelBpe byteLevelBpeGpt4() {
        return Lazy.BPE_GPT4;
    }

    static WordPiece wordPiece() {
        return Lazy.WORD_PIECE;
    }

    static Unigram unigram() {
        return Lazy.UNIGRAM;
    }

    static Unigram unigramByteFallback() {
        return Lazy.UNIGRAM_BYTES;
    }

    private static final class Lazy {
        static final List<String> LINES =
                List.copyOf(Arrays.asList(resource("mixed_lines.txt").split("\n")));
        static final String TRAIN = resource("train.txt");
        static final ByteLevelBpe BPE = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 600)
                .splitPattern(SplitPatterns.GPT2)
                .specialTokens(java.util.Map.of("<|endoftext|>", 256 + 600))
                .build()
                .train(TRAIN);
        static final ByteLevelBpe BPE_GPT4 = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 300)
                .splitPattern(SplitPatterns.GPT4)
                .specialTokens(java.util.Map.of())
                .build()
                .train(TRAIN);
        static final WordPiece WORD_PIECE = WordPieceTrainer.builder()
                .vocabSize(1200)
                .build()
                .train(TRAIN.substring(0, 30000))
                .tokenizer(true);
        static final Unigram UNIGRAM =
                UnigramTrainer.builder().vocabSize(1500).seedSize(20000).build().train(TRAIN.substring(0, 30000));
        static final Unigram UNIGRAM_BYTES = UnigramTrainer.builder()
                .vocabSize(1800)
                .seedSize(20000)
                .byteFallback(true)
                .build()
                .train(TRAIN.substring(0, 30000));
    }

    static ObjectNode read(Path file) throws IOException {
        return (ObjectNode) MAPPER.readTree(file.toFile());
    }

    static Path write(JsonNode doc, Path file) throws IOException {
        Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        return file;
    }

    static ObjectNode obj(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void addToken(
            ObjectNode doc,
            int id,
            String content,
            boolean special,
            boolean normalized,
            boolean lstrip,
            boolean rstrip,
            boolean singleWord) {
        ObjectNode t = ((ArrayNode) doc.get("added_tokens")).addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", singleWord);
        t.put("lstrip", lstrip);
        t.put("rstrip", rstrip);
        t.put("normalized", normalized);
        t.put("special", special);
    }

    /**
     * A Llama-style character-level BPE with byte fallback, derived from a byte-level BPE trained on text whose
     * spaces are {@code ▁}: the single characters of the training text, the 256 byte tokens, and every merge whose
     * parts and result are whole UTF-8 strings.
     */
    static ObjectNode llamaStyleBpe() {
        String text = Lazy.TRAIN.substring(0, 40000).replace(' ', '\u2581');
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 500)
                .splitPattern("\\S+|\\s+")
                .specialTokens(java.util.Map.of())
                .build()
                .train(text);
        ObjectNode doc = obj("{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"▁\"},"
                + "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"▁\"}]},"
                + "\"pre_tokenizer\":null,"
                + "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\","
                + "\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":"
                + "\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\","
                + "\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}},"
                + "\"decoder\":{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"▁\"},"
                + "\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \","
                + "\"start\":1,\"stop\":0}]}}");
        ObjectNode model = doc.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        // characters seen in the first part of the training text (the rest of the corpus falls back to bytes)
        text.substring(0, 20000)
                .codePoints()
                .distinct()
                .limit(400)
                .forEach(cp -> tokens.add(new String(Character.toChars(cp))));
        ArrayNode merges = model.putArray("merges");
        java.util.Set<String> known = new java.util.HashSet<>(tokens);
        for (Merge m : bpe.merges()) {
            String l = utf8(bpe.tokenBytes(m.left()));
            String r = utf8(bpe.tokenBytes(m.right()));
            String j = utf8(bpe.tokenBytes(m.id()));
            if (l == null || r == null || j == null || !known.contains(l) || !known.contains(r)) {
                continue;
            }
            if (known.add(j)) {
                tokens.add(j);
            }
            merges.add(l + " " + r);
        }
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        addToken(doc, 0, "<unk>", true, false, false, false, false);
        addToken(doc, 1, "<s>", true, false, false, false, false);
        addToken(doc, 2, "</s>", true, false, false, false, false);
        return doc;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(b))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
