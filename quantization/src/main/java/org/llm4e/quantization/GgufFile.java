package org.llm4e.quantization;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A GGUF file read into memory-mapped form: the header, the metadata key-values, the tensor infos, and on demand each
 * tensor's bytes, mapped read-only from the file. GGUF is the single-file format in which llama.cpp ships quantized
 * models.
 *
 * <pre>
 *   offset 0   magic "GGUF" (47 47 55 46)      u32 version (3; 2 has the same layout)
 *          8   u64 tensor_count                 u64 metadata_kv_count
 *         24   metadata_kv_count × { string key, u32 value type, value }
 *              tensor_count × { string name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset }
 *              zero padding to the alignment (general.alignment, a u32 power of two; default 32)
 *   data_off   tensor data: each tensor at data_off + offset, offsets multiples of the alignment
 *   string = u64 byte length, UTF-8 bytes (no terminator); all values little-endian
 * </pre>
 *
 * <p>The layout is ggml's {@code docs/gguf.md} and {@code gguf.cpp}; version 1 (u32 counts) and big-endian files
 * are refused. Reading checks everything ggml checks and a little more (UTF-8 strings, BOOL bytes 0/1, unknown value
 * and tensor types, n_dims ≤ 4, ne[0] a multiple of the block size, aligned offsets, tensor data inside the file,
 * duplicate keys and names, counts that cannot fit in the file) and throws a {@link GgufFormatException} naming the
 * file, the byte offset and the reason; nothing is allocated from an untrusted count before it is checked against
 * the bytes left. Tested against {@code @huggingface/gguf} (the npm parser) in both directions.
 *
 * <p>Instances are immutable and thread-safe; mapped tensor buffers stay valid after the file is replaced on disk
 * only as far as the operating system keeps the old pages, as with any memory mapping.
 */
public final class GgufFile {
    /** The default alignment of tensor data, {@code GGUF_DEFAULT_ALIGNMENT}. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The metadata key that overrides the alignment. */
    public static final String ALIGNMENT_KEY = "general.alignment";

