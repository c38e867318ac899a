package org.llm4e.quantization;

/**
 * 4-bit NormalFloat (NF4) quantization of QLoRA (Dettmers et al. 2023, arXiv 2305.14314), with optional double
 * quantization of the absmax constants, exactly as bitsandbytes' {@code quantize_4bit(quant_type="nf4")} and
 * {@code compress_statistics=True}.
 *
 * <pre>
 *   per block of B (64) weights:   absmax = max|x|              xₙ = f32(x · f32(1 / absmax))  ∈ [−1, 1]
 *                                  code   = nearest of the 16 NF4 levels to xₙ (ties to the lower code)
 *                                  x̂      = f32(NF4[code] · absmax)
 *   double quantization (QLoRA):   c = mean(absmax);  a = f32(absmax − c)
 *                                  per block of B₂ (256) constants: m₂ = max|a|, code₂ = nearest entry of the
 *                                  8-bit dynamic map to f32(a · f32(1 / m₂)) (ties to the lower index)
 *                                  absmax̂ = f32(f32(map[code₂] · m₂) + c);   x̂ = f32(NF4[code] · absmax̂)
 *   storage per weight:            4 bits + 32/B (= 0.5 for B = 64)  →  4 bits + 8/B + 32/(B · B₂) (≈ 0.127)
 * </pre>
 *
 * <p>From {@code 大模型微调之Adapters（三）QLoRA.md} (and the PEFT overview): the frozen base weights are stored in
 * NF4, which suits normally distributed weights, and the quantization constants are quantized again. The article
 * says double quantization compresses the "scale factor and offset"; that is an erratum: NF4 has no offset or zero
 * point, only the absmax scales are double-quantized (the mean c subtracted before their 8-bit quantization is the
 * only offset involved). The 16 levels are bitsandbytes' table (quantiles of N(0, 1) normalized to [−1, 1], with an
 * exact 0: 7 negative, 8 positive). The nearest level is found as bitsandbytes' {@code dQuantizeNF4} decision tree
 * does, by comparing with the 15 midpoints ({@code xₙ > t} strictly, so a tie goes to the lower code). Codes are
 * packed two per byte with the <b>first element in the high nibble</b> (bitsandbytes' order; ggml uses the
 * opposite). A block of zeros has absmax 0, multiplier 0 and code 7 (the exact 0).
 *
 * <p>Sizes need not be multiples of the block size: as bitsandbytes, the last block is shorter (and the last
 * absmax block of the double quantization too); an odd size leaves the last byte's low nibble 0. NaN or ±∞
 * elements are rejected with an {@link IllegalArgumentException} (an infinite absmax would zero the whole block).
 * Matches {@code golden/quantization.json} cases {@code nf4_bs64} and {@code nf4_bs64_double_quant_bs256}.
 */
public final class Nf4 {
    private static final float[] LEVELS = {
        -1.0f,
        -0.6961928009986877f,
        -0.5250730514526367f,
        -0.39491748809814453f,
        -0.28444138169288635f,
        -0.18477343022823334f,
        -0.09105003625154495f,
        0.0f,
        0.07958029955625534f,
        0.16093020141124725f,
        0.24611230194568634f,
        0.33791524171829224f,
        0.44070982933044434f,
        0.5626170039176941f,
        0.7229568362236023f,
        1.0f
    };

    /** Midpoints of neighbouring levels, computed in double and rounded to float32. */
    private static final float[] THRESHOLDS = new float[15];

    static {
        for (int i = 0; i < 15; i++) {
            THRESHOLDS[i] = (float) (((double) LEVELS[i] + (double) LEVELS[i + 1]) / 2.0);
        }
    }

    /** bitsandbytes' default block size. */
    public static final int DEFAULT_BLOCK_SIZE = 64;

    /** QLoRA's block size for the double quantization of the absmax constants. */
    public static final int DEFAULT_ABSMAX_BLOCK_SIZE = 256;

    private Nf4() {}

    /**
     * The 16 NF4 levels, index 0 … 15.
     *
     * @return a copy
     */
    public static float[] levels() {
        return LEVELS.clone();
    }

    /**
     * The 15 decision thresholds (midpoints of neighbouring levels).
     *
     * @return a copy
     */
    public static float[] thresholds() {
        return THRESHOLDS.clone();
    }

