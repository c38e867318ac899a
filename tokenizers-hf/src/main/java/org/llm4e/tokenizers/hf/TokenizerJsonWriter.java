package org.llm4e.tokenizers.hf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.ByteToUnicode;
import org.llm4e.tokenizers.Merge;
import org.llm4e.tokenizers.SplitPatterns;
import org.llm4e.tokenizers.Unigram;
import org.llm4e.tokenizers.WordPiece;

/**
 * Builds {@code tokenizer.json} documents (format {@code "version": "1.0"}, as {@code tokenizer/serialization.rs}
 * writes them) for the tokenizers llm4e trains.
 */
final class TokenizerJsonWriter {
    private TokenizerJsonWriter() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static ObjectNode skeleton() {
        ObjectNode doc = F.objectNode();
        doc.put("version", "1.0");
        doc.putNull("truncation");
        doc.putNull("padding");
        doc.putArray("added_tokens");
        doc.putNull("normalizer");
        doc.putNull("pre_tokenizer");
        doc.putNull("model");
        doc.putNull("post_processor");
        doc.putNull("decoder");
        return doc;
    }

    private static void addSpecial(ObjectNode doc, int id, String content) {
        ObjectNode t = ((ArrayNode) doc.get("added_tokens")).addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }

    private static ObjectNode byteLevel(boolean useRegex) {
        ObjectNode b = F.objectNode();
        b.put("type", "ByteLevel");
        b.put("add_prefix_space", false);
        b.put("trim_offsets", true);
        b.put("use_regex", useRegex);
        return b;
    }

    static ObjectNode byteLevelBpe(ByteLevelBpe bpe) {
        ObjectNode doc = skeleton();
        List<Merge> merges = bpe.merges();
        int n = 256 + merges.size();
        String[] rendered = new String[n];
        Map<String, Integer> seen = new HashMap<>();
        ObjectNode vocab = F.objectNode();
        for (int id = 0; id < n; id++) {
            rendered[id] = ByteToUnicode.render(bpe.tokenBytes(id));
            Integer before = seen.put(rendered[id], id);
            if (before != null) {
                throw new IllegalArgumentException("bpe must not have two tokens with the same bytes, got ids " + before
                        + " and " + id + " for \"" + rendered[id] + "\"");
            }
            vocab.put(rendered[id], id);
        }
        for (Map.Entry<String, Integer> e : bpe.specialTokens().entrySet()) {
            addSpecial(doc, e.getValue(), e.getKey());
        }
        String pattern = bpe.splitPattern();
        if (pattern == null) {
            doc.set("pre_tokenizer", byteLevel(false));
        } else if (pattern.equals(SplitPatterns.GPT2)) {
            // the ByteLevel pre-tokenizer's own regex is GPT-2's
            doc.set("pre_tokenizer", byteLevel(true));
        } else {
            ObjectNode seq = F.objectNode();
            seq.put("type", "Sequence");
            ArrayNode steps = seq.putArray("pretokenizers");
            ObjectNode split = steps.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", pattern);
            split.put("behavior", "Isolated");
            split.put("invert", false);
            steps.add(byteLevel(false));
            doc.set("pre_tokenizer", seq);
        }
        ObjectNode model = F.objectNode();
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.set("vocab", vocab);
        ArrayNode m = model.putArray("merges");
        for (Merge merge : merges) {
            m.addArray().add(rendered[merge.left()]).add(rendered[merge.right()]);
        }
        doc.set("model", model);
        doc.set("post_processor", byteLevel(true));
        doc.set("decoder", byteLevel(true));
        return doc;
    }