    private final String source;
    private final Path path;
    private final ByteBuffer bytes;
    private final long fileSize;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> byName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(
            String source,
            Path path,
            ByteBuffer bytes,
            long fileSize,
            int version,
            Map<String, GgufValue> metadata,
            List<GgufTensorInfo> tensors,
            int alignment,
            long dataOffset) {
        this.source = source;
        this.path = path;
        this.bytes = bytes;
        this.fileSize = fileSize;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableList(tensors);
        Map<String, GgufTensorInfo> m = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = m;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /**
     * Reads a GGUF file's header and maps it for tensor access.
     *
     * @param file the file
     * @return the parsed file
     * @throws GgufFormatException if the file is truncated, corrupt or of an unsupported version
     * @throws IOException if the file cannot be read
     */
    public static GgufFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            // The header is parsed from one mapping of at most 2 GiB; tensors are mapped one by one later.
            ByteBuffer head = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE));
            return parse(String.valueOf(file), file, head, size);
        }
    }

    /**
     * Reads a GGUF file held in memory.
     *
     * @param data the whole file (wrapped, not copied; do not modify it afterwards)
     * @param name the name to use in error messages
     * @return the parsed file
     * @throws GgufFormatException if the bytes are truncated, corrupt or of an unsupported version
     */
    public static GgufFile read(byte[] data, String name) throws GgufFormatException {
        return parse(name, null, ByteBuffer.wrap(data), data.length);
    }

    private static GgufFile parse(String source, Path path, ByteBuffer buf, long fileSize) throws GgufFormatException {
        Cursor c = new Cursor(source, buf.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        c.need(4, "the magic");
        if (c.b.get(0) != 'G' || c.b.get(1) != 'G' || c.b.get(2) != 'U' || c.b.get(3) != 'F') {
            throw c.error(
                    0,
                    String.format(
                            Locale.ROOT,
                            "bad magic %02x %02x %02x %02x, expected \"GGUF\" (47 47 55 46)",
                            c.b.get(0),
                            c.b.get(1),
                            c.b.get(2),
                            c.b.get(3)));
        }
        c.b.position(4);
        long version = c.u32("the version");
        if (version != 2 && version != 3) {
            if (version == 0x02000000L || version == 0x03000000L) {
                throw c.error(4, "big-endian GGUF files are not supported");
            }
            throw c.error(4, "unsupported GGUF version " + version + ", expected 2 or 3");
        }
        long tensorCount = c.u64("tensor_count");
        long kvCount = c.u64("metadata_kv_count");
        // A key-value takes at least 13 bytes (empty key, type, one-byte value), a tensor info at least 32.
        if (Long.compareUnsigned(kvCount, c.left() / 13) > 0) {
            throw c.error(
                    16,
                    "metadata_kv_count " + Long.toUnsignedString(kvCount) + " cannot fit in the " + c.left()
                            + " bytes left");
        }
        if (Long.compareUnsigned(tensorCount, c.left() / 32) > 0) {
            throw c.error(
                    8,
                    "tensor_count " + Long.toUnsignedString(tensorCount) + " cannot fit in the " + c.left()
                            + " bytes left");
        }
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        int alignment = DEFAULT_ALIGNMENT;
        for (long i = 0; i < kvCount; i++) {
            long keyAt = c.pos();
            String key = c.string("key of metadata entry " + i);
            if (metadata.containsKey(key)) {
                throw c.error(keyAt, "duplicate metadata key \"" + key + "\"");
            }
            long typeAt = c.pos();
            long typeId = c.u32("the value type of " + key);
            GgufValueType type = GgufValueType.ofId(typeId);
            if (type == null) {
                throw c.error(typeAt, "unknown value type " + typeId + " for key \"" + key + "\", expected 0 … 12");
            }
            long valueAt = c.pos();
            GgufValue v = c.value(type, key);
            if (key.equals(ALIGNMENT_KEY)) {
                if (type != GgufValueType.UINT32) {
                    throw c.error(typeAt, ALIGNMENT_KEY + " must be a UINT32, got " + type);
                }
                long a = v.asLong();
                if (a == 0 || (a & (a - 1)) != 0 || a > (1 << 30)) {
                    throw c.error(valueAt, ALIGNMENT_KEY + " must be a power of two, got " + a);
                }
                alignment = (int) a;
            }
            metadata.put(key, v);
        }
        List<GgufTensorInfo> tensors = new ArrayList<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        List<Long> offsetFieldAt = new ArrayList<>();
        for (int i = 0; i < tensorCount; i++) {
            long infoAt = c.pos();
            String name = c.string("the name of tensor " + i);
            if (names.put(name, Boolean.TRUE) != null) {
                throw c.error(infoAt, "duplicate tensor name \"" + name + "\"");
            }
            long dimsAt = c.pos();
            long nDims = c.u32("n_dims of tensor " + name);
            if (nDims < 1 || nDims > 4) {
                throw c.error(dimsAt, "n_dims of tensor \"" + name + "\" must be in [1, 4], got " + nDims);
            }
            long[] shape = new long[(int) nDims];
            for (int d = 0; d < nDims; d++) {
                shape[d] = c.u64("ne[" + d + "] of tensor " + name);
            }
            long typeAt = c.pos();
            long typeId = c.u32("the type of tensor " + name);
            String problem = GgufTensorInfo.problem(shape, typeId);
            if (problem != null) {
                throw c.error(
                        GgmlTypeSizes.of(typeId) == null ? typeAt : dimsAt, "tensor \"" + name + "\": " + problem);
            }
            offsetFieldAt.add(c.pos());
            long offset = c.u64("the offset of tensor " + name);
            if (offset < 0 || offset % alignment != 0) {
                throw c.error(
                        offsetFieldAt.get(i),
                        "offset " + Long.toUnsignedString(offset) + " of tensor \"" + name
                                + "\" must be a multiple of the alignment " + alignment);
            }
            tensors.add(new GgufTensorInfo(name, shape, (int) typeId, offset));
        }
        long dataOffset = (c.pos() + alignment - 1) / alignment * alignment;
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensorInfo t = tensors.get(i);
            long end = dataOffset + t.offset() + t.byteSize();
            if (t.offset() > fileSize || end < 0 || end > fileSize) {
                throw c.error(
                        offsetFieldAt.get(i),
                        "data of tensor \"" + t.name() + "\" (" + t.byteSize()
                                + " bytes at data offset " + dataOffset + " + " + t.offset()
                                + ") extends past the end of the file (" + fileSize + " bytes)");
            }
        }
        return new GgufFile(source, path, buf, fileSize, (int) version, metadata, tensors, alignment, dataOffset);
    }

    /**
     * The format version.
     *
     * @return 2 or 3
     */
    public int version() {
        return version;
    }

    /**
     * The metadata, in file order.
     *
     * @return an unmodifiable map from key to value
     */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /**
     * The tensor infos, in file order.
     *
     * @return an unmodifiable list
     */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /**
     * The tensor info with a name.
     *
     * @param name the tensor name
     * @return its info
     * @throws IllegalArgumentException if the file has no such tensor
     */
    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("name must be a tensor of " + source + ", got \"" + name + "\"");
        }
        return t;
    }

    /**
     * The alignment of the tensor data.
     *
     * @return {@code general.alignment}, or 32
     */
    public int alignment() {
        return alignment;
    }

    /**
     * Where the tensor data section starts.
     *
     * @return bytes from the start of the file
     */
    public long dataOffset() {
        return dataOffset;
    }

    /**
     * A tensor's bytes, memory-mapped read-only (no copy).
     *
     * @param name the tensor name
     * @return a little-endian read-only buffer positioned at 0 holding exactly the tensor's bytes
     * @throws IllegalArgumentException if the file has no such tensor or it exceeds 2 GiB
     * @throws IOException if the file cannot be mapped
     */
    public ByteBuffer tensorData(String name) throws IOException {
        GgufTensorInfo t = tensor(name);
        long size = t.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor \"" + name + "\" has " + size + " bytes; a buffer holds 2 GiB");
        }
        long start = dataOffset + t.offset();
        ByteBuffer out;
        if (path == null) {
            out = bytes.duplicate()
                    .position((int) start)
                    .limit((int) (start + size))
                    .slice();
            out = out.asReadOnlyBuffer();
        } else {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                out = ch.map(FileChannel.MapMode.READ_ONLY, start, size);
            }
        }
        return out.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A copy of a tensor's bytes, the form the block kernels ({@link GgmlType}, {@link GgmlMatVec}) take.
     *
     * @param name the tensor name
     * @return the bytes
     * @throws IllegalArgumentException if the file has no such tensor or it exceeds 2 GiB
     * @throws IOException if the file cannot be read
     */
    public byte[] tensorBytes(String name) throws IOException {
        ByteBuffer b = tensorData(name);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * A tensor's values as float32, dequantized with its {@link GgmlType}.
     *
     * @param name the tensor name
     * @return elementCount floats, ne[0] fastest
     * @throws IllegalArgumentException if the file has no such tensor, the library has no kernels for its type, or it
     *     has more than 2³¹ − 1 elements
     * @throws IOException if the file cannot be read
     */
    public float[] dequantize(String name) throws IOException {
        GgufTensorInfo t = tensor(name);
        GgmlType type = t.type();
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor \"" + name + "\" has " + n + " elements; a float[] holds 2³¹");
        }
        float[] out = new float[(int) n];
        type.dequantize(tensorBytes(name), 0, (int) n, out, 0);
        return out;
    }

    /**
     * A 2-D Q4_0 tensor repacked for the fast matrix-vector product ({@link RepackedQ4_0}), as ggml's CPU backend
     * repacks Q4_0 weights when it loads a model: shape {@code [ne0, ne1]} is {@code ne1} rows of {@code ne0} columns.
     *
     * @param name the tensor name
     * @return the repacked matrix, {@code y = W x} with x of ne0 values
     * @throws IllegalArgumentException if the file has no such tensor, it is not Q4_0 or not 2-D
     * @throws IOException if the file cannot be read
     */
    public RepackedQ4_0 repackQ4_0(String name) throws IOException {
        GgufTensorInfo t = tensor(name);
        if (t.type() != GgmlType.Q4_0 || t.shape().length != 2) {
            throw new IllegalArgumentException("tensor \"" + name + "\" must be a 2-D Q4_0 tensor to repack, got "
                    + t.typeName() + " " + java.util.Arrays.toString(t.shape()));
        }
        return RepackedQ4_0.pack(tensorBytes(name), Math.toIntExact(t.shape()[1]), Math.toIntExact(t.shape()[0]));
    }

    /**
     * A readable summary: version, alignment, every metadata key with its value (long arrays abbreviated) and every
     * tensor with its type, shape, size and offset. This is what {@code llm4e gguf FILE} prints.
     *
     * @return the text, one item per line
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s: GGUF v%d, %d metadata keys, %d tensors, alignment %d, tensor data at byte %d of %d%n",
                source,
                version,
                metadata.size(),
                tensors.size(),
                alignment,
                dataOffset,
                fileSize));
        sb.append(String.format(Locale.ROOT, "metadata:%n"));
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %s = %s%n", e.getKey(), e.getValue()));
        }
        sb.append(String.format(Locale.ROOT, "tensors:%n"));
        long total = 0;
        for (GgufTensorInfo t : tensors) {
            total += t.byteSize();
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-32s %-7s %-24s %12d bytes  at +%d%n",
                    t.name(),
                    t.typeName(),
                    java.util.Arrays.toString(t.shape()),
                    t.byteSize(),
                    t.offset()));
        }
        sb.append(String.format(Locale.ROOT, "total tensor bytes: %d%n", total));
        return sb.toString();
    }

    /** A bounds-checked little-endian reader that names the offset of every failure. */
    private static final class Cursor {
        final String source;
        final ByteBuffer b;

        Cursor(String source, ByteBuffer b) {
            this.source = source;
            this.b = b;
        }

        long pos() {
            return b.position();
        }

        long left() {
            return b.remaining();
        }

        GgufFormatException error(long at, String reason) {
            return new GgufFormatException(source, at, reason);
        }

        void need(long n, String what) throws GgufFormatException {
            if (n > b.remaining()) {
                throw error(b.position(), "truncated: " + what + " needs " + n + " bytes, " + b.remaining() + " left");
            }
        }

        long u32(String what) throws GgufFormatException {
            need(4, what);
            return b.getInt() & 0xFFFF_FFFFL;
        }

        long u64(String what) throws GgufFormatException {
            need(8, what);
            return b.getLong();
        }

        String string(String what) throws GgufFormatException {
            long at = pos();
            long len = u64("the length of " + what);
            if (len < 0 || len > b.remaining()) {
                throw error(
                        at,
                        "string length " + Long.toUnsignedString(len) + " of " + what + " exceeds the " + b.remaining()
                                + " bytes left");
            }
            ByteBuffer s = b.slice();
            s.limit((int) len);
            b.position(b.position() + (int) len);
            try {
                CharBuffer chars = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(s);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw error(at + 8, "invalid UTF-8 in " + what);
            }
        }

        GgufValue value(GgufValueType type, String key) throws GgufFormatException {
            String what = "the value of " + key;
            switch (type) {
                case STRING:
                    return GgufValue.ofScalarUnchecked(type, string(what));
                case ARRAY:
                    return array(key);
                case FLOAT32:
                    need(4, what);
                    return GgufValue.ofScalarUnchecked(type, b.getFloat());
                case FLOAT64:
                    need(8, what);
                    return GgufValue.ofScalarUnchecked(type, b.getDouble());
                case BOOL:
                    return GgufValue.ofScalarUnchecked(type, bool(what));
                default:
                    return GgufValue.ofScalarUnchecked(type, integer(type, what));
            }
        }

        boolean bool(String what) throws GgufFormatException {
            need(1, what);
            int v = b.get();
            if (v != 0 && v != 1) {
                throw error(pos() - 1, "BOOL " + what + " must be 0 or 1, got " + v);
            }
            return v == 1;
        }

        long integer(GgufValueType type, String what) throws GgufFormatException {
            need(type.size(), what);
            switch (type) {
                case UINT8:
                    return b.get() & 0xFF;
                case INT8:
                    return b.get();
                case UINT16:
                    return b.getShort() & 0xFFFF;
                case INT16:
                    return b.getShort();
                case UINT32:
                    return b.getInt() & 0xFFFF_FFFFL;
                case INT32:
                    return b.getInt();
                default:
                    return b.getLong();
            }
        }

        GgufValue array(String key) throws GgufFormatException {
            long typeAt = pos();
            long typeId = u32("the element type of " + key);
            GgufValueType et = GgufValueType.ofId(typeId);
            if (et == null) {
                throw error(
                        typeAt, "unknown array element type " + typeId + " for key \"" + key + "\", expected 0 … 12");
            }
            long countAt = pos();
            long n = u64("the element count of " + key);
            // The smallest encoding of one element: its fixed size, an empty string's length, an empty array's header.
            int min = et == GgufValueType.STRING ? 8 : et == GgufValueType.ARRAY ? 12 : et.size();
            if (n < 0 || n > Integer.MAX_VALUE - 8 || n * min > b.remaining()) {
                throw error(
                        countAt,
                        "array of " + Long.toUnsignedString(n) + " " + et + " for key \"" + key
                                + "\" cannot fit in the " + b.remaining() + " bytes left");
            }
            int count = (int) n;
            String what = "an element of " + key;
            switch (et) {
                case FLOAT32: {
                    float[] a = new float[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = b.getFloat();
                    }
                    return GgufValue.ofArrayUnchecked(et, a);
                }
                case FLOAT64: {
                    double[] a = new double[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = b.getDouble();
                    }
                    return GgufValue.ofArrayUnchecked(et, a);
                }
                case BOOL: {
                    boolean[] a = new boolean[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = bool(what);
                    }
                    return GgufValue.ofArrayUnchecked(et, a);
                }
                case STRING: {
                    String[] a = new String[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = string("element " + i + " of " + key);
                    }
                    return GgufValue.ofArrayUnchecked(et, a);
                }
                case ARRAY: {
                    GgufValue[] a = new GgufValue[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = array(key + "[" + i + "]");
                    }
                    return GgufValue.ofArrayUnchecked(et, a);
                }
                default: {
                    long[] a = new long[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = integer(et, what);
                    }
                    return GgufValue.ofArrayUnchecked(et, a);
                }
            }
        }
    }
}
