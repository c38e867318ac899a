package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.file.Path;

/** A binary (protobuf) tokenizer model whose content is malformed: names the file, the field, the byte offset. */
public final class ProtobufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String field;
    private final long offset;
    private final String reason;

    /**
     * Creates the exception for bytes not (yet) tied to a file.
     *
     * @param field the field being read, as a path such as {@code trainer_spec.model_type}
     * @param offset the byte offset where the problem was found
     * @param reason what is wrong and what was expected
     */
    public ProtobufFormatException(String field, long offset, String reason) {
        this(null, field, offset, reason);
    }

    /**
     * Creates the exception.
     *
     * @param file the file being read, or null if unknown
     * @param field the field being read
     * @param offset the byte offset where the problem was found
     * @param reason what is wrong and what was expected
     */
    public ProtobufFormatException(Path file, String field, long offset, String reason) {
        super((file == null ? "" : file + ": ") + "byte offset " + offset + ": " + field + ": " + reason);
        this.file = file;
        this.field = field;
        this.offset = offset;
        this.reason = reason;
    }

    /**
     * Returns the same problem attributed to a file.
     *
     * @param path the file
     * @return a new exception naming the file
     */
    public ProtobufFormatException inFile(Path path) {
        ProtobufFormatException e = new ProtobufFormatException(path, field, offset, reason);
        e.initCause(this);
        return e;
    }

    /**
     * Returns the file being read.
     *
     * @return the path, or null if unknown
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the field being read.
     *
     * @return the field path
     */
    public String field() {
        return field;
    }

    /**
     * Returns the byte offset of the problem.
     *
     * @return the offset from the start of the file
     */
    public long offset() {
        return offset;
    }
}
