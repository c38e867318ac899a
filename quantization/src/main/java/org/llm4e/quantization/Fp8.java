package org.llm4e.quantization;

/**
 * The two 8-bit floating-point formats of the OCP "8-bit Floating Point Specification (OFP8)" v1.0 (Micikevicius
 * et al. 2022, arXiv 2209.05433), encoded by hand with round-to-nearest-even.
 *
 * <pre>
 *   E4M3: s | eeee | mmm, bias 7.  No ∞; NaN = S.1111.111; max 448 = 1.75 · 2⁸; min normal 2^−6; min subnormal 2^−9
 *   E5M2: s | eeeee | mm, bias 15. IEEE-like: ±∞ = S.11111.00, NaN = S.11111.{01,10,11}; max 57344 = 1.75 · 2¹⁵;
 *         min subnormal 2^−16
 *   x = (−1)ˢ · 1.m · 2^(e − bias)  (e ≥ 1),   (−1)ˢ · 0.m · 2^(1 − bias)  (e = 0)
 * </pre>
 *
 * <p>The series names FP8 only in a vLLM screenshot ({@code 大模型量化认知的三重境界.md}, figure 7: "online dynamic
 * quantization … to FP8"); the formats are the OCP definitions, as used by NVIDIA Transformer Engine and
 * {@code torch.float8_e4m3fn} / {@code torch.float8_e5m2}. The out-of-scope deployment article's E4M3 example is
 * really an E3M4 number (see {@link FloatFormat#E3M4}).
 *
 * <p><b>Encoding</b> ({@link #encode(float, boolean)}): |x| is divided by the spacing of FP8 values in its binade
 * (2^(⌊log₂|x|⌋ − M), or the subnormal spacing 2^(1 − bias − M) below the smallest normal), which is exact, and the
 * quotient is rounded to the nearest integer with ties to even. An even integer there is an even 8-bit code, so
 * this is "nearest value, ties to the even code" of the spec; a carry to 2^(M+1) moves to the next binade. A result
 * beyond the largest finite value overflows: with {@code saturate} it becomes ±max (also for ±∞ input: the spec's
 * "satfinite" mode), otherwise NaN for E4M3 (it has no ∞) and ±∞ for E5M2. So for E4M3, 464 is a tie between 448
 * and the non-existent 480 and goes to 448 (even code), while 465 overflows; for E5M2, 61440 is a tie between
 * 57344 (odd code) and 65536, and overflows. NaN input gives the code 0x7F (a NaN in both formats); −0.0 gives 0x80.
 * Matches the golden conversions made with an independent exponent/mantissa implementation (README: 80k values).
 *
 * <p><b>Scaled tensors</b>: FP8's range is tiny, so weights are first divided by a per-tensor scale chosen to put
 * max|x| on the largest finite value, see {@link #quantizeScaled(float[])}.
 */
public enum Fp8 {
    /** 4 exponent bits, 3 mantissa bits, bias 7, finite only (the "fn" variant): more precision, max 448. */
    E4M3(4, 3, 7, 0x7E, 448f, 0x7F),
    /** 5 exponent bits, 2 mantissa bits, bias 15, with ±∞: more range, max 57344. */
    E5M2(5, 2, 15, 0x7B, 57344f, 0x7C);

    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final int maxCode;
    private final float maxValue;
    private final int overflowCode;
    private final float[] table = new float[256];

    Fp8(int exponentBits, int mantissaBits, int bias, int maxCode, float maxValue, int overflowCode) {
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.maxCode = maxCode;
        this.maxValue = maxValue;
        this.overflowCode = overflowCode;
        // (the enum constants are not assigned yet while their constructors run, so no layout() here)
        FloatFormat layout = new FloatFormat(
                "E" + exponentBits + "M" + mantissaBits, exponentBits, mantissaBits, bias, overflowCode != 0x7F);
        for (int c = 0; c < 256; c++) {
            table[c] = (float) layout.decode(c); // every FP8 value is a float32: exact
        }
    }

    /**
     * The bit layout as a generic {@link FloatFormat}.
     *
     * @return {@link FloatFormat#E4M3} or {@link FloatFormat#E5M2}
     */
    public FloatFormat layout() {
        return this == E4M3 ? FloatFormat.E4M3 : FloatFormat.E5M2;
    }

