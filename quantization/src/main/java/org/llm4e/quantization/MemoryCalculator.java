package org.llm4e.quantization;

/**
 * Weight memory at each precision: {@code bytes = parameters × bits / 8}.
 *
 * <pre>
 *   FP32 4 B · FP16 2 B · BF16 2 B · FP8 1 B · INT8 1 B · INT4 0.5 B · NF4 0.5 B   per parameter
 *   7B model: 28 GB · 14 GB · 14 GB · 7 GB · 7 GB · 3.5 GB · 3.5 GB   (decimal GB, weights only)
 * </pre>
 *
 * <p>{@code 10分钟理解大模型的量化.md} gives the bytes per value (figures 1–4: FP32 4, FP16 2, BF16 2, INT8 1); INT4's
 * half byte follows, and the 7B figures are the catalog's derivation (the articles print no example). Block formats
 * also store their scales: {@link #bytes(long, double)} takes the effective bits per weight, e.g. 4 + 32/64 for NF4
 * with float32 absmax ({@link Nf4#constantBitsPerParameter(int)}), 4.5 for ggml Q4_0. Training needs far more: the
 * PEFT article's figure 11 puts full fine-tuning at 12–20× the weights (gradients, optimizer states,
 * activations), which this calculator does not model.
 */
public final class MemoryCalculator {

    /** Storage precisions of a weight. */
    public enum Precision {
        /** IEEE binary32. */
        FP32(32),
        /** IEEE binary16. */
        FP16(16),
        /** bfloat16. */
        BF16(16),
        /** OCP FP8 (E4M3 or E5M2). */
        FP8(8),
        /** 8-bit integer. */
        INT8(8),
        /** 4-bit integer. */
        INT4(4),
        /** 4-bit NormalFloat, codes only. */
        NF4(4);

        private final int bits;

        Precision(int bits) {
            this.bits = bits;
        }

        /**
         * Bits per parameter.
         *
         * @return the width
         */
        public int bits() {
            return bits;
        }

        /**
         * Bytes per parameter.
         *
         * @return bits / 8 (0.5 for the 4-bit formats)
         */
        public double bytesPerParameter() {
            return bits / 8.0;
        }
    }

    private MemoryCalculator() {}

    /**
     * Bytes for a number of parameters at a precision.
     *
     * @param parameters ≥ 0
     * @param precision the storage precision
     * @return parameters × bits / 8
     * @throws IllegalArgumentException if parameters is negative
     */
    public static double bytes(long parameters, Precision precision) {
        return bytes(parameters, precision.bits());
    }

    /**
     * Bytes for a number of parameters at an effective number of bits per weight (codes plus constants).
     *
     * @param parameters ≥ 0
     * @param bitsPerParameter &gt; 0, finite
     * @return parameters × bitsPerParameter / 8
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static double bytes(long parameters, double bitsPerParameter) {
        if (parameters < 0) {
            throw new IllegalArgumentException("parameters must be >= 0, got " + parameters);
        }
        if (!(bitsPerParameter > 0) || Double.isInfinite(bitsPerParameter)) {
            throw new IllegalArgumentException("bitsPerParameter must be finite and > 0, got " + bitsPerParameter);
        }
        return parameters * bitsPerParameter / 8.0;
    }

    /**
     * Decimal gigabytes (10⁹ bytes) for a number of parameters at a precision.
     *
     * @param parameters ≥ 0
     * @param precision the storage precision
     * @return bytes / 10⁹
     * @throws IllegalArgumentException if parameters is negative
     */
    public static double gigabytes(long parameters, Precision precision) {
        return bytes(parameters, precision) / 1e9;
    }
}
