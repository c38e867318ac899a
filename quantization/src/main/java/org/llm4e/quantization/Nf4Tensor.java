package org.llm4e.quantization;

/**
 * NF4-quantized weights ({@link Nf4}): packed 4-bit codes, first element in the high nibble, and one absmax per
 * block; with double quantization also the 8-bit absmax codes, the absmax block maxima and the mean offset.
 * Immutable: accessors return copies.
 *
 * <pre>
 *   x̂[i] = f32(NF4[code[i]] · absmax̂[i / blockSize])
 * </pre>
 */
public final class Nf4Tensor {
    private final int size;
    private final int blockSize;
    private final byte[] packed;
    private final float[] absmaxRaw;
    private final float[] absmax;
    private final int absmaxBlockSize;
    private final byte[] absmaxCodes;
    private final float offset;
    private final float[] absmax2;

    Nf4Tensor(
            int size,
            int blockSize,
            byte[] packed,
            float[] absmaxRaw,
            float[] absmax,
            int absmaxBlockSize,
            byte[] absmaxCodes,
            float offset,
            float[] absmax2) {
        this.size = size;
        this.blockSize = blockSize;
        this.packed = packed;
        this.absmaxRaw = absmaxRaw;
        this.absmax = absmax;
        this.absmaxBlockSize = absmaxBlockSize;
        this.absmaxCodes = absmaxCodes;
        this.offset = offset;
        this.absmax2 = absmax2;
    }

    /**
     * The number of weights.
     *
     * @return the element count
     */
    public int size() {
        return size;
    }

    /**
     * The weight block size.
     *
     * @return e.g. 64
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Whether the absmax constants are double-quantized.
     *
     * @return {@code true} when created with an absmax block size
     */
    public boolean doubleQuantized() {
        return absmaxCodes != null;
    }

    /**
     * The packed codes, two per byte, first element in the high nibble ({@code ceil(size / 2)} bytes).
     *
     * @return a copy
     */
    public byte[] codes() {
        return packed.clone();
    }

    /**
     * The codes unpacked, one per element (0 … 15).
     *
     * @return a new array
     */
    public byte[] unpackedCodes() {
        return Int4Packing.unpackHighFirst(packed, size, false);
    }

    /**
     * The absmax constant of every block as dequantization uses it: the float32 absmax, or with double quantization
     * the dequantized {@code f32(f32(map[code₂] · m₂) + offset)}.
     *
     * @return a copy, one per block
     */
    public float[] absmax() {
        return absmax.clone();
    }

    /**
     * The float32 absmax of every block before double quantization (the values the codes were computed with).
     *
     * @return a copy, one per block
     */
    public float[] absmaxFloat32() {
        return absmaxRaw.clone();
    }

    /**
     * The 8-bit dynamic-map codes of the absmax constants.
     *
     * @return a copy (read with {@link Byte#toUnsignedInt(byte)}); empty without double quantization
     */
    public byte[] absmaxCodes() {
        return absmaxCodes == null ? new byte[0] : absmaxCodes.clone();
    }

    /**
     * The absmax block size of the double quantization.
     *
     * @return e.g. 256; 0 without double quantization
     */
    public int absmaxBlockSize() {
        return absmaxBlockSize;
    }

    /**
     * The mean subtracted from the absmax constants before their 8-bit quantization.
     *
     * @return the offset; 0 without double quantization
     */
    public float absmaxOffset() {
        return offset;
    }

    /**
     * The float32 maximum |absmax − offset| of every absmax block.
     *
     * @return a copy; empty without double quantization
     */
    public float[] absmaxScales() {
        return absmax2 == null ? new float[0] : absmax2.clone();
    }

    /**
     * The storage of this tensor: packed codes plus the constants (float32 absmax, or 8-bit codes plus a float32
     * per absmax block plus the float32 offset).
     *
     * @return bytes
     */
    public long storageBytes() {
        long constants = doubleQuantized() ? absmaxCodes.length + 4L * absmax2.length + 4 : 4L * absmax.length;
        return packed.length + constants;
    }

    /**
     * Reconstructs the weights.
     *
     * @return a new array of {@code f32(NF4[code] · absmax)}
     */
    public float[] dequantize() {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            int b = packed[i >> 1];
            int code = (i & 1) == 0 ? (b >> 4) & 0xF : b & 0xF;
            out[i] = Nf4.level(code) * absmax[i / blockSize];
        }
        return out;
    }
}
