package org.llm4e.tokenizers.hf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.tokenizers.WordPiece;

/**
 * Reads the {@code model} section of a {@code tokenizer.json} ({@code models/mod.rs} and each model's {@code
 * serialization.rs} in HF tokenizers): {@code BPE}, {@code WordPiece} or {@code Unigram}, with every field checked
 * and every error naming its JSON path.
 */
final class Models {
    private Models() {}

    static final String SUPPORTED = "BPE, WordPiece, Unigram";

    /**
     * Parses the model and fills {@code vocab} (token → id).
     */
    static Model parse(Json j, Map<String, Integer> vocab) throws HfFormatException {
        String type;
        if (j.node.isObject() && !j.has("type")) {
            // files from before the type tag: HF tells the models apart by their fields
            type = j.has("merges")
                    ? "BPE"
                    : j.get("vocab").node != null && j.get("vocab").node.isArray() ? "Unigram" : "WordPiece";
        } else {
            type = j.type();
        }
        switch (type) {
            case "BPE":
                return bpe(j, vocab);
            case "WordPiece":
                return wordPiece(j, vocab);
            case "Unigram":
                return unigram(j, vocab);
            default:
                throw j.unsupported("model", type, SUPPORTED);
        }
    }

    private static void readVocabObject(Json v, Map<String, Integer> vocab) throws HfFormatException {
        for (Map.Entry<String, Json> e : v.fields()) {
            int id = e.getValue().integer();
            if (id < 0) {
                throw new HfFormatException(e.getValue().path, "must be a non-negative id, got " + id);
            }
            vocab.put(e.getKey(), id);
        }
    }

    private static Model bpe(Json j, Map<String, Integer> vocab) throws HfFormatException {
        readVocabObject(j.required("vocab"), vocab);
        Json dropout = j.get("dropout");
        if (!dropout.isNull() && dropout.number() != 0.0) {
            throw new HfFormatException(
                    dropout.path,
                    "BPE dropout is random and not supported for encoding, got " + dropout.describe()
                            + " (expected null or 0)");
        }
        List<String[]> merges = new ArrayList<>();
        Json mergesJson = j.get("merges");
        if (!mergesJson.isNull()) {
            for (Json m : mergesJson.array()) {
                if (m.node.isTextual()) {
                    String line = m.node.textValue();
                    int space = line.indexOf(' ');
                    if (space < 0) {
                        throw new HfFormatException(m.path, "a merge must be \"left right\", got " + m.describe());
                    }
                    merges.add(new String[] {line.substring(0, space), line.substring(space + 1)});
                } else if (m.node.isArray() && m.node.size() == 2) {
                    merges.add(new String[] {m.at(0).string(), m.at(1).string()});
                } else {
                    throw new HfFormatException(
                            m.path, "a merge must be \"left right\" or [\"left\", \"right\"], got " + m.describe());
                }
            }
        }
        String unk = j.string("unk_token", null);
        return new BpeModel(
                vocab,
                merges,
                unk,
                j.string("continuing_subword_prefix", null),
                j.string("end_of_word_suffix", null),
                j.bool("fuse_unk", false),
                j.bool("byte_fallback", false),
                j.bool("ignore_merges", false),
                mergesJson.path);
    }