    /**
     * The number of exponent bits.
     *
     * @return 4 or 5
     */
    public int exponentBits() {
        return exponentBits;
    }

    /**
     * The number of mantissa bits.
     *
     * @return 3 or 2
     */
    public int mantissaBits() {
        return mantissaBits;
    }

    /**
     * The exponent bias.
     *
     * @return 7 or 15
     */
    public int bias() {
        return bias;
    }

    /**
     * The largest finite value.
     *
     * @return 448 or 57344
     */
    public float maxValue() {
        return maxValue;
    }

    /**
     * Rounds a float32 to this format (nearest, ties to even code).
     *
     * @param x any float
     * @param saturate {@code true} for the spec's "satfinite" conversion (overflow and ±∞ become ±max),
     *     {@code false} for the non-saturating one (overflow becomes NaN in E4M3, ±∞ in E5M2)
     * @return the 8-bit code
     */
    public byte encode(float x, boolean saturate) {
        if (Float.isNaN(x)) {
            return (byte) 0x7F;
        }
        int sign = (Float.floatToRawIntBits(x) >>> 24) & 0x80;
        float a = Math.abs(x);
        if (Float.isInfinite(a)) {
            return (byte) (sign | (saturate ? maxCode : overflowCode));
        }
        if (a == 0f) {
            return (byte) sign;
        }
        int minExponent = 1 - bias;
        int e = Math.max(Math.getExponent(a), minExponent); // below the normals the spacing stays subnormal
        double quantum = Math.scalb(1.0, e - mantissaBits);
        double n = Math.rint(a / quantum); // exact division by a power of two; rint = nearest, ties to even
        double value = n * quantum;
        if (value > maxValue) {
            return (byte) (sign | (saturate ? maxCode : overflowCode));
        }
        int code;
        long ni = (long) n;
        if (ni == 0) {
            code = 0; // rounded to zero (keeps the sign below)
        } else if (Math.getExponent(a) < minExponent && ni < (1L << mantissaBits)) {
            code = (int) ni; // subnormal: exponent field 0, mantissa = n
        } else {
            // Normal: n = 2^M + mantissa; n = 2^(M+1) after a carry means the next binade with mantissa 0.
            // (The largest subnormal rounding up gives n = 2^M at e = 1 − bias: the smallest normal, code 1 ≪ M.)
            int exponent = e;
            if (ni == (1L << (mantissaBits + 1))) {
                exponent++;
                ni >>= 1;
            }
            code = ((exponent + bias) << mantissaBits) | (int) (ni - (1L << mantissaBits));
        }
        return (byte) (sign | code);
    }

    /**
     * The value of a code (exact as a float32).
     *
     * @param code the 8-bit code
     * @return its value; NaN for NaN codes, ±∞ for E5M2's infinity codes
     */
    public float decode(byte code) {
        return table[code & 0xFF];
    }

    /**
     * Rounds a float32 to the nearest value of this format.
     *
     * @param x any float
     * @param saturate as for {@link #encode(float, boolean)}
     * @return {@code decode(encode(x, saturate))}
     */
    public float round(float x, boolean saturate) {
        return decode(encode(x, saturate));
    }

    /**
     * Per-tensor scaled FP8 quantization, as FP8 inference stacks store weights: the scale maps max|x| onto the
     * largest finite value, every element is divided by it and encoded with saturation.
     *
     * <pre>
     *   scale = f32(max|x| / maxValue)   (1 when max|x| = 0)
     *   code[i] = encode(f32(x[i] / scale), saturate = true)
     *   x̂[i] = f32(decode(code[i]) · scale)
     * </pre>
     *
     * @param x the values; must be finite (a NaN or ±∞ would make the scale meaningless)
     * @return the codes and the scale
     * @throws IllegalArgumentException naming the first non-finite element
     */
    public Fp8Tensor quantizeScaled(float[] x) {
        float amax = 0f;
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("x[" + i + "] must be finite for scaled FP8, got " + x[i]);
            }
            amax = Math.max(amax, Math.abs(x[i]));
        }
        float scale = amax / maxValue;
        if (scale == 0f) {
            scale = 1f;
        }
        byte[] codes = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            codes[i] = encode(x[i] / scale, true);
        }
        return new Fp8Tensor(this, codes, scale);
    }
}
