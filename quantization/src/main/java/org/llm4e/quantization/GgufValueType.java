package org.llm4e.quantization;

/**
 * The thirteen value types of GGUF metadata ({@code enum gguf_type} in ggml's {@code gguf.h}), with the id stored in
 * the file and the size of one scalar.
 *
 * <pre>
 *   id  type     bytes        id  type     bytes
 *    0  UINT8    1             7  BOOL     1 (0 or 1)
 *    1  INT8     1             8  STRING   8 + n (u64 length, UTF-8 bytes, no terminator)
 *    2  UINT16   2             9  ARRAY    4 + 8 + … (u32 element type, u64 count, elements)
 *    3  INT16    2            10  UINT64   8
 *    4  UINT32   4            11  INT64    8
 *    5  INT32    4            12  FLOAT64  8
 *    6  FLOAT32  4
 * </pre>
 *
 * <p>All multi-byte values are little-endian in the files this library reads and writes.
 */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(0, 1),
    /** Signed 8-bit integer. */
    INT8(1, 1),
    /** Unsigned 16-bit integer. */
    UINT16(2, 2),
    /** Signed 16-bit integer. */
    INT16(3, 2),
    /** Unsigned 32-bit integer. */
    UINT32(4, 4),
    /** Signed 32-bit integer. */
    INT32(5, 4),
    /** IEEE float32. */
    FLOAT32(6, 4),
    /** A byte that must be 0 or 1. */
    BOOL(7, 1),
    /** A u64 length and that many UTF-8 bytes. */
    STRING(8, -1),
    /** A u32 element type, a u64 count and the elements. */
    ARRAY(9, -1),
    /** Unsigned 64-bit integer. */
    UINT64(10, 8),
    /** Signed 64-bit integer. */
    INT64(11, 8),
    /** IEEE float64. */
    FLOAT64(12, 8);

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /**
     * The id stored in the file.
     *
     * @return 0 … 12
     */
    public int id() {
        return id;
    }

    /**
     * The size of one value of a fixed-size type.
     *
     * @return bytes, or −1 for {@link #STRING} and {@link #ARRAY}
     */
    public int size() {
        return size;
    }

    /**
     * Whether values of this type are integers (held as {@code long} by {@link GgufValue}).
     *
     * @return true for the eight integer types
     */
    public boolean isInteger() {
        return size > 0 && this != FLOAT32 && this != FLOAT64 && this != BOOL;
    }

    /**
     * The type with a file id.
     *
     * @param id the stored id
     * @return the type, or null when the id is not a GGUF value type
     */
    public static GgufValueType ofId(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
