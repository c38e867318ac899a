package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.file.Path;

/** A tokenizer file whose content is malformed: names the file, the line and the reason. */
public final class TokenizerFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    /**
     * Creates the exception.
     *
     * @param file the file being read
     * @param line the 1-based line number where the problem was found
     * @param reason what is wrong and what was expected
     */
    public TokenizerFormatException(Path file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    /**
     * Returns the file being read.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the 1-based line of the problem.
     *
     * @return the line number
     */
    public int line() {
        return line;
    }
}
