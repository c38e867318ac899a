package org.llm4e.tokenizers;

/**
 * Two adjacent symbols of classic (character-level) BPE, e.g. {@code ("e", "r</w>")}.
 *
 * @param left the left symbol
 * @param right the right symbol
 */
public record SymbolPair(String left, String right) {
    /**
     * Validates the symbols.
     *
     * @throws IllegalArgumentException if a symbol is null or empty
     */
    public SymbolPair {
        if (left == null || left.isEmpty() || right == null || right.isEmpty()) {
            throw new IllegalArgumentException(
                    "left and right must be non-empty symbols, got (" + left + ", " + right + ")");
        }
    }

    /**
     * Returns the symbol the merge of this pair produces, as the article writes it ({@code 'er</w>'}).
     *
     * @return {@code left + right}
     */
    public String merged() {
        return left + right;
    }
}
