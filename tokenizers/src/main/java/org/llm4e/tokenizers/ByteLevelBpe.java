package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import org.llm4e.tokenizers.internal.BpeEncoder;
import org.llm4e.tokenizers.internal.IntList;
import org.llm4e.tokenizers.internal.LongIntHashMap;
import org.llm4e.tokenizers.internal.PairMerger;
import org.llm4e.tokenizers.internal.RegexSplitter;
import org.llm4e.tokenizers.internal.Splitter;

/**
 * A trained byte-level BPE tokenizer in the style of Karpathy's minbpe ({@code RegexTokenizer}, or {@code
 * BasicTokenizer} without a split pattern): ids 0–255 are the bytes, merge {@code k} creates id {@code 256 + k}, and
 * special tokens sit above.
 *
 * <pre>
 *   encode(text) = for each chunk c of split(text):          (regex pre-split; merges never cross chunks)
 *                     s ← UTF-8 bytes of c
 *                     while some adjacent pair of s is a merge:
 *                        (a, b) ← the adjacent pair of lowest rank;  replace (a, b) by 256 + rank(a, b), left to right
 *                     emit s
 *   decode(ids)  = UTF-8 of bytes(id₁) ‖ bytes(id₂) ‖ …,   bytes(256 + k) = bytes(left_k) ‖ bytes(right_k)
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（六）.md} (BBPE: BPE on bytes, so any string encodes and nothing is out of
 * vocabulary). Matches minbpe's {@code encode}/{@code decode} exactly (golden file {@code bpe_train.json}); {@link
 * #decode(int[])} replaces invalid UTF-8 with U+FFFD as minbpe's {@code errors="replace"}. {@link #encode(String)}
 * treats special-token text as ordinary text (tiktoken's {@code encode_ordinary}); {@link #encode(String, Set)}
 * recognizes the special tokens it is given. A lone surrogate in the input is encoded as U+FFFD (UTF-8 cannot hold
 * it), so only well-formed strings round-trip.
 *
 * <p>The encoder core (regex split, then rank-ordered pair merging in {@code internal.PairMerger}) is the one the
 * tiktoken encodings use. Immutable and thread-safe.
 */
public final class ByteLevelBpe implements Tokenizer {
    static final String FORMAT_HEADER = "llm4e-bpe 1";

    private final String splitPattern;
    private final Splitter splitter;
    private final List<Merge> merges;
    private final byte[][] tokenBytes;
    private final Map<String, Integer> specialTokens;
    private final Map<Integer, String> specialById;
    private final BpeEncoder encoder;
    private final int vocabSize;

    private ByteLevelBpe(String splitPattern, List<Merge> merges, Map<String, Integer> specialTokens) {
        this.splitPattern = splitPattern;
        this.splitter = splitPattern == null ? Splitter.wholeText() : new RegexSplitter(splitPattern);
        this.merges = List.copyOf(merges);
        this.specialTokens = specialTokens;
        int n = 256 + merges.size();
        tokenBytes = new byte[n][];
        for (int b = 0; b < 256; b++) {
            tokenBytes[b] = new byte[] {(byte) b};
        }
        LongIntHashMap ranks = new LongIntHashMap(merges.size());
        int[] mergedIds = new int[merges.size()];
        for (int k = 0; k < merges.size(); k++) {
            Merge m = merges.get(k);
            byte[] l = tokenBytes[m.left()];
            byte[] r = tokenBytes[m.right()];
            byte[] t = new byte[l.length + r.length];
            System.arraycopy(l, 0, t, 0, l.length);
            System.arraycopy(r, 0, t, l.length, r.length);
            tokenBytes[m.id()] = t;
            long key = LongIntHashMap.pair(m.left(), m.right());
            // a pair merged twice can only happen in a hand-made list; the first (lowest) rank wins, as in minbpe
            if (ranks.get(key, -1) < 0) {
                ranks.put(key, k);
            }
            mergedIds[k] = m.id();
        }
        this.encoder = new BpeEncoder(splitter, new PairMerger(ranks, mergedIds), null, null);
        Map<Integer, String> byId = new HashMap<>();
        int max = n - 1;
        for (Map.Entry<String, Integer> e : specialTokens.entrySet()) {
            byId.put(e.getValue(), e.getKey());
            max = Math.max(max, e.getValue());
        }
        this.specialById = byId;
        this.vocabSize = max + 1;
    }

