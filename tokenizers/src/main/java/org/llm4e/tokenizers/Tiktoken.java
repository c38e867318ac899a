package org.llm4e.tokenizers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.llm4e.tokenizers.internal.BpeEncoder;
import org.llm4e.tokenizers.internal.BytesIntMap;
import org.llm4e.tokenizers.internal.Cl100kSplitter;
import org.llm4e.tokenizers.internal.IntList;
import org.llm4e.tokenizers.internal.LongIntHashMap;
import org.llm4e.tokenizers.internal.O200kSplitter;
import org.llm4e.tokenizers.internal.PairMerger;
import org.llm4e.tokenizers.internal.R50kSplitter;
import org.llm4e.tokenizers.internal.RegexSplitter;
import org.llm4e.tokenizers.internal.Splitter;

/**
 * OpenAI's tiktoken encodings ({@code r50k_base}, {@code p50k_base}, {@code cl100k_base}, {@code o200k_base}) and
 * custom ones from a {@code .tiktoken} rank file: byte-level BPE where a token's rank is both its id and its merge
 * priority.
 *
 * <pre>
 *   encode(text) = for each piece p of split(text, pattern):
 *                     if bytes(p) is a token: emit its rank                       (whole-piece lookup, as tiktoken)
 *                     else parts ← single bytes of p
 *                          while some adjacent (a, b) has bytes(a) ‖ bytes(b) in the vocabulary:
 *                              merge the leftmost such pair of lowest rank
 *                          emit the ranks of the parts
 * </pre>
 *
 * <p>Not in the articles (they never mention tiktoken); the byte-level BPE it implements is {@code
 * 搞懂大模型的分词器（六）.md}'s BBPE. Matches tiktoken (Rust core, {@code _byte_pair_merge}) exactly: {@link
 * #encode(String)} is {@code encode_ordinary} (special-token text is ordinary text). Every part is a token, so ranking
 * the concatenated bytes of two parts is a function of the two ranks; the table {@code (left, right) → rank} built
 * once from the vocabulary lets the shared merger ({@code internal.PairMerger}) do the work on ints. The rank files
 * are bundled (MIT, from OpenAI via jtokkit's jar; their sha256 are the ones tiktoken checks). GPT-2's original
 * {@code encoder.json} + {@code vocab.bpe} load with {@link Gpt2Files}. Immutable and thread-safe; {@link
 * #load(String)} returns one cached instance per name.
 *
 * <p><b>Pre-split.</b> The patterns below are tiktoken's, and {@code java.util.regex} runs them with {@code
 * UNICODE_CHARACTER_CLASS} (so {@code \s} is Unicode White_Space: NBSP, U+3000, U+0085, U+2028 are whitespace as in
 * Rust; {@code (?i)} folds case as Unicode does, so {@code 'ſ} is a contraction and the Kelvin sign is a letter). The
 * bundled encodings do not run the regex, though: a hand-written splitter per pattern ({@code internal.R50kSplitter},
 * {@code Cl100kSplitter}, {@code O200kSplitter}) produces the same chunks several times faster, and tests hold it equal
 * to the regex, which stays the readable reference. A custom encoding with one of these patterns gets the splitter too;
 * any other pattern runs as a regex.
 *
 * <p><b>Unicode versions.</b> Letters, numbers and whitespace are the JDK's ({@link Character#getType(int)}), so they
 * follow the JDK's Unicode version: 13.0 on JDK 17, 16.0 on JDK 25. A code point assigned since Unicode 13 (e.g.
 * U+1E290 TOTO LETTER PA, Unicode 14) is unassigned on JDK 17, hence a symbol, not a letter, and a text containing
 * it can split and encode differently on the two JDKs. tiktoken's Rust regex carries its own Unicode tables (15.0
 * or newer), so JDK 25 agrees with it on such text and JDK 17 may not; text of code points assigned by Unicode 13.0
 * encodes identically everywhere.
 */
public final class Tiktoken implements Tokenizer {
    /** GPT-3's encoding (GPT-2's vocabulary). */
    public static final String R50K_BASE = "r50k_base";
    /** Codex's encoding. */
    public static final String P50K_BASE = "p50k_base";
    /** GPT-3.5 / GPT-4's encoding. */
    public static final String CL100K_BASE = "cl100k_base";
    /** GPT-4o's encoding. */
    public static final String O200K_BASE = "o200k_base";

