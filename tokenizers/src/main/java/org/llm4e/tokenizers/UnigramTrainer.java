package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unigram LM training as SentencePiece does it: start from a large vocabulary, re-estimate the probabilities by EM,
 * prune the pieces whose removal costs the least likelihood, repeat.
 *
 * <pre>
 *   seed      every character (score = count) + the most frequent substrings of up to maxPieceLength code points
 *             seen at least twice (score = count · length), top seedSize;  ln P = ln score − ln Σ scores
 *   E-step    c(x) = Σ_words count · E[#x in a segmentation | word]           (forward-backward on the lattice)
 *   M-step    ln P(x) = ψ(c(x)) − ψ(Σ c)   (ψ = digamma, SentencePiece's Bayesian form; or ln c(x)/Σc)
 *             pieces with c(x) &lt; 0.5 are dropped, single characters never
 *   prune     for each piece x with Viterbi count f(x) and its second-best segmentation alt(x) of itself:
 *               Δ(x) = F(x) · (ln f(x)/Σf − Σ_{y∈alt(x)} ln (f(y)+f(x)) / (Σf + f(x)(|alt(x)|−1)))
 *             (F = share of words whose best path uses x); keep the characters and the pieces with the largest
 *             Δ, max(1.1·vocabSize, shrinkingFactor · size) of them
 *   repeat    E/M numSubIterations times, then prune, until size ≤ 1.1 · vocabSize; finally keep the characters
 *             and the highest-scoring pieces up to vocabSize
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（四）.md} (catalog A6, W-UNI). The article computes the loss increase of
 * removing each piece exactly, by re-segmenting the corpus without it and without renormalizing ({@link
 * #lossIncrease}); training uses SentencePiece's cheaper estimate above ({@code unigram_model_trainer.cc}:
 * {@code PruneSentencePieces}, defaults shrinking 0.75, 2 sub-iterations, max piece length 16, seed size 10⁶).
 * Departures: character coverage is 1 (every character of the corpus stays), and words come from splitting at
 * spaces (each space becomes {@code ▁} and starts the following word), with no other normalization. The vocabulary
 * opens with {@code <unk>} and, with byte fallback, the 256 byte pieces, then the pieces by descending score. The
 * size is at most {@code vocabSize}: a corpus too small to support that many pieces gives fewer (SentencePiece's
 * {@code hard_vocab_limit = false}).
 * Immutable and thread-safe.
 */
public final class UnigramTrainer {
    private static final double EXPECTED_FREQUENCY_THRESHOLD = 0.5;

    private final int vocabSize;
    private final int maxPieceLength;
    private final int seedSize;
    private final double shrinkingFactor;
    private final int numSubIterations;
    private final boolean byteFallback;
    private final boolean digamma;

    private UnigramTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.maxPieceLength = b.maxPieceLength;
        this.seedSize = b.seedSize;
        this.shrinkingFactor = b.shrinkingFactor;
        this.numSubIterations = b.numSubIterations;
        this.byteFallback = b.byteFallback;
        this.digamma = b.digamma;
    }

    /**
     * Starts a builder with SentencePiece's defaults (vocabulary 8000, pieces up to 16 code points, seed 10⁶,
     * shrinking 0.75, 2 EM sub-iterations, digamma M-step, no byte fallback).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on a text: each space becomes {@code ▁} and starts a new word; words are counted.
     *
     * @param text the corpus
     * @return the model
     * @throws IllegalArgumentException if the text is empty or the vocabulary is smaller than the alphabet
     */
    public Unigram train(String text) {
        return train(words(text));
    }

    /**
     * Splits a text into SentencePiece-style words: spaces become {@code ▁}, and each {@code ▁} starts a word.
     *
     * @param text the text
     * @return word → count, in the order of first occurrence
     */
    public static Map<String, Integer> words(String text) {
        String escaped = text.replace(' ', Unigram.SPACE);
        Map<String, Integer> counts = new LinkedHashMap<>();
        int start = 0;
        for (int i = 1; i <= escaped.length(); i++) {
            if (i == escaped.length() || escaped.charAt(i) == Unigram.SPACE) {
                if (i > start) {
                    counts.merge(escaped.substring(start, i), 1, Integer::sum);
                }
                start = i;
            }
        }
        return counts;
    }

    /**
     * Trains on word counts.
     *
     * @param wordCounts word → count (positive)
     * @return the model
     * @throws IllegalArgumentException if the corpus is empty, a word is empty, a count is not positive, or the
     *     vocabulary size is smaller than the special pieces plus the alphabet
     */
    public Unigram train(Map<String, Integer> wordCounts) {
        validate(wordCounts);
        Map<String, Long> chars = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            String w = e.getKey();
            for (int i = 0; i < w.length(); ) {
                int n = Character.charCount(w.codePointAt(i));
                chars.merge(w.substring(i, i + n), (long) e.getValue(), Long::sum);
                i += n;
            }
        }
        int meta = 1 + (byteFallback ? 256 : 0);
        if (vocabSize < meta + chars.size()) {
            throw new IllegalArgumentException("vocabSize must be at least the " + meta + " special pieces + the "
                    + chars.size() + " characters of the corpus = " + (meta + chars.size()) + ", got " + vocabSize);
        }
        int target = vocabSize - meta;
        Set<String> required = chars.keySet();
        Pieces current = seed(wordCounts, chars);
        int desired = (int) Math.min(Integer.MAX_VALUE, Math.round(target * 1.1));
        while (true) {
            for (int it = 0; it < numSubIterations; it++) {
                current = emStep(current, wordCounts, required, digamma, true).next();
            }
            if (current.size() <= desired) {
                break;
            }
            Pieces pruned =
                    prune(current, wordCounts, required, Math.max(desired, (int) (shrinkingFactor * current.size())));
            if (pruned.size() == current.size()) {
                break; // nothing left to prune (every piece is a character or has no alternative)
            }
            current = pruned;
        }
        return finish(current, required, target);
    }

    /** Pieces with scores, in order. */
    record Pieces(List<String> pieces, double[] scores) {
        int size() {
            return pieces.size();
        }

        Unigram model() {
            return Unigram.of(pieces, scores);
        }
    }

    /** One EM iteration's outcome: the re-estimated pieces and the log-likelihood of the corpus before it. */
    record EmResult(Pieces next, double logLikelihood) {}

    private Pieces seed(Map<String, Integer> words, Map<String, Long> chars) {
        Map<String, Long> substrings = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : words.entrySet()) {
            String w = e.getKey();
            int[] off = offsets(w);
            int n = off.length - 1;
            for (int s = 0; s < n; s++) {
                for (int len = 2; len <= maxPieceLength && s + len <= n; len++) {
                    substrings.merge(w.substring(off[s], off[s + len]), (long) e.getValue(), Long::sum);
                }
            }
        }
        List<Map.Entry<String, Long>> ranked = new ArrayList<>();
        for (Map.Entry<String, Long> e : substrings.entrySet()) {
            if (e.getValue() > 1) { // a substring seen once is no seed (SentencePiece)
                long len = e.getKey().codePointCount(0, e.getKey().length());
                ranked.add(Map.entry(e.getKey(), e.getValue() * len));
            }
        }
        ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed()); // stable: first-seen among equals
        List<String> pieces = new ArrayList<>(chars.keySet());
        List<Double> raw = new ArrayList<>();
        chars.values().forEach(c -> raw.add((double) c));
        for (int i = 0; i < Math.min(seedSize, ranked.size()); i++) {
            pieces.add(ranked.get(i).getKey());
            raw.add((double) ranked.get(i).getValue());
        }
        double total = 0;
        for (double r : raw) {
            total += r;
        }
        double[] scores = new double[raw.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Math.log(raw.get(i)) - Math.log(total);
        }
        return new Pieces(pieces, scores);
    }

    /**
     * One EM iteration on a fixed corpus.
     *
     * @param pieces the current pieces
     * @param words the corpus
     * @param required pieces never dropped (the characters)
     * @param digamma the Bayesian M-step (SentencePiece) instead of maximum likelihood
     * @param dropRare drop non-required pieces whose expected count is below 0.5
     * @return the next pieces and the corpus log-likelihood Σ count · ln Z(word) under {@code pieces}
     */
    static EmResult emStep(
            Pieces pieces, Map<String, Integer> words, Set<String> required, boolean digamma, boolean dropRare) {
        Unigram model = pieces.model();
        double[] expected = new double[pieces.size()];
        double logLikelihood = 0;
        for (Map.Entry<String, Integer> e : words.entrySet()) {
            logLikelihood += e.getValue() * model.accumulateExpected(e.getKey(), e.getValue(), expected);
        }
        List<String> kept = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            String p = pieces.pieces().get(i);
            boolean isRequired = required.contains(p);
            if (dropRare && !isRequired && expected[i] < EXPECTED_FREQUENCY_THRESHOLD) {
                continue;
            }
            // a character that EM starves still needs a finite score: it is the fallback for its code point
            double c = isRequired && digamma ? Math.max(expected[i], EXPECTED_FREQUENCY_THRESHOLD) : expected[i];
            kept.add(p);
            counts.add(c);
            sum += c;
        }
        double[] scores = new double[kept.size()];
        double logSum = digamma ? digamma(sum) : Math.log(sum);
        for (int i = 0; i < scores.length; i++) {
            double c = counts.get(i);
            scores[i] = c <= 0 ? Double.NEGATIVE_INFINITY : (digamma ? digamma(c) : Math.log(c)) - logSum;
        }
        return new EmResult(new Pieces(kept, scores), logLikelihood);
    }

    /** SentencePiece's pruning to {@code size} pieces (see the class comment). */
    static Pieces prune(Pieces pieces, Map<String, Integer> words, Set<String> required, int size) {
        Unigram model = pieces.model();
        int n = pieces.size();
        boolean[] remove = new boolean[n];
        int[][] alternatives = new int[n][];
        for (int i = 0; i < n; i++) {
            String p = pieces.pieces().get(i);
            if (required.contains(p)) {
                continue;
            }
            List<Unigram.Segmentation> nb = model.nBest(p, 2);
            if (nb.size() < 2) {
                continue; // no alternative: keep
            }
            if (nb.get(0).ids().length >= 2) {
                remove[i] = true; // not even its own best segmentation: never used
            } else {
                alternatives[i] = nb.get(1).ids();
            }
        }
        double[] freq = new double[n];
        List<List<Integer>> inverted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inverted.add(new ArrayList<>());
        }
        List<Integer> wordCounts = new ArrayList<>(words.values());
        int w = 0;
        double wordSum = 0;
        for (Map.Entry<String, Integer> e : words.entrySet()) {
            for (int id : model.viterbi(e.getKey()).ids()) {
                freq[id] += e.getValue();
                inverted.get(id).add(w);
            }
            wordSum += e.getValue();
            w++;
        }
        double sum = Arrays.stream(freq).sum();
        double logSum = Math.log(sum);
        List<Integer> keep = new ArrayList<>();
        List<double[]> candidates = new ArrayList<>(); // {id, loss}
        for (int i = 0; i < n; i++) {
            String p = pieces.pieces().get(i);
            if (required.contains(p)) {
                keep.add(i);
            } else if (remove[i] || freq[i] == 0) {
                continue;
            } else if (alternatives[i] == null) {
                keep.add(i);
            } else {
                double f = 0;
                for (int word : new HashSet<>(inverted.get(i))) {
                    f += wordCounts.get(word);
                }
                f /= wordSum;
                double logProbPiece = Math.log(freq[i]) - logSum;
                double logSumAlt = Math.log(sum + freq[i] * (alternatives[i].length - 1));
                double logProbAlt = 0;
                for (int a : alternatives[i]) {
                    logProbAlt += Math.log(freq[a] + freq[i]) - logSumAlt;
                }
                candidates.add(new double[] {i, f * (logProbPiece - logProbAlt)});
            }
        }
        candidates.sort(Comparator.comparingDouble((double[] c) -> c[1]).reversed());
        for (double[] c : candidates) {
            if (keep.size() >= size) {
                break;
            }
            keep.add((int) c[0]);
        }
        keep.sort(null);
        List<String> ps = new ArrayList<>(keep.size());
        double[] scores = new double[keep.size()];
        for (int k = 0; k < keep.size(); k++) {
            ps.add(pieces.pieces().get(keep.get(k)));
            scores[k] = pieces.scores()[keep.get(k)];
        }
        return new Pieces(ps, scores);
    }

    private Unigram finish(Pieces current, Set<String> required, int target) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            order.add(i);
        }
        double[] s = current.scores();
        order.sort((a, b) -> Double.compare(s[b], s[a]));
        List<Integer> chosen = new ArrayList<>();
        int optional = target - required.size();
        for (int i : order) {
            if (required.contains(current.pieces().get(i))) {
                chosen.add(i);
            } else if (optional > 0) {
                chosen.add(i);
                optional--;
            }
        }
        chosen.sort((a, b) -> Double.compare(s[b], s[a]));
        List<String> pieces = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        pieces.add(Unigram.UNK);
        scores.add(0.0);
        if (byteFallback) {
            for (int b = 0; b < 256; b++) {
                pieces.add(Unigram.bytePiece(b));
                scores.add(0.0);
            }
        }
        for (int i : chosen) {
            pieces.add(current.pieces().get(i));
            scores.add(s[i]);
        }
        return Unigram.of(
                pieces, scores.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Counts every substring of every word, weighted by the word's count: the article's initial vocabulary. With
     * {@code strict}, the vocabulary holds only the strict substrings (a piece must be a proper part of some word:
     * {@code hug} is, inside {@code hugs}; {@code pug} is not), while the counts still include every occurrence,
     * whole words too ({@code hug}: 10 + 5 = 15). That gives the article's 15 pieces with total 210.
     *
     * @param wordCounts word → count (positive), in corpus order
     * @param strict keep only substrings that are a proper part of some word
     * @return substring → weighted count, in first-seen order (words in corpus order; by length, then position)
     * @throws IllegalArgumentException if the corpus is empty, a word is empty or a count is not positive
     */
    public static Map<String, Long> substringCounts(Map<String, Integer> wordCounts, boolean strict) {
        validate(wordCounts);
        Map<String, Long> all = new LinkedHashMap<>();
        Set<String> proper = new HashSet<>();
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            String w = e.getKey();
            int[] off = offsets(w);
            int n = off.length - 1;
            for (int len = 1; len <= n; len++) {
                for (int s = 0; s + len <= n; s++) {
                    String sub = w.substring(off[s], off[s + len]);
                    all.merge(sub, (long) e.getValue(), Long::sum);
                    if (len < n) {
                        proper.add(sub);
                    }
                }
            }
        }
        if (strict) {
            all.keySet().retainAll(proper);
        }
        return all;
    }

    /**
     * The article's corpus loss: Σ_words count · (−ln P(best segmentation)).
     *
     * @param model the model
     * @param wordCounts word → count
     * @return the loss in nats
     */
    public static double loss(Unigram model, Map<String, Integer> wordCounts) {
        double loss = 0;
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            loss -= e.getValue() * model.viterbi(e.getKey()).logProb();
        }
        return loss;
    }

    /**
     * The article's removal score, computed exactly: the loss without the piece (other probabilities unchanged)
     * minus the loss with it.
     *
     * @param model the model
     * @param wordCounts word → count
     * @param piece the piece to remove
     * @return the loss increase in nats (23.51 for {@code hug} in the article)
     * @throws IllegalArgumentException if the piece is not in the model
     */
    public static double lossIncrease(Unigram model, Map<String, Integer> wordCounts, String piece) {
        return loss(model.without(piece), wordCounts) - loss(model, wordCounts);
    }

    /** ψ(x) for x &gt; 0: recurrence up to 6, then the asymptotic series. */
    static double digamma(double x) {
        double r = 0;
        while (x < 6) {
            r -= 1 / x;
            x += 1;
        }
        double f = 1 / (x * x);
        return r
                + Math.log(x)
                - 0.5 / x
                - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    }

    private static void validate(Map<String, Integer> wordCounts) {
        if (wordCounts == null || wordCounts.isEmpty()) {
            throw new IllegalArgumentException(
                    "wordCounts must hold at least one word, got " + (wordCounts == null ? "null" : "an empty corpus"));
        }
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException(
                        "wordCounts keys must be non-empty words, got " + (e.getKey() == null ? "null" : "\"\""));
            }
            if (e.getValue() == null || e.getValue() <= 0) {
                throw new IllegalArgumentException("wordCounts[" + SpecialTokens.quote(e.getKey())
                        + "] must be a positive count, got " + e.getValue());
            }
        }
    }

    private static int[] offsets(String w) {
        int[] off = new int[w.length() + 1];
        int k = 0;
        for (int i = 0; i < w.length(); ) {
            off[k++] = i;
            i += Character.charCount(w.codePointAt(i));
        }
        off[k++] = w.length();
        return Arrays.copyOf(off, k);
    }

    /** Configures a {@link UnigramTrainer}. Not thread-safe. */
    public static final class Builder {
        private int vocabSize = 8000;
        private int maxPieceLength = 16;
        private int seedSize = 1_000_000;
        private double shrinkingFactor = 0.75;
        private int numSubIterations = 2;
        private boolean byteFallback;
        private boolean digamma = true;

        private Builder() {}

        /**
         * Sets the final vocabulary size, special pieces included.
         *
         * @param vocabSize at least the special pieces plus the corpus's characters
         * @return this builder
         */
        public Builder vocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /**
         * Sets the longest piece, in code points.
         *
         * @param maxPieceLength at least 1
         * @return this builder
         */
        public Builder maxPieceLength(int maxPieceLength) {
            this.maxPieceLength = maxPieceLength;
            return this;
        }

        /**
         * Sets how many substrings seed the vocabulary besides the characters.
         *
         * @param seedSize at least 0
         * @return this builder
         */
        public Builder seedSize(int seedSize) {
            this.seedSize = seedSize;
            return this;
        }

        /**
         * Sets the share of pieces each pruning round keeps.
         *
         * @param shrinkingFactor in (0, 1)
         * @return this builder
         */
        public Builder shrinkingFactor(double shrinkingFactor) {
            this.shrinkingFactor = shrinkingFactor;
            return this;
        }

        /**
         * Sets the EM iterations between two pruning rounds.
         *
         * @param numSubIterations at least 1
         * @return this builder
         */
        public Builder numSubIterations(int numSubIterations) {
            this.numSubIterations = numSubIterations;
            return this;
        }

        /**
         * Adds the 256 byte pieces so that any text encodes without {@code <unk>}.
         *
         * @param byteFallback true to add them
         * @return this builder
         */
        public Builder byteFallback(boolean byteFallback) {
            this.byteFallback = byteFallback;
            return this;
        }

        /**
         * Chooses the M-step: SentencePiece's ψ(c) − ψ(Σc) (true) or maximum likelihood ln(c / Σc) (false).
         *
         * @param digamma true for the digamma form
         * @return this builder
         */
        public Builder digamma(boolean digamma) {
            this.digamma = digamma;
            return this;
        }

        /**
         * Validates the configuration and builds the trainer.
         *
         * @return the trainer
         * @throws IllegalArgumentException if a value is out of range
         */
        public UnigramTrainer build() {
            if (vocabSize < 2) {
                throw new IllegalArgumentException("vocabSize must be >= 2, got " + vocabSize);
            }
            if (maxPieceLength < 1) {
                throw new IllegalArgumentException("maxPieceLength must be >= 1, got " + maxPieceLength);
            }
            if (seedSize < 0) {
                throw new IllegalArgumentException("seedSize must be >= 0, got " + seedSize);
            }
            if (!(shrinkingFactor > 0 && shrinkingFactor < 1)) {
                throw new IllegalArgumentException("shrinkingFactor must be in (0, 1), got " + shrinkingFactor);
            }
            if (numSubIterations < 1) {
                throw new IllegalArgumentException("numSubIterations must be >= 1, got " + numSubIterations);
            }
            return new UnigramTrainer(this);
        }
    }
}
