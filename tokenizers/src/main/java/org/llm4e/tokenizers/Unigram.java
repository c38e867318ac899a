package org.llm4e.tokenizers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.llm4e.tokenizers.internal.CodePointTrie;
import org.llm4e.tokenizers.internal.IntList;

/**
 * The Unigram language-model tokenizer: every piece has a probability, a text is segmented into the pieces whose
 * product of probabilities is largest (Viterbi over the lattice of all pieces that match).
 *
 * <pre>
 *   P(x₁ … x_k) = Π P(xᵢ)                                       (pieces independent)
 *   best[0] = 0,   best[e] = max over s &lt; e with w[s:e] ∈ V of  best[s] + ln P(w[s:e])
 *   segmentation = the back-pointers from the end;  loss = Σ_words count · (−ln P(best segmentation))
 *   sampling (subword regularisation):  P(x) ∝ P(x)^α, drawn by forward filtering, backward sampling
 * </pre>
 *
 * <p>Article: {@code 搞懂大模型的分词器（四）.md} (corpus hug/pug/pun/bun/hugs, catalog A6 and W-UNI). The article
 * enumerates segmentations and only names Viterbi; this class runs Viterbi ({@link #enumerate(String)} keeps the
 * enumeration for checking). Ties: the article says "choose the first", and its printed choices ({@code pu g},
 * {@code hug s}, after removing hug {@code hu g}, {@code hu gs}) are what {@link TieBreak#LATEST_START} gives, the
 * later split point winning. SentencePiece and Hugging Face replace a node's best only on a strictly larger score,
 * which is {@link TieBreak#EARLIEST_START} ({@code p ug}, {@code h ugs}), the default. Scores and loss are the same
 * either way.
 *
 * <p>{@link #encode(String)} treats the text as SentencePiece does after normalization: each space becomes
 * {@code ▁} (U+2581) and the whole text is one lattice; there is no other normalization and no dummy prefix (that
 * is {@code SentencePiece}'s job). A code point that no piece covers becomes the {@code <unk>} piece (score = lowest
 * score − 10, as SentencePiece), or, when the vocabulary holds all 256 byte pieces {@code <0x00>}…{@code <0xFF>}
 * (byte fallback), its UTF-8 bytes: then {@link #decodeBytes(int[])} and {@link #decode(int[])} invert {@link
 * #encode(String)} for every text without U+2581 (a U+2581 in the input decodes to a space, as in SentencePiece).
 *
 * <p>Two shapes of Viterbi. {@code viterbiByLookup} (package-private, the readable reference) is the
 * formula above: for each end e and each start s, one hash-map look-up of the substring w[s:e]. {@link
 * #viterbi(String)} and {@link #encode(String)} build the same lattice from the starts instead: a trie of the pieces
 * ({@code internal.CodePointTrie}) walked once from each start s yields every piece beginning there, and each one
 * relaxes best[s + length]. For a fixed end the candidates still arrive in increasing s, and best[s] is final when s
 * is reached (every edge into s starts before it), so the updates, the ties and the floating-point sums are the same;
 * property tests check identical ids and scores on random vocabularies and texts. No substring is made; {@link
 * #encode(String)} also skips the piece strings of the result.
 *
 * <p>Immutable and thread-safe.
 */
public final class Unigram implements Tokenizer {
    /** The unknown piece. */
    public static final String UNK = "<unk>";
    /** The piece that stands for a space. */
    public static final char SPACE = '\u2581';
    /** What {@link #decode(int[])} writes for {@link #UNK}, as SentencePiece does. */
    public static final String UNK_SURFACE = " \u2047 ";
    /** The penalty of an unknown code point below the lowest piece score (SentencePiece's {@code kUnkPenalty}). */
    public static final double UNK_PENALTY = 10.0;

    /** How Viterbi chooses between segmentations of exactly equal score. */
    public enum TieBreak {
        /** The last piece starts as early as possible: SentencePiece and Hugging Face ({@code p ug}). */
        EARLIEST_START,
        /** The last piece starts as late as possible: the article's printed choices ({@code pu g}). */
        LATEST_START
    }