    /** The pattern of r50k_base and p50k_base (tiktoken's {@code r50k_pat_str}). */
    public static final String R50K_PATTERN =
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s";

    /** The pattern of cl100k_base. */
    public static final String CL100K_PATTERN = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+|"
            + " ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";

    /** The pattern of o200k_base (case-aware words with attached contractions). */
    public static final String O200K_PATTERN = String.join(
            "|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
                    + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    private static final Map<String, Tiktoken> CACHE = new ConcurrentHashMap<>();

    private final String name;
    private final String pattern;
    private final byte[][] tokenBytes; // by rank; null where a special token or nothing sits
    private final Map<String, Integer> specialTokens;
    private final Map<Integer, String> specialById;
    private final BpeEncoder encoder;
    private final int vocabSize;

    private Tiktoken(String name, String pattern, byte[][] tokenBytes, Map<String, Integer> specialTokens) {
        this.name = name;
        this.pattern = pattern;
        this.tokenBytes = tokenBytes;
        this.specialTokens = specialTokens;
        Map<Integer, String> byId = new HashMap<>();
        int max = tokenBytes.length - 1;
        for (Map.Entry<String, Integer> e : specialTokens.entrySet()) {
            byId.put(e.getValue(), e.getKey());
            max = Math.max(max, e.getValue());
        }
        this.specialById = byId;
        this.vocabSize = max + 1;

        int count = 0;
        for (byte[] b : tokenBytes) {
            if (b != null) {
                count++;
            }
        }
        byte[][] keys = new byte[count][];
        int[] values = new int[count];
        int k = 0;
        for (int r = 0; r < tokenBytes.length; r++) {
            if (tokenBytes[r] != null) {
                keys[k] = tokenBytes[r];
                values[k++] = r;
            }
        }
        BytesIntMap byBytes = new BytesIntMap(keys, values);
        int[] byteToRank = new int[256];
        for (int b = 0; b < 256; b++) {
            byteToRank[b] = byBytes.get(new byte[] {(byte) b}, -1);
        }
        // (left, right) → rank for every split of every token into two tokens
        LongIntHashMap pairs = new LongIntHashMap(count * 2);
        int[] symbols = new int[256];
        for (int r = 0; r < tokenBytes.length; r++) {
            byte[] t = tokenBytes[r];
            if (t == null || t.length < 2) {
                continue;
            }
            if (symbols.length < t.length) {
                symbols = new int[t.length];
            }
            for (int i = 0; i < t.length; i++) {
                symbols[i] = t[i] & 0xFF;
            }
            for (int cut = 1; cut < t.length; cut++) {
                int left = byBytes.get(symbols, 0, cut, -1);
                int right = left < 0 ? -1 : byBytes.get(symbols, cut, t.length, -1);
                if (right >= 0) {
                    pairs.put(LongIntHashMap.pair(left, right), r);
                }
            }
        }
        int[] identity = new int[tokenBytes.length];
        for (int r = 0; r < identity.length; r++) {
            identity[r] = r;
        }
        this.encoder = new BpeEncoder(splitterFor(pattern), new PairMerger(pairs, identity), byBytes, byteToRank);
    }

    /**
     * The pre-split of a pattern: the hand-written splitter of r50k/p50k, cl100k or o200k when the pattern is one of
     * theirs character for character (tested equal to the regex on every golden text and on generated Unicode
     * strings), otherwise the regex itself.
     */
    static Splitter splitterFor(String pattern) {
        if (pattern.equals(R50K_PATTERN)) {
            return new R50kSplitter();
        }
        if (pattern.equals(CL100K_PATTERN)) {
            return new Cl100kSplitter();
        }
        if (pattern.equals(O200K_PATTERN)) {
            return new O200kSplitter();
        }
        return new RegexSplitter(pattern);
    }

    /**
     * Returns a bundled encoding (one cached instance per name).
     *
     * @param name {@code r50k_base}, {@code p50k_base}, {@code cl100k_base} or {@code o200k_base}
     * @return the encoding
     * @throws IllegalArgumentException if the name is not one of the four
     */
    public static Tiktoken load(String name) {
        if (!names().contains(name)) {
            throw new IllegalArgumentException("name must be one of " + names() + ", got " + name);
        }
        return CACHE.computeIfAbsent(name, Tiktoken::loadBundled);
    }

    /**
     * Returns the names of the bundled encodings.
     *
     * @return {@code [r50k_base, p50k_base, cl100k_base, o200k_base]}
     */
    public static List<String> names() {
        return List.of(R50K_BASE, P50K_BASE, CL100K_BASE, O200K_BASE);
    }

    private static Tiktoken loadBundled(String name) {
        String pattern;
        Map<String, Integer> specials = new LinkedHashMap<>();
        switch (name) {
            case R50K_BASE:
            case P50K_BASE:
                pattern = R50K_PATTERN;
                specials.put("<|endoftext|>", 50256);
                break;
            case CL100K_BASE:
                pattern = CL100K_PATTERN;
                specials.put("<|endoftext|>", 100257);
                specials.put("<|fim_prefix|>", 100258);
                specials.put("<|fim_middle|>", 100259);
                specials.put("<|fim_suffix|>", 100260);
                specials.put("<|endofprompt|>", 100276);
                break;
            default:
                pattern = O200K_PATTERN;
                specials.put("<|endoftext|>", 199999);
                specials.put("<|endofprompt|>", 200018);
                break;
        }
        String resource = name + ".tiktoken";
        try (InputStream in = Tiktoken.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled rank file " + resource + " is missing from the jar");
            }
            return parse(name, Path.of(resource), in.readAllBytes(), pattern, specials);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled rank file " + resource, e);
        }
    }

