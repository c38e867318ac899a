package org.llm4e.tokenizers.hf;

import java.io.IOException;

/**
 * A {@code tokenizer.json} that cannot be read: malformed JSON (the message names the line, column and character
 * offset), or a well-formed document whose content is wrong or not supported (the message names the JSON path, such
 * as {@code $.pre_tokenizer.pretokenizers[1].type}, the value found and what was expected).
 */
public final class HfFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String jsonPath;

    /**
     * Creates the exception.
     *
     * @param jsonPath where the problem is ({@code $} is the document, {@code $.model.vocab} a member), or the
     *     {@code line:column} of a syntax error
     * @param reason what is wrong and what was expected
     */
    public HfFormatException(String jsonPath, String reason) {
        super(jsonPath + ": " + reason);
        this.jsonPath = jsonPath;
    }

    /**
     * Creates the exception with a cause.
     *
     * @param jsonPath where the problem is
     * @param reason what is wrong and what was expected
     * @param cause the underlying error
     */
    public HfFormatException(String jsonPath, String reason, Throwable cause) {
        super(jsonPath + ": " + reason, cause);
        this.jsonPath = jsonPath;
    }

    /**
     * Returns where the problem is: a JSON path such as {@code $.model.type}, or {@code line L, column C (offset
     * O)} for a syntax error.
     *
     * @return the location
     */
    public String jsonPath() {
        return jsonPath;
    }
}