    private final String[] pieces;
    private final double[] scores;
    private final Map<String, Integer> textIds;
    private final Map<String, Integer> allIds;
    private final int unkId;
    private final int[] byteIds;
    private final int maxPieceChars;
    private final double unkScore;
    private final TieBreak tieBreak;
    private final CodePointTrie trie;

    private Unigram(String[] pieces, double[] scores, TieBreak tieBreak) {
        this.pieces = pieces;
        this.scores = scores;
        this.tieBreak = tieBreak;
        this.textIds = new HashMap<>(pieces.length * 2);
        this.allIds = new HashMap<>(pieces.length * 2);
        int unk = -1;
        int[] bytes = new int[256];
        Arrays.fill(bytes, -1);
        int byteCount = 0;
        int longest = 1;
        double min = 0;
        for (int i = 0; i < pieces.length; i++) {
            String p = pieces[i];
            allIds.putIfAbsent(p, i);
            int b = byteValue(p);
            if (p.equals(UNK)) {
                unk = i;
            } else if (b >= 0) {
                if (bytes[b] < 0) {
                    bytes[b] = i;
                    byteCount++;
                }
            } else if (!textIds.containsKey(p)) {
                textIds.put(p, i);
                longest = Math.max(longest, p.codePointCount(0, p.length()));
            }
            if (Double.isFinite(scores[i])) {
                min = Math.min(min, scores[i]);
            }
        }
        this.unkId = unk;
        this.byteIds = byteCount == 256 ? bytes : null;
        this.maxPieceChars = longest;
        this.unkScore = min - UNK_PENALTY;
        List<String> keys = new ArrayList<>(textIds.keySet());
        int[] values = new int[keys.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = textIds.get(keys.get(i));
        }
        this.trie = CodePointTrie.ofStrings(keys, values);
    }

    /**
     * Builds a model from pieces and their scores (log probabilities). A piece {@code <unk>} is the unknown piece;
     * pieces {@code <0xNN>} are byte pieces, and all 256 of them switch byte fallback on; neither kind matches text.
     *
     * @param pieces the pieces in id order, distinct and non-empty
     * @param scores ln P of each piece ({@code -Infinity} disables a piece)
     * @return the model, breaking ties as SentencePiece
     * @throws IllegalArgumentException if the lengths differ, a piece is empty or repeated, or a score is NaN or
     *     positive infinity
     */
    public static Unigram of(List<String> pieces, double[] scores) {
        if (pieces == null || scores == null || pieces.size() != scores.length || pieces.isEmpty()) {
            throw new IllegalArgumentException("pieces and scores must be non-empty and of equal length, got "
                    + (pieces == null ? "null" : pieces.size()) + " pieces and "
                    + (scores == null ? "null" : scores.length) + " scores");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < scores.length; i++) {
            String p = pieces.get(i);
            if (p == null || p.isEmpty()) {
                throw new IllegalArgumentException(
                        "pieces[" + i + "] must be a non-empty string, got " + (p == null ? "null" : "\"\""));
            }
            Integer previous = seen.put(p, i);
            if (previous != null) {
                throw new IllegalArgumentException(
                        "pieces must be distinct, got " + SpecialTokens.quote(p) + " at " + previous + " and " + i);
            }
            if (Double.isNaN(scores[i]) || scores[i] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(
                        "scores[" + i + "] must be a log probability or -Infinity, got " + scores[i]);
            }
        }
        return new Unigram(pieces.toArray(new String[0]), scores.clone(), TieBreak.EARLIEST_START);
    }

