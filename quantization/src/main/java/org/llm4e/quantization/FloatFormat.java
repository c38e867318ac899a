package org.llm4e.quantization;

import java.util.Objects;

/**
 * A generic binary floating-point layout (sign, exponent bits, mantissa bits, bias) for teaching: decode any bit
 * pattern and print it the way the articles draw it.
 *
 * <pre>
 *   bits = s | e (E bits) | m (M bits)
 *   normal    (0 &lt; e &lt; 2ᴱ − 1):  x = (−1)ˢ · (1 + m / 2ᴹ) · 2^(e − bias)
 *   subnormal (e = 0):            x = (−1)ˢ · (m / 2ᴹ) · 2^(1 − bias)
 *   e = 2ᴱ − 1:                   IEEE style: ±∞ (m = 0) or NaN;  "finite" style (OCP E4M3): normal, except
 *                                 that the all-ones pattern S.1111.111 is NaN
 * </pre>
 *
 * <p>{@code 10分钟理解大模型的量化.md} draws FP32, FP16 and BF16 this way ({@link #FP32}, {@link #FP16},
 * {@link #BF16}); {@link Fp8} uses {@link #E4M3} and {@link #E5M2}. The deployment article's FP8 "E4M3" worked
 * example (out of scope for the series catalog, listed as an erratum there) writes a 3-bit exponent {@code 101} and
 * a 4-bit mantissa {@code 1011}: that is an E3M4 layout ({@link #E3M4}, bias 3), whose value is
 * (1 + 11/16) · 2^(5 − 3) = 6.75, not an E4M3 number. The article's scale factors 2² and 2⁵ mix the two readings.
 *
 * <p>Decoding is exact: every value of a format with at most 52 mantissa bits and an exponent range inside
 * double's is a double. This class encodes nothing; the rounding encoders are {@link Fp16}, {@link Bf16} and
 * {@link Fp8}.
 *
 * @param name a display name
 * @param exponentBits E, 1 … 11
 * @param mantissaBits M, 0 … 52
 * @param bias the exponent bias, usually 2^(E−1) − 1
 * @param ieeeSpecials {@code true} when the all-ones exponent encodes ±∞ and NaN (IEEE 754, E5M2); {@code false}
 *     for the OCP E4M3 style where only the all-ones pattern is NaN and there is no ∞
 */
public record FloatFormat(String name, int exponentBits, int mantissaBits, int bias, boolean ieeeSpecials) {

    /** IEEE binary32: 1 / 8 / 23, bias 127. */
    public static final FloatFormat FP32 = new FloatFormat("FP32", 8, 23, 127, true);

    /** IEEE binary16: 1 / 5 / 10, bias 15. */
    public static final FloatFormat FP16 = new FloatFormat("FP16", 5, 10, 15, true);

    /** bfloat16: 1 / 8 / 7, bias 127. */
    public static final FloatFormat BF16 = new FloatFormat("BF16", 8, 7, 127, true);

    /** OCP FP8 E4M3: 1 / 4 / 3, bias 7, no infinities, NaN = S.1111.111, max 448. */
    public static final FloatFormat E4M3 = new FloatFormat("E4M3", 4, 3, 7, false);

    /** OCP FP8 E5M2: 1 / 5 / 2, bias 15, IEEE-style ±∞ and NaN, max 57344. */
    public static final FloatFormat E5M2 = new FloatFormat("E5M2", 5, 2, 15, true);

    /** The layout the deployment article's FP8 example really uses: 1 / 3 / 4, bias 3. */
    public static final FloatFormat E3M4 = new FloatFormat("E3M4", 3, 4, 3, true);

    /**
     * Validates the layout.
     *
     * @throws IllegalArgumentException if a bit count is out of range
     */
    public FloatFormat {
        Objects.requireNonNull(name, "name");
        if (exponentBits < 1 || exponentBits > 11) {
            throw new IllegalArgumentException("exponentBits must be in [1, 11], got " + exponentBits);
        }
        if (mantissaBits < 0 || mantissaBits > 52) {
            throw new IllegalArgumentException("mantissaBits must be in [0, 52], got " + mantissaBits);
        }
    }

    /**
     * The total width, 1 + E + M.
     *
     * @return the number of bits in one value
     */
    public int totalBits() {
        return 1 + exponentBits + mantissaBits;
    }

    /**
     * Decodes a bit pattern.
     *
     * @param bits the pattern in the low {@link #totalBits()} bits
     * @return its exact value (±∞ or NaN for special patterns)
     * @throws IllegalArgumentException if {@code bits} has bits set above {@link #totalBits()}
     */
    public double decode(long bits) {
        int width = totalBits();
        if (width < 64 && (bits >>> width) != 0) {
            throw new IllegalArgumentException(
                    "bits must fit in " + width + " bits for " + name + ", got 0x" + Long.toHexString(bits));
        }
        boolean negative = ((bits >>> (exponentBits + mantissaBits)) & 1) == 1;
        long e = (bits >>> mantissaBits) & ((1L << exponentBits) - 1);
        long m = bits & ((1L << mantissaBits) - 1);
        long allOnes = (1L << exponentBits) - 1;
        double value;
        if (e == allOnes && ieeeSpecials) {
            value = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == allOnes && m == (1L << mantissaBits) - 1) {
            value = Double.NaN; // the finite style's single NaN pattern (per sign)
        } else if (e == 0) {
            value = Math.scalb((double) m, 1 - bias - mantissaBits);
        } else {
            value = Math.scalb((double) ((1L << mantissaBits) | m), (int) e - bias - mantissaBits);
        }
        return negative ? -value : value;
    }

    /**
     * The largest finite value.
     *
     * @return the value of the largest finite pattern
     */
    public double maxFinite() {
        long eMax = (1L << exponentBits) - (ieeeSpecials ? 2 : 1);
        long mMax = (1L << mantissaBits) - (ieeeSpecials ? 1 : 2);
        return decode((eMax << mantissaBits) | mMax);
    }

    /**
     * Writes a pattern as the articles draw it: sign, exponent and mantissa separated by spaces, e.g. π in FP16 is
     * {@code "0 10000 1001001000"}.
     *
     * @param bits the pattern
     * @return the three fields in binary
     */
    public String bitString(long bits) {
        StringBuilder sb = new StringBuilder(totalBits() + 2);
        for (int i = totalBits() - 1; i >= 0; i--) {
            sb.append(((bits >>> i) & 1) == 1 ? '1' : '0');
            if (i == exponentBits + mantissaBits || (i == mantissaBits && mantissaBits > 0)) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    /**
     * Parses the article's drawing back into a pattern; spaces (and {@code |}) between the fields are ignored.
     *
     * @param drawn e.g. {@code "0 101 1011"}
     * @return the pattern
     * @throws IllegalArgumentException if the string does not hold exactly {@link #totalBits()} binary digits
     */
    public long parseBits(String drawn) {
        String digits = drawn.replace(" ", "").replace("|", "");
        if (digits.length() != totalBits() || !digits.matches("[01]+")) {
            throw new IllegalArgumentException("drawn must hold " + totalBits() + " binary digits for " + name
                    + " (spaces allowed), got \"" + drawn + "\"");
        }
        return Long.parseUnsignedLong(digits, 2);
    }
}