    /**
     * The NF4 code of a normalized value: the number of thresholds strictly below it (= nearest level, ties to the
     * lower code).
     *
     * @param xn a value, normally in [−1, 1]
     * @return a code 0 … 15
     */
    public static int code(float xn) {
        // The unrolled comparison tree of bitsandbytes' dQuantizeNF4 is a binary search over the thresholds.
        int lo = 0;
        int hi = 15;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (xn > THRESHOLDS[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * NF4 with one float32 absmax per block.
     *
     * @param x the weights, flattened
     * @param blockSize the block size (bitsandbytes supports 64 … 4096; 64 is the default), ≥ 2 and even
     * @return the packed codes and absmax constants
     * @throws IllegalArgumentException if the block size is not even and ≥ 2, or an element is not finite
     */
    public static Nf4Tensor quantize(float[] x, int blockSize) {
        checkBlockSize(blockSize, "blockSize");
        LinearQuantizer.checkFinite(x, "x");
        int blocks = (x.length + blockSize - 1) / blockSize;
        float[] absmax = new float[blocks];
        byte[] codes = new byte[x.length];
        quantizeBlocks(x, blockSize, absmax, codes);
        return new Nf4Tensor(x.length, blockSize, Int4Packing.packHighFirst(codes), absmax, absmax, 0, null, 0f, null);
    }

    /**
     * NF4 with double quantization of the absmax constants (QLoRA).
     *
     * @param x the weights, flattened
     * @param blockSize the weight block size (64 in QLoRA), ≥ 2 and even
     * @param absmaxBlockSize the block size over the absmax constants (256 in QLoRA), ≥ 1
     * @return the packed codes, the 8-bit absmax codes and their float32 parameters
     * @throws IllegalArgumentException if a block size is out of range or an element is not finite
     */
    public static Nf4Tensor quantize(float[] x, int blockSize, int absmaxBlockSize) {
        checkBlockSize(blockSize, "blockSize");
        if (absmaxBlockSize < 1) {
            throw new IllegalArgumentException("absmaxBlockSize must be >= 1, got " + absmaxBlockSize);
        }
        LinearQuantizer.checkFinite(x, "x");
        int blocks = (x.length + blockSize - 1) / blockSize;
        float[] absmax = new float[blocks];
        byte[] codes = new byte[x.length];
        quantizeBlocks(x, blockSize, absmax, codes);

        // Double quantization: subtract the mean (the absmax values are all positive, so centring them uses the
        // signed map's range on both sides), then blockwise absmax + nearest dynamic-map entry.
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = blocks == 0 ? 0f : (float) (sum / blocks);
        int blocks2 = (blocks + absmaxBlockSize - 1) / absmaxBlockSize;
        float[] absmax2 = new float[blocks2];
        byte[] absmaxCodes = new byte[blocks];
        float[] absmaxDeq = new float[blocks];
        float[] map = DynamicMap.table();
        for (int b = 0; b < blocks2; b++) {
            int from = b * absmaxBlockSize;
            int to = Math.min(blocks, from + absmaxBlockSize);
            float m2 = 0f;
            for (int i = from; i < to; i++) {
                m2 = Math.max(m2, Math.abs(absmax[i] - offset));
            }
            absmax2[b] = m2;
            float inv2 = m2 != 0f ? 1f / m2 : 0f;
            for (int i = from; i < to; i++) {
                float a = absmax[i] - offset;
                int c = DynamicMap.nearest(a * inv2);
                absmaxCodes[i] = (byte) c;
                absmaxDeq[i] = map[c] * m2 + offset;
            }
        }
        return new Nf4Tensor(
                x.length,
                blockSize,
                Int4Packing.packHighFirst(codes),
                absmax,
                absmaxDeq,
                absmaxBlockSize,
                absmaxCodes,
                offset,
                absmax2);
    }

    /**
     * The storage overhead of the quantization constants, in bits per weight.
     *
     * @param blockSize the weight block size
     * @return 32 / blockSize (0.5 for 64)
     */
    public static double constantBitsPerParameter(int blockSize) {
        checkBlockSize(blockSize, "blockSize");
        return 32.0 / blockSize;
    }

    /**
     * The storage overhead of the constants with double quantization: an 8-bit code per block plus a float32 per
     * block of blocks (the single float32 mean is ignored, as in the paper).
     *
     * @param blockSize the weight block size
     * @param absmaxBlockSize the absmax block size
     * @return 8 / blockSize + 32 / (blockSize · absmaxBlockSize) (0.127 for 64 and 256)
     */
    public static double constantBitsPerParameter(int blockSize, int absmaxBlockSize) {
        checkBlockSize(blockSize, "blockSize");
        if (absmaxBlockSize < 1) {
            throw new IllegalArgumentException("absmaxBlockSize must be >= 1, got " + absmaxBlockSize);
        }
        return 8.0 / blockSize + 32.0 / ((double) blockSize * absmaxBlockSize);
    }

    private static void quantizeBlocks(float[] x, int blockSize, float[] absmax, byte[] codes) {
        for (int b = 0; b < absmax.length; b++) {
            int from = b * blockSize;
            int to = Math.min(x.length, from + blockSize);
            float m = 0f;
            for (int i = from; i < to; i++) {
                m = Math.max(m, Math.abs(x[i]));
            }
            absmax[b] = m;
            float inv = m != 0f ? 1f / m : 0f;
            for (int i = from; i < to; i++) {
                codes[i] = (byte) code(x[i] * inv);
            }
        }
    }

    private static void checkBlockSize(int blockSize, String name) {
        if (blockSize < 2 || (blockSize & 1) != 0) {
            throw new IllegalArgumentException(name + " must be even and >= 2, got " + blockSize);
        }
    }

    /** The level of a code, for {@link Nf4Tensor}. */
    static float level(int code) {
        return LEVELS[code];
    }
}