    /**
     * Builds a model whose probabilities are relative frequencies: P(x) = count(x) / Σ counts, the article's
     * initial model (total 210).
     *
     * @param counts piece → count (positive), in id order
     * @return the model
     * @throws IllegalArgumentException if the map is empty or a count is not positive
     */
    public static Unigram ofCounts(Map<String, ? extends Number> counts) {
        if (counts == null || counts.isEmpty()) {
            throw new IllegalArgumentException(
                    "counts must hold at least one piece, got " + (counts == null ? "null" : "an empty map"));
        }
        double total = 0;
        for (Map.Entry<String, ? extends Number> e : counts.entrySet()) {
            double c = e.getValue() == null ? Double.NaN : e.getValue().doubleValue();
            if (!(c > 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException(
                        "counts[" + SpecialTokens.quote(String.valueOf(e.getKey())) + "] must be > 0, got " + c);
            }
            total += c;
        }
        List<String> pieces = new ArrayList<>(counts.keySet());
        double[] scores = new double[pieces.size()];
        int i = 0;
        for (Number n : counts.values()) {
            scores[i++] = Math.log(n.doubleValue() / total);
        }
        return of(pieces, scores);
    }

    /**
     * Returns this model with another tie rule.
     *
     * @param rule the rule
     * @return a model sharing this one's pieces
     */
    public Unigram withTieBreak(TieBreak rule) {
        if (rule == null) {
            throw new IllegalArgumentException("rule must be a TieBreak, got null");
        }
        return rule == tieBreak ? this : new Unigram(pieces, scores, rule);
    }

    /**
     * Returns this model without one piece and with the other probabilities unchanged (not renormalized): the model
     * in which the article measures the loss increase of removing a piece.
     *
     * @param piece the piece to remove
     * @return the smaller model
     * @throws IllegalArgumentException if the piece is not in the vocabulary
     */
    public Unigram without(String piece) {
        int id = id(piece);
        if (id < 0) {
            throw new IllegalArgumentException("piece " + SpecialTokens.quote(piece) + " must be in the vocabulary");
        }
        String[] p = new String[pieces.length - 1];
        double[] s = new double[pieces.length - 1];
        for (int i = 0, j = 0; i < pieces.length; i++) {
            if (i != id) {
                p[j] = pieces[i];
                s[j++] = scores[i];
            }
        }
        return new Unigram(p, s, tieBreak);
    }

    /**
     * A segmentation of a text into pieces.
     *
     * @param pieces the pieces, in order (unknown code points as {@code <unk>}, or their byte pieces)
     * @param ids their ids
     * @param logProb the sum of their scores, ln P(segmentation)
     */
    public record Segmentation(List<String> pieces, int[] ids, double logProb) {
        /**
         * Returns the probability of the segmentation, the article's "score".
         *
         * @return exp(logProb)
         */
        public double probability() {
            return Math.exp(logProb);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Segmentation s
                    && pieces.equals(s.pieces)
                    && Arrays.equals(ids, s.ids)
                    && Double.compare(logProb, s.logProb) == 0;
        }

        @Override
        public int hashCode() {
            return pieces.hashCode() * 31 + Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return pieces + " " + logProb;
        }
    }

    @Override
    public int[] encode(String text) {
        int[] cps = codePoints(text, true);
        int n = cps.length;
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] via = new int[n + 1];
        lattice(text, cps, best, from, via);
        int edges = 0;
        for (int e = n; e > 0; e = from[e]) {
            edges++;
        }
        int[] starts = new int[edges];
        int[] pieceIds = new int[edges];
        for (int e = n, k = edges; e > 0; e = from[e]) {
            starts[--k] = from[e];
            pieceIds[k] = via[e];
        }
        IntList out = new IntList(edges + 4);
        for (int k = 0; k < edges; k++) {
            if (pieceIds[k] != UNKNOWN) {
                out.add(pieceIds[k]);
            } else if (byteIds != null) {
                for (byte b : unknownBytes(cps[starts[k]])) {
                    out.add(byteIds[b & 0xFF]);
                }
            } else {
                out.add(unkId);
            }
        }
        return out.toArray();
    }

    /** The ids of the reference {@code viterbiByLookup}: the readable path {@code encode} must match. */
    int[] encodeByLookup(String text) {
        return viterbiByLookup(text.replace(' ', SPACE)).ids();
    }

