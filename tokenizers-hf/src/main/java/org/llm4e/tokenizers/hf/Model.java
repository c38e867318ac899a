package org.llm4e.tokenizers.hf;

import org.llm4e.tokenizers.internal.IntList;

/** The {@code model} section of a {@code tokenizer.json}: turns one pre-tokenized word into token ids. */
interface Model {
    /**
     * Appends the ids of one word.
     *
     * @param word the word, after normalization and pre-tokenization
     * @param out receives the ids
     */
    void tokenize(String word, IntList out);
}
