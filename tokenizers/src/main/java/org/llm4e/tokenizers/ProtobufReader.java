package org.llm4e.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal reader of the Protocol Buffers wire format, enough to read a SentencePiece {@code ModelProto} without a
 * protobuf library.
 *
 * <p>Article: A7 SentencePiece (TOK-5), property 5 "self-contained: the same model file gives the same
 * tokenization". The model file is a serialized {@code sentencepiece_model.proto}; this class is the part of the
 * lesson that shows how little is needed to read it. It matches the encoding documented at
 * protobuf.dev/programming-guides/encoding.
 *
 * <h2>The wire format</h2>
 *
 * A message is a sequence of fields; nothing marks its end except the end of the bytes that hold it. Each field is
 * a <em>tag</em> followed by a payload:
 *
 * <pre>
 * varint   = 1–10 bytes, 7 bits each, little-endian groups; the high bit of a byte says "another byte follows"
 *            e.g. 300 = 0b1_0010_1100 → 0xAC 0x02
 * tag      = varint (fieldNumber &lt;&lt; 3 | wireType)
 * wireType 0  VARINT  int32, int64, uint32, bool, enum         payload: one varint
 *          1  I64     fixed64, double                          payload: 8 bytes little-endian
 *          2  LEN     string, bytes, embedded message, packed  payload: varint length n, then n bytes
 *          5  I32     fixed32, float                           payload: 4 bytes little-endian
 *          3, 4       start/end group (deprecated)             rejected here
 * </pre>
 *
 * A repeated field is simply the same field number appearing again; an embedded message is a LEN field whose bytes
 * are themselves a message. Fields the reader does not know are skipped by their wire type, which is what lets old
 * readers read new files. Missing fields take the defaults written in the {@code .proto} file.
 *
 * <p>Malformed input — a varint longer than 10 bytes, a length running past the end of its enclosing message, an
 * unknown wire type — throws a {@link ProtobufFormatException} that names the field being read (as a path such as
 * {@code trainer_spec.model_type}) and the byte offset in the file.
 *
 * <p>Not thread-safe (it has a read position); create one per parse.
 */
public final class ProtobufReader {
    /** Wire type of varint fields. */
    public static final int VARINT = 0;
    /** Wire type of 8-byte fields. */
    public static final int I64 = 1;
    /** Wire type of length-delimited fields. */
    public static final int LEN = 2;
    /** Wire type of 4-byte fields. */
    public static final int I32 = 5;

    private final byte[] buf;
    private final int limit;
    private final String path;
    private int pos;
    private int tagOffset;

    /**
     * Creates a reader over a whole serialized message.
     *
     * @param bytes the message bytes (not copied)
     * @param messageName the name used in error messages for fields of the top-level message (may be empty)
     */
    public ProtobufReader(byte[] bytes, String messageName) {
        this(bytes, 0, bytes.length, messageName);
    }

    private ProtobufReader(byte[] buf, int from, int to, String path) {
        this.buf = buf;
        this.pos = from;
        this.limit = to;
        this.path = path;
    }

    /**
     * Returns whether another field follows.
     *
     * @return true if bytes remain in this message
     */
    public boolean hasMore() {
        return pos < limit;
    }

    /**
     * Returns the current byte offset (from the start of the outermost message).
     *
     * @return the offset
     */
    public int offset() {
        return pos;
    }

    /**
     * Returns the offset of the last tag read.
     *
     * @return the offset of the tag of the current field
     */
    public int tagOffset() {
        return tagOffset;
    }

    /**
     * Returns the name of a field of this message as a path for error messages.
     *
     * @param field the field name
     * @return {@code message.field}, or {@code field} at the top level
     */
    public String fieldPath(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /**
     * Reads the next tag.
     *
     * @return {@code fieldNumber << 3 | wireType}
     * @throws ProtobufFormatException if the tag is truncated, its field number is 0 or its wire type is a group
     */
    public int readTag() throws ProtobufFormatException {
        tagOffset = pos;
        long tag = readVarint("tag");
        int wireType = (int) (tag & 7);
        if ((tag >>> 3) == 0 || tag > 0xFFFFFFFFL) {
            throw new ProtobufFormatException(
                    fieldPath("tag"), tagOffset, "field number " + (tag >>> 3) + " is not a valid field number");
        }
        if (wireType != VARINT && wireType != I64 && wireType != LEN && wireType != I32) {
            throw new ProtobufFormatException(
                    fieldPath("field " + (tag >>> 3)),
                    tagOffset,
                    "wire type " + wireType + " is not supported (expected 0, 1, 2 or 5)");
        }
        return (int) tag;
    }

    /**
     * Reads a varint (wire type 0).
     *
     * @param field the field name, for error messages
     * @return the value as an unsigned 64-bit pattern
     * @throws ProtobufFormatException if the varint is truncated or longer than 10 bytes
     */
    public long readVarint(String field) throws ProtobufFormatException {
        int start = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new ProtobufFormatException(
                        fieldPath(field), start, "truncated varint: the message ends at byte offset " + limit);
            }
            int b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new ProtobufFormatException(fieldPath(field), start, "malformed varint: longer than 10 bytes");
    }

