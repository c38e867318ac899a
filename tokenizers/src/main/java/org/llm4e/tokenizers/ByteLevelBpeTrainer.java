package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.tokenizers.internal.RegexSplitter;
import org.llm4e.tokenizers.internal.Splitter;
import org.llm4e.tokenizers.internal.Utf8;

/**
 * Trains a byte-level BPE tokenizer as Karpathy's minbpe does ({@code RegexTokenizer.train}, or {@code
 * BasicTokenizer.train} when the split pattern is {@code null}), producing a {@link ByteLevelBpe}.
 *
 * <pre>
 *   chunks ← split(text)  (regex pre-split; merges never cross a chunk)     ids 0..255 = the bytes
 *   repeat vocabSize − 256 times (or until no pair is left):
 *       count every adjacent pair (a, b) in every chunk
 *       (a, b) ← the most frequent pair; on a tie, the pair whose first occurrence comes first
 *       x ← next id (256, 257, …);  replace (a, b) by x everywhere, left to right
 * </pre>
 *
 * <p>Articles: {@code 搞懂大模型的分词器（二）.md} (BPE: merge the most frequent pair, repeat until the vocabulary size
 * is reached) and {@code 搞懂大模型的分词器（六）.md} (BBPE: the same on bytes). The articles leave the tie-break
 * open; this trainer fixes minbpe's (Python's {@code max} over an insertion-ordered dict of the recount), so its
 * merges equal minbpe's exactly (golden file {@code bpe_train.json}). Special tokens do not take part in training:
 * their text in the corpus is ordinary text, as in minbpe, and they receive the ids given.
 *
 * <p>{@link #train(String)} is the incremental algorithm ({@code IncrementalBpeTraining}: deduplicated chunks,
 * per-pair occurrence lists, a lazy priority queue keyed by (count, first position)); {@link
 * #trainReference(String)} is minbpe's loop transcribed, O(merges × text), kept as the readable reference. Both
 * give identical merges (a property test checks it). The trainer is immutable and thread-safe.
 */
public final class ByteLevelBpeTrainer {
    /** Receives each merge as it is learned (for progress bars and for inspecting counts). */
    @FunctionalInterface
    public interface MergeListener {
        /**
         * Called once per merge, in rank order.
         *
         * @param merge the merge just learned
         * @param count how often its pair occurred when it was chosen
         */
        void onMerge(Merge merge, int count);
    }

    private final int vocabSize;
    private final String splitPattern;
    private final Splitter splitter;
    private final Map<String, Integer> specialTokens;

