package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A SentencePiece model ({@code .model} file) read in pure Java: normalization, BPE or Unigram segmentation, byte
 * fallback and decoding, giving the ids that sentencepiece's {@code spm_encode --output_format=id} gives.
 *
 * <p>Article: A7 SentencePiece (TOK-5, TOK-ALL §5). The article lists the properties — trained from raw sentences
 * without pre-tokenization, language-independent (a sentence is a sequence of Unicode characters), BPE and Unigram,
 * self-contained model file, ids directly from raw text, NFKC-based normalization — and does not cover (its [X]
 * items) the {@code ▁} whitespace marker, byte fallback and the special pieces; this class implements them as
 * sentencepiece ≥ 0.1.97 does ({@code normalizer.cc}, {@code bpe_model.cc}, {@code unigram_model.cc}
 * {@code EncodeOptimized}, {@code sentencepiece_processor.cc}), cross-checked against {@code spm_encode} 0.1.97 and
 * DJL's bundled native sentencepiece.
 *
 * <h2>The pipeline</h2>
 *
 * <pre>
 * 1. normalize   text → UTF-8 bytes: rules of the precompiled character map (longest match, {@link PrecompiledCharsMap})
 *                remove_extra_whitespaces: drop leading/trailing spaces, collapse runs to one
 *                add_dummy_prefix: "Hello world" → " Hello world"; escape_whitespaces: ' ' → '▁' (U+2581)
 *                user-defined pieces are copied untouched
 * 2. segment     BPE:     start from characters (user-defined pieces whole and frozen); repeatedly merge the
 *                         adjacent pair whose concatenation is the vocabulary piece with the highest score
 *                         (leftmost on ties) — sentencepiece's BPE uses the piece scores, not a merge list;
 *                         UNUSED pieces are split back into the two pieces they were merged from
 *                Unigram: Viterbi over all vocabulary pieces: maximize Σ score(piece); a character no piece
 *                         covers is &lt;unk&gt; with score min(score) − 10; user-defined pieces score
 *                         length·max(score) − 0.1 so they always win
 * 3. ids         an &lt;unk&gt; segment becomes its UTF-8 bytes as &lt;0xXX&gt; pieces when byte_fallback is on,
 *                otherwise consecutive &lt;unk&gt; segments collapse into one &lt;unk&gt; id
 * </pre>
 *
 * Decoding concatenates the pieces, turns {@code ▁} back into spaces, drops the dummy prefix's space from the first
 * piece, writes control pieces as nothing, {@code <unk>} as {@code unk_surface} (default " ⁇ "), and byte pieces as
 * their bytes (a byte that does not form valid UTF-8 becomes U+FFFD, as sentencepiece).
 *
 * <p>The model file is a protobuf {@code ModelProto}, read with {@link ProtobufReader}: {@code pieces} (field 1:
 * piece, score, type), {@code trainer_spec} (field 2: model_type 3, treat_whitespace_as_suffix 24, byte_fallback
 * 35, unk_id 40, unk_surface 44; the training-only options such as split_digits are recorded by the vocabulary
 * itself) and {@code normalizer_spec} (field 3: name 1, precompiled_charsmap 2, add_dummy_prefix 3,
 * remove_extra_whitespaces 4, escape_whitespaces 5). Model types WORD and CHAR and the {@code denormalizer_spec}
 * are not supported (rejected, respectively ignored).
 *
 * <p>Java strings are encoded to UTF-8 first; a lone surrogate becomes {@code ?} (as {@link String#getBytes}).
 * Instances are immutable and thread-safe.
 */
public final class SentencePiece implements Tokenizer {
    /** The model types of {@code trainer_spec.model_type}. */
    public enum ModelType {
        /** Unigram language model (Kudo 2018), segmented by Viterbi. */
        UNIGRAM,
        /** Byte-pair encoding, applied by piece score. */
        BPE
    }

    /** The piece types of {@code ModelProto.SentencePiece.Type}, in proto order (NORMAL = 1). */
    public enum PieceType {
        /** An ordinary piece. */
        NORMAL,
        /** The unknown piece. */
        UNKNOWN,
        /** A control piece such as {@code <s>}: never produced from text, decoded as nothing. */
        CONTROL,
        /** A user-defined piece: always one token, never normalized. */
        USER_DEFINED,
        /** A piece kept in the vocabulary but not used for segmentation. */
        UNUSED,
        /** A byte piece {@code <0xXX>} of byte fallback. */
        BYTE
    }

    private static final byte[] SPACE_SYMBOL = "\u2581".getBytes(StandardCharsets.UTF_8);
    private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);
    /** sentencepiece's {@code kUnkPenalty}. */
    private static final float UNK_PENALTY = 10.0f;

    private final String[] pieces;
    private final byte[][] pieceBytes;
    private final float[] scores;
    private final PieceType[] types;
    private final ModelType modelType;
    private final boolean byteFallback;
    private final int unkId;
    private final boolean treatWhitespaceAsSuffix;
    private final String unkSurface;
    private final String normalizerName;
    private final PrecompiledCharsMap charsMap;
    private final boolean addDummyPrefix;
    private final boolean removeExtraWhitespaces;
    private final boolean escapeWhitespaces;

    /** NORMAL, USER_DEFINED and UNUSED pieces: the ones segmentation may produce (sentencepiece's pieces_). */
    private final PieceTrie normalPieces = new PieceTrie();
    /** UNKNOWN, CONTROL and BYTE pieces (sentencepiece's reserved_id_map_). */
    private final Map<String, Integer> reservedPieces = new HashMap<>();
    /** USER_DEFINED pieces, matched longest-first before anything else; null when there are none. */
    private final PieceTrie userDefined;

    private final int[] byteIds = new int[256];
    private final float minScore;
    private final float maxScore;

    private SentencePiece(ModelProto m) {
        int n = m.pieces.size();
        pieces = m.pieces.toArray(new String[0]);
        pieceBytes = new byte[n][];
        scores = new float[n];
        types = new PieceType[n];
        for (int i = 0; i < n; i++) {
            pieceBytes[i] = pieces[i].getBytes(StandardCharsets.UTF_8);
            scores[i] = m.scores.get(i);
            types[i] = m.types.get(i);
        }
        modelType = m.modelType;
        byteFallback = m.byteFallback;
        unkId = m.unkId;
        treatWhitespaceAsSuffix = m.treatWhitespaceAsSuffix;
        unkSurface = m.unkSurface;
        normalizerName = m.normalizerName;
        charsMap = m.charsMap;
        addDummyPrefix = m.addDummyPrefix;
        removeExtraWhitespaces = m.removeExtraWhitespaces;
        escapeWhitespaces = m.escapeWhitespaces;

        PieceTrie ud = null;
        float min = Float.MAX_VALUE;
        float max = Float.MIN_NORMAL; // C's FLT_MIN, as sentencepiece initializes max_score_
        Arrays.fill(byteIds, -1);
        for (int i = 0; i < n; i++) {
            switch (types[i]) {
                case NORMAL, UNUSED -> normalPieces.put(pieceBytes[i], i);
                case USER_DEFINED -> {
                    normalPieces.put(pieceBytes[i], i);
                    if (ud == null) {
                        ud = new PieceTrie();
                    }
                    ud.put(pieceBytes[i], i);
                }
                default -> reservedPieces.put(pieces[i], i);
            }
            if (types[i] == PieceType.BYTE) {
                byteIds[pieceToByte(pieces[i])] = i;
            }
            if (types[i] == PieceType.NORMAL) {
                min = Math.min(min, scores[i]);
                max = Math.max(max, scores[i]);
            }
        }
        userDefined = ud;
        minScore = min;
        maxScore = max;
    }

    /**
     * Loads a SentencePiece model file.
     *
     * @param modelFile the {@code .model} file (a serialized {@code ModelProto})
     * @return the tokenizer
     * @throws IOException if the file cannot be read
     * @throws ProtobufFormatException if the content is malformed (names the file, the field and the byte offset)
     */
    public static SentencePiece load(Path modelFile) throws IOException {
        byte[] bytes = Files.readAllBytes(modelFile);
        try {
            return new SentencePiece(ModelProto.parse(bytes));
        } catch (ProtobufFormatException e) {
            throw e.inFile(modelFile);
        }
    }

    /**
     * Reads a SentencePiece model from the bytes of a {@code .model} file.
     *
     * @param modelBytes the serialized {@code ModelProto}
     * @return the tokenizer
     * @throws ProtobufFormatException if the content is malformed (names the field and the byte offset)
     */
    public static SentencePiece fromBytes(byte[] modelBytes) throws ProtobufFormatException {
        return new SentencePiece(ModelProto.parse(modelBytes));
    }

    // ------------------------------------------------------------------------------------------------ normalization

    /** One step of the normalizer: the replacement of the input's prefix and how many input bytes it consumed. */
    private static final class Prefix {
        byte[] buf;
        int off;
        int len;
        int consumed;
    }

    /** sentencepiece's {@code Normalizer::NormalizePrefix}. */
    private void normalizePrefix(byte[] in, int pos, int end, Prefix p, PrecompiledCharsMap.ByteSink scratch) {
        if (userDefined != null) {
            int ud = longestUserDefined(in, pos, end);
            if (ud > 0) {
                p.buf = in;
                p.off = pos;
                p.len = ud;
                p.consumed = ud;
                return;
            }
        }
        if (charsMap != null) {
            scratch.size = 0;
            p.consumed = charsMap.normalizePrefix(in, pos, end, scratch);
            p.buf = scratch.buf;
            p.off = 0;
            p.len = scratch.size;
            return;
        }
        int len = PrecompiledCharsMap.Utf8.validCharLength(in, pos, end);
        if (len == 0) {
            p.buf = REPLACEMENT;
            p.off = 0;
            p.len = REPLACEMENT.length;
            p.consumed = 1;
        } else {
            p.buf = in;
            p.off = pos;
            p.len = len;
            p.consumed = len;
        }
    }

    /** Length of the longest user-defined piece that is a prefix of {@code in[pos, end)}, or 0. */
    private int longestUserDefined(byte[] in, int pos, int end) {
        int node = 0;
        int best = 0;
        for (int i = pos; i < end; i++) {
            node = userDefined.child(node, in[i] & 0xFF);
            if (node < 0) {
                break;
            }
            if (userDefined.value(node) >= 0) {
                best = i + 1 - pos;
            }
        }
        return best;
    }

    private void addWhitespace(PrecompiledCharsMap.ByteSink out) {
        if (escapeWhitespaces) {
            out.write(SPACE_SYMBOL, 0, SPACE_SYMBOL.length);
        } else {
            out.write(' ');
        }
    }

    /** sentencepiece's {@code Normalizer::Normalize}: the UTF-8 bytes the model segments. */
    byte[] normalizeToBytes(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        int pos = 0;
        int end = in.length;
        Prefix p = new Prefix();
        PrecompiledCharsMap.ByteSink scratch = new PrecompiledCharsMap.ByteSink(64);
        if (removeExtraWhitespaces) {
            // Leading whitespace is dropped after normalization (a rule may map a character to a space).
            while (pos < end) {
                normalizePrefix(in, pos, end, p, scratch);
                if (!(p.len == 1 && p.buf[p.off] == ' ')) {
                    break;
                }
                pos += p.consumed;
            }
        }
        if (pos == end) {
            return new byte[0];
        }
        PrecompiledCharsMap.ByteSink out = new PrecompiledCharsMap.ByteSink((end - pos) * 3 / 2 + 8);
        if (!treatWhitespaceAsSuffix && addDummyPrefix) {
            addWhitespace(out);
        }
        boolean prevSpace = removeExtraWhitespaces;
        while (pos < end) {
            normalizePrefix(in, pos, end, p, scratch);
            int s = p.off;
            int e = p.off + p.len;
            while (prevSpace && s < e && p.buf[s] == ' ') {
                s++;
            }
            if (s < e) {
                for (int i = s; i < e; i++) {
                    if (escapeWhitespaces && p.buf[i] == ' ') {
                        out.write(SPACE_SYMBOL, 0, SPACE_SYMBOL.length);
                    } else {
                        out.write(p.buf[i]);
                    }
                }
                prevSpace = p.buf[e - 1] == ' ';
            }
            pos += p.consumed;
            if (!removeExtraWhitespaces) {
                prevSpace = false;
            }
        }
        if (removeExtraWhitespaces) {
            byte[] space = escapeWhitespaces ? SPACE_SYMBOL : new byte[] {' '};
            while (endsWith(out, space)) {
                out.size -= space.length;
            }
        }
        if (treatWhitespaceAsSuffix && addDummyPrefix) {
            addWhitespace(out);
        }
        return Arrays.copyOf(out.buf, out.size);
    }

    private static boolean endsWith(PrecompiledCharsMap.ByteSink out, byte[] suffix) {
        if (out.size < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (out.buf[out.size - suffix.length + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Normalizes a text as the model's normalizer does, before segmentation: the character map, whitespace
     * clean-up, the dummy prefix and {@code ▁} for spaces.
     *
     * @param text the text
     * @return the normalized text
     */
    public String normalize(String text) {
        return new String(normalizeToBytes(text), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------ segmentation

    /** Segments of the normalized bytes: {@code starts[i], ends[i], ids[i]}. */
    private static final class Segments {
        int[] starts = new int[16];
        int[] ends = new int[16];
        int[] ids = new int[16];
        int size;

        void add(int start, int end, int id) {
            if (size == ids.length) {
                starts = Arrays.copyOf(starts, size * 2);
                ends = Arrays.copyOf(ends, size * 2);
                ids = Arrays.copyOf(ids, size * 2);
            }
            starts[size] = start;
            ends[size] = end;
            ids[size] = id;
            size++;
        }

        void reverse() {
            for (int i = 0, j = size - 1; i < j; i++, j--) {
                swap(starts, i, j);
                swap(ends, i, j);
                swap(ids, i, j);
            }
        }

        private static void swap(int[] a, int i, int j) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** sentencepiece's {@code PieceToId}: reserved pieces, then the vocabulary, else the unknown id. */
    private int pieceToId(byte[] s, int from, int to) {
        int id = normalPieces.get(s, from, to);
        if (id >= 0) {
            return id;
        }
        Integer r = reservedPieces.get(new String(s, from, to - from, StandardCharsets.UTF_8));
        return r != null ? r : unkId;
    }

    /** A candidate merge of two adjacent symbols (sentencepiece's {@code SymbolPair}). */
    private record SymbolPair(int left, int right, float score, int size) {}

    /** BPE by piece score: sentencepiece's {@code bpe::Model::SampleEncode} with dropout 0. */
    private Segments encodeBpe(byte[] s) {
        int n = s.length;
        int[] start = new int[n];
        int[] end = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] freeze = new boolean[n];
        int count = 0;
        for (int pos = 0; pos < n; ) {
            int len = userDefined != null ? longestUserDefined(s, pos, n) : 0;
            boolean frozen = len > 0;
            if (!frozen) {
                len = Math.min(PrecompiledCharsMap.Utf8.oneCharLen(s[pos]), n - pos);
            }
            start[count] = pos;
            end[count] = pos + len;
            freeze[count] = frozen;
            prev[count] = count - 1;
            pos += len;
            next[count] = pos < n ? count + 1 : -1;
            count++;
        }
        // Highest score first; on equal scores the leftmost pair.
        PriorityQueue<SymbolPair> agenda = new PriorityQueue<>((a, b) -> {
            int c = Float.compare(b.score, a.score);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        // Reverse merges for UNUSED pieces: piece (as ISO-8859-1 bytes) → length of its left part.
        Map<String, Integer> revMerge = new HashMap<>();
        for (int i = 1; i < count; i++) {
            maybeAddPair(s, i - 1, i, start, end, freeze, agenda, revMerge);
        }
        while (!agenda.isEmpty()) {
            SymbolPair top = agenda.poll();
            int l = top.left;
            int r = top.right;
            // Stale: one side was merged away or grew since this pair was queued.
            if (start[l] == end[l] || start[r] == end[r] || (end[l] - start[l]) + (end[r] - start[r]) != top.size) {
                continue;
            }
            end[l] = end[r];
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            start[r] = end[r];
            maybeAddPair(s, prev[l], l, start, end, freeze, agenda, revMerge);
            maybeAddPair(s, l, next[l], start, end, freeze, agenda, revMerge);
        }
        Segments out = new Segments();
        for (int i = count == 0 ? -1 : 0; i != -1; i = next[i]) {
            resegment(s, start[i], end[i], revMerge, out);
        }
        return out;
    }

    private void maybeAddPair(
            byte[] s,
            int left,
            int right,
            int[] start,
            int[] end,
            boolean[] freeze,
            PriorityQueue<SymbolPair> agenda,
            Map<String, Integer> revMerge) {
        if (left == -1 || right == -1 || freeze[left] || freeze[right]) {
            return;
        }
        int id = normalPieces.get(s, start[left], end[right]);
        if (id < 0) {
            return;
        }
        agenda.add(new SymbolPair(left, right, scores[id], end[right] - start[left]));
        if (types[id] == PieceType.UNUSED) {
            revMerge.put(
                    new String(s, start[left], end[right] - start[left], StandardCharsets.ISO_8859_1),
                    end[left] - start[left]);
        }
    }

    private void resegment(byte[] s, int from, int to, Map<String, Integer> revMerge, Segments out) {
        int id = pieceToId(s, from, to);
        if (types[id] != PieceType.UNUSED) {
            out.add(from, to, id);
            return;
        }
        Integer leftLen = revMerge.get(new String(s, from, to - from, StandardCharsets.ISO_8859_1));
        if (leftLen == null) {
            out.add(from, to, id);
            return;
        }
        resegment(s, from, from + leftLen, revMerge, out);
        resegment(s, from + leftLen, to, revMerge, out);
    }

    /** Unigram Viterbi: sentencepiece's {@code unigram::Model::EncodeOptimized}. */
    private Segments encodeUnigram(byte[] s) {
        int size = s.length;
        float unkScore = minScore - UNK_PENALTY;
        float[] bestScore = new float[size + 1];
        int[] bestStart = new int[size + 1];
        int[] bestId = new int[size + 1];
        Arrays.fill(bestStart, -1);
        for (int startsAt = 0; startsAt < size; ) {
            float tillHere = bestScore[startsAt];
            boolean hasSingleNode = false;
            int mblen = Math.min(PrecompiledCharsMap.Utf8.oneCharLen(s[startsAt]), size - startsAt);
            int node = 0;
            for (int keyPos = startsAt; keyPos < size; ) {
                node = normalPieces.child(node, s[keyPos] & 0xFF);
                keyPos++;
                if (node < 0) {
                    break;
                }
                int id = normalPieces.value(node);
                if (id < 0 || types[id] == PieceType.UNUSED) {
                    continue;
                }
                int length = keyPos - startsAt;
                // sentencepiece: score = user-defined ? length * max_score_ - 0.1 : GetScore(id). The conditional
                // has type double (0.1 is a double), so every candidate is summed and compared in double and only
                // the stored best score is rounded to float. Summing in float instead changes ties between
                // segmentations with the same pieces in another order.
                double score = types[id] == PieceType.USER_DEFINED ? (float) length * maxScore - 0.1 : scores[id];
                double candidate = score + tillHere;
                if (bestStart[keyPos] == -1 || candidate > bestScore[keyPos]) {
                    bestScore[keyPos] = (float) candidate;
                    bestStart[keyPos] = startsAt;
                    bestId[keyPos] = id;
                }
                if (length == mblen) {
                    hasSingleNode = true;
                }
            }
            if (!hasSingleNode) {
                int target = startsAt + mblen;
                float candidate = unkScore + tillHere;
                if (bestStart[target] == -1 || candidate > bestScore[target]) {
                    bestScore[target] = candidate;
                    bestStart[target] = startsAt;
                    bestId[target] = unkId;
                }
            }
            startsAt += mblen;
        }
        Segments out = new Segments();
        for (int endsAt = size; endsAt > 0; endsAt = bestStart[endsAt]) {
            out.add(bestStart[endsAt], endsAt, bestId[endsAt]);
        }
        out.reverse();
        return out;
    }

    // ------------------------------------------------------------------------------------------------ encode

    @Override
    public int[] encode(String text) {
        byte[] normalized = normalizeToBytes(text);
        if (normalized.length == 0) {
            return new int[0];
        }
        Segments seg = modelType == ModelType.BPE ? encodeBpe(normalized) : encodeUnigram(normalized);
        int[] ids = new int[seg.size + 8];
        int n = 0;
        boolean prevUnk = false;
        for (int i = 0; i < seg.size; i++) {
            int id = seg.ids[i];
            boolean isUnk = types[id] == PieceType.UNKNOWN;
            if (isUnk && byteFallback) {
                // An unknown piece becomes the byte pieces of its UTF-8 bytes.
                for (int b = seg.starts[i]; b < seg.ends[i]; b++) {
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, n * 2);
                    }
                    ids[n++] = byteIds[normalized[b] & 0xFF];
                }
            } else if (!(isUnk && prevUnk)) {
                // A run of unknown pieces is one unknown token.
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                }
                ids[n++] = id;
            }
            prevUnk = isUnk;
        }
        return Arrays.copyOf(ids, n);
    }

    /**
     * Encodes a text to its pieces (the vocabulary strings of {@link #encode(String)}'s ids).
     *
     * @param text the text
     * @return the pieces
     */
    public List<String> encodeAsPieces(String text) {
        int[] ids = encode(text);
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(pieces[id]);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ decode

    @Override
    public String decode(int[] ids) {
        return new String(decode(ids, true), StandardCharsets.UTF_8);
    }

    /**
     * Decodes ids to bytes; byte pieces are written as they are, also when they do not form valid UTF-8.
     *
     * @param ids the token ids
     * @return the bytes
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    @Override
    public byte[] decodeBytes(int[] ids) {
        return decode(ids, false);
    }

    private byte[] decode(int[] ids, boolean replaceInvalid) {
        PrecompiledCharsMap.ByteSink text = new PrecompiledCharsMap.ByteSink(ids.length * 4);
        PrecompiledCharsMap.ByteSink bytes = new PrecompiledCharsMap.ByteSink(16);
        boolean isBosWs = true;
        boolean bosWsSeen = false;
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            if (id < 0 || id >= pieces.length) {
                throw new IllegalArgumentException("ids[" + k + "] must be in [0, " + pieces.length + "), got " + id);
            }
            if (types[id] == PieceType.BYTE) {
                bytes.write(pieceToByte(pieces[id]));
                continue;
            }
            flushBytes(bytes, text, replaceInvalid);
            if (bosWsSeen || text.size > 0) {
                isBosWs = false;
            }
            bosWsSeen = false;
            switch (types[id]) {
                case CONTROL -> {
                    // invisible
                }
                case UNKNOWN -> {
                    byte[] u = unkSurface.getBytes(StandardCharsets.UTF_8);
                    text.write(u, 0, u.length);
                }
                default -> {
                    byte[] p = pieceBytes[id];
                    int from = 0;
                    if (isBosWs && (addDummyPrefix || removeExtraWhitespaces) && startsWith(p, SPACE_SYMBOL)) {
                        from = SPACE_SYMBOL.length;
                        // With remove_extra_whitespaces every leading space is dropped, not just the first.
                        bosWsSeen = !removeExtraWhitespaces;
                    }
                    for (int i = from; i < p.length; ) {
                        if (i + 3 <= p.length
                                && p[i] == SPACE_SYMBOL[0]
                                && p[i + 1] == SPACE_SYMBOL[1]
                                && p[i + 2] == SPACE_SYMBOL[2]) {
                            text.write(' ');
                            i += 3;
                        } else {
                            text.write(p[i++]);
                        }
                    }
                }
            }
        }
        flushBytes(bytes, text, replaceInvalid);
        return Arrays.copyOf(text.buf, text.size);
    }

    private static boolean startsWith(byte[] p, byte[] prefix) {
        if (p.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (p[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Writes a run of byte pieces; bytes that are not valid UTF-8 become U+FFFD one by one (sentencepiece). */
    private static void flushBytes(
            PrecompiledCharsMap.ByteSink bytes, PrecompiledCharsMap.ByteSink text, boolean replaceInvalid) {
        if (!replaceInvalid) {
            text.write(bytes.buf, 0, bytes.size);
        } else {
            for (int i = 0; i < bytes.size; ) {
                int len = PrecompiledCharsMap.Utf8.validCharLength(bytes.buf, i, bytes.size);
                if (len == 0) {
                    text.write(REPLACEMENT, 0, REPLACEMENT.length);
                    i++;
                } else {
                    text.write(bytes.buf, i, len);
                    i += len;
                }
            }
        }
        bytes.size = 0;
    }

    // ------------------------------------------------------------------------------------------------ accessors

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    /**
     * Returns the piece of an id.
     *
     * @param id the id
     * @return the piece string
     * @throws IllegalArgumentException if the id is out of range
     */
    public String idToPiece(int id) {
        checkId(id);
        return pieces[id];
    }

    /**
     * Returns the id of a piece, or the unknown id if the vocabulary does not have it (as sentencepiece).
     *
     * @param piece the piece string
     * @return the id
     */
    public int pieceToId(String piece) {
        byte[] b = piece.getBytes(StandardCharsets.UTF_8);
        return pieceToId(b, 0, b.length);
    }

    /**
     * Returns the score of a piece.
     *
     * @param id the id
     * @return its score (a log probability for Unigram, the negated merge order for BPE)
     * @throws IllegalArgumentException if the id is out of range
     */
    public float score(int id) {
        checkId(id);
        return scores[id];
    }

    /**
     * Returns the type of a piece.
     *
     * @param id the id
     * @return its type
     * @throws IllegalArgumentException if the id is out of range
     */
    public PieceType pieceType(int id) {
        checkId(id);
        return types[id];
    }

    /**
     * Returns the model type.
     *
     * @return BPE or UNIGRAM
     */
    public ModelType modelType() {
        return modelType;
    }

    /**
     * Returns whether unknown characters become byte pieces.
     *
     * @return {@code trainer_spec.byte_fallback}
     */
    public boolean byteFallback() {
        return byteFallback;
    }

    /**
     * Returns the id of the unknown piece.
     *
     * @return the unknown id
     */
    public int unkId() {
        return unkId;
    }

    /**
     * Returns the name of the normalization rule the model was trained with.
     *
     * @return {@code normalizer_spec.name}, e.g. {@code identity} or {@code nmt_nfkc}
     */
    public String normalizerName() {
        return normalizerName;
    }

    /** The precompiled character map, or null for identity normalization (for tests and tokenizers-hf). */
    PrecompiledCharsMap charsMap() {
        return charsMap;
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("id must be in [0, " + pieces.length + "), got " + id);
        }
    }

    /** {@code <0xXX>} → XX, or -1 (sentencepiece's {@code PieceToByte}). */
    static int pieceToByte(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            int hi = Character.digit(piece.charAt(3), 16);
            int lo = Character.digit(piece.charAt(4), 16);
            boolean upper = piece.substring(3, 5).equals(piece.substring(3, 5).toUpperCase(java.util.Locale.ROOT));
            if (hi >= 0 && lo >= 0 && upper) {
                return hi * 16 + lo;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------ the proto

    /** The fields of {@code sentencepiece_model.proto}'s ModelProto that encoding and decoding need. */
    private static final class ModelProto {
        final List<String> pieces = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<PieceType> types = new ArrayList<>();
        final List<Integer> pieceOffsets = new ArrayList<>();
        ModelType modelType = ModelType.UNIGRAM;
        boolean byteFallback;
        int unkId;
        int unkIdOffset = -1;
        boolean treatWhitespaceAsSuffix;
        String unkSurface = " \u2047 ";
        String normalizerName = "";
        PrecompiledCharsMap charsMap;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;

        static ModelProto parse(byte[] bytes) throws ProtobufFormatException {
            ModelProto m = new ModelProto();
            ProtobufReader r = new ProtobufReader(bytes, "");
            while (r.hasMore()) {
                int tag = r.readTag();
                switch (tag >>> 3) {
                    case 1 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "pieces");
                        int at = r.tagOffset();
                        m.readPiece(r.readMessage("pieces[" + m.pieces.size() + "]"), at);
                    }
                    case 2 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "trainer_spec");
                        m.readTrainerSpec(r.readMessage("trainer_spec"));
                    }
                    case 3 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "normalizer_spec");
                        m.readNormalizerSpec(r.readMessage("normalizer_spec"));
                    }
                    default -> r.skip(tag);
                }
            }
            m.validate();
            return m;
        }

        private void readPiece(ProtobufReader r, int offset) throws ProtobufFormatException {
            String piece = null;
            float score = 0f;
            PieceType type = PieceType.NORMAL;
            while (r.hasMore()) {
                int tag = r.readTag();
                switch (tag >>> 3) {
                    case 1 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "piece");
                        piece = r.readString("piece");
                    }
                    case 2 -> {
                        r.expectWireType(tag, ProtobufReader.I32, "score");
                        score = r.readFloat("score");
                    }
                    case 3 -> {
                        r.expectWireType(tag, ProtobufReader.VARINT, "type");
                        int at = r.offset();
                        long t = r.readVarint("type");
                        if (t < 1 || t > PieceType.values().length) {
                            throw new ProtobufFormatException(
                                    r.fieldPath("type"),
                                    at,
                                    "unknown piece type " + t
                                            + " (expected 1 NORMAL, 2 UNKNOWN, 3 CONTROL, 4 USER_DEFINED, 5 UNUSED"
                                            + " or 6 BYTE)");
                        }
                        type = PieceType.values()[(int) t - 1];
                    }
                    default -> r.skip(tag);
                }
            }
            if (piece == null || piece.isEmpty()) {
                throw new ProtobufFormatException(r.fieldPath("piece"), offset, "piece must not be empty");
            }
            pieces.add(piece);
            scores.add(score);
            types.add(type);
            pieceOffsets.add(offset);
        }

        private void readTrainerSpec(ProtobufReader r) throws ProtobufFormatException {
            while (r.hasMore()) {
                int tag = r.readTag();
                switch (tag >>> 3) {
                    case 3 -> {
                        r.expectWireType(tag, ProtobufReader.VARINT, "model_type");
                        int at = r.offset();
                        long t = r.readVarint("model_type");
                        if (t == 1) {
                            modelType = ModelType.UNIGRAM;
                        } else if (t == 2) {
                            modelType = ModelType.BPE;
                        } else if (t == 3 || t == 4) {
                            throw new ProtobufFormatException(
                                    r.fieldPath("model_type"),
                                    at,
                                    "model type " + (t == 3 ? "WORD" : "CHAR")
                                            + " is not supported (expected 1 UNIGRAM or 2 BPE)");
                        } else {
                            throw new ProtobufFormatException(
                                    r.fieldPath("model_type"),
                                    at,
                                    "unknown model type " + t + " (expected 1 UNIGRAM or 2 BPE)");
                        }
                    }
                    case 24 -> treatWhitespaceAsSuffix = readBool(r, tag, "treat_whitespace_as_suffix");
                    case 35 -> byteFallback = readBool(r, tag, "byte_fallback");
                    case 40 -> {
                        r.expectWireType(tag, ProtobufReader.VARINT, "unk_id");
                        unkIdOffset = r.offset();
                        unkId = (int) r.readVarint("unk_id");
                    }
                    case 44 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "unk_surface");
                        unkSurface = r.readString("unk_surface");
                    }
                    default -> r.skip(tag);
                }
            }
        }

        private void readNormalizerSpec(ProtobufReader r) throws ProtobufFormatException {
            while (r.hasMore()) {
                int tag = r.readTag();
                switch (tag >>> 3) {
                    case 1 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "name");
                        normalizerName = r.readString("name");
                    }
                    case 2 -> {
                        r.expectWireType(tag, ProtobufReader.LEN, "precompiled_charsmap");
                        int at = r.offset();
                        byte[] blob = r.readBytes("precompiled_charsmap");
                        if (blob.length > 0) {
                            try {
                                charsMap = PrecompiledCharsMap.parse(blob);
                            } catch (IllegalArgumentException e) {
                                throw new ProtobufFormatException(
                                        r.fieldPath("precompiled_charsmap"), at, e.getMessage());
                            }
                        }
                    }
                    case 3 -> addDummyPrefix = readBool(r, tag, "add_dummy_prefix");
                    case 4 -> removeExtraWhitespaces = readBool(r, tag, "remove_extra_whitespaces");
                    case 5 -> escapeWhitespaces = readBool(r, tag, "escape_whitespaces");
                    default -> r.skip(tag);
                }
            }
        }

        private static boolean readBool(ProtobufReader r, int tag, String field) throws ProtobufFormatException {
            r.expectWireType(tag, ProtobufReader.VARINT, field);
            return r.readVarint(field) != 0;
        }

        /** The checks of sentencepiece's {@code ModelInterface::InitializePieces}. */
        private void validate() throws ProtobufFormatException {
            if (pieces.isEmpty()) {
                throw new ProtobufFormatException("pieces", 0, "the model has no pieces");
            }
            Map<String, Integer> seen = new HashMap<>();
            int unk = -1;
            boolean[] byteFound = new boolean[256];
            for (int i = 0; i < pieces.size(); i++) {
                String p = pieces.get(i);
                int at = pieceOffsets.get(i);
                if (seen.putIfAbsent(p, i) != null) {
                    throw new ProtobufFormatException(
                            "pieces[" + i + "]", at, "piece \"" + p + "\" is already defined (id " + seen.get(p) + ")");
                }
                if (p.indexOf('\0') >= 0) {
                    throw new ProtobufFormatException(
                            "pieces[" + i + "]", at, "piece must not include the NUL character");
                }
                if (types.get(i) == PieceType.UNKNOWN) {
                    if (unk >= 0) {
                        throw new ProtobufFormatException(
                                "pieces[" + i + "]", at, "a second UNKNOWN piece (the first is id " + unk + ")");
                    }
                    unk = i;
                }
                if (types.get(i) == PieceType.BYTE) {
                    int b = pieceToByte(p);
                    if (!byteFallback) {
                        throw new ProtobufFormatException(
                                "pieces[" + i + "]",
                                at,
                                "byte piece " + p + " found although trainer_spec.byte_fallback is false");
                    }
                    if (b < 0) {
                        throw new ProtobufFormatException(
                                "pieces[" + i + "]", at, "byte piece " + p + " is not of the form <0xXX>");
                    }
                    byteFound[b] = true;
                }
            }
            if (unk < 0) {
                throw new ProtobufFormatException("pieces", 0, "no piece has type UNKNOWN");
            }
            // sentencepiece takes the unknown id from the piece types (trainer_spec.unk_id only guides training).
            unkId = unk;
            if (byteFallback) {
                for (int b = 0; b < 256; b++) {
                    if (!byteFound[b]) {
                        throw new ProtobufFormatException(
                                "pieces",
                                0,
                                String.format(
                                        "byte_fallback is true but the byte piece <0x%02X> is missing"
                                                + " (256 are needed)",
                                        b));
                    }
                }
            }
        }
    }
}