    /**
     * Segments a text as it is (no space escaping) with the best (Viterbi) segmentation.
     *
     * @param text the text, e.g. a word
     * @return the most probable segmentation; ties as {@link #tieBreak()}
     * @throws IllegalArgumentException if a code point is not covered and there is neither {@code <unk>} nor byte
     *     fallback
     */
    public Segmentation viterbi(String text) {
        int[] cps = codePoints(text, false);
        int n = cps.length;
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] via = new int[n + 1];
        lattice(text, cps, best, from, via);
        int[] off = codePointOffsets(text);
        List<int[]> path = new ArrayList<>();
        for (int e = n; e > 0; e = from[e]) {
            path.add(new int[] {from[e], e, via[e]});
        }
        Collections.reverse(path);
        return build(text, off, path, best[n]);
    }

    /**
     * Viterbi from the starts: for each start s in order, every piece that begins there (one trie walk) relaxes
     * best[s + length]; an uncovered code point gets the unknown edge [s, s + 1). Fills {@code best}, {@code from},
     * {@code via} (length n + 1) exactly as {@code viterbiByLookup} does.
     */
    private void lattice(String text, int[] cps, double[] best, int[] from, int[] via) {
        int n = cps.length;
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        best[0] = 0;
        boolean later = tieBreak == TieBreak.LATEST_START;
        int room = Math.max(1, trie.maxKeyLength());
        int[] lengths = new int[room];
        int[] ids = new int[room];
        for (int s = 0; s < n; s++) {
            int matches = trie.prefixes(cps, s, n, lengths, ids);
            double here = best[s];
            if (matches == 0 || lengths[0] != 1) {
                if (unkId < 0 && byteIds == null) {
                    int at = text.offsetByCodePoints(0, s);
                    throw new IllegalArgumentException("text has "
                            + SpecialTokens.quote(new String(Character.toChars(cps[s])))
                            + " at char " + at + ", which no piece covers, and the vocabulary has neither " + UNK
                            + " nor byte fallback");
                }
                relax(best, from, via, s, s + 1, here + unkScore, UNKNOWN, later);
            }
            for (int k = 0; k < matches; k++) {
                relax(best, from, via, s, s + lengths[k], here + scores[ids[k]], ids[k], later);
            }
        }
    }

    private static void relax(double[] best, int[] from, int[] via, int s, int e, double cand, int id, boolean later) {
        if (cand > best[e] || (later && cand == best[e] && cand != Double.NEGATIVE_INFINITY)) {
            best[e] = cand;
            from[e] = s;
            via[e] = id;
        }
    }

    /** The code points of a text, each space as {@link #SPACE} if asked. */
    private static int[] codePoints(String text, boolean escapeSpaces) {
        int[] cps = new int[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            cps[n++] = escapeSpaces && cp == ' ' ? SPACE : cp;
        }
        return n == cps.length ? cps : Arrays.copyOf(cps, n);
    }

    /** The bytes byte fallback writes for an uncovered code point (a lone surrogate as '?', as String does). */
    private static byte[] unknownBytes(int cp) {
        return new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The readable Viterbi of the formula, the reference of {@link #viterbi(String)}: for each end, every start
     * within the longest piece, one hash-map look-up of the substring each.
     *
     * @param text the text, as it is
     * @return the most probable segmentation; ties as {@link #tieBreak()}
     */
    Segmentation viterbiByLookup(String text) {
        int[] off = codePointOffsets(text);
        int n = off.length - 1;
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] via = new int[n + 1];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        best[0] = 0;
        boolean later = tieBreak == TieBreak.LATEST_START;
        for (int e = 1; e <= n; e++) {
            for (int s = Math.max(0, e - maxPieceChars); s < e; s++) {
                int id = pieceAt(text, off, s, e);
                if (id == NONE) {
                    continue;
                }
                double cand = best[s] + score(id);
                if (cand > best[e] || (later && cand == best[e] && cand != Double.NEGATIVE_INFINITY)) {
                    best[e] = cand;
                    from[e] = s;
                    via[e] = id;
                }
            }
        }
        List<int[]> path = new ArrayList<>();
        for (int e = n; e > 0; e = from[e]) {
            path.add(new int[] {from[e], e, via[e]});
        }
        Collections.reverse(path);
        return build(text, off, path, best[n]);
    }

    /**
     * Returns the {@code n} most probable segmentations, best first (the n-best list of SentencePiece's {@code
     * NBestEncode}); equal scores are ordered by {@link #tieBreak()}.
     *
     * @param text the text, as it is
     * @param n how many, at least 1
     * @return up to {@code n} distinct segmentations
     * @throws IllegalArgumentException if {@code n < 1} or a code point is not covered
     */
    public List<Segmentation> nBest(String text, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        int[] off = codePointOffsets(text);
        int len = off.length - 1;
        // kBest[e] = up to n partial paths ending at e: {score bits, start, rank at start, piece id}
        List<List<double[]>> kBest = new ArrayList<>(len + 1);
        List<double[]> origin = new ArrayList<>();
        origin.add(new double[] {0, -1, -1, -1});
        kBest.add(origin);
        boolean later = tieBreak == TieBreak.LATEST_START;
        for (int e = 1; e <= len; e++) {
            List<double[]> cands = new ArrayList<>();
            int lo = Math.max(0, e - maxPieceChars);
            for (int k = 0; k < e - lo; k++) {
                int s = later ? e - 1 - k : lo + k;
                int id = pieceAt(text, off, s, e);
                if (id == NONE) {
                    continue;
                }
                List<double[]> prev = kBest.get(s);
                for (int r = 0; r < prev.size(); r++) {
                    cands.add(new double[] {prev.get(r)[0] + score(id), s, r, id});
                }
            }
            // stable: among equal scores the enumeration order (the tie rule) decides
            cands.sort((a, b) -> Double.compare(b[0], a[0]));
            kBest.add(new ArrayList<>(cands.subList(0, Math.min(n, cands.size()))));
        }
        List<Segmentation> out = new ArrayList<>();
        for (double[] end : kBest.get(len)) {
            if (end[0] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            List<int[]> path = new ArrayList<>();
            double[] node = end;
            int e = len;
            while (e > 0) {
                int s = (int) node[1];
                path.add(new int[] {s, e, (int) node[3]});
                node = kBest.get(s).get((int) node[2]);
                e = s;
            }
            Collections.reverse(path);
            out.add(build(text, off, path, end[0]));
        }
        return out;
    }

    /**
     * Draws a segmentation with probability P(x)^α / Σ P(x')^α over all segmentations x of the text (subword
     * regularisation, SentencePiece's {@code SampleEncode} with {@code nbest_size = -1}): forward filtering of the
     * lattice in log space, then sampling the pieces backwards from the end.
     *
     * @param text the text, as it is
     * @param alpha the smoothing exponent α ≥ 0 (0 = uniform over segmentations, large = close to Viterbi)
     * @param random the source of randomness
     * @return the sampled segmentation (its {@code logProb} is the unsmoothed ln P)
     * @throws IllegalArgumentException if alpha is negative or not finite, or a code point is not covered
     */
    public Segmentation sample(String text, double alpha, RandomGenerator random) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
        }
        int[] off = codePointOffsets(text);
        int n = off.length - 1;
        double[] fwd = new double[n + 1];
        Arrays.fill(fwd, Double.NEGATIVE_INFINITY);
        fwd[0] = 0;
        for (int e = 1; e <= n; e++) {
            double acc = Double.NEGATIVE_INFINITY;
            for (int s = Math.max(0, e - maxPieceChars); s < e; s++) {
                int id = pieceAt(text, off, s, e);
                if (id != NONE && score(id) != Double.NEGATIVE_INFINITY) {
                    acc = logAdd(acc, fwd[s] + alpha * score(id));
                }
            }
            fwd[e] = acc;
        }
        List<int[]> path = new ArrayList<>();
        double logProb = 0;
        for (int e = n; e > 0; ) {
            double u = random.nextDouble();
            double cumulative = 0;
            int chosenS = -1;
            int chosenId = -1;
            for (int s = Math.max(0, e - maxPieceChars); s < e; s++) {
                int id = pieceAt(text, off, s, e);
                if (id == NONE || score(id) == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                chosenS = s;
                chosenId = id;
                cumulative += Math.exp(fwd[s] + alpha * score(id) - fwd[e]);
                if (u < cumulative) {
                    break;
                }
            }
            path.add(new int[] {chosenS, e, chosenId});
            logProb += score(chosenId);
            e = chosenS;
        }
        Collections.reverse(path);
        return build(text, off, path, logProb);
    }

    /**
     * Lists every segmentation of a text into vocabulary pieces (no unknown pieces), most probable first, ties in
     * the order of enumeration (left to right, shorter first piece first). Exponential: 2^(n−1) for a word of n code
     * points when every substring is a piece; for checking and teaching, on short words.
     *
     * @param text the text, at most 20 code points
     * @return all segmentations
     * @throws IllegalArgumentException if the text is longer than 20 code points
     */
    public List<Segmentation> enumerate(String text) {
        int[] off = codePointOffsets(text);
        if (off.length - 1 > 20) {
            throw new IllegalArgumentException(
                    "text must be at most 20 code points for enumeration, got " + (off.length - 1));
        }
        List<Segmentation> out = new ArrayList<>();
        enumerate(text, off, 0, new ArrayList<>(), out);
        List<Segmentation> sorted = new ArrayList<>(out);
        sorted.sort((a, b) -> Double.compare(b.logProb(), a.logProb()));
        return sorted;
    }

    private void enumerate(String text, int[] off, int s, List<int[]> path, List<Segmentation> out) {
        int n = off.length - 1;
        if (s == n) {
            double lp = 0;
            for (int[] p : path) {
                lp += score(p[2]);
            }
            out.add(build(text, off, path, lp));
            return;
        }
        for (int e = s + 1; e <= n; e++) {
            Integer id = textIds.get(text.substring(off[s], off[e]));
            if (id != null) {
                path.add(new int[] {s, e, id});
                enumerate(text, off, e, path, out);
                path.remove(path.size() - 1);
            }
        }
    }

    /**
     * The E-step of EM on one text: adds {@code weight · P(piece at that place | text)} for every lattice edge to
     * {@code expected} (forward-backward in log space) and returns ln Z = ln Σ_segmentations P(segmentation).
     */
    double accumulateExpected(String text, double weight, double[] expected) {
        int[] off = codePointOffsets(text);
        int n = off.length - 1;
        double[] fwd = new double[n + 1];
        double[] bwd = new double[n + 1];
        Arrays.fill(fwd, Double.NEGATIVE_INFINITY);
        Arrays.fill(bwd, Double.NEGATIVE_INFINITY);
        fwd[0] = 0;
        for (int e = 1; e <= n; e++) {
            for (int s = Math.max(0, e - maxPieceChars); s < e; s++) {
                int id = pieceAt(text, off, s, e);
                if (id != NONE) {
                    fwd[e] = logAdd(fwd[e], fwd[s] + score(id));
                }
            }
        }
        bwd[n] = 0;
        for (int s = n - 1; s >= 0; s--) {
            for (int e = s + 1; e <= Math.min(n, s + maxPieceChars); e++) {
                int id = pieceAt(text, off, s, e);
                if (id != NONE) {
                    bwd[s] = logAdd(bwd[s], score(id) + bwd[e]);
                }
            }
        }
        double z = fwd[n];
        for (int s = 0; s < n; s++) {
            for (int e = s + 1; e <= Math.min(n, s + maxPieceChars); e++) {
                int id = pieceAt(text, off, s, e);
                if (id >= 0 && scores[id] != Double.NEGATIVE_INFINITY) {
                    expected[id] += weight * Math.exp(fwd[s] + scores[id] + bwd[e] - z);
                }
            }
        }
        return z;
    }

    private static final int NONE = Integer.MIN_VALUE;
    private static final int UNKNOWN = -1;

    /** The piece id for code points [s, e), {@link #UNKNOWN} for an uncovered single code point, else NONE. */
    private int pieceAt(String text, int[] off, int s, int e) {
        Integer id = textIds.get(text.substring(off[s], off[e]));
        if (id != null) {
            return id;
        }
        if (e == s + 1) {
            if (unkId < 0 && byteIds == null) {
                throw new IllegalArgumentException("text has " + SpecialTokens.quote(text.substring(off[s], off[e]))
                        + " at char " + off[s] + ", which no piece covers, and the vocabulary has neither " + UNK
                        + " nor byte fallback");
            }
            return UNKNOWN;
        }
        return NONE;
    }

    private double score(int id) {
        return id == UNKNOWN ? unkScore : scores[id];
    }

    private Segmentation build(String text, int[] off, List<int[]> path, double logProb) {
        List<String> ps = new ArrayList<>(path.size());
        List<Integer> ids = new ArrayList<>(path.size());
        for (int[] p : path) {
            if (p[2] != UNKNOWN) {
                ps.add(pieces[p[2]]);
                ids.add(p[2]);
            } else if (byteIds != null) {
                for (byte b : text.substring(off[p[0]], off[p[1]]).getBytes(StandardCharsets.UTF_8)) {
                    int id = byteIds[b & 0xFF];
                    ps.add(pieces[id]);
                    ids.add(id);
                }
            } else {
                ps.add(pieces[unkId]);
                ids.add(unkId);
            }
        }
        int[] idArray = new int[ids.size()];
        for (int i = 0; i < idArray.length; i++) {
            idArray[i] = ids.get(i);
        }
        return new Segmentation(Collections.unmodifiableList(ps), idArray, logProb);
    }

    private static int[] codePointOffsets(String text) {
        int[] off = new int[text.length() + 1];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            off[k++] = i;
            i += Character.charCount(text.codePointAt(i));
        }
        off[k++] = text.length();
        return Arrays.copyOf(off, k);
    }

    static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double m = Math.max(a, b);
        return m + Math.log1p(Math.exp(Math.min(a, b) - m));
    }

    /** {@code <0xNN>} → NN, anything else → -1. */
    static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 || Character.isLowerCase(piece.charAt(3)) || Character.isLowerCase(piece.charAt(4))
                ? -1
                : hi * 16 + lo;
    }

    /**
     * The name of a byte piece, as SentencePiece writes it.
     *
     * @param b the byte, 0–255
     * @return {@code <0xNN>} with two upper-case hex digits
     */
    public static String bytePiece(int b) {
        return String.format("<0x%02X>", b);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int id : ids) {
            String p = piece(id);
            int b = byteValue(p);
            if (b >= 0) {
                pending.write(b);
                continue;
            }
            if (pending.size() > 0) {
                out.append(new String(pending.toByteArray(), StandardCharsets.UTF_8));
                pending.reset();
            }
            out.append(id == unkId ? UNK_SURFACE : p);
        }
        if (pending.size() > 0) {
            out.append(new String(pending.toByteArray(), StandardCharsets.UTF_8));
        }
        return out.toString().replace(SPACE, ' ');
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            String p = piece(id);
            int b = byteValue(p);
            if (b >= 0) {
                out.write(b);
            } else {
                byte[] bytes = (id == unkId ? UNK_SURFACE : p.replace(SPACE, ' ')).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toByteArray();
    }

    /**
     * Returns the piece of an id.
     *
     * @param id the id
     * @return the piece
     * @throws IllegalArgumentException if the id is not in [0, vocabSize)
     */
    public String piece(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("id must be in [0, " + pieces.length + "), got " + id);
        }
        return pieces[id];
    }

    /**
     * Returns the id of a piece.
     *
     * @param piece the piece
     * @return its id, or -1
     */
    public int id(String piece) {
        Integer id = allIds.get(piece);
        return id == null ? -1 : id;
    }

    /**
     * Returns the score (ln P) of a piece.
     *
     * @param id the id
     * @return its score
     * @throws IllegalArgumentException if the id is not in [0, vocabSize)
     */
    public double scoreOf(int id) {
        piece(id);
        return scores[id];
    }

    /**
     * Returns the pieces in id order.
     *
     * @return an unmodifiable copy
     */
    public List<String> pieces() {
        return List.of(pieces);
    }

    /**
     * Returns the scores (ln P) in id order.
     *
     * @return a copy
     */
    public double[] scores() {
        return scores.clone();
    }

    /**
     * Returns the tie rule of Viterbi and the n-best list.
     *
     * @return the rule
     */
    public TieBreak tieBreak() {
        return tieBreak;
    }

    /**
     * Tells whether uncovered code points become byte pieces.
     *
     * @return true if all 256 byte pieces are in the vocabulary
     */
    public boolean byteFallback() {
        return byteIds != null;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }
}
