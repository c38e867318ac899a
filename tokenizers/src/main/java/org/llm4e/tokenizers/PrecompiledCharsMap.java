package org.llm4e.tokenizers;

import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.Arrays;

/**
 * SentencePiece's precompiled character map: the normalization rules ({@code nmt_nfkc}, {@code nfkc},
 * {@code nmt_nfkc_cf}, ...) that a SentencePiece model stores in {@code normalizer_spec.precompiled_charsmap}, and
 * that Hugging Face's {@code tokenizer.json} carries as the {@code Precompiled} normalizer (base64 of the same
 * bytes).
 *
 * <p>Article: A7 SentencePiece (TOK-5), property 7 "NFKC-based normalization". The article does not describe the
 * format; this class follows sentencepiece's {@code normalizer.cc} and Darts-clone's {@code darts.h}.
 *
 * <h2>Layout of the blob</h2>
 *
 * <pre>
 * offset 0        uint32 little-endian  trieSize  (bytes of the trie, a multiple of 4)
 * offset 4        trieSize / 4 units    the double-array trie (uint32 little-endian each)
 * offset 4+trieSize                     the replacement strings, each UTF-8 and terminated by NUL
 * </pre>
 *
 * <p>The trie's keys are UTF-8 byte strings (one character, or a short sequence such as a base letter and a
 * combining mark); the value stored at a key is the offset of its replacement in the strings blob.
 *
 * <h2>The double array (Darts-clone)</h2>
 *
 * Each 32-bit unit packs four fields:
 *
 * <pre>
 * hasLeaf(u) = (u &gt;&gt; 8) &amp; 1
 * value(u)   = u &amp; 0x7FFFFFFF                      (only for the leaf unit)
 * label(u)   = u &amp; (0x80000000 | 0xFF)            (a leaf unit never matches a byte label)
 * offset(u)  = (u &gt;&gt; 10) &lt;&lt; ((u &amp; (1 &lt;&lt; 9)) &gt;&gt; 6)  (shifted by 8 when bit 9 is set)
 * </pre>
 *
 * Walking byte {@code c} from node {@code p}: {@code p ← p ⊕ offset(unit[p]) ⊕ c}; the step is valid when
 * {@code label(unit[p]) = c}; if then {@code hasLeaf(unit[p])}, the key read so far is in the trie and its value is
 * {@code value(unit[p ⊕ offset(unit[p])])}. A common-prefix search walks the input once and reports every key that
 * is a prefix of it.
 *
 * <h2>Two ways of applying it</h2>
 *
 * <ul>
 *   <li>{@link #normalize(String)}: sentencepiece's {@code Normalizer::NormalizePrefix} — at each position take the
 *       <em>longest</em> key that is a prefix of the rest of the input (among the first 32 matches, as
 *       sentencepiece's fixed result buffer), emit its replacement and skip the key; with no match copy one
 *       character (a malformed UTF-8 byte becomes U+FFFD). {@link SentencePiece} uses this, together with its
 *       whitespace handling.
 *   <li>{@link #normalizeGraphemes(String)}: Hugging Face tokenizers' {@code Precompiled} normalizer
 *       ({@code precompiled.rs} / {@code spm_precompiled}) — cut the text into grapheme clusters; a cluster shorter
 *       than 6 UTF-8 bytes is replaced by {@link #transform(String)} of the whole cluster if it has one, otherwise
 *       each character is transformed on its own. {@code transform} takes the <em>first</em> (shortest) key that is
 *       a prefix of its argument. Grapheme clusters come from {@link BreakIterator#getCharacterInstance()}, which
 *       follows the extended grapheme cluster rules from JDK 20 on; on JDK 17 clusters with emoji modifiers or
 *       ZWJ sequences can be cut differently.
 * </ul>
 *
 * Instances are immutable and thread-safe.
 */
public final class PrecompiledCharsMap {
    /** sentencepiece's {@code kMaxTrieResultsSize}: at most this many prefix matches are considered. */
    static final int MAX_TRIE_RESULTS = 32;

