package org.llm4e.tokenizers.internal;

/**
 * The pre-split of byte-level BPE: cuts a text into the chunks ("pieces") that merges never cross. Implementations
 * are immutable and thread-safe.
 */
public interface Splitter {
    /** Receives the chunks of a text in order, as char ranges. */
    @FunctionalInterface
    interface ChunkSink {
        /**
         * Receives one chunk.
         *
         * @param start the first char of the chunk
         * @param end one past its last char
         */
        void accept(int start, int end);
    }

    /**
     * Splits {@code text[from, to)} into chunks; every char of the range belongs to exactly one chunk, or to none
     * when the splitter drops it (none of the library's splitters drops text).
     *
     * @param text the text
     * @param from the first char
     * @param to one past the last char
     * @param sink receives the chunks in order
     */
    void split(CharSequence text, int from, int to, ChunkSink sink);

    /**
     * The splitter of minbpe's {@code BasicTokenizer}: the whole (non-empty) range is one chunk.
     *
     * @return the whole-text splitter
     */
    static Splitter wholeText() {
        return (text, from, to, sink) -> {
            if (to > from) {
                sink.accept(from, to);
            }
        };
    }
}
