package org.llm4e.optimizers;

import java.io.IOException;

/** A checkpoint stream that is not a valid llm4e optimizer checkpoint: the message names the byte offset and why. */
public final class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The byte offset in the stream where the problem was found. */
    private final long offset;

    /**
     * Creates the exception.
     *
     * @param offset the byte offset where the problem was found
     * @param reason what is wrong
     */
    public CheckpointFormatException(long offset, String reason) {
        super("corrupt optimizer checkpoint at byte offset " + offset + ": " + reason);
        this.offset = offset;
    }

    /**
     * The byte offset in the stream where the problem was found.
     *
     * @return the offset
     */
    public long offset() {
        return offset;
    }
}
