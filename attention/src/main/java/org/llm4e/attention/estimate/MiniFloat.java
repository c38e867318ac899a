package org.llm4e.attention.estimate;

/**
 * Decodes a small binary float given its exponent bits, mantissa bits and bias, to read the precision examples of
 * the deployment articles.
 *
 * <pre>
 *   value = (−1)^s · (1 + Σ_k m_k 2^{−k}) · 2^{e − bias}       (normal, e ≥ 1)
 *   value = (−1)^s · (0 + Σ_k m_k 2^{−k}) · 2^{1 − bias}       (subnormal, e = 0)
 * </pre>
 *
 * <p>From 大模型部署三要素：显存、计算与通信深度解析.md (attention catalog §18). Erratum: the article calls its example
 * F8_E4M3 but decodes "0 101 1011", which has 3 exponent and 4 mantissa bits (E3M4) with bias 3; its own formula gives
 * {@code 1.6875 · 2^(5−3) = 6.75}, not the text's {@code 1.6875 · 2^5}. Real E4M3 (OCP FP8) has bias 7 and reaches
 * 448 at {@code 0 1111 110}; its one NaN pattern {@code S 1111 111} and IEEE-style formats' reserved top exponent are
 * selected by {@link Specials}. The full FP8 codecs are {@code org.llm4e.quantization.Fp8}.
 */
public final class MiniFloat {
    private MiniFloat() {}

    /** How the all-ones exponent is read. */
    public enum Specials {
        /** Every code is a finite number. */
        NONE,
        /** OCP E4M3: only {@code S 1…1 1…1} is NaN; no infinities. */
        E4M3,
        /** IEEE 754 style: the all-ones exponent is ∞ (mantissa 0) or NaN. */
        IEEE
    }

    /**
     * Decodes a code.
     *
     * @param bits the code, sign in bit {@code exponentBits + mantissaBits}
     * @param exponentBits ≥ 1
     * @param mantissaBits ≥ 0
     * @param bias the exponent bias
     * @param specials how to read the all-ones exponent
     * @return the value
     * @throws IllegalArgumentException if the widths are out of range or {@code bits} has more bits than the format
     */
    public static double decode(int bits, int exponentBits, int mantissaBits, int bias, Specials specials) {
        if (exponentBits < 1 || mantissaBits < 0 || exponentBits + mantissaBits > 30) {
            throw new IllegalArgumentException("need exponentBits >= 1, mantissaBits >= 0 and at most 30 bits, got E"
                    + exponentBits + "M" + mantissaBits);
        }
        int width = 1 + exponentBits + mantissaBits;
        if (bits < 0 || bits >= (1 << width)) {
            throw new IllegalArgumentException("bits must be in [0, 2^" + width + "), got " + bits);
        }
        int sign = bits >>> (exponentBits + mantissaBits);
        int e = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
        int m = bits & ((1 << mantissaBits) - 1);
        int maxE = (1 << exponentBits) - 1;
        double s = sign == 1 ? -1 : 1;
        if (e == maxE && specials == Specials.IEEE) {
            return m == 0 ? s * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (e == maxE && specials == Specials.E4M3 && m == (1 << mantissaBits) - 1) {
            return Double.NaN;
        }
        double fraction = m / (double) (1 << mantissaBits);
        if (e == 0) {
            return s * fraction * Math.pow(2, 1 - bias);
        }
        return s * (1 + fraction) * Math.pow(2, e - bias);
    }
}
