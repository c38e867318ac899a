package org.llm4e.quantization;

import java.util.Objects;

/**
 * A per-tensor scaled FP8 tensor: one 8-bit code per element and one float32 scale, produced by
 * {@link Fp8#quantizeScaled(float[])}. Immutable: the accessors return copies.
 *
 * <pre>
 *   x̂[i] = f32(decode(code[i]) · scale)
 * </pre>
 */
public final class Fp8Tensor {
    private final Fp8 format;
    private final byte[] codes;
    private final float scale;

    /**
     * Wraps codes and a scale.
     *
     * @param format the FP8 format of the codes
     * @param codes one code per element (copied)
     * @param scale the per-tensor scale; finite and positive
     * @throws IllegalArgumentException if the scale is not finite and positive
     */
    public Fp8Tensor(Fp8 format, byte[] codes, float scale) {
        this.format = Objects.requireNonNull(format, "format");
        this.codes = codes.clone();
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
        }
        this.scale = scale;
    }

    /**
     * The format.
     *
     * @return E4M3 or E5M2
     */
    public Fp8 format() {
        return format;
    }

    /**
     * The codes.
     *
     * @return a copy, one byte per element
     */
    public byte[] codes() {
        return codes.clone();
    }

    /**
     * The scale.
     *
     * @return the per-tensor scale
     */
    public float scale() {
        return scale;
    }

    /**
     * The number of elements.
     *
     * @return the number of codes
     */
    public int size() {
        return codes.length;
    }

    /**
     * Reconstructs the values.
     *
     * @return a new array of {@code f32(decode(code) · scale)}
     */
    public float[] dequantize() {
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = format.decode(codes[i]) * scale;
        }
        return out;
    }
}
