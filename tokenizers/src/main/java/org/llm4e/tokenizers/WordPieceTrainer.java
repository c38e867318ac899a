package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * WordPiece training: BPE whose merge is chosen by likelihood gain instead of pair count.
 *
 * <pre>
 *   1. corpus = word → count; split each word into characters, marking word boundaries
 *        BERT style (default):  hugs → h ##u ##g ##s          article style:  hugs → h u g s&lt;/w&gt;
 *   2. freq(x) = weighted occurrences of symbol x;  freq(ab) = weighted occurrences of the adjacent pair
 *   3. merge the pair with the largest  score = freq(ab) / (freq(a)·freq(b))   (BERT style: a + ##b → ab,
 *      ##a + ##b → ##ab); on a tie, the pair seen first scanning the words in corpus order, left to right
 *   4. repeat until the vocabulary (special tokens + alphabet + merged tokens) reaches its size, the number of
 *      merges is reached, or no pair is left
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（三）.md}, corpus {@code faster</w>: 8, higher</w>: 6, stronger</w>: 7}.
 * Errata (tested): {@code h} occurs 12 times (twice in "higher"), not 6, so {@code hi} scores 1/12 (printed 1/6),
 * {@code gh} 1/26 (printed 1/13) and {@code he} 1/42 (printed 1/21); the best first merge is then {@code ro} = 1/7,
 * tied with {@code on} and chosen because it is seen first, not the printed {@code hi}. Merges 2–4 are {@code ron}
 * (1/7), {@code fa} (1/8), {@code hi} (1/12). The tie rule is not in the article; first-seen is the one {@link
 * BpeTrainer} uses. Scores are compared as exact fractions ({@link WordPieceScore}).
 *
 * <p>This is the score of the WordPiece paper and of the article. Hugging Face's {@code WordPieceTrainer} is a BPE
 * trainer (pair count) with the {@code ##} prefix, and Google never published BERT's trainer; the vocabularies
 * therefore differ from theirs, while the encoding ({@link WordPiece}) is the same. Immutable and thread-safe.
 */
public final class WordPieceTrainer {
    /** The special tokens a BERT vocabulary starts with, in BERT's order of use. */
    public static final List<String> BERT_SPECIAL_TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private final int vocabSize;
    private final int numMerges;
    private final String endOfWord;
    private final List<String> specialTokens;
    private final boolean lowercase;

    private WordPieceTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.numMerges = b.numMerges;
        this.endOfWord = b.endOfWord;
        this.specialTokens = List.copyOf(b.specialTokens);
        this.lowercase = b.lowercase;
    }

    /**
     * Starts a builder: BERT style ({@code ##}), vocabulary size 1000, no merge limit, BERT's special tokens,
     * lower-casing on for text input.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on a text: normalized and split into words as {@link WordPiece} does ({@link BertNormalizer}, {@link
     * BertPreTokenizer}), counted in the order of their first occurrence.
     *
     * @param text the corpus
     * @return the trained vocabulary and its trace
     * @throws IllegalArgumentException if the text has no word
     */
    public Result train(String text) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String w : BertPreTokenizer.split(BertNormalizer.normalize(text, lowercase))) {
            counts.merge(w, 1, Integer::sum);
        }
        return train(counts);
    }

    /**
     * Trains on word counts. The map's iteration order is the corpus order, which breaks ties.
     *
     * @param wordCounts word → count (positive), in corpus order
     * @return the trained vocabulary and its trace
     * @throws IllegalArgumentException if the corpus is empty, a word is empty or a count is not positive, or the
     *     special tokens and the alphabet alone exceed the vocabulary size
     */
    public Result train(Map<String, Integer> wordCounts) {
        if (wordCounts == null || wordCounts.isEmpty()) {
            throw new IllegalArgumentException(
                    "wordCounts must hold at least one word, got " + (wordCounts == null ? "null" : "an empty corpus"));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, List<String>> segmentation = new LinkedHashMap<>();
        Set<String> alphabet = new TreeSet<>();
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            String word = e.getKey();
            Integer c = e.getValue();
            if (c == null || c <= 0) {
                throw new IllegalArgumentException("wordCounts[" + SpecialTokens.quote(String.valueOf(word))
                        + "] must be a positive count, got " + c);
            }
            List<String> symbols = initialSymbols(word);
            counts.put(word, c);
            segmentation.put(word, symbols);
            alphabet.addAll(symbols);
        }
        Set<String> vocabulary = new LinkedHashSet<>(specialTokens);
        vocabulary.addAll(alphabet);
        if (vocabSize > 0 && vocabulary.size() > vocabSize) {
            throw new IllegalArgumentException("vocabSize must be at least the " + specialTokens.size()
                    + " special tokens + the " + alphabet.size() + " symbols of the alphabet = " + vocabulary.size()
                    + ", got " + vocabSize);
        }
        Map<String, List<String>> initial = freeze(segmentation);
        List<Step> steps = new ArrayList<>();
        while (steps.size() < numMerges && (vocabSize == 0 || vocabulary.size() < vocabSize)) {
            Map<SymbolPair, WordPieceScore> scores = scores(segmentation, counts);
            if (scores.isEmpty()) {
                break;
            }
            SymbolPair best = null;
            WordPieceScore bestScore = null;
            for (Map.Entry<SymbolPair, WordPieceScore> e : scores.entrySet()) {
                if (bestScore == null || e.getValue().compareTo(bestScore) > 0) { // strict: first-seen wins ties
                    best = e.getKey();
                    bestScore = e.getValue();
                }
            }
            String token = merged(best);
            for (Map.Entry<String, List<String>> e : segmentation.entrySet()) {
                e.setValue(applyMerge(e.getValue(), best, token));
            }
            vocabulary.add(token);
            steps.add(new Step(steps.size() + 1, best, token, bestScore));
        }
        return new Result(List.copyOf(vocabulary), List.copyOf(steps), initial, freeze(segmentation), endOfWord);
    }

    /**
     * Scores every adjacent pair of a segmentation, in first-seen order (words in corpus order, left to right).
     *
     * @param segmentation word → current symbols
     * @param counts word → count
     * @return pair → score, insertion-ordered
     */
    public static Map<SymbolPair, WordPieceScore> scores(
            Map<String, List<String>> segmentation, Map<String, Integer> counts) {
        Map<String, Long> symbolCounts = symbolCounts(segmentation, counts);
        Map<SymbolPair, Long> pairCounts = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : segmentation.entrySet()) {
            List<String> s = e.getValue();
            long c = counts.get(e.getKey());
            for (int i = 0; i + 1 < s.size(); i++) {
                pairCounts.merge(new SymbolPair(s.get(i), s.get(i + 1)), c, Long::sum);
            }
        }
        Map<SymbolPair, WordPieceScore> scores = new LinkedHashMap<>();
        pairCounts.forEach((p, n) ->
                scores.put(p, new WordPieceScore(n, symbolCounts.get(p.left()), symbolCounts.get(p.right()))));
        return scores;
    }

    /**
     * Counts every symbol of a segmentation, weighted by word counts: the {@code freq(x)} of the score.
     *
     * @param segmentation word → current symbols
     * @param counts word → count
     * @return symbol → weighted count, in first-seen order
     */
    public static Map<String, Long> symbolCounts(Map<String, List<String>> segmentation, Map<String, Integer> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : segmentation.entrySet()) {
            long c = counts.get(e.getKey());
            for (String s : e.getValue()) {
                out.merge(s, c, Long::sum);
            }
        }
        return out;
    }

    private List<String> initialSymbols(String word) {
        if (word == null || word.isEmpty()) {
            throw new IllegalArgumentException(
                    "word must be a non-empty string, got " + (word == null ? null : "\"\""));
        }
        if (endOfWord != null) {
            return BpeTrainer.initialSymbols(word, endOfWord);
        }
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < word.length(); ) {
            int n = Character.charCount(word.codePointAt(i));
            String c = word.substring(i, i + n);
            symbols.add(i == 0 ? c : WordPiece.CONTINUATION + c);
            i += n;
        }
        return symbols;
    }

    private String merged(SymbolPair pair) {
        if (endOfWord == null && pair.right().startsWith(WordPiece.CONTINUATION)) {
            return pair.left() + pair.right().substring(WordPiece.CONTINUATION.length());
        }
        return pair.merged();
    }

    private static List<String> applyMerge(List<String> symbols, SymbolPair pair, String token) {
        List<String> out = new ArrayList<>(symbols.size());
        int i = 0;
        while (i < symbols.size()) {
            if (i + 1 < symbols.size()
                    && symbols.get(i).equals(pair.left())
                    && symbols.get(i + 1).equals(pair.right())) {
                out.add(token);
                i += 2;
            } else {
                out.add(symbols.get(i++));
            }
        }
        return out;
    }

    private static Map<String, List<String>> freeze(Map<String, List<String>> segmentation) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        segmentation.forEach((w, s) -> copy.put(w, List.copyOf(s)));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * One merge of WordPiece training.
     *
     * @param number the 1-based merge number
     * @param merge the pair merged
     * @param token the symbol the merge produced ({@code ro}; BERT style {@code ##ro} from {@code ##r ##o})
     * @param score its score, the largest of the step
     */
    public record Step(int number, SymbolPair merge, String token, WordPieceScore score) {}

    /**
     * The outcome of WordPiece training.
     *
     * @param vocabulary special tokens, then the alphabet (sorted), then the merged tokens in merge order; the
     *     position is the id
     * @param steps the merges, in order
     * @param initialSegmentation every word's initial symbols, in corpus order
     * @param segmentation every word's symbols after the last merge, in corpus order
     * @param endOfWord the article-style end-of-word marker, or null for BERT style ({@code ##})
     */
    public record Result(
            List<String> vocabulary,
            List<Step> steps,
            Map<String, List<String>> initialSegmentation,
            Map<String, List<String>> segmentation,
            String endOfWord) {
        /**
         * Returns the merged pairs in order.
         *
         * @return the merges
         */
        public List<SymbolPair> merges() {
            List<SymbolPair> out = new ArrayList<>(steps.size());
            steps.forEach(s -> out.add(s.merge()));
            return out;
        }

        /**
         * Builds the BERT tokenizer of this vocabulary.
         *
         * @param lowercase uncased (strip accents and lower-case) or cased
         * @return the tokenizer
         * @throws IllegalStateException if the vocabulary was trained in article style (end-of-word marker),
         *     which {@link WordPiece}'s {@code ##} encoding cannot use
         */
        public WordPiece tokenizer(boolean lowercase) {
            if (endOfWord != null) {
                throw new IllegalStateException("a vocabulary trained with the end-of-word marker "
                        + SpecialTokens.quote(endOfWord) + " cannot drive BERT's ## encoding; train in BERT style");
            }
            return WordPiece.of(vocabulary, lowercase);
        }
    }

    /** Configures a {@link WordPieceTrainer}. Not thread-safe. */
    public static final class Builder {
        private int vocabSize = 1000;
        private int numMerges = Integer.MAX_VALUE;
        private String endOfWord;
        private List<String> specialTokens = BERT_SPECIAL_TOKENS;
        private boolean lowercase = true;

        private Builder() {}

        /**
         * Sets the vocabulary size at which training stops: special tokens + alphabet + merged tokens.
         *
         * @param vocabSize at least 1, or 0 for no limit
         * @return this builder
         */
        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /**
         * Sets the largest number of merges.
         *
         * @param numMerges at least 0
         * @return this builder
         */
        public Builder numMerges(int numMerges) {
            this.numMerges = numMerges;
            return this;
        }

        /**
         * Switches to the article's style: an end-of-word marker fused onto each word's last character instead of
         * BERT's {@code ##} on the others.
         *
         * @param endOfWord a non-empty marker such as {@code </w>}, or null for BERT style
         * @return this builder
         */
        public Builder endOfWord(String endOfWord) {
            this.endOfWord = endOfWord;
            return this;
        }

        /**
         * Sets the special tokens that open the vocabulary.
         *
         * @param specialTokens distinct non-empty tokens (may be empty)
         * @return this builder
         */
        public Builder specialTokens(List<String> specialTokens) {
            this.specialTokens = specialTokens;
            return this;
        }

        /**
         * Sets whether {@link WordPieceTrainer#train(String)} strips accents and lower-cases the text.
         *
         * @param lowercase true for an uncased vocabulary
         * @return this builder
         */
        public Builder lowercase(boolean lowercase) {
            this.lowercase = lowercase;
            return this;
        }

        /**
         * Validates the configuration and builds the trainer.
         *
         * @return the trainer
         * @throws IllegalArgumentException if a value is out of range
         */
        public WordPieceTrainer build() {
            if (vocabSize < 0) {
                throw new IllegalArgumentException("vocabSize must be >= 0 (0 = no limit), got " + vocabSize);
            }
            if (numMerges < 0) {
                throw new IllegalArgumentException("numMerges must be >= 0, got " + numMerges);
            }
            if (endOfWord != null && endOfWord.isEmpty()) {
                throw new IllegalArgumentException("endOfWord must be a non-empty marker or null, got \"\"");
            }
            if (specialTokens == null) {
                throw new IllegalArgumentException("specialTokens must be a list (may be empty), got null");
            }
            Set<String> seen = new LinkedHashSet<>();
            for (String t : specialTokens) {
                if (t == null || t.isEmpty() || !seen.add(t)) {
                    throw new IllegalArgumentException(
                            "specialTokens must be distinct non-empty tokens, got " + specialTokens);
                }
            }
            return new WordPieceTrainer(this);
        }
    }
}
