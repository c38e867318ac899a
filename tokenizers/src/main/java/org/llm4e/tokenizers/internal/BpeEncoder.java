package org.llm4e.tokenizers.internal;

import java.util.Arrays;
import java.util.Map;

/**
 * The byte-level BPE encoding pipeline shared by minbpe-style tokenizers and tiktoken encodings: pre-split ({@link
 * Splitter}), UTF-8 bytes of each chunk mapped to initial symbols, an optional whole-chunk lookup (tiktoken returns a
 * chunk that is itself a token directly), then rank-ordered pair merging ({@link PairMerger}). Special tokens, when
 * allowed, cut the text first. Immutable and thread-safe; buffers are per call.
 */
public final class BpeEncoder {
    private final Splitter splitter;
    private final PairMerger merger;
    private final BytesIntMap wholeChunks;
    private final int[] byteToSymbol;

    /**
     * Creates an encoder.
     *
     * @param splitter the pre-split
     * @param merger the merge table
     * @param wholeChunks token bytes → id, looked up before merging, or {@code null} to always merge
     * @param byteToSymbol the initial symbol of each byte value (256 entries), or {@code null} for the byte itself
     */
    public BpeEncoder(Splitter splitter, PairMerger merger, BytesIntMap wholeChunks, int[] byteToSymbol) {
        this.splitter = splitter;
        this.merger = merger;
        this.wholeChunks = wholeChunks;
        this.byteToSymbol = byteToSymbol == null ? null : byteToSymbol.clone();
    }

    /** Per-call buffers. */
    private static final class Scratch {
        int[] symbols = new int[96];
        int[] ranks = new int[96];
    }

    /**
     * Encodes {@code text[from, to)} as ordinary text (no special tokens) and appends the ids.
     *
     * @param text the text
     * @param from the first char
     * @param to one past the last char
     * @param out receives the ids
     */
    public void encodeOrdinary(CharSequence text, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        Scratch scratch = new Scratch();
        splitter.split(text, from, to, (s, e) -> {
            int need = Utf8.maxBytes(e - s);
            if (scratch.symbols.length < need) {
                scratch.symbols = new int[need];
                scratch.ranks = new int[need];
            }
            int[] symbols = scratch.symbols;
            int n = Utf8.encode(text, s, e, symbols);
            if (wholeChunks != null && n > 1) {
                int id = wholeChunks.get(symbols, 0, n, -1);
                if (id >= 0) {
                    out.add(id);
                    return;
                }
            }
            if (byteToSymbol != null) {
                for (int i = 0; i < n; i++) {
                    symbols[i] = byteToSymbol[symbols[i]];
                }
            }
            n = merger.merge(symbols, n, scratch.ranks);
            out.addAll(symbols, 0, n);
        });
    }

    /**
     * Encodes a text in which the given special tokens are recognized: each occurrence (leftmost first; the longer
     * token where two start at the same place) becomes its id, the text between is encoded as ordinary text.
     *
     * @param text the text
     * @param allowed special-token text → id; may be empty
     * @param out receives the ids
     */
    public void encode(String text, Map<String, Integer> allowed, IntList out) {
        String[] tokens = allowed.keySet().toArray(new String[0]);
        // the next occurrence of each token at or after `from`, searched again only once passed: one scan of the
        // text per token overall instead of one per special token found (-2 = not searched yet, -1 = none left)
        int[] nextAt = new int[tokens.length];
        Arrays.fill(nextAt, -2);
        int from = 0;
        while (from < text.length()) {
            int best = -1;
            String bestToken = null;
            for (int t = 0; t < tokens.length; t++) {
                if (nextAt[t] != -1 && nextAt[t] < from) {
                    nextAt[t] = text.indexOf(tokens[t], from);
                }
                int at = nextAt[t];
                if (at >= 0 && (best < 0 || at < best || (at == best && tokens[t].length() > bestToken.length()))) {
                    best = at;
                    bestToken = tokens[t];
                }
            }
            if (best < 0) {
                break;
            }
            encodeOrdinary(text, from, best, out);
            out.add(allowed.get(bestToken));
            from = best + bestToken.length();
        }
        encodeOrdinary(text, from, text.length(), out);
    }
}
