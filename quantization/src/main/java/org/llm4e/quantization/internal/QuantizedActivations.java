package org.llm4e.quantization.internal;

/**
 * Activations quantized to Q8_0 or Q8_K, held in the forms the matrix-vector kernels read: the blocks themselves
 * (for the scalar reference, which works on ggml's bytes) and, decoded once per product instead of once per row,
 * the codes widened to 16 bits, the block scales as floats and (Q8_K) the 16-element sums as ints. Every row of a
 * product reuses them, so the per-row work is the weights' alone.
 *
 * <p>Mutable and not thread-safe: filled by one thread before a product, then only read (by all of the product's
 * threads). The buffers grow when needed and are reused, so refilling allocates nothing.
 */
public final class QuantizedActivations {
    private static final float[] HALF = new float[1 << 16];

    static {
        for (int h = 0; h < HALF.length; h++) {
            HALF[h] = org.llm4e.quantization.Fp16.decode((short) h);
        }
    }

    /** Q8_0 blocks, from offset 0. */
    public byte[] q8_0 = new byte[0];
    /** The Q8_0 codes, 32 per block, sign-extended to 16 bits. */
    public short[] codes = new short[0];
    /** The Q8_0 fp16 block scales as floats. */
    public float[] scales = new float[0];
    /** Number of Q8_0 blocks held. */
    public int blocks;
    /**
     * False when some Q8_0 block has all 32 codes −128 (ggml's quantizer never writes −128, hand-made blocks can):
     * the only case where a repacked Q4_0 tile's 16-bit block sum could overflow.
     */
    public boolean tileSafe = true;

    /**
     * For repacked Q4_0 tiles ({@link #prepareTiles}): per block b and pair k of byte positions, the four 16-bit
     * coefficients that unpack a 16-bit code holding the nibbles of positions 2k, 2k + 16, 2k + 1 and 2k + 17 (from
     * its low bits up) with arithmetic shifts, at {@code 32 · b + 4 · k}: {@code y[2k]}, {@code y[2k+16] − 16·y[2k]},
     * {@code y[2k+1] − 16·y[2k+16]}, {@code y[2k+17] − 16·y[2k+1]} (each |·| ≤ 2175, fits in 16 bits).
     */
    public short[] tileCoefficients = new short[0];
    /**
     * Per block, {@code −8 · Σ y} over the 24 positions whose nibbles the repacked code holds unsigned (all but
     * 2k + 17): the start of the block's 16-bit sum (|·| ≤ 24 576).
     */
    public short[] tileInit = new short[0];

    private boolean tilesReady;

    /** Q8_K blocks, from offset 0. */
    public byte[] q8_K = new byte[0];
    /** The Q8_K codes, 256 per block, sign-extended to 16 bits. */
    public short[] kCodes = new short[0];
    /** The Q8_K float32 block scales. */
    public float[] kScales = new float[0];
    /** The Q8_K sums of 16 codes, 16 per block. */
    public int[] kSums = new int[0];
    /** Number of Q8_K blocks held. */
    public int kBlocks;

    /** Creates an empty holder. */
    public QuantizedActivations() {}

