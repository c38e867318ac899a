package org.llm4e.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llm4e against Hugging Face tokenizers (the Rust library through DJL's JNI binding) on the same {@code
 * tokenizer.json}: identical ids for every line of a mixed corpus (articles, licenses, CJK, emoji, accents,
 * full-width characters, white-space runs), with and without special tokens, and the same decoded text.
 */
class DjlAgreementTest {
    @TempDir
    Path dir;

    private static final Map<String, String> DJL_OPTIONS = Map.of("addSpecialTokens", "true");

    /** Encodes every line both ways and compares; returns the number of tokens compared. */
    private long assertAgree(Path file, List<String> lines, boolean checkDecode) throws IOException {
        HfTokenizer ours = HfTokenizer.load(file);
        long tokens = 0;
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(file, DJL_OPTIONS)) {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                for (boolean special : new boolean[] {false, true}) {
                    long[] expected = djl.encode(line, special, false).getIds();
                    int[] actual = ours.encode(line, special);
                    assertArrayEquals(
                            toInts(expected),
                            actual,
                            file.getFileName() + " line " + i + " (special tokens " + special + "): " + quote(line));
                    tokens += actual.length;
                    if (checkDecode && special) {
                        assertEquals(
                                djl.decode(expected, false),
                                ours.decode(actual, false),
                                file.getFileName() + " decode of line " + i + ": " + quote(line));
                        assertEquals(
                                djl.decode(expected, true),
                                ours.decode(actual, true),
                                file.getFileName() + " decode (skip special) of line " + i + ": " + quote(line));
                    }
                }
            }
        }
        return tokens;
    }

    /** The library's own encoder against DJL on the file it saved (no special tokens). */
    private static void assertNativeAgrees(Path file, Function<String, int[]> encoder, List<String> lines)
            throws IOException {
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(file, DJL_OPTIONS)) {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                assertArrayEquals(
                        toInts(djl.encode(line, false, false).getIds()),
                        encoder.apply(line),
                        file.getFileName() + " line " + i + ": " + quote(line));
            }
        }
    }

    static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().limit(120).forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.isWhitespace(cp) && cp != ' ') {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append('"').toString();
    }

    // ---- files written by save --------------------------------------------------------------------------------

    @Test
    void savedByteLevelBpeWithGpt2PatternEncodesAsTheLibraryAndAsHf() throws IOException {
        Path file = dir.resolve("bpe-gpt2.json");
        HfTokenizer.save(Fixtures.byteLevelBpe(), file);
        assertNativeAgrees(file, Fixtures.byteLevelBpe()::encode, Fixtures.lines());
        assertTrue(assertAgree(file, Fixtures.lines(), true) > 10_000);
    }

    @Test
    void savedByteLevelBpeWithGpt4PatternEncodesAsTheLibraryAndAsHf() throws IOException {
        Path file = dir.resolve("bpe-gpt4.json");
        HfTokenizer.save(Fixtures.byteLevelBpeGpt4(), file);
        assertNativeAgrees(file, Fixtures.byteLevelBpeGpt4()::encode, Fixtures.lines());
        assertAgree(file, Fixtures.lines(), true);
    }

    @Test
    void savedWordPieceEncodesAsTheLibraryAndAsHf() throws IOException {
        Path file = dir.resolve("wordpiece.json");
        HfTokenizer.save(Fixtures.wordPiece(), file);
        assertNativeAgrees(file, Fixtures.wordPiece()::encode, Fixtures.lines());
        assertAgree(file, Fixtures.lines(), true);
    }

    @Test
    void savedUnigramWithByteFallbackEncodesAsTheLibraryAndAsHf() throws IOException {
        Path file = dir.resolve("unigram-bytes.json");
        HfTokenizer.save(Fixtures.unigramByteFallback(), file);
        assertNativeAgrees(file, Fixtures.unigramByteFallback()::encode, Fixtures.lines());
        assertAgree(file, Fixtures.lines(), true);
    }

    @Test
    void savedUnigramWithoutByteFallbackEncodesAsHf() throws IOException {
        Path file = dir.resolve("unigram.json");
        HfTokenizer.save(Fixtures.unigram(), file);
        assertAgree(file, Fixtures.lines(), true);
    }

    // ---- real-style files ----------------------------------------------------------------------------------

    @Test
    void gpt2StyleWithPrefixSpaceNfcAndAddedTokens() throws IOException {
        Path saved = dir.resolve("base.json");
        HfTokenizer.save(Fixtures.byteLevelBpe(), saved);
        ObjectNode doc = Fixtures.read(saved);
        ((ObjectNode) doc.get("pre_tokenizer")).put("add_prefix_space", true);
        doc.set("normalizer", Fixtures.obj("{\"type\":\"NFC\"}"));
        int next = 256 + 601;
        Fixtures.addToken(doc, next, "<mask>", true, false, true, false, false);
        Fixtures.addToken(doc, next + 1, "  ", false, false, false, true, false);
        List<String> lines = withSpecials(Fixtures.lines(), "<mask>", "<|endoftext|>");
        assertAgree(Fixtures.write(doc, dir.resolve("gpt2-style.json")), some(lines), true);
    }

    @Test
    void llama3StyleSplitRegexThenByteLevelWithIgnoreMerges() throws IOException {
        Path saved = dir.resolve("base.json");
        HfTokenizer.save(Fixtures.byteLevelBpe(), saved);
        ObjectNode doc = Fixtures.read(saved);
        doc.set(
                "pre_tokenizer",
                Fixtures.obj("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":"
                        + "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}|"
                        + " ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
                        + "\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\",\"add_prefix_space\":false,"
                        + "\"trim_offsets\":true,\"use_regex\":false}]}"));
        ((ObjectNode) doc.get("model")).put("ignore_merges", true);
        doc.set(
                "post_processor",
                Fixtures.obj("{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":"
                        + "true,\"trim_offsets\":false,\"use_regex\":true},{\"type\":\"TemplateProcessing\",\"single\":"
                        + "[{\"SpecialToken\":{\"id\":\"<|endoftext|>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\","
                        + "\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":"
                        + "\"B\",\"type_id\":1}}],\"special_tokens\":{\"<|endoftext|>\":{\"id\":\"<|endoftext|>\","
                        + "\"ids\":[856],\"tokens\":[\"<|endoftext|>\"]}}}]}"));
        assertAgree(Fixtures.write(doc, dir.resolve("llama3-style.json")), some(Fixtures.lines()), true);
    }

    @Test
    void bertStyleWithSequencesAndBertProcessing() throws IOException {
        Path saved = dir.resolve("base.json");
        HfTokenizer.save(Fixtures.wordPiece(), saved);
        ObjectNode doc = Fixtures.read(saved);
        doc.set(
                "normalizer",
                Fixtures.obj(
                        "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFD\"},{\"type\":\"Lowercase\"},"
                                + "{\"type\":\"StripAccents\"},{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}]}"));
        doc.set(
                "pre_tokenizer",
                Fixtures.obj("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                        + "{\"type\":\"Punctuation\",\"behavior\":\"Isolated\"},"
                        + "{\"type\":\"Digits\",\"individual_digits\":true}]}"));
        WordPieceIds ids = new WordPieceIds(doc);
        doc.set(
                "post_processor",
                Fixtures.obj("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\"," + ids.sep + "],\"cls\":[\"[CLS]\","
                        + ids.cls + "]}"));
        // RoBERTa's mask: swallows the space before it
        for (var t : doc.get("added_tokens")) {
            if (t.get("content").asText().equals("[MASK]")) {
                ((ObjectNode) t).put("lstrip", true);
            }
        }
        List<String> lines = withSpecials(Fixtures.lines(), " [MASK]", "[SEP]");
        assertAgree(Fixtures.write(doc, dir.resolve("bert-style.json")), some(lines), true);
    }

    @Test
    void whitespacePreTokenizerAndCasedBertNormalizer() throws IOException {
        Path saved = dir.resolve("base.json");
        HfTokenizer.save(Fixtures.wordPiece(), saved);
        ObjectNode doc = Fixtures.read(saved);
        doc.set(
                "normalizer",
                Fixtures.obj("{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":false,"
                        + "\"strip_accents\":true,\"lowercase\":false}"));
        doc.set("pre_tokenizer", Fixtures.obj("{\"type\":\"Whitespace\"}"));
        assertAgree(Fixtures.write(doc, dir.resolve("whitespace.json")), some(Fixtures.lines()), true);
    }

    @Test
    void metaspaceUnigramT5Style() throws IOException {
        Path saved = dir.resolve("base.json");
        HfTokenizer.save(Fixtures.unigram(), saved);
        ObjectNode doc = Fixtures.read(saved);
        int eos = doc.get("model").get("vocab").size();
        ((ArrayNode) doc.get("model").get("vocab")).addArray().add("</s>").add(0.0);
        Fixtures.addToken(doc, eos, "</s>", true, false, false, false, false);
        doc.set(
                "normalizer",
                Fixtures.obj("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Replace\","
                        + "\"pattern\":{\"Regex\":\" {2,}\"},\"content\":\" \"}]}"));
        doc.set(
                "pre_tokenizer",
                Fixtures.obj("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\","
                        + "\"split\":true}"));
        doc.set(
                "post_processor",
                Fixtures.obj("{\"type\":\"TemplateProcessing\",\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                        + "{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"A\","
                        + "\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":0}}],\"special_tokens\":{\"</s>\":"
                        + "{\"id\":\"</s>\",\"ids\":[" + eos + "],\"tokens\":[\"</s>\"]}}}"));
        doc.set(
                "decoder",
                Fixtures.obj("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\","
                        + "\"split\":true}"));
        assertAgree(Fixtures.write(doc, dir.resolve("t5-style.json")), withSpecials(Fixtures.lines(), "</s>"), true);
    }

    @Test
    void metaspaceUnigramWithByteFallbackPrependFirstNoSplit() throws IOException {
        Path saved = dir.resolve("base.json");
        HfTokenizer.save(Fixtures.unigramByteFallback(), saved);
        ObjectNode doc = Fixtures.read(saved);
        int sep = doc.get("model").get("vocab").size();
        ((ArrayNode) doc.get("model").get("vocab")).addArray().add("<sep>").add(0.0);
        Fixtures.addToken(doc, sep, "<sep>", true, false, false, false, false);
        doc.set("normalizer", Fixtures.obj("{\"type\":\"NFKD\"}"));
        doc.set(
                "pre_tokenizer",
                Fixtures.obj("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"first\","
                        + "\"split\":false}"));
        doc.set(
                "decoder",
                Fixtures.obj("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteFallback\"},{\"type\":\"Metaspace\","
                        + "\"replacement\":\"▁\",\"prepend_scheme\":\"first\",\"split\":false}]}"));
        assertAgree(
                Fixtures.write(doc, dir.resolve("unigram-first.json")), withSpecials(Fixtures.lines(), "<sep>"), true);
    }

    @Test
    void llamaStyleBpeWithByteFallback() throws IOException {
        ObjectNode doc = Fixtures.llamaStyleBpe();
        assertAgree(Fixtures.write(doc, dir.resolve("llama-style.json")), withSpecials(Fixtures.lines(), "</s>"), true);
    }

    @Test
    void llamaStyleBpeWithMetaspacePreTokenizer() throws IOException {
        ObjectNode doc = Fixtures.llamaStyleBpe();
        doc.putNull("normalizer");
        doc.set(
                "pre_tokenizer",
                Fixtures.obj("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"first\","
                        + "\"split\":false}"));
        assertAgree(
                Fixtures.write(doc, dir.resolve("llama-meta.json")), some(withSpecials(Fixtures.lines(), "<s>")), true);
    }

    /** Every third line, for the variants of a model already checked on all lines. */
    static List<String> some(List<String> lines) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i += 3) {
            out.add(lines.get(i));
        }
        return out;
    }

    /** Every 7th line gets special-token text in the middle, so that added tokens are exercised too. */
    static List<String> withSpecials(List<String> lines, String... specials) {
        java.util.List<String> out = new java.util.ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (i % 7 == 0) {
                String s = specials[(i / 7) % specials.length];
                int at = l.offsetByCodePoints(0, l.codePointCount(0, l.length()) / 2);
                l = l.substring(0, at) + s + l.substring(at) + " " + s;
            }
            out.add(l);
        }
        return out;
    }

    private static final class WordPieceIds {
        final int cls;
        final int sep;

        WordPieceIds(ObjectNode doc) {
            cls = doc.get("model").get("vocab").get("[CLS]").asInt();
            sep = doc.get("model").get("vocab").get("[SEP]").asInt();
        }
    }
}