    private ByteLevelBpeTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.splitPattern = b.splitPattern;
        this.splitter = splitPattern == null ? Splitter.wholeText() : new RegexSplitter(splitPattern);
        this.specialTokens = b.specialTokens;
    }

    /**
     * Starts a builder: vocabulary size 512 (256 bytes + 256 merges), {@link SplitPatterns#GPT4}, no special tokens.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on a text with the incremental algorithm.
     *
     * @param text the training text
     * @return the tokenizer; fewer than {@code vocabSize - 256} merges if the text runs out of pairs
     */
    public ByteLevelBpe train(String text) {
        return train(text, null);
    }

    /**
     * Trains on a text with the incremental algorithm, reporting each merge.
     *
     * @param text the training text
     * @param listener receives each merge, or {@code null}
     * @return the tokenizer
     */
    public ByteLevelBpe train(String text, MergeListener listener) {
        Map<String, Integer> index = new HashMap<>();
        List<int[]> unique = new ArrayList<>();
        int[][] weights = {new int[64]};
        splitter.split(text, 0, text.length(), (s, e) -> {
            String chunk = text.substring(s, e);
            Integer u = index.get(chunk);
            if (u == null) {
                u = unique.size();
                index.put(chunk, u);
                unique.add(bytes(text, s, e));
                if (u == weights[0].length) {
                    weights[0] = java.util.Arrays.copyOf(weights[0], u * 2);
                }
            }
            weights[0][u]++;
        });
        List<Merge> merges = IncrementalBpeTraining.train(unique, weights[0], vocabSize - 256, listener);
        return ByteLevelBpe.of(splitPattern, merges, specialTokens);
    }

    /**
     * Trains on a text with minbpe's plain loop (recount everything after every merge). Slow; for tests, teaching
     * and checking {@link #train(String)}.
     *
     * @param text the training text
     * @return the tokenizer
     */
    public ByteLevelBpe trainReference(String text) {
        return trainReference(text, null);
    }

    /**
     * Trains on a text with minbpe's plain loop, reporting each merge.
     *
     * @param text the training text
     * @param listener receives each merge, or {@code null}
     * @return the tokenizer
     */
    public ByteLevelBpe trainReference(String text, MergeListener listener) {
        List<int[]> chunks = new ArrayList<>();
        splitter.split(text, 0, text.length(), (s, e) -> chunks.add(bytes(text, s, e)));
        List<Merge> merges = ReferenceBpeTraining.train(chunks, vocabSize - 256, listener);
        return ByteLevelBpe.of(splitPattern, merges, specialTokens);
    }

    private static int[] bytes(String text, int s, int e) {
        int[] buf = new int[Utf8.maxBytes(e - s)];
        int n = Utf8.encode(text, s, e, buf);
        return java.util.Arrays.copyOf(buf, n);
    }

    /**
     * Returns the target vocabulary size (bytes + merges, without special tokens).
     *
     * @return the vocabulary size
     */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Returns the split pattern.
     *
     * @return the regex, or {@code null} for raw bytes
     */
    public String splitPattern() {
        return splitPattern;
    }

    /**
     * Returns the special tokens the trained tokenizers will have.
     *
     * @return an unmodifiable map text → id
     */
    public Map<String, Integer> specialTokens() {
        return specialTokens;
    }

    /** Configures a {@link ByteLevelBpeTrainer}. Not thread-safe. */
    public static final class Builder {
        private int vocabSize = 512;
        private String splitPattern = SplitPatterns.GPT4;
        private Map<String, Integer> specialTokens = Map.of();

        private Builder() {}

        /**
         * Sets the vocabulary size: 256 byte tokens plus {@code vocabSize - 256} merges (special tokens come on top,
         * as in minbpe).
         *
         * @param vocabSize at least 256
         * @return this builder
         */
        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /**
         * Sets the pre-split pattern ({@link SplitPatterns#GPT4}, {@link SplitPatterns#GPT2} or any regex).
         *
         * @param splitPattern the regex, or {@code null} to train on the raw bytes of the whole text (minbpe's
         *     {@code BasicTokenizer})
         * @return this builder
         */
        public Builder splitPattern(String splitPattern) {
            this.splitPattern = splitPattern;
            return this;
        }

        /**
         * Sets the special tokens.
         *
         * @param specialTokens text → id; ids at least {@code vocabSize} and distinct, texts non-empty without line
         *     breaks
         * @return this builder
         */
        public Builder specialTokens(Map<String, Integer> specialTokens) {
            this.specialTokens = specialTokens;
            return this;
        }

        /**
         * Validates the configuration and builds the trainer.
         *
         * @return the trainer
         * @throws IllegalArgumentException if {@code vocabSize < 256}, the pattern does not compile, or a special
         *     token is invalid (id below {@code vocabSize}, duplicate id, empty text, line break)
         */
        public ByteLevelBpeTrainer build() {
            if (vocabSize < 256) {
                throw new IllegalArgumentException(
                        "vocabSize must be >= 256 (the 256 byte tokens come first), got " + vocabSize);
            }
            ByteLevelBpe.validatePattern(splitPattern);
            specialTokens = SpecialTokens.validate(specialTokens, vocabSize);
            return new ByteLevelBpeTrainer(this);
        }
    }
}