    /**
     * Builds a tokenizer from its parts (what {@link ByteLevelBpeTrainer} and {@link #load(Path)} do).
     *
     * @param splitPattern the pre-split regex ({@link SplitPatterns}), or {@code null} for none (raw bytes)
     * @param merges the merges in rank order; merge {@code k} must have id {@code 256 + k} and parts below it
     * @param specialTokens special-token text → id, ids at least {@code 256 + merges.size()} and distinct
     * @return the tokenizer
     * @throws IllegalArgumentException if the pattern does not compile, a merge id is out of sequence, or a special
     *     token is invalid
     */
    public static ByteLevelBpe of(String splitPattern, List<Merge> merges, Map<String, Integer> specialTokens) {
        validatePattern(splitPattern);
        for (int k = 0; k < merges.size(); k++) {
            Merge m = merges.get(k);
            if (m.id() != 256 + k) {
                throw new IllegalArgumentException(
                        "merges[" + k + "].id must be " + (256 + k) + " (256 + rank), got " + m.id());
            }
        }
        return new ByteLevelBpe(splitPattern, merges, SpecialTokens.validate(specialTokens, 256 + merges.size()));
    }

    static void validatePattern(String splitPattern) {
        if (splitPattern != null) {
            try {
                new RegexSplitter(splitPattern);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "splitPattern must be a valid regular expression, got " + SpecialTokens.quote(splitPattern)
                                + ": " + e.getDescription(),
                        e);
            }
        }
    }

    /**
     * Encodes a text; special-token text is encoded as ordinary text (tiktoken's {@code encode_ordinary}).
     *
     * @param text the text
     * @return the token ids
     */
    @Override
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encoder.encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    /**
     * Encodes a text, turning each occurrence of an allowed special token into its id; the other special tokens are
     * ordinary text. Where two allowed tokens start at the same place the longer wins.
     *
     * @param text the text
     * @param allowedSpecial special tokens to recognize; each must be one of {@link #specialTokens()}
     * @return the token ids
     * @throws IllegalArgumentException if {@code allowedSpecial} names a string that is not a special token
     */
    public int[] encode(String text, Set<String> allowedSpecial) {
        for (String s : allowedSpecial) {
            if (!specialTokens.containsKey(s)) {
                throw new IllegalArgumentException("allowedSpecial must contain special tokens of this tokenizer "
                        + specialTokens.keySet() + ", got " + SpecialTokens.quote(s));
            }
        }
        Map<String, Integer> allowed = new java.util.LinkedHashMap<>();
        for (String s : allowedSpecial) {
            allowed.put(s, specialTokens.get(s));
        }
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encoder.encode(text, allowed, out);
        return out.toArray();
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        int total = 0;
        for (int i = 0; i < ids.length; i++) {
            total += bytesOf(ids, i).length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (int i = 0; i < ids.length; i++) {
            byte[] b = bytesOf(ids, i);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    private byte[] bytesOf(int[] ids, int i) {
        int id = ids[i];
        if (id >= 0 && id < tokenBytes.length) {
            return tokenBytes[id];
        }
        String special = specialById.get(id);
        if (special != null) {
            return special.getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException("ids[" + i + "] must be a token id (0.." + (tokenBytes.length - 1)
                + " or a special token " + specialTokens.values() + "), got " + id);
    }

    @Override
    public String decode(int[] ids) {
        // Java's decoder replaces each maximal invalid subsequence by one U+FFFD, as Python's errors="replace"
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /**
     * Returns the size of the id space: the largest id (merge or special token) plus one.
     *
     * @return the vocabulary size
     */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Returns the merges in rank order.
     *
     * @return an unmodifiable list; element {@code k} creates id {@code 256 + k}
     */
    public List<Merge> merges() {
        return merges;
    }

    /**
     * Returns the split pattern.
     *
     * @return the regex, or {@code null} when the text is not pre-split
     */
    public String splitPattern() {
        return splitPattern;
    }

    /**
     * Returns the special tokens.
     *
     * @return an unmodifiable map text → id
     */
    public Map<String, Integer> specialTokens() {
        return specialTokens;
    }

    /**
     * Returns the bytes a token stands for.
     *
     * @param id a byte, merge or special-token id
     * @return a copy of its bytes (UTF-8 of the text for a special token)
     * @throws IllegalArgumentException if the id is not in the vocabulary
     */
    public byte[] tokenBytes(int id) {
        return bytesOf(new int[] {id}, 0).clone();
    }

    /**
     * Returns a token as GPT-2 writes it in a vocabulary ({@link ByteToUnicode}: {@code " cats"} → {@code "Ġcats"});
     * a special token is returned as its text.
     *
     * @param id a byte, merge or special-token id
     * @return the rendered token
     * @throws IllegalArgumentException if the id is not in the vocabulary
     */
    public String renderToken(int id) {
        String special = specialById.get(id);
        return special != null ? special : ByteToUnicode.render(tokenBytes(id));
    }

    /**
     * Returns the chunks the split pattern cuts a text into (the whole text when there is no pattern), the
     * "pre-tokens" of the BBPE figure: {@code 'I like cats.'} → {@code 'I', ' like', ' cats', '.'}.
     *
     * @param text the text
     * @return the chunks in order
     */
    public List<String> preTokenize(String text) {
        List<String> chunks = new ArrayList<>();
        splitter.split(text, 0, text.length(), (s, e) -> chunks.add(text.substring(s, e)));
        return Collections.unmodifiableList(chunks);
    }

    /**
     * Writes the tokenizer in llm4e's text format (UTF-8, {@code \n} line ends):
     *
     * <pre>
     *   llm4e-bpe 1
     *   pattern N            N = length of the pattern in UTF-16 chars, or "pattern none"
     *   &lt;the N chars of the pattern&gt;   (only when N is given; may itself contain line breaks)
     *   special K
     *   &lt;id&gt; &lt;text&gt;          K lines; the text is the rest of the line
     *   merges M
     *   &lt;left&gt; &lt;right&gt;\t&lt;token&gt;    M lines, line k creates id 256 + k; &lt;token&gt; is the merged bytes
     *                         rendered by {@link ByteToUnicode}, for people, and is checked on load
     * </pre>
     *
     * @param file the file to write (replaced if it exists)
     * @throws IOException if writing fails
     */
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(64 + merges.size() * 16);
        sb.append(FORMAT_HEADER).append('\n');
        if (splitPattern == null) {
            sb.append("pattern none\n");
        } else {
            sb.append("pattern ").append(splitPattern.length()).append('\n');
            sb.append(splitPattern).append('\n');
        }
        sb.append("special ").append(specialTokens.size()).append('\n');
        for (Map.Entry<String, Integer> e : specialTokens.entrySet()) {
            sb.append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        }
        sb.append("merges ").append(merges.size()).append('\n');
        for (Merge m : merges) {
            sb.append(m.left())
                    .append(' ')
                    .append(m.right())
                    .append('\t')
                    .append(ByteToUnicode.render(tokenBytes[m.id()]))
                    .append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /**
     * Reads a tokenizer written by {@link #save(Path)}.
     *
     * @param file the file
     * @return the tokenizer
     * @throws TokenizerFormatException if the content is malformed (names the line and the reason)
     * @throws IOException if reading fails
     */
    public static ByteLevelBpe load(Path file) throws IOException {
        return ByteLevelBpeFormat.read(file);
    }

    /**
     * Writes the vocabulary in tiktoken's rank format: one line {@code base64(token bytes) rank} per token, ids 0–255
     * (the bytes) then the merges; special tokens are not part of the format. tiktoken's {@code
     * load_tiktoken_bpe} reads it. tiktoken ranks byte strings where minbpe ranks pairs, so the two encodings can
     * differ on a chunk whose bytes reach a token through another split (tokens {@code bc} learned before {@code ab},
     * then {@code ab+c}: minbpe keeps {@code a|bc}, tiktoken merges {@code abc}); they agree when no such chunk
     * occurs.
     *
     * @param file the file to write (replaced if it exists)
     * @throws IOException if writing fails
     * @throws IllegalStateException if two tokens have the same bytes (possible with hand-made merges), which a
     *     rank file cannot express
     */
    public void exportTiktoken(Path file) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        StringBuilder sb = new StringBuilder(tokenBytes.length * 12);
        Base64.Encoder b64 = Base64.getEncoder();
        for (int id = 0; id < tokenBytes.length; id++) {
            String key = b64.encodeToString(tokenBytes[id]);
            Integer other = seen.putIfAbsent(key, id);
            if (other != null) {
                throw new IllegalStateException("tokens " + other + " and " + id + " have the same bytes "
                        + SpecialTokens.quote(ByteToUnicode.render(tokenBytes[id]))
                        + "; a .tiktoken file maps each byte string to one rank");
            }
            sb.append(key).append(' ').append(id).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }
}