    /** The vocabulary as a list in id order; ids must be 0 … n−1. */
    private static List<String> byId(Map<String, Integer> vocab, String path) throws HfFormatException {
        String[] tokens = new String[vocab.size()];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id >= tokens.length || tokens[id] != null) {
                throw new HfFormatException(
                        path,
                        "ids must be 0 … " + (tokens.length - 1) + " without gaps or repeats, got " + id + " for \""
                                + e.getKey() + "\"");
            }
            tokens[id] = e.getKey();
        }
        return Arrays.asList(tokens);
    }

    private static Model wordPiece(Json j, Map<String, Integer> vocab) throws HfFormatException {
        Json v = j.required("vocab");
        readVocabObject(v, vocab);
        if (vocab.isEmpty()) {
            throw new HfFormatException(v.path, "must hold at least one token, got none");
        }
        requireDefault(j, "unk_token", WordPiece.UNK);
        requireDefault(j, "continuing_subword_prefix", WordPiece.CONTINUATION);
        int max = j.integer("max_input_chars_per_word", WordPiece.MAX_INPUT_CHARS_PER_WORD);
        if (max != WordPiece.MAX_INPUT_CHARS_PER_WORD) {
            throw new HfFormatException(
                    j.path + ".max_input_chars_per_word",
                    "only " + WordPiece.MAX_INPUT_CHARS_PER_WORD + " is supported, got " + max);
        }
        return new WordPieceModel(byId(vocab, v.path), vocab);
    }

    private static void requireDefault(Json j, String field, String expected) throws HfFormatException {
        String value = j.string(field, expected);
        if (!value.equals(expected)) {
            throw new HfFormatException(
                    j.path + "." + field, "only \"" + expected + "\" is supported, got \"" + value + "\"");
        }
    }

    private static Model unigram(Json j, Map<String, Integer> vocab) throws HfFormatException {
        List<Json> entries = j.required("vocab").array();
        if (entries.isEmpty()) {
            throw new HfFormatException(j.path + ".vocab", "must hold at least one piece, got none");
        }
        List<String> pieces = new ArrayList<>(entries.size());
        double[] scores = new double[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            Json e = entries.get(i);
            if (!e.node.isArray() || e.node.size() != 2) {
                throw new HfFormatException(e.path, "must be [piece, score], got " + e.describe());
            }
            String piece = e.at(0).string();
            if (vocab.putIfAbsent(piece, i) != null) {
                throw new HfFormatException(e.path, "piece \"" + piece + "\" is repeated");
            }
            pieces.add(piece);
            scores[i] = e.at(1).number();
        }
        Json unkJson = j.get("unk_id");
        int unkId = unkJson.isNull() ? -1 : unkJson.integer();
        if (unkId >= pieces.size()) {
            throw new HfFormatException(
                    unkJson.path, "must be a piece index below " + pieces.size() + ", got " + unkId);
        }
        boolean byteFallback = j.bool("byte_fallback", false);
        boolean[] isByte = new boolean[pieces.size()];
        int byteCount = 0;
        for (int i = 0; i < pieces.size(); i++) {
            isByte[i] = isBytePiece(pieces.get(i));
            byteCount += isByte[i] ? 1 : 0;
        }
        if (byteFallback && byteCount != 256) {
            throw new HfFormatException(
                    j.path + ".byte_fallback",
                    "byte fallback needs all 256 pieces <0x00> … <0xFF>, the vocabulary has " + byteCount);
        }
        // the library's Unigram knows the unknown piece by its name: give that name to unk_id's piece
        List<String> named = new ArrayList<>(pieces);
        if (unkId >= 0 && !named.get(unkId).equals(org.llm4e.tokenizers.Unigram.UNK)) {
            if (vocab.containsKey(org.llm4e.tokenizers.Unigram.UNK)) {
                throw new HfFormatException(
                        unkJson.path,
                        "points at \"" + named.get(unkId) + "\" while another piece is \""
                                + org.llm4e.tokenizers.Unigram.UNK + "\": not supported");
            }
            named.set(unkId, org.llm4e.tokenizers.Unigram.UNK);
        } else if (unkId < 0 && vocab.containsKey(org.llm4e.tokenizers.Unigram.UNK)) {
            throw new HfFormatException(
                    j.path + ".unk_id", "is null while the vocabulary has \"<unk>\": not supported");
        }
        try {
            return new UnigramModel(named, scores, unkId, byteFallback, isByte);
        } catch (IllegalArgumentException e) {
            throw new HfFormatException(j.path + ".vocab", e.getMessage(), e);
        }
    }

    static boolean isBytePiece(String p) {
        return p.length() == 6
                && p.startsWith("<0x")
                && p.charAt(5) == '>'
                && isUpperHex(p.charAt(3))
                && isUpperHex(p.charAt(4));
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    static Map<String, Integer> newVocab() {
        return new HashMap<>();
    }
}
