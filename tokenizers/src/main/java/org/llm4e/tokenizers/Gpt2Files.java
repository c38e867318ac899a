package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's original vocabulary files, {@code encoder.json} (token string → id) and {@code vocab.bpe} (the merges in
 * the order they were learned), read into a {@link Tiktoken} encoding and written from one.
 *
 * <pre>
 *   token strings spell bytes with GPT-2's bytes_to_unicode ({@link ByteToUnicode}: ' ' ↦ 'Ġ', '\n' ↦ 'Ċ')
 *   rank(single byte b) = position of b when the 256 bytes are ordered by the character that spells them
 *                         (the 188 printable bytes first, then the 68 others)
 *   rank(line k of vocab.bpe, "left right", k = 1, 2, …) = 255 + k,  token bytes = bytes(left) ‖ bytes(right)
 *   encoder.json must give every such token its rank; its other entries ({@code <|endoftext|>}: 50256) are
 *   special tokens
 * </pre>
 *
 * <p>This is tiktoken's {@code data_gym_to_mergeable_bpe_ranks} (tiktoken/load.py), which is how tiktoken itself
 * derived {@code r50k_base} from these files: the merge list and the rank table are the same information, because
 * a merge's rank is the rank of the token it produces. {@link #write} goes the other way: the merge of a token of
 * rank r is found by running BPE on the token's bytes with the ranks below r only, which must end in exactly two
 * parts (tiktoken's {@code _mergeable_ranks} round trip in its tests). Not in the articles; {@code
 * 搞懂大模型的分词器（六）.md} shows the {@code Ġ} spelling. The encoding uses the r50k pre-split ({@link
 * Tiktoken#R50K_PATTERN}), which splits like GPT-2's {@code encoder.py} pattern.
 */
public final class Gpt2Files {
    private static final String HEADER = "#version: 0.2";

    private Gpt2Files() {}

    /**
     * Reads {@code encoder.json} and {@code vocab.bpe} into an encoding named {@code gpt2}.
     *
     * @param encoderJson GPT-2's {@code encoder.json}
     * @param vocabBpe GPT-2's {@code vocab.bpe}
     * @return the encoding (the r50k pre-split; the special tokens are the entries of {@code encoder.json} that are
     *     not merge results)
     * @throws TokenizerFormatException if a file is malformed, a merge line does not have two byte-level strings,
     *     or {@code encoder.json} disagrees with the merges (names the file, the line and the entry)
     * @throws IOException if reading fails
     */
    public static Tiktoken load(Path encoderJson, Path vocabBpe) throws IOException {
        int[] bytesByRank = singleByteOrder();
        List<byte[]> byRank = new ArrayList<>();
        List<Integer> lineOfRank = new ArrayList<>();
        for (int r = 0; r < 256; r++) {
            byRank.add(new byte[] {(byte) bytesByRank[r]});
            lineOfRank.add(0);
        }

        String bpe = Files.readString(vocabBpe, StandardCharsets.UTF_8);
        String[] lines = bpe.split("\n", -1);
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (lineNo == 1 && line.startsWith("#version")) {
                continue;
            }
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new TokenizerFormatException(
                        vocabBpe, lineNo, "expected \"<left> <right>\" (two byte-level strings), got \"" + line + "\"");
            }
            byte[] left = spelled(vocabBpe, lineNo, line.substring(0, space));
            byte[] right = spelled(vocabBpe, lineNo, line.substring(space + 1));
            byte[] token = Arrays.copyOf(left, left.length + right.length);
            System.arraycopy(right, 0, token, left.length, right.length);
            byRank.add(token);
            lineOfRank.add(lineNo);
        }

        Map<String, Integer> lineOfKey = new HashMap<>();
        Map<String, Integer> encoder = Gpt2Json.read(encoderJson, lineOfKey);
        Map<String, Integer> specials = new LinkedHashMap<>();
        boolean[] seen = new boolean[byRank.size()];
        for (Map.Entry<String, Integer> e : encoder.entrySet()) {
            int id = e.getValue();
            if (id >= byRank.size()) {
                specials.put(e.getKey(), id); // not a merge result: a special token such as <|endoftext|>
                continue;
            }
            byte[] bytes = null;
            try {
                bytes = ByteToUnicode.parse(e.getKey());
            } catch (IllegalArgumentException notByteLevel) {
                // reported below as a mismatch
            }
            if (id < 0 || bytes == null || !Arrays.equals(bytes, byRank.get(id))) {
                throw new TokenizerFormatException(
                        encoderJson,
                        lineOfKey.get(e.getKey()),
                        "entry " + SpecialTokens.quote(e.getKey()) + ": " + id + " does not match " + vocabBpe
                                + (id >= 256 && id < byRank.size()
                                        ? " line " + lineOfRank.get(id) + " (rank " + id + ")"
                                        : " (rank " + id + ")"));
            }
            seen[id] = true;
        }
        for (int r = 0; r < seen.length; r++) {
            if (!seen[r]) {
                throw new TokenizerFormatException(
                        encoderJson,
                        1,
                        "no entry for \"" + ByteToUnicode.render(byRank.get(r)) + "\" (rank " + r
                                + (r >= 256 ? ", " + vocabBpe + " line " + lineOfRank.get(r) : "") + ")");
            }
        }
        int n = byRank.size();
        int[] lines0 = new int[n];
        for (int r = 0; r < n; r++) {
            lines0[r] = lineOfRank.get(r);
        }
        return Tiktoken.build(
                "gpt2",
                vocabBpe,
                byRank.toArray(new byte[0][]),
                lines0,
                n - 1,
                n,
                lineNo,
                Tiktoken.R50K_PATTERN,
                specials);
    }

    /** The bytes in the order of the characters that spell them: the rank order of GPT-2's single bytes. */
    private static int[] singleByteOrder() {
        char[] chars = new char[256];
        for (int b = 0; b < 256; b++) {
            chars[b] = ByteToUnicode.toChar((byte) b);
        }
        Arrays.sort(chars);
        int[] order = new int[256];
        for (int r = 0; r < 256; r++) {
            order[r] = ByteToUnicode.toByte(chars[r]);
        }
        return order;
    }

    private static byte[] spelled(Path file, int line, String s) throws TokenizerFormatException {
        try {
            return ByteToUnicode.parse(s);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(
                    file, line, "\"" + s + "\" is not a byte-level string: " + e.getMessage());
        }
    }

    /**
     * Writes an encoding as GPT-2's two files: {@code encoder.json} in Python's {@code json.dumps} style (ASCII with
     * {@code \}{@code uXXXX} escapes, {@code ", "} and {@code ": "} separators, ranks then special tokens) and {@code
     * vocab.bpe} with the {@code #version: 0.2} header and one merge per line in rank order.
     *
     * @param encoding the encoding; its ranks 0, 1, … up to the first gap are written (special tokens after), its single
     *     bytes
     *     ranked as GPT-2 ranks them, and every other token the merge of two tokens of lower rank
     * @param encoderJson the {@code encoder.json} to write
     * @param vocabBpe the {@code vocab.bpe} to write
     * @throws IllegalArgumentException if the encoding cannot be written as merges (names the rank)
     * @throws IOException if writing fails
     */
    public static void write(Tiktoken encoding, Path encoderJson, Path vocabBpe) throws IOException {
        Map<Integer, String> specialById = new HashMap<>();
        for (Map.Entry<String, Integer> e : encoding.specialTokens().entrySet()) {
            specialById.put(e.getValue(), e.getKey());
        }
        int ranks = 0;
        while (encoding.rankBytes(ranks) != null) {
            ranks++;
        }
        byte[][] tokens = new byte[ranks][];
        Map<String, Integer> rankOf = new HashMap<>();
        for (int r = 0; r < ranks; r++) {
            tokens[r] = encoding.rankBytes(r);
            rankOf.put(new String(tokens[r], StandardCharsets.ISO_8859_1), r);
        }
        int[] singleBytes = singleByteOrder();
        StringBuilder json = new StringBuilder("{");
        StringBuilder merges = new StringBuilder(HEADER).append('\n');
        for (int r = 0; r < ranks; r++) {
            if (r < 256) {
                if (tokens[r].length != 1 || (tokens[r][0] & 0xFF) != singleBytes[r]) {
                    throw new IllegalArgumentException(String.format(
                            "encoding must rank the single byte 0x%02X at %d as GPT-2 does, got %s",
                            singleBytes[r], r, ByteToUnicode.render(tokens[r])));
                }
            } else {
                int[] cut = lastMerge(tokens[r], r, rankOf);
                if (cut == null) {
                    throw new IllegalArgumentException(
                            "encoding must build the token of rank " + r + " from two tokens of lower rank");
                }
                merges.append(ByteToUnicode.render(Arrays.copyOfRange(tokens[r], 0, cut[0])))
                        .append(' ')
                        .append(ByteToUnicode.render(Arrays.copyOfRange(tokens[r], cut[0], tokens[r].length)))
                        .append('\n');
            }
            appendEntry(json, ByteToUnicode.render(tokens[r]), r);
        }
        for (int id = ranks; id < encoding.vocabSize(); id++) {
            String special = specialById.get(id);
            if (special != null) {
                appendEntry(json, special, id);
            }
        }
        json.append('}');
        Files.writeString(encoderJson, json, StandardCharsets.US_ASCII);
        Files.writeString(vocabBpe, merges, StandardCharsets.UTF_8);
    }

    private static void appendEntry(StringBuilder json, String key, int id) {
        if (json.length() > 1) {
            json.append(", ");
        }
        json.append('"');
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        json.append("\": ").append(id);
    }

    /**
     * BPE of a token's bytes with the ranks below its own: the split point of the last merge, or null if the bytes
     * do not end in two parts.
     */
    private static int[] lastMerge(byte[] token, int maxRank, Map<String, Integer> rankOf) {
        List<String> parts = new ArrayList<>();
        for (byte b : token) {
            parts.add(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
        }
        while (parts.size() > 2) {
            int best = Integer.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer r = rankOf.get(parts.get(i) + parts.get(i + 1));
                if (r != null && r < maxRank && r < best) {
                    best = r;
                    at = i;
                }
            }
            if (at < 0) {
                return null;
            }
            parts.set(at, parts.get(at) + parts.remove(at + 1));
        }
        return parts.size() == 2 ? new int[] {parts.get(0).length()} : null;
    }
}