    /**
     * The float value of the little-endian fp16 at {@code b[off]}, by table lookup (ggml's {@code GGML_FP16_TO_FP32}).
     *
     * @param b bytes
     * @param off first byte
     * @return the decoded value
     */
    public static float half(byte[] b, int off) {
        return HALF[(b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8];
    }

    /**
     * The float value of an fp16 bit pattern, by table lookup.
     *
     * @param bits the 16 bits, in the low half of the int
     * @return the decoded value
     */
    public static float half(int bits) {
        return HALF[bits & 0xFFFF];
    }

    /**
     * Prepares the Q8_0 buffers to receive {@code blocks} blocks (growing them if needed) and returns the byte buffer
     * to quantize into; call {@link #decodeQ8_0()} once it is filled.
     *
     * @param blocks number of blocks
     * @return the block buffer, at least {@code blocks · 34} bytes
     */
    public byte[] q8_0Buffer(int blocks) {
        if (q8_0.length < blocks * 34) {
            q8_0 = new byte[blocks * 34];
            codes = new short[blocks * 32];
            scales = new float[blocks];
        }
        this.blocks = blocks;
        return q8_0;
    }

    /** Widens the codes and decodes the scales of the Q8_0 blocks in {@link #q8_0}. */
    public void decodeQ8_0() {
        tileSafe = true;
        tilesReady = false;
        for (int b = 0; b < blocks; b++) {
            scales[b] = half(q8_0, b * 34);
            boolean allMin = true;
            for (int j = 0; j < 32; j++) {
                codes[b * 32 + j] = q8_0[b * 34 + 2 + j];
                allMin &= codes[b * 32 + j] == Byte.MIN_VALUE;
            }
            tileSafe &= !allMin;
        }
    }

    /**
     * Fills {@link #tileCoefficients} and {@link #tileInit} from the decoded Q8_0 codes, once per vector (later calls
     * return at once until the next {@link #decodeQ8_0}).
     */
    public void prepareTiles() {
        if (tilesReady) {
            return;
        }
        if (tileInit.length < blocks) {
            tileCoefficients = new short[blocks * 32];
            tileInit = new short[blocks];
        }
        for (int b = 0; b < blocks; b++) {
            int unsigned = 0;
            for (int k = 0; k < 8; k++) {
                short y0 = codes[32 * b + 2 * k];
                short y1 = codes[32 * b + 16 + 2 * k];
                short y2 = codes[32 * b + 2 * k + 1];
                short y3 = codes[32 * b + 16 + 2 * k + 1];
                tileCoefficients[32 * b + 4 * k] = y0;
                tileCoefficients[32 * b + 4 * k + 1] = (short) (y1 - 16 * y0);
                tileCoefficients[32 * b + 4 * k + 2] = (short) (y2 - 16 * y1);
                tileCoefficients[32 * b + 4 * k + 3] = (short) (y3 - 16 * y2);
                unsigned += y0 + y1 + y2;
            }
            tileInit[b] = (short) (-8 * unsigned);
        }
        tilesReady = true;
    }

    /**
     * Copies Q8_0 blocks and decodes them.
     *
     * @param y Q8_0 blocks
     * @param off first byte
     * @param blocks number of blocks
     * @return this holder
     */
    public QuantizedActivations setQ8_0(byte[] y, int off, int blocks) {
        System.arraycopy(y, off, q8_0Buffer(blocks), 0, blocks * 34);
        decodeQ8_0();
        return this;
    }

    /**
     * Prepares the Q8_K buffers to receive {@code blocks} blocks (growing them if needed) and returns the byte buffer
     * to quantize into; call {@link #decodeQ8_K()} once it is filled.
     *
     * @param blocks number of blocks
     * @return the block buffer, at least {@code blocks · 292} bytes
     */
    public byte[] q8_KBuffer(int blocks) {
        if (q8_K.length < blocks * 292) {
            q8_K = new byte[blocks * 292];
            kCodes = new short[blocks * 256];
            kScales = new float[blocks];
            kSums = new int[blocks * 16];
        }
        this.kBlocks = blocks;
        return q8_K;
    }

    /** Widens the codes and decodes the scales and sums of the Q8_K blocks in {@link #q8_K}. */
    public void decodeQ8_K() {
        for (int b = 0; b < kBlocks; b++) {
            int o = b * 292;
            kScales[b] = Float.intBitsToFloat((q8_K[o] & 0xFF)
                    | (q8_K[o + 1] & 0xFF) << 8
                    | (q8_K[o + 2] & 0xFF) << 16
                    | (q8_K[o + 3] & 0xFF) << 24);
            for (int j = 0; j < 256; j++) {
                kCodes[b * 256 + j] = q8_K[o + 4 + j];
            }
            for (int k = 0; k < 16; k++) {
                kSums[b * 16 + k] = (short) ((q8_K[o + 260 + 2 * k] & 0xFF) | (q8_K[o + 261 + 2 * k] & 0xFF) << 8);
            }
        }
    }

    /**
     * Copies Q8_K blocks and decodes them.
     *
     * @param y Q8_K blocks
     * @param off first byte
     * @param blocks number of blocks
     * @return this holder
     */
    public QuantizedActivations setQ8_K(byte[] y, int off, int blocks) {
        System.arraycopy(y, off, q8_KBuffer(blocks), 0, blocks * 292);
        decodeQ8_K();
        return this;
    }
}