    /**
     * Loads a custom encoding from a {@code .tiktoken} rank file (lines {@code base64(token bytes) rank}).
     *
     * @param rankFile the rank file
     * @param pattern the pre-split regex
     * @param specialTokens special-token text → id; ids distinct and not ranks of the file
     * @return the encoding
     * @throws TokenizerFormatException if a line is malformed, a rank or a token repeats, or an id below the largest
     *     rank is neither a rank nor a special token (names the line)
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if the pattern does not compile or a special token is invalid
     */
    public static Tiktoken load(Path rankFile, String pattern, Map<String, Integer> specialTokens) throws IOException {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern must be a regular expression, got null");
        }
        ByteLevelBpe.validatePattern(pattern);
        return parse(rankFile.getFileName().toString(), rankFile, Files.readAllBytes(rankFile), pattern, specialTokens);
    }

    private static Tiktoken parse(
            String name, Path file, byte[] content, String pattern, Map<String, Integer> specialTokens)
            throws TokenizerFormatException {
        // plain arrays indexed by rank: the bundled o200k file has 199,998 lines
        byte[][] byRank = new byte[1024][];
        int[] lineOfRank = new int[1024];
        int max = -1;
        int line = 0;
        int count = 0;
        Base64.Decoder b64 = Base64.getDecoder();
        for (int pos = 0; pos < content.length; ) {
            int end = pos;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            int lineStart = pos;
            pos = end + 1;
            line++;
            if (end == lineStart) {
                continue;
            }
            int space = -1;
            for (int k = lineStart; k < end; k++) {
                if (content[k] == ' ') {
                    if (space >= 0) {
                        space = -2;
                        break;
                    }
                    space = k;
                }
            }
            if (space <= lineStart) {
                throw new TokenizerFormatException(
                        file,
                        line,
                        "expected \"<base64 token> <rank>\", got \""
                                + new String(content, lineStart, end - lineStart, StandardCharsets.ISO_8859_1) + "\"");
            }
            byte[] bytes;
            try {
                java.nio.ByteBuffer decoded =
                        b64.decode(java.nio.ByteBuffer.wrap(content, lineStart, space - lineStart));
                bytes = java.util.Arrays.copyOfRange(
                        decoded.array(), decoded.arrayOffset(), decoded.arrayOffset() + decoded.remaining());
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(
                        file,
                        line,
                        "invalid base64 \""
                                + new String(content, lineStart, space - lineStart, StandardCharsets.ISO_8859_1)
                                + "\"");
            }
            int rank = 0;
            boolean digits = end > space + 1 && end - space - 1 <= 9;
            for (int k = space + 1; k < end && digits; k++) {
                int d = content[k] - '0';
                digits = d >= 0 && d <= 9;
                rank = rank * 10 + d;
            }
            if (!digits) {
                throw new TokenizerFormatException(
                        file,
                        line,
                        "expected a non-negative integer rank, got \""
                                + new String(content, space + 1, end - space - 1, StandardCharsets.ISO_8859_1) + "\"");
            }
            if (bytes.length == 0) {
                throw new TokenizerFormatException(file, line, "a token must have at least one byte");
            }
            if (rank >= byRank.length) {
                int cap = Math.max(rank + 1, byRank.length * 2);
                byRank = java.util.Arrays.copyOf(byRank, cap);
                lineOfRank = java.util.Arrays.copyOf(lineOfRank, cap);
            }
            if (byRank[rank] != null) {
                throw new TokenizerFormatException(
                        file, line, "rank " + rank + " already given on line " + lineOfRank[rank]);
            }
            byRank[rank] = bytes;
            lineOfRank[rank] = line;
            max = Math.max(max, rank);
            count++;
        }
        if (max < 0) {
            throw new TokenizerFormatException(file, line, "the file has no ranks");
        }
        return build(name, file, byRank, lineOfRank, max, count, line, pattern, specialTokens);
    }

    /**
     * Validates a vocabulary given by rank (no gaps but special tokens, no duplicate token, every single byte a
     * token) and builds the encoding; errors name the line each rank came from.
     *
     * @param lastLine the line number reported for a problem of the whole file
     */
    static Tiktoken build(
            String name,
            Path file,
            byte[][] byRank,
            int[] lineOfRank,
            int max,
            int count,
            int lastLine,
            String pattern,
            Map<String, Integer> specialTokens)
            throws TokenizerFormatException {
        int line = lastLine;
        Map<String, Integer> specials = SpecialTokens.validate(specialTokens, 0);
        Set<Integer> specialIds = new java.util.HashSet<>();
        for (Map.Entry<String, Integer> e : specials.entrySet()) {
            int id = e.getValue();
            if (id < byRank.length && byRank[id] != null) {
                throw new IllegalArgumentException("specialTokens[" + SpecialTokens.quote(e.getKey())
                        + "] must not be a rank of the file, got " + id + " (line " + lineOfRank[id] + ")");
            }
            specialIds.add(id);
        }
        byte[][] tokenBytes = java.util.Arrays.copyOf(byRank, max + 1);
        for (int r = 0; r <= max; r++) {
            if (tokenBytes[r] == null && !specialIds.contains(r)) {
                throw new TokenizerFormatException(
                        file,
                        line,
                        "rank " + r + " is missing (ranks must cover 0.." + max + " except special tokens)");
            }
        }
        // duplicate tokens: sort ranks by bytes and compare neighbours (no per-token map of boxed keys)
        Integer[] order = new Integer[count];
        int n = 0;
        for (int r = 0; r <= max; r++) {
            if (tokenBytes[r] != null) {
                order[n++] = r;
            }
        }
        byte[][] tb = tokenBytes;
        java.util.Arrays.sort(order, (a, b) -> java.util.Arrays.compareUnsigned(tb[a], tb[b]));
        boolean[] singleByte = new boolean[256];
        for (int k = 0; k < count; k++) {
            byte[] t = tokenBytes[order[k]];
            if (t.length == 1) {
                singleByte[t[0] & 0xFF] = true;
            }
            if (k > 0 && java.util.Arrays.equals(t, tokenBytes[order[k - 1]])) {
                int first = Math.min(lineOfRank[order[k]], lineOfRank[order[k - 1]]);
                int second = Math.max(lineOfRank[order[k]], lineOfRank[order[k - 1]]);
                throw new TokenizerFormatException(
                        file,
                        second,
                        "token " + Base64.getEncoder().encodeToString(t) + " already given on line " + first);
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!singleByte[b]) {
                throw new TokenizerFormatException(
                        file,
                        line,
                        String.format("the single byte 0x%02X has no rank (every byte must be a token)", b));
            }
        }
        return new Tiktoken(name, pattern, tokenBytes, specials);
    }

    /**
     * Encodes a text as ordinary text (tiktoken's {@code encode_ordinary}): special-token text is split and merged
     * like any other text.
     *
     * @param text the text
     * @return the token ids
     */
    @Override
    public int[] encode(String text) {
        return encodeOrdinary(text);
    }

    /**
     * Tiktoken's {@code encode_ordinary}; the same as {@link #encode(String)}.
     *
     * @param text the text
     * @return the token ids
     */
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encoder.encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    /**
     * Encodes a text, recognizing the allowed special tokens; other special-token text is ordinary text.
     *
     * @param text the text
     * @param allowedSpecial special tokens to turn into their ids (use {@code specialTokens().keySet()} for tiktoken's
     *     {@code "all"})
     * @return the token ids
     * @throws IllegalArgumentException if {@code allowedSpecial} names a string that is not a special token
     */
    public int[] encode(String text, Set<String> allowedSpecial) {
        return encode(text, allowedSpecial, Set.of());
    }

    /**
     * Tiktoken's {@code encode(text, allowed_special, disallowed_special)}: fails if the text contains a disallowed
     * special token, then encodes with the allowed ones recognized. Tiktoken's default ({@code allowed = {}},
     * {@code disallowed = "all"}) is {@code encode(text, Set.of(), specialTokens().keySet())}.
     *
     * @param text the text
     * @param allowedSpecial special tokens to turn into their ids
     * @param disallowedSpecial special tokens whose presence in the text is an error
     * @return the token ids
     * @throws IllegalArgumentException if the text contains a disallowed special token (named), or a set names a
     *     string that is not a special token
     */
    public int[] encode(String text, Set<String> allowedSpecial, Set<String> disallowedSpecial) {
        Map<String, Integer> allowed = new LinkedHashMap<>();
        for (String s : allowedSpecial) {
            Integer id = specialTokens.get(s);
            if (id == null) {
                throw new IllegalArgumentException("allowedSpecial must contain special tokens of " + name + " "
                        + specialTokens.keySet() + ", got " + SpecialTokens.quote(s));
            }
            allowed.put(s, id);
        }
        for (String s : disallowedSpecial) {
            if (!specialTokens.containsKey(s)) {
                throw new IllegalArgumentException("disallowedSpecial must contain special tokens of " + name + " "
                        + specialTokens.keySet() + ", got " + SpecialTokens.quote(s));
            }
            if (!allowed.containsKey(s) && text.contains(s)) {
                throw new IllegalArgumentException(
                        "text contains the disallowed special token " + SpecialTokens.quote(s)
                                + "; allow it, or pass it in neither set to encode it as ordinary text");
            }
        }
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encoder.encode(text, allowed, out);
        return out.toArray();
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        byte[][] parts = new byte[ids.length][];
        int total = 0;
        for (int i = 0; i < ids.length; i++) {
            parts[i] = bytesOf(ids, i);
            total += parts[i].length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private byte[] bytesOf(int[] ids, int i) {
        int id = ids[i];
        if (id >= 0 && id < tokenBytes.length && tokenBytes[id] != null) {
            return tokenBytes[id];
        }
        String special = specialById.get(id);
        if (special != null) {
            return special.getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException(
                "ids[" + i + "] must be a token id of " + name + " (a rank or a special token), got " + id);
    }

    /** The bytes of a rank (not a copy), or null if {@code id} is not a rank of the file. */
    byte[] rankBytes(int id) {
        return id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
    }

    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /**
     * Returns the largest id (rank or special token) plus one.
     *
     * @return the vocabulary size
     */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Returns the encoding's name (the rank file's name for a custom encoding).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the pre-split pattern.
     *
     * @return the regex
     */
    public String pattern() {
        return pattern;
    }

    /**
     * Returns the special tokens.
     *
     * @return an unmodifiable map text → id
     */
    public Map<String, Integer> specialTokens() {
        return Collections.unmodifiableMap(specialTokens);
    }
}
