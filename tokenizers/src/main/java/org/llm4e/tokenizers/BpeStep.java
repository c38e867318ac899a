package org.llm4e.tokenizers;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * One iteration of classic BPE training, everything the article prints for a step.
 *
 * @param number the 1-based step number (merge rank + 1)
 * @param pairCounts the count of every adjacent pair before the merge, weighted by word counts, in the order of
 *     first occurrence (words in corpus order, left to right) — the order that breaks ties
 * @param merge the pair merged in this step (the most frequent; the first-seen among equals)
 * @param count how often {@code merge} occurred
 * @param segmentation every corpus word's symbols after the merge, in corpus order
 * @param symbolsInUse the symbols that still occur in the segmented corpus after the merge: the article's
 *     "dictionary", from which fully absorbed constituents have disappeared
 */
public record BpeStep(
        int number,
        Map<SymbolPair, Integer> pairCounts,
        SymbolPair merge,
        int count,
        Map<String, List<String>> segmentation,
        SortedSet<String> symbolsInUse) {
    /**
     * Returns the sum of {@link #pairCounts()}: the number of adjacent symbol pairs in the corpus.
     *
     * @return Σ counts (119 at step 1 of the article's example, which prints 115)
     */
    public int pairCountSum() {
        return pairCounts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
