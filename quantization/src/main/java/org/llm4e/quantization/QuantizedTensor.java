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
 *
 * <p>{@link Gptq} with act-order and groups keeps the codes in the original column order and gives each column its
 * group through {@link #groupIndex()} (GPTQ's {@code g_idx}) instead of {@code g(i) = i / groupLength}; it also keeps
 * the order in which the columns were quantized ({@link #permutation()}).
 */
public final class QuantizedTensor {
    private final int[] shape;
    private final LinearQuantizer scheme;
    private final byte[] codes;
    private final float[] scales;
    private final int[] zeroPoints;
    private final int[] scalesShape;
    private final int groupLength;
    private final int[] permutation;
    private final int[] groupIndex;

    QuantizedTensor(
            int[] shape,
            LinearQuantizer scheme,
            byte[] codes,
            float[] scales,
            int[] zeroPoints,
            int[] scalesShape,
            int groupLength) {
        this(shape, scheme, codes, scales, zeroPoints, scalesShape, groupLength, null, null);
    }

    /**
     * With GPTQ's act-order: {@code permutation} is the order in which the columns were quantized and
     * {@code groupIndex[c]} the group of column c (codes stay in the original column order), or both null.
     */
    QuantizedTensor(
            int[] shape,
            LinearQuantizer scheme,
            byte[] codes,
            float[] scales,
            int[] zeroPoints,
            int[] scalesShape,
            int groupLength,
            int[] permutation,
            int[] groupIndex) {
        this.permutation = permutation;
        this.groupIndex = groupIndex;
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
     * The order in which GPTQ quantized the columns when it ran with act-order (descending Hessian diagonal):
     * column {@code permutation()[j]} was the j-th one quantized. The codes stay in the original column order.
     *
     * @return a copy, or the identity {@code [0, 1, …, cols − 1]} when no permutation was used
     */
    public int[] permutation() {
        if (permutation != null) {
            return permutation.clone();
        }
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        int[] id = new int[cols];
        for (int i = 0; i < cols; i++) {
            id[i] = i;
        }
        return id;
    }

    /**
     * The group of each column within its row (GPTQ's {@code g_idx}): the scale of element (r, c) is
     * {@code scales()[r · scalesShape()[1] + groupIndex()[c]]}. Without act-order the groups are runs of
     * {@link #groupLength()} consecutive columns, so this is {@code c / groupLength}; with act-order and groups the
     * columns of one group are scattered over the row.
     *
     * @return a new array of one entry per column
     */
    public int[] groupIndex() {
        if (groupIndex != null) {
            return groupIndex.clone();
        }
        int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        int[] g = new int[cols];
        int groupsPerRow = scalesShape[1];
        for (int c = 0; c < cols; c++) {
            g[c] = groupsPerRow <= 1 ? 0 : c / groupLength;
        }
        return g;
    }

    /**
     * The storage this tensor needs: packed codes, a float32 per scale, for asymmetric schemes one byte per zero
     * point and, with act-order groups, an int32 group index per column.
     *
     * @return bytes
     */
    public long storageBytes() {
        long codeBytes = scheme.bits() == 4 ? (codes.length + 1L) / 2 : codes.length;
        long zeroBytes = scheme.symmetric() ? 0 : zeroPoints.length;
        long groupIndexBytes = groupIndex == null ? 0 : 4L * groupIndex.length; // GPTQ checkpoints store g_idx as int32
        return codeBytes + 4L * scales.length + zeroBytes + groupIndexBytes;
    }

    /**
     * Reconstructs the values, {@code f32(f32(q − z) · s)}.
     *
     * @return a new tensor of the original shape
     */
    public Tensor dequantize() {
        float[] out = new float[codes.length];
        boolean signed = scheme.signed();
        if (groupIndex != null) {
            // act-order groups: column c of row r uses group groupIndex[c] of that row
            int cols = groupIndex.length;
            int groupsPerRow = scalesShape[1];
            for (int i = 0; i < codes.length; i++) {
                int g = (i / cols) * groupsPerRow + groupIndex[i % cols];
                int q = signed ? codes[i] : codes[i] & 0xFF;
                out[i] = (float) (q - zeroPoints[g]) * scales[g];
            }
            return Tensor.of(out, shape.clone());
        }
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
        if (groupIndex != null) {
            int cols = groupIndex.length;
            int groupsPerRow = scalesShape[1];
            float[] xs = x.data();
            byte[] c = new byte[xs.length];
            for (int i = 0; i < xs.length; i++) {
                int g = (i / cols) * groupsPerRow + groupIndex[i % cols];
                c[i] = (byte) Rounding.halfAwayClamped(xs[i] / scales[g], zeroPoints[g], scheme.qmin(), scheme.qmax());
            }
            return new QuantizedTensor(
                    shape, scheme, c, scales, zeroPoints, scalesShape, groupLength, permutation, groupIndex);
        }
        byte[] c = LinearQuantizer.encode(x.data(), groupLength, scales, zeroPoints, scheme.qmin(), scheme.qmax());
        return new QuantizedTensor(
                shape, scheme, c, scales, zeroPoints, scalesShape, groupLength, permutation, groupIndex);
    }
}
