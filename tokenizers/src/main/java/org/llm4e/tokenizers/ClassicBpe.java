package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A classic BPE model as {@link BpeTrainer} learns it: characters as base symbols, the end-of-word marker fused onto
 * each word's last character ({@code r</w>}), and an ordered list of merges.
 *
 * <pre>
 *   tokenizeWord(w): s ← chars of w, last one fused with "&lt;/w&gt;"
 *                    while some adjacent pair of s is a learned merge:
 *                        apply the merge of lowest rank (learned earliest), at all its places, left to right
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（二）.md}. The article describes training only; encoding by merge rank is the
 * standard rule (Sennrich et al.'s {@code apply_bpe}), under which a training word is segmented exactly as training
 * left it. A character never seen in training stays a symbol of its own that is not in {@link #vocabulary()}: the
 * out-of-vocabulary problem that byte-level BPE removes. Immutable and thread-safe.
 */
public final class ClassicBpe {
    private final String endOfWord;
    private final SortedSet<String> alphabet;
    private final List<SymbolPair> merges;
    private final Map<SymbolPair, Integer> ranks;
    private final List<BpeStep> steps;
    private final Map<String, List<String>> initialSegmentation;

    ClassicBpe(
            String endOfWord,
            SortedSet<String> alphabet,
            List<SymbolPair> merges,
            List<BpeStep> steps,
            Map<String, List<String>> initialSegmentation) {
        this.endOfWord = endOfWord;
        this.alphabet = Collections.unmodifiableSortedSet(new TreeSet<>(alphabet));
        this.merges = List.copyOf(merges);
        this.steps = List.copyOf(steps);
        this.initialSegmentation = initialSegmentation;
        Map<SymbolPair, Integer> r = new HashMap<>();
        for (int k = 0; k < merges.size(); k++) {
            r.putIfAbsent(merges.get(k), k);
        }
        this.ranks = r;
    }

    /**
     * Returns the merges in the order they were learned (their ranks).
     *
     * @return an unmodifiable list
     */
    public List<SymbolPair> merges() {
        return merges;
    }

    /**
     * Returns the trace of training, one entry per merge.
     *
     * @return an unmodifiable list
     */
    public List<BpeStep> steps() {
        return steps;
    }

    /**
     * Returns the corpus words split into their initial symbols (characters, the last fused with the marker).
     *
     * @return an unmodifiable map word → symbols, in corpus order
     */
    public Map<String, List<String>> initialSegmentation() {
        return initialSegmentation;
    }

    /**
     * Returns the base symbols: every character of the corpus, and every word-final character fused with the marker
     * ({@code r} and {@code r</w>} are different symbols).
     *
     * @return an unmodifiable sorted set
     */
    public SortedSet<String> alphabet() {
        return alphabet;
    }

    /**
     * Returns the standard BPE vocabulary: the base symbols, which are never removed, plus one symbol per merge (the
     * article's "dictionary" of symbols in use is {@link BpeStep#symbolsInUse()}).
     *
     * @return an unmodifiable sorted set of size {@code alphabet().size() + merges().size()} (fewer if two merges
     *     spell the same symbol)
     */
    public SortedSet<String> vocabulary() {
        SortedSet<String> v = new TreeSet<>(alphabet);
        for (SymbolPair m : merges) {
            v.add(m.merged());
        }
        return Collections.unmodifiableSortedSet(v);
    }

    /**
     * Returns the end-of-word marker.
     *
     * @return the marker, {@code "</w>"} by default
     */
    public String endOfWord() {
        return endOfWord;
    }

    /**
     * Segments one word by applying the learned merges in rank order.
     *
     * @param word a word without whitespace
     * @return its symbols; the last one ends with the end-of-word marker
     * @throws IllegalArgumentException if the word is empty
     */
    public List<String> tokenizeWord(String word) {
        List<String> symbols = BpeTrainer.initialSymbols(word, endOfWord);
        while (symbols.size() > 1) {
            SymbolPair best = null;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = ranks.get(new SymbolPair(symbols.get(i), symbols.get(i + 1)));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = merges.get(r);
                }
            }
            if (best == null) {
                break;
            }
            symbols = BpeTrainer.applyMerge(symbols, best);
        }
        return symbols;
    }

    /**
     * Splits a text on whitespace ({@link WhitespaceTokenizer}) and segments each word.
     *
     * @param text the text
     * @return the symbols of all words in order
     */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String w : WhitespaceTokenizer.tokenize(text)) {
            out.addAll(tokenizeWord(w));
        }
        return out;
    }
}
