package org.llm4e.tokenizers.internal;

/**
 * UTF-8 encoding of a char range straight into an {@code int} symbol buffer (one byte value 0–255 per slot), which
 * is what byte-level BPE starts from. A lone surrogate, which UTF-8 cannot represent, is encoded as U+FFFD
 * (bytes {@code EF BF BD}), as tiktoken does ({@code surrogatepass} then {@code replace}).
 */
public final class Utf8 {
    private Utf8() {}

    /**
     * An upper bound of the UTF-8 length of {@code n} chars (3 bytes per char covers surrogate pairs, which take 4
     * bytes for 2 chars).
     *
     * @param n a number of chars
     * @return {@code 3 * n}
     */
    public static int maxBytes(int n) {
        return 3 * n;
    }

    /**
     * Encodes {@code text[from, to)} as UTF-8 byte values into {@code out} from index 0.
     *
     * @param text the text
     * @param from the first char
     * @param to one past the last char
     * @param out the destination, at least {@link #maxBytes(int) maxBytes(to - from)} long
     * @return the number of bytes written
     */
    public static int encode(CharSequence text, int from, int to, int[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = c;
            } else if (c < 0x800) {
                out[n++] = 0xC0 | (c >> 6);
                out[n++] = 0x80 | (c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = 0xF0 | (cp >> 18);
                out[n++] = 0x80 | ((cp >> 12) & 0x3F);
                out[n++] = 0x80 | ((cp >> 6) & 0x3F);
                out[n++] = 0x80 | (cp & 0x3F);
            } else {
                if (Character.isSurrogate(c)) {
                    c = '\uFFFD';
                }
                out[n++] = 0xE0 | (c >> 12);
                out[n++] = 0x80 | ((c >> 6) & 0x3F);
                out[n++] = 0x80 | (c & 0x3F);
            }
        }
        return n;
    }

    /**
     * Encodes {@code text[from, to)} as UTF-8 bytes, with the same lone-surrogate rule as {@link #encode(CharSequence,
     * int, int, int[])}.
     *
     * @param text the text
     * @param from the first char
     * @param to one past the last char
     * @return the bytes
     */
    public static byte[] bytes(CharSequence text, int from, int to) {
        int[] buf = new int[maxBytes(to - from)];
        int n = encode(text, from, to, buf);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) buf[i];
        }
        return out;
    }
}
