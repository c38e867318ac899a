package org.llm4e.quantization;

/**
 * Packs 4-bit codes two per byte, in the two nibble orders the libraries use.
 *
 * <pre>
 *   low nibble first  (this library's INT4, common in int4 kernels):   byte j = c[2j] &amp; 0xF | (c[2j+1] &amp; 0xF) ≪ 4
 *   high nibble first (bitsandbytes NF4/FP4):                           byte j = (c[2j] &amp; 0xF) ≪ 4 | c[2j+1] &amp; 0xF
 * </pre>
 *
 * <p>{@code 10分钟理解大模型的量化.md} §5 says only that several low-bit weights are "packed" into one storage unit;
 * the catalog fixes two int4 per byte, low nibble first. An odd count leaves the last byte's other nibble 0;
 * {@code ceil(n / 2)} bytes in all. Unpacking signed codes sign-extends the nibble (0x8 … 0xF → −8 … −1), so
 * pack → unpack is the identity on −8 … 7 (signed) and 0 … 15 (unsigned). ggml's Q4_0 uses yet another order
 * (element j and j + 16 of a block share a byte).
 */
public final class Int4Packing {
    private Int4Packing() {}

    /**
     * Packs codes low nibble first.
     *
     * @param codes 4-bit codes, signed (−8 … 7) or unsigned (0 … 15); only the low 4 bits are kept
     * @return {@code ceil(codes.length / 2)} bytes
     */
    public static byte[] packLowFirst(byte[] codes) {
        byte[] out = new byte[(codes.length + 1) / 2];
        for (int i = 0; i < codes.length; i++) {
            int nibble = codes[i] & 0xF;
            out[i >> 1] |= (byte) ((i & 1) == 0 ? nibble : nibble << 4);
        }
        return out;
    }

    /**
     * Packs codes high nibble first (bitsandbytes' order).
     *
     * @param codes 4-bit codes; only the low 4 bits are kept
     * @return {@code ceil(codes.length / 2)} bytes
     */
    public static byte[] packHighFirst(byte[] codes) {
        byte[] out = new byte[(codes.length + 1) / 2];
        for (int i = 0; i < codes.length; i++) {
            int nibble = codes[i] & 0xF;
            out[i >> 1] |= (byte) ((i & 1) == 0 ? nibble << 4 : nibble);
        }
        return out;
    }

    /**
     * Unpacks codes packed low nibble first.
     *
     * @param packed the bytes
     * @param n the number of codes, at most {@code 2 · packed.length}
     * @param signed {@code true} to sign-extend each nibble to −8 … 7
     * @return n codes
     * @throws IllegalArgumentException if n does not fit
     */
    public static byte[] unpackLowFirst(byte[] packed, int n, boolean signed) {
        checkCount(packed, n);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            int nibble = (i & 1) == 0 ? packed[i >> 1] & 0xF : (packed[i >> 1] >> 4) & 0xF;
            out[i] = (byte) (signed ? (nibble << 28) >> 28 : nibble);
        }
        return out;
    }

    /**
     * Unpacks codes packed high nibble first.
     *
     * @param packed the bytes
     * @param n the number of codes, at most {@code 2 · packed.length}
     * @param signed {@code true} to sign-extend each nibble to −8 … 7
     * @return n codes
     * @throws IllegalArgumentException if n does not fit
     */
    public static byte[] unpackHighFirst(byte[] packed, int n, boolean signed) {
        checkCount(packed, n);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            int nibble = (i & 1) == 0 ? (packed[i >> 1] >> 4) & 0xF : packed[i >> 1] & 0xF;
            out[i] = (byte) (signed ? (nibble << 28) >> 28 : nibble);
        }
        return out;
    }

    private static void checkCount(byte[] packed, int n) {
        if (n < 0 || n > 2L * packed.length) {
            throw new IllegalArgumentException(
                    "n must be in [0, " + 2L * packed.length + "] for " + packed.length + " packed bytes, got " + n);
        }
    }
}
