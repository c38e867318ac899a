package org.llm4e.quantization;

import java.io.IOException;

/**
 * A GGUF file that cannot be read: truncated, corrupt or of an unsupported kind. The message names the file, the byte
 * offset at which reading failed and the reason, e.g. {@code "model.gguf: byte 24: string length 1099511627776
 * exceeds the 512 bytes left in the file"}.
 */
public final class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file or source name. */
    private final String source;
    /** The byte offset. */
    private final long offset;

    /**
     * Creates the exception.
     *
     * @param source the file name (or another name of the source)
     * @param offset the byte offset at which the problem was found
     * @param reason what is wrong
     */
    public GgufFormatException(String source, long offset, String reason) {
        super(source + ": byte " + offset + ": " + reason);
        this.source = source;
        this.offset = offset;
    }

    /**
     * The file or source name.
     *
     * @return the name given to the reader
     */
    public String source() {
        return source;
    }

    /**
     * The byte offset of the problem.
     *
     * @return bytes from the start of the file
     */
    public long offset() {
        return offset;
    }
}
