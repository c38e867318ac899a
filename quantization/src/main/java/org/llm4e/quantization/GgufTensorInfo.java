package org.llm4e.quantization;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor info of a GGUF file: name, shape, ggml type and the offset of its data.
 *
 * <pre>
 *   name: string   n_dims: u32 (≤ 4)   ne[n_dims]: u64 (ne[0] = the contiguous, innermost dimension)
 *   type: u32 (ggml_type)   offset: u64 (from the start of the tensor data, a multiple of the alignment)
 * </pre>
 *
 * <p>ggml writes the shape innermost first: an {@code nn.Linear} weight {@code [out, in]} is stored as
 * {@code ne = [in, out]}, and {@code ne[0]} must be a multiple of the type's block size. The type is kept as its id
 * so that files with types this library has no kernels for (Q2_K, IQ formats, …) still read; {@link #type()} gives
 * the {@link GgmlType} when there is one.
 */
public final class GgufTensorInfo {
    private final String name;
    private final long[] shape;
    private final int typeId;
    private final long offset;

    /**
     * Creates a tensor info.
     *
     * @param name the tensor name
     * @param shape ne[0], ne[1], … (1 to 4 dimensions, each ≥ 0)
     * @param typeId the ggml type id
     * @param offset the data offset relative to the start of the tensor data
     * @throws IllegalArgumentException if the shape is empty or longer than 4, has a negative dimension, its element
     *     count overflows, ne[0] is not a multiple of the block size, the type id is unknown or the offset negative
     */
    public GgufTensorInfo(String name, long[] shape, int typeId, long offset) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape.clone();
        this.typeId = typeId;
        this.offset = offset;
        String problem = problem(this.shape, typeId);
        if (problem != null) {
            throw new IllegalArgumentException("tensor " + name + ": " + problem);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset of tensor " + name + " must be ≥ 0, got " + offset);
        }
    }

    /** What is wrong with a shape and type, or null (shared with the reader, which reports it with an offset). */
    static String problem(long[] shape, long typeId) {
        if (shape.length < 1 || shape.length > 4) {
            return "n_dims must be in [1, 4], got " + shape.length;
        }
        if (GgmlTypeSizes.of(typeId) == null) {
            return "unknown ggml type id " + typeId;
        }
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                return "ne[" + i + "] must be ≥ 0, got " + Long.toUnsignedString(shape[i]);
            }
            try {
                n = Math.multiplyExact(n, shape[i]);
            } catch (ArithmeticException e) {
                return "element count of shape " + Arrays.toString(shape) + " overflows 64 bits";
            }
        }
        int bs = GgmlTypeSizes.blockSize((int) typeId);
        if (shape[0] % bs != 0) {
            return "ne[0] = " + shape[0] + " must be a multiple of the " + GgmlTypeSizes.name((int) typeId)
                    + " block size " + bs;
        }
        if (n / bs > Long.MAX_VALUE / GgmlTypeSizes.bytesPerBlock((int) typeId)) {
            return "byte size of shape " + Arrays.toString(shape) + " overflows 64 bits";
        }
        return null;
    }

    /**
     * The name.
     *
     * @return the tensor name
     */
    public String name() {
        return name;
    }

    /**
     * The shape, innermost dimension first (ggml's {@code ne}).
     *
     * @return a copy
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The ggml type id.
     *
     * @return the stored {@code ggml_type}
     */
    public int typeId() {
        return typeId;
    }

    /**
     * ggml's name of the type.
     *
     * @return e.g. {@code "Q4_0"} or {@code "IQ4_XS"}
     */
    public String typeName() {
        return GgmlTypeSizes.name(typeId);
    }

    /**
     * The type as a {@link GgmlType}.
     *
     * @return the type
     * @throws IllegalArgumentException if this library has no kernels for the type
     */
    public GgmlType type() {
        return GgmlType.ofId(typeId);
    }

    /**
     * The data offset, relative to the start of the tensor data section.
     *
     * @return bytes
     */
    public long offset() {
        return offset;
    }

    /**
     * The number of elements.
     *
     * @return the product of the shape
     */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The size of the data.
     *
     * @return elementCount / blockSize · bytesPerBlock
     */
    public long byteSize() {
        return elementCount() / GgmlTypeSizes.blockSize(typeId) * GgmlTypeSizes.bytesPerBlock(typeId);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufTensorInfo)) {
            return false;
        }
        GgufTensorInfo t = (GgufTensorInfo) o;
        return name.equals(t.name) && Arrays.equals(shape, t.shape) && typeId == t.typeId && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), typeId, offset);
    }

    @Override
    public String toString() {
        return name + " " + typeName() + " " + Arrays.toString(shape) + " @" + offset;
    }
}
