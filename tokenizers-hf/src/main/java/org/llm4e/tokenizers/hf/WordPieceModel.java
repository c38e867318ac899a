package org.llm4e.tokenizers.hf;

import java.util.List;
import java.util.Map;
import org.llm4e.tokenizers.WordPiece;
import org.llm4e.tokenizers.internal.IntList;

/**
 * HF's {@code WordPiece} model ({@code models/wordpiece/mod.rs}): greedy longest-match-first, {@code ##} on pieces
 * that continue a word, the whole word {@code [UNK]} when some position matches nothing or the word is longer than
 * {@code max_input_chars_per_word}. The per-word algorithm is the library's {@link WordPiece#tokenizeWord(String)},
 * which implements exactly these defaults ({@code [UNK]}, {@code ##}, 100); other values are rejected when loading.
 */
final class WordPieceModel implements Model {
    private final WordPiece wordPiece;
    private final Map<String, Integer> vocab;

    WordPieceModel(List<String> tokensById, Map<String, Integer> vocab) {
        this.wordPiece = WordPiece.of(tokensById, false);
        this.vocab = vocab;
    }

    @Override
    public void tokenize(String word, IntList out) {
        for (String piece : wordPiece.tokenizeWord(word)) {
            out.add(vocab.get(piece));
        }
    }
}
