package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * The result of {@link LinearQuantizer}: one integer code per element, and a scale and zero point per group.
 * Immutable: every accessor returns a copy.
 *
 * <pre>
 *   x̂[i] = f32(f32(q[i] − z[g(i)]) · s[g(i)])        g(i) = i / groupLength (row-major)
 * </pre>
 *
 * <p>Codes are stored one per byte ({@link #codes()}); unsigned schemes are read with
 * {@link Byte#toUnsignedInt(byte)} ({@link #code(int)} does it for you). 4-bit codes also have a packed form, two
 * per byte, low nibble first ({@link #packed()}, {@link Int4Packing}).
 */
public final class QuantizedTensor {
    private final int[] shape;
    private final LinearQuantizer scheme;
    private final byte[] codes;
    private final float[] scales;
    private final int[] zeroPoints;
    private final int[] scalesShape;
    private final int groupLength;

    QuantizedTensor(
            int[] shape,
            LinearQuantizer scheme,
            byte[] codes,
            float[] scales,
            int[] zeroPoints,
            int[] scalesShape,
            int groupLength) {
        this.shape = shape.clone();
        this.scheme = scheme;
        this.codes = codes;
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.scalesShape = scalesShape;
        this.groupLength = groupLength;
    }

    /**
     * The shape of the original tensor.
     *
     * @return a copy
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The scheme that produced this tensor.
     *
     * @return the quantizer
     */
    public LinearQuantizer scheme() {
        return scheme;
    }

    /**
     * The bit width.
     *
     * @return 8 or 4
     */
    public int bits() {
        return scheme.bits();
    }

    /**
     * The number of elements.
     *
     * @return the element count
     */
    public int size() {
        return codes.length;
    }

    /**
     * The codes, one per element in row-major order; for unsigned schemes read them with
     * {@link Byte#toUnsignedInt(byte)}.
     *
     * @return a copy
     */
    public byte[] codes() {
        return codes.clone();
    }

    /**
     * One code as an int (sign-extended for signed schemes, unsigned otherwise).
     *
     * @param i the flat element index
     * @return the code, in [{@link LinearQuantizer#qmin()}, {@link LinearQuantizer#qmax()}]
     */
    public int code(int i) {
        return scheme.signed() ? codes[i] : Byte.toUnsignedInt(codes[i]);
    }

    /**
     * The stored form: for 4-bit schemes two codes per byte, low nibble first ({@code ceil(n / 2)} bytes); for 8-bit
     * schemes the codes themselves.
     *
     * @return a new array
     */
    public byte[] packed() {
        return scheme.bits() == 4 ? Int4Packing.packLowFirst(codes) : codes.clone();
    }

    /**
     * The scales, row-major over {@link #scalesShape()}.
     *
     * @return a copy
     */
    public float[] scales() {
        return scales.clone();
    }

    /**
     * The zero points, same layout as the scales (0 for symmetric signed schemes, 2^(bits−1) for symmetric unsigned).
     *
     * @return a copy
     */
    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    /**
     * The parameter grid: [1, 1] per tensor, [rows, 1] per channel, [rows, cols / G] per group.
     *
     * @return a copy
     */
    public int[] scalesShape() {
        return scalesShape.clone();
    }

    /**
     * The number of consecutive elements that share one scale.
     *
     * @return the group length
     */
    public int groupLength() {
        return groupLength;
    }

    /**
     * The storage this tensor needs: packed codes, a float32 per scale and, for asymmetric schemes, one byte per zero
     * point.
     *
     * @return bytes
     */
    public long storageBytes() {
        long codeBytes = scheme.bits() == 4 ? (codes.length + 1L) / 2 : codes.length;
        long zeroBytes = scheme.symmetric() ? 0 : zeroPoints.length;
        return codeBytes + 4L * scales.length + zeroBytes;
    }

    /**
     * Reconstructs the values, {@code f32(f32(q − z) · s)}.
     *
     * @return a new tensor of the original shape
     */
    public Tensor dequantize() {
        float[] out = new float[codes.length];
        boolean signed = scheme.signed();
        for (int g = 0; g < scales.length; g++) {
            float s = scales[g];
            int z = zeroPoints[g];
            for (int i = g * groupLength, end = Math.min(codes.length, i + groupLength); i < end; i++) {
                int q = signed ? codes[i] : codes[i] & 0xFF;
                out[i] = (float) (q - z) * s;
            }
        }
        return Tensor.of(out, shape.clone());
    }

    /**
     * Quantizes another tensor of the same shape with this tensor's scales and zero points (static reuse; values
     * outside the range clamp). {@code requantize(dequantize())} gives back these codes.
     *
     * @param x a tensor of the same shape
     * @return the codes of x under these parameters
     * @throws IllegalArgumentException if the shape differs or an element is not finite
     */
    public QuantizedTensor requantize(Tensor x) {
        if (!Arrays.equals(shape, x.shape())) {
            throw new IllegalArgumentException(
                    "x shape " + Arrays.toString(x.shape()) + " must equal " + Arrays.toString(shape));
        }
        LinearQuantizer.checkFinite(x.data(), "x");
        byte[] c = LinearQuantizer.encode(x.data(), groupLength, scales, zeroPoints, scheme.qmin(), scheme.qmax());
        return new QuantizedTensor(shape, scheme, c, scales, zeroPoints, scalesShape, groupLength);
    }
}