    private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);

    private final int[] units;
    private final byte[] normalized;

    private PrecompiledCharsMap(int[] units, byte[] normalized) {
        this.units = units;
        this.normalized = normalized;
    }

    /**
     * Parses a precompiled character map.
     *
     * @param blob the bytes of {@code normalizer_spec.precompiled_charsmap} (or the base64-decoded
     *     {@code precompiled_charsmap} of a {@code tokenizer.json})
     * @return the character map
     * @throws IllegalArgumentException if the blob is shorter than its header says, naming the byte offset
     */
    public static PrecompiledCharsMap parse(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("precompiled_charsmap: truncated at byte offset " + blob.length
                    + ": expected a 4-byte trie size, got " + blob.length + " bytes");
        }
        long trieSize = (blob[0] & 0xFFL) | (blob[1] & 0xFFL) << 8 | (blob[2] & 0xFFL) << 16 | (blob[3] & 0xFFL) << 24;
        if (trieSize % 4 != 0 || trieSize > blob.length - 4L || trieSize == 0) {
            throw new IllegalArgumentException("precompiled_charsmap: bad trie size " + trieSize + " at byte offset 0:"
                    + " expected a positive multiple of 4 of at most " + (blob.length - 4) + " bytes");
        }
        int[] units = new int[(int) (trieSize / 4)];
        for (int i = 0; i < units.length; i++) {
            int o = 4 + 4 * i;
            units[i] = (blob[o] & 0xFF) | (blob[o + 1] & 0xFF) << 8 | (blob[o + 2] & 0xFF) << 16 | blob[o + 3] << 24;
        }
        byte[] normalized = Arrays.copyOfRange(blob, 4 + (int) trieSize, blob.length);
        return new PrecompiledCharsMap(units, normalized);
    }

    private static boolean hasLeaf(int unit) {
        return ((unit >>> 8) & 1) == 1;
    }

    private static int value(int unit) {
        return unit & 0x7FFFFFFF;
    }

    private static int label(int unit) {
        return unit & (0x80000000 | 0xFF);
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }

    private int unitAt(int pos) {
        // A corrupt trie can point outside the array: treat it as "no such transition" rather than fail mid-text.
        return pos >= 0 && pos < units.length ? units[pos] : 0x80000000;
    }

    /**
     * Longest-prefix search over UTF-8 bytes, as sentencepiece: among the first {@value #MAX_TRIE_RESULTS} keys that
     * are prefixes of {@code key[from, to)}, the longest one.
     *
     * @return {@code (length << 32) | value}, or -1 when no key matches
     */
    long longestPrefix(byte[] key, int from, int to) {
        int nodePos = 0;
        int unit = unitAt(nodePos);
        nodePos ^= offset(unit);
        long best = -1;
        int found = 0;
        for (int i = from; i < to; i++) {
            int c = key[i] & 0xFF;
            nodePos ^= c;
            unit = unitAt(nodePos);
            if (label(unit) != c) {
                break;
            }
            nodePos ^= offset(unit);
            if (hasLeaf(unit)) {
                if (found < MAX_TRIE_RESULTS) {
                    best = ((long) (i + 1 - from) << 32) | value(unitAt(nodePos));
                }
                found++;
            }
        }
        return best;
    }

    /**
     * Shortest-prefix search: the value of the first key that is a prefix of {@code key[from, to)}.
     *
     * @return the value, or -1 when no key matches
     */
    private int firstPrefix(byte[] key, int from, int to) {
        int nodePos = 0;
        int unit = unitAt(nodePos);
        nodePos ^= offset(unit);
        for (int i = from; i < to; i++) {
            int c = key[i] & 0xFF;
            nodePos ^= c;
            unit = unitAt(nodePos);
            if (label(unit) != c) {
                return -1;
            }
            nodePos ^= offset(unit);
            if (hasLeaf(unit)) {
                return value(unitAt(nodePos));
            }
        }
        return -1;
    }

    /** Length of the NUL-terminated replacement at {@code start} in the strings blob (0 when out of range). */
    int replacementLength(int start) {
        if (start < 0 || start >= normalized.length) {
            return 0;
        }
        int end = start;
        while (end < normalized.length && normalized[end] != 0) {
            end++;
        }
        return end - start;
    }

    /** Appends the replacement at {@code start} to {@code out}. */
    void appendReplacement(int start, ByteSink out) {
        out.write(normalized, Math.max(0, Math.min(start, normalized.length)), replacementLength(start));
    }

    /**
     * Normalizes a text as sentencepiece's {@code Normalizer::NormalizePrefix} applied repeatedly, without the
     * whitespace handling that {@link SentencePiece} adds: at each position the longest matching rule is applied,
     * otherwise one character is copied.
     *
     * @param text the text
     * @return the normalized text
     */
    public String normalize(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        ByteSink out = new ByteSink(in.length + 8);
        int pos = 0;
        while (pos < in.length) {
            pos += normalizePrefix(in, pos, in.length, out);
        }
        return out.toUtf8String();
    }

    /**
     * Normalizes the prefix of {@code in[pos, end)}: appends its replacement (or the first character, or U+FFFD for
     * a malformed byte) to {@code out}.
     *
     * @return the number of input bytes consumed (at least 1)
     */
    int normalizePrefix(byte[] in, int pos, int end, ByteSink out) {
        long m = longestPrefix(in, pos, end);
        if (m >= 0) {
            appendReplacement((int) m, out);
            return (int) (m >>> 32);
        }
        int len = Utf8.validCharLength(in, pos, end);
        if (len == 0) {
            out.write(REPLACEMENT, 0, REPLACEMENT.length);
            return 1;
        }
        out.write(in, pos, len);
        return len;
    }

    /**
     * Hugging Face's {@code Precompiled::transform}: the replacement of the first (shortest) rule whose key is a
     * prefix of {@code chunk}.
     *
     * @param chunk a grapheme cluster or a character
     * @return the replacement, or {@code null} when no rule applies
     */
    public String transform(String chunk) {
        byte[] key = chunk.getBytes(StandardCharsets.UTF_8);
        int v = firstPrefix(key, 0, key.length);
        if (v < 0) {
            return null;
        }
        return new String(normalized, Math.min(v, normalized.length), replacementLength(v), StandardCharsets.UTF_8);
    }

    /**
     * Normalizes a text as Hugging Face tokenizers' {@code Precompiled} normalizer does: grapheme clusters shorter
     * than 6 UTF-8 bytes are transformed whole when a rule applies, otherwise character by character.
     *
     * @param text the text
     * @return the normalized text
     */
    public String normalizeGraphemes(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        BreakIterator it = BreakIterator.getCharacterInstance(java.util.Locale.ROOT);
        it.setText(text);
        int start = it.first();
        for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
            String grapheme = text.substring(start, end);
            if (Utf8.length(grapheme) < 6) {
                String t = transform(grapheme);
                if (t != null) {
                    sb.append(t);
                    continue;
                }
            }
            for (int i = 0; i < grapheme.length(); ) {
                int cp = grapheme.codePointAt(i);
                String ch = grapheme.substring(i, i + Character.charCount(cp));
                String t = transform(ch);
                sb.append(t != null ? t : ch);
                i += ch.length();
            }
        }
        return sb.toString();
    }

    /** A growable byte buffer (package-private helper shared with {@link SentencePiece}). */
    static final class ByteSink {
        byte[] buf;
        int size;

        ByteSink(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        void write(byte[] src, int off, int len) {
            ensure(len);
            System.arraycopy(src, off, buf, size, len);
            size += len;
        }

        void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        private void ensure(int extra) {
            if (size + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
            }
        }

        String toUtf8String() {
            return new String(buf, 0, size, StandardCharsets.UTF_8);
        }
    }

    /** UTF-8 helpers with sentencepiece's validity rules. */
    static final class Utf8 {
        private Utf8() {}

        /** UTF-8 length of a Java string (lone surrogates count as the 1-byte '?' that String.getBytes writes). */
        static int length(String s) {
            int n = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    n += 1;
                } else if (c < 0x800) {
                    n += 2;
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    n += 4;
                    i++;
                } else if (Character.isSurrogate(c)) {
                    n += 1;
                } else {
                    n += 3;
                }
            }
            return n;
        }

        /**
         * sentencepiece's {@code OneCharLen}: the length a lead byte announces (1 for continuation bytes and bytes
         * 0xF8–0xFF), without checking the following bytes.
         */
        static int oneCharLen(byte b) {
            int hi = (b & 0xFF) >>> 4;
            return hi < 0xC ? 1 : hi < 0xE ? 2 : hi == 0xE ? 3 : 4;
        }

        /**
         * The length of the valid UTF-8 character at {@code pos}, or 0 when the bytes there are not a valid,
         * shortest-form encoding of a Unicode scalar value (sentencepiece's {@code IsValidDecodeUTF8}).
         */
        static int validCharLength(byte[] s, int pos, int end) {
            int b0 = s[pos] & 0xFF;
            if (b0 < 0x80) {
                return 1;
            }
            int len;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                len = 2;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                len = 3;
                cp = b0 & 0x0F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                len = 4;
                cp = b0 & 0x07;
            } else {
                return 0;
            }
            if (pos + len > end) {
                return 0;
            }
            for (int i = 1; i < len; i++) {
                int b = s[pos + i] & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    return 0;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
                return 0;
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                return 0;
            }
            return len;
        }
    }
}
