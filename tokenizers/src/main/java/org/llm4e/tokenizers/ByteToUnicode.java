package org.llm4e.tokenizers;

/**
 * GPT-2's {@code bytes_to_unicode}: a bijection from the 256 byte values to 256 printable Unicode characters, so that
 * a byte-level token can be written as a string in a vocabulary file (GPT-2's {@code encoder.json}, Hugging Face's
 * {@code tokenizer.json}) without control characters or bare spaces.
 *
 * <pre>
 *   b ∈ [33, 126] ∪ [161, 172] ∪ [174, 255]  ↦  the character U+00b (printable Latin-1, unchanged)
 *   the remaining 68 bytes, in increasing order  ↦  U+0100, U+0101, …, U+0143
 *   so 0x20 ' ' ↦ 'Ġ' (U+0120), 0x0A ↦ 'Ċ', 0x09 ↦ 'ĉ', 0x00 ↦ 'Ā', 0x7F ↦ 'ġ', 0xAD ↦ 'Ń'
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（六）.md} (BBPE, figure 1: {@code 'I like cats.'} → {@code 'I', 'Ġlike', 'Ġcats',
 * '.'}). The map itself is not in the article; it is GPT-2's ({@code encoder.py}, MIT), which the figure renders.
 * The rendering is only a spelling: the tokenizer works on the bytes, and tiktoken files store the bytes directly.
 */
public final class ByteToUnicode {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteToUnicode() {}

    /**
     * Returns the character that stands for a byte.
     *
     * @param b a byte (its unsigned value is used)
     * @return the printable character GPT-2 writes for it
     */
    public static char toChar(byte b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /**
     * Returns the byte a character stands for.
     *
     * @param c a character of the map's image
     * @return the byte value in {@code [0, 255]}
     * @throws IllegalArgumentException if {@code c} is not one of the 256 characters of the map
     */
    public static int toByte(char c) {
        int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
        if (b < 0) {
            throw new IllegalArgumentException(
                    String.format("c must be one of the 256 byte-level characters, got U+%04X", (int) c));
        }
        return b;
    }

    /**
     * Writes bytes as GPT-2 renders them ({@code " like"} → {@code "Ġlike"}).
     *
     * @param bytes the bytes
     * @return one character per byte
     */
    public static String render(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = toChar(bytes[i]);
        }
        return new String(out);
    }

    /**
     * Reads a rendered string back to its bytes ({@code "Ġlike"} → {@code " like"}).
     *
     * @param rendered a string of byte-level characters
     * @return one byte per character
     * @throws IllegalArgumentException if a character is not one of the map's 256
     */
    public static byte[] parse(String rendered) {
        byte[] out = new byte[rendered.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) toByte(rendered.charAt(i));
        }
        return out;
    }
}