    /**
     * Reads a 4-byte little-endian value (wire type 5).
     *
     * @param field the field name, for error messages
     * @return the 32 bits
     * @throws ProtobufFormatException if fewer than 4 bytes remain
     */
    public int readFixed32(String field) throws ProtobufFormatException {
        require(4, field);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | buf[pos + 3] << 24;
        pos += 4;
        return v;
    }

    /**
     * Reads a float (wire type 5).
     *
     * @param field the field name, for error messages
     * @return the value
     * @throws ProtobufFormatException if fewer than 4 bytes remain
     */
    public float readFloat(String field) throws ProtobufFormatException {
        return Float.intBitsToFloat(readFixed32(field));
    }

    /**
     * Reads the payload of a length-delimited field (wire type 2).
     *
     * @param field the field name, for error messages
     * @return a copy of the payload
     * @throws ProtobufFormatException if the length is malformed or runs past the end of the message
     */
    public byte[] readBytes(String field) throws ProtobufFormatException {
        int n = readLength(field);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /**
     * Reads a UTF-8 string (wire type 2).
     *
     * @param field the field name, for error messages
     * @return the string
     * @throws ProtobufFormatException if the length is malformed or runs past the end of the message
     */
    public String readString(String field) throws ProtobufFormatException {
        int n = readLength(field);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /**
     * Reads an embedded message (wire type 2) and returns a reader over its bytes.
     *
     * @param field the field name, which becomes the path prefix of the embedded message's fields
     * @return a reader positioned at the embedded message's first field
     * @throws ProtobufFormatException if the length is malformed or runs past the end of the message
     */
    public ProtobufReader readMessage(String field) throws ProtobufFormatException {
        int n = readLength(field);
        ProtobufReader r = new ProtobufReader(buf, pos, pos + n, fieldPath(field));
        pos += n;
        return r;
    }

    /**
     * Skips the payload of a field the caller does not need.
     *
     * @param tag the tag just read
     * @throws ProtobufFormatException if the payload is truncated
     */
    public void skip(int tag) throws ProtobufFormatException {
        String field = "field " + (tag >>> 3);
        switch (tag & 7) {
            case VARINT -> readVarint(field);
            case I64 -> {
                require(8, field);
                pos += 8;
            }
            case LEN -> {
                // Not "pos += readLength(field)": Java would read pos before readLength advances it.
                int n = readLength(field);
                pos += n;
            }
            case I32 -> {
                require(4, field);
                pos += 4;
            }
            default ->
                throw new ProtobufFormatException(
                        fieldPath(field), tagOffset, "wire type " + (tag & 7) + " is not supported");
        }
    }

    /**
     * Checks that a field has the wire type its schema declares.
     *
     * @param tag the tag just read
     * @param expected the wire type the schema declares
     * @param field the field name, for error messages
     * @throws ProtobufFormatException if the wire types differ
     */
    public void expectWireType(int tag, int expected, String field) throws ProtobufFormatException {
        if ((tag & 7) != expected) {
            throw new ProtobufFormatException(
                    fieldPath(field), tagOffset, "wire type " + (tag & 7) + ", expected " + expected);
        }
    }

    private int readLength(String field) throws ProtobufFormatException {
        int start = pos;
        long n = readVarint(field);
        if (n < 0 || n > limit - pos) {
            throw new ProtobufFormatException(
                    fieldPath(field),
                    start,
                    "truncated: length " + Long.toUnsignedString(n)
                            + " runs past the end of the message at byte offset " + limit + " (" + (limit - pos)
                            + " bytes left)");
        }
        return (int) n;
    }

    private void require(int n, String field) throws ProtobufFormatException {
        if (limit - pos < n) {
            throw new ProtobufFormatException(
                    fieldPath(field),
                    pos,
                    "truncated: needs " + n + " bytes, the message ends at byte offset " + limit);
        }
    }
}