    static ObjectNode wordPiece(WordPiece wp) {
        ObjectNode doc = skeleton();
        List<String> tokens = wp.vocabulary();
        for (String special : WordPieceTrainerTokens.BERT) {
            int id = wp.id(special);
            if (id >= 0) {
                addSpecial(doc, id, special);
            }
        }
        ObjectNode norm = doc.putObject("normalizer");
        norm.put("type", "BertNormalizer");
        norm.put("clean_text", true);
        norm.put("handle_chinese_chars", true);
        norm.putNull("strip_accents");
        norm.put("lowercase", wp.lowercase());
        doc.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode model = doc.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", WordPiece.UNK);
        model.put("continuing_subword_prefix", WordPiece.CONTINUATION);
        model.put("max_input_chars_per_word", WordPiece.MAX_INPUT_CHARS_PER_WORD);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        int cls = wp.id("[CLS]");
        int sep = wp.id("[SEP]");
        if (cls >= 0 && sep >= 0) {
            ObjectNode post = doc.putObject("post_processor");
            post.put("type", "TemplateProcessing");
            ArrayNode single = post.putArray("single");
            special(single, "[CLS]", 0);
            sequence(single, "A", 0);
            special(single, "[SEP]", 0);
            ArrayNode pair = post.putArray("pair");
            special(pair, "[CLS]", 0);
            sequence(pair, "A", 0);
            special(pair, "[SEP]", 0);
            sequence(pair, "B", 1);
            special(pair, "[SEP]", 1);
            ObjectNode sp = post.putObject("special_tokens");
            for (String t : new String[] {"[CLS]", "[SEP]"}) {
                ObjectNode e = sp.putObject(t);
                e.put("id", t);
                e.putArray("ids").add(wp.id(t));
                e.putArray("tokens").add(t);
            }
        }
        ObjectNode dec = doc.putObject("decoder");
        dec.put("type", "WordPiece");
        dec.put("prefix", WordPiece.CONTINUATION);
        dec.put("cleanup", true);
        return doc;
    }

    private static void special(ArrayNode a, String id, int typeId) {
        ObjectNode o = a.addObject().putObject("SpecialToken");
        o.put("id", id);
        o.put("type_id", typeId);
    }

    private static void sequence(ArrayNode a, String id, int typeId) {
        ObjectNode o = a.addObject().putObject("Sequence");
        o.put("id", id);
        o.put("type_id", typeId);
    }

    static ObjectNode unigram(Unigram unigram) {
        ObjectNode doc = skeleton();
        ObjectNode norm = doc.putObject("normalizer");
        norm.put("type", "Replace");
        norm.putObject("pattern").put("String", " ");
        norm.put("content", String.valueOf(Unigram.SPACE));
        ObjectNode model = doc.putObject("model");
        model.put("type", "Unigram");
        int unk = unigram.id(Unigram.UNK);
        if (unk >= 0) {
            model.put("unk_id", unk);
        } else {
            model.putNull("unk_id");
        }
        ArrayNode vocab = model.putArray("vocab");
        List<String> pieces = unigram.pieces();
        double[] scores = unigram.scores();
        for (int i = 0; i < pieces.size(); i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("unigram score of piece " + i + " (\"" + pieces.get(i)
                        + "\") must be finite for JSON, got " + scores[i]);
            }
            vocab.addArray().add(pieces.get(i)).add(scores[i]);
        }
        model.put("byte_fallback", unigram.byteFallback());
        ObjectNode dec = doc.putObject("decoder");
        dec.put("type", "Sequence");
        ArrayNode steps = dec.putArray("decoders");
        ObjectNode replace = steps.addObject();
        replace.put("type", "Replace");
        replace.putObject("pattern").put("String", String.valueOf(Unigram.SPACE));
        replace.put("content", " ");
        steps.addObject().put("type", "ByteFallback");
        steps.addObject().put("type", "Fuse");
        return doc;
    }

    /** The bracketed special tokens of BERT vocabularies. */
    private static final class WordPieceTrainerTokens {
        static final List<String> BERT = org.llm4e.tokenizers.WordPieceTrainer.BERT_SPECIAL_TOKENS;
    }
}
