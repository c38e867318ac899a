package org.llm4e.quantization;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes GGUF version 3 files: metadata key-values of every type (arrays and arrays of arrays included), tensor
 * infos, and the tensor data, each tensor padded to the alignment, in the layout {@link GgufFile} documents and reads.
 *
 * <pre>
 *   GgufWriter w = new GgufWriter();
 *   w.put("general.architecture", GgufValue.string("llama"));
 *   w.addTensor("blk.0.attn_q.weight", GgmlType.Q4_0, new long[] {4096, 4096}, weights);   // quantizes
 *   w.write(Path.of("model.gguf"));
 * </pre>
 *
 * <p>As ggml's {@code gguf_write_to_file}: keys in insertion order, tensor data in insertion order at consecutive
 * offsets, every tensor's data padded with zeros to a multiple of the alignment, the header padded with zeros before
 * the data. An alignment other than 32 is stored as {@code general.alignment} (UINT32). A writer is a mutable
 * builder, not thread-safe; it keeps references to the tensor arrays it was given until it writes.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<GgufTensorInfo> tensors = new ArrayList<>();
    private final List<byte[]> data = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    /** Creates an empty writer with the default alignment 32. */
    public GgufWriter() {}

    /**
     * Sets the alignment of the tensor data, stored as {@code general.alignment} unless it is the default 32.
     *
     * @param alignment a power of two
     * @return this writer
     * @throws IllegalArgumentException if alignment is not a power of two in [1, 2³⁰]
     * @throws IllegalStateException if tensors were already added (their offsets depend on it)
     */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0 || alignment > (1 << 30)) {
            throw new IllegalArgumentException("alignment must be a power of two in [1, 2^30], got " + alignment);
        }
        if (!tensors.isEmpty()) {
            throw new IllegalStateException("set the alignment before adding tensors");
        }
        this.alignment = alignment;
        if (alignment == GgufFile.DEFAULT_ALIGNMENT) {
            metadata.remove(GgufFile.ALIGNMENT_KEY);
        } else {
            metadata.put(GgufFile.ALIGNMENT_KEY, GgufValue.uint32(alignment));
        }
        return this;
    }

    /**
     * Adds or replaces a metadata key-value ({@code general.alignment} goes through {@link #alignment(int)}).
     *
     * @param key the key (ggml's convention: lower-case, dot-separated)
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException for a {@code general.alignment} that is not a UINT32 power of two
     */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.equals(GgufFile.ALIGNMENT_KEY)) {
            if (value.type() != GgufValueType.UINT32 || value.asLong() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        GgufFile.ALIGNMENT_KEY + " must be a UINT32 power of two, got " + value);
            }
            alignment((int) value.asLong());
            metadata.put(key, value);
            return this;
        }
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor whose bytes are already encoded in its ggml type.
     *
     * @param name the tensor name, unique in the file
     * @param typeId the ggml type id (any type ggml knows, also those without kernels here)
     * @param shape ne[0], ne[1], … innermost first, 1 to 4 dimensions
     * @param bytes exactly the tensor's byte size (kept, not copied)
     * @return this writer
     * @throws IllegalArgumentException for a duplicate name, a bad shape or type, or a byte count that does not match
     */
    public GgufWriter addTensor(String name, int typeId, long[] shape, byte[] bytes) {
        for (GgufTensorInfo t : tensors) {
            if (t.name().equals(name)) {
                throw new IllegalArgumentException("name must be unique, tensor \"" + name + "\" exists already");
            }
        }
        long offset = 0;
        if (!tensors.isEmpty()) {
            GgufTensorInfo last = tensors.get(tensors.size() - 1);
            offset = last.offset() + pad(last.byteSize());
        }
        GgufTensorInfo info = new GgufTensorInfo(name, shape, typeId, offset);
        if (info.byteSize() != bytes.length) {
            throw new IllegalArgumentException("bytes of tensor \"" + name + "\" must hold " + info.byteSize()
                    + " bytes for " + info.typeName() + " " + java.util.Arrays.toString(shape) + ", got "
                    + bytes.length);
        }
        tensors.add(info);
        data.add(bytes);
        return this;
    }

    /**
     * Adds a tensor from float32 values, encoding them in a type with this library's quantizers (byte-exact to
     * ggml's reference quantizers).
     *
     * @param name the tensor name, unique in the file
     * @param type the storage type
     * @param shape ne[0], ne[1], … innermost first; ne[0] a multiple of the type's block size
     * @param values the elements, ne[0] fastest
     * @return this writer
     * @throws IllegalArgumentException for a duplicate name, a bad shape, or a value count that does not match
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, float[] values) {
        GgufTensorInfo probe = new GgufTensorInfo(name, shape, type.id(), 0);
        if (probe.elementCount() != values.length) {
            throw new IllegalArgumentException("values of tensor \"" + name + "\" must hold " + probe.elementCount()
                    + " elements for shape " + java.util.Arrays.toString(shape) + ", got " + values.length);
        }
        byte[] bytes = new byte[(int) type.bytes(values.length)];
        type.quantize(values, 0, values.length, bytes, 0);
        return addTensor(name, type.id(), shape, bytes);
    }

    /**
     * Writes the file.
     *
     * @param file the destination (created or replaced)
     * @throws IOException if writing fails
     */
    public void write(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(out);
        }
    }

    /**
     * Writes the file to a stream (not closed).
     *
     * @param out the destination
     * @throws IOException if writing fails
     */
    public void write(OutputStream out) throws IOException {
        Sink s = new Sink(out);
        s.raw(new byte[] {'G', 'G', 'U', 'F'});
        s.u32(3);
        s.u64(tensors.size());
        s.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            s.string(e.getKey());
            s.u32(e.getValue().type().id());
            s.value(e.getValue());
        }
        for (GgufTensorInfo t : tensors) {
            s.string(t.name());
            long[] shape = t.shape();
            s.u32(shape.length);
            for (long d : shape) {
                s.u64(d);
            }
            s.u32(t.typeId());
            s.u64(t.offset());
        }
        s.zeros(pad(s.written) - s.written);
        for (byte[] b : data) {
            s.raw(b);
            s.zeros(pad(b.length) - b.length);
        }
        out.flush();
    }

    private long pad(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** A little-endian byte sink that counts what it wrote. */
    private static final class Sink {
        final OutputStream out;
        final byte[] buf = new byte[8];
        long written;

        Sink(OutputStream out) {
            this.out = out;
        }

        void raw(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        void le(long v, int n) throws IOException {
            for (int i = 0; i < n; i++) {
                buf[i] = (byte) (v >>> (8 * i));
            }
            out.write(buf, 0, n);
            written += n;
        }

        void u32(long v) throws IOException {
            le(v, 4);
        }

        void u64(long v) throws IOException {
            le(v, 8);
        }

        void zeros(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                out.write(0);
            }
            written += n;
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            raw(b);
        }

        void value(GgufValue v) throws IOException {
            if (v.type() == GgufValueType.ARRAY) {
                array(v);
            } else {
                scalar(v.type(), v.raw());
            }
        }

        void scalar(GgufValueType t, Object o) throws IOException {
            switch (t) {
                case STRING:
                    string((String) o);
                    return;
                case FLOAT32:
                    le(Float.floatToRawIntBits((Float) o), 4);
                    return;
                case FLOAT64:
                    le(Double.doubleToRawLongBits((Double) o), 8);
                    return;
                case BOOL:
                    le((Boolean) o ? 1 : 0, 1);
                    return;
                default:
                    le((Long) o, t.size());
            }
        }

        void array(GgufValue v) throws IOException {
            GgufValueType et = v.elementType();
            Object raw = v.raw();
            int n = java.lang.reflect.Array.getLength(raw);
            u32(et.id());
            u64(n);
            for (int i = 0; i < n; i++) {
                Object e = java.lang.reflect.Array.get(raw, i);
                if (et == GgufValueType.ARRAY) {
                    array((GgufValue) e);
                } else {
                    scalar(et, e);
                }
            }
        }
    }
}
