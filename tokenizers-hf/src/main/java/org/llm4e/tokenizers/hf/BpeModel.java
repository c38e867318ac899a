package org.llm4e.tokenizers.hf;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.tokenizers.internal.IntList;
import org.llm4e.tokenizers.internal.LongIntHashMap;
import org.llm4e.tokenizers.internal.PairMerger;

/**
 * HF's {@code BPE} model ({@code models/bpe/model.rs}, {@code Word::merge_all} in {@code word.rs}): a word becomes
 * one symbol per character (with {@code continuing_subword_prefix} on all but the first and {@code
 * end_of_word_suffix} on the last), characters outside the vocabulary become their {@code <0xNN>} byte tokens
 * ({@code byte_fallback}) or the unknown token (consecutive ones fused when {@code fuse_unk}), then the adjacent pair
 * with the lowest merge rank is merged, leftmost first, until no pair is a merge. The merging is the library's
 * {@link PairMerger}, the same core as byte-level BPE and tiktoken; merge {@code (a, b)} produces {@code vocab[a +
 * b without its prefix]}, and a pair listed twice keeps its last rank (HF collects the list into a hash map).
 * With {@code ignore_merges}, a word that is itself in the vocabulary is one token.
 */
final class BpeModel implements Model {
    private final Map<String, Integer> vocab;
    private final PairMerger merger;
    private final String unkToken;
    private final String prefix;
    private final String suffix;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final int[] byteIds;

    BpeModel(
            Map<String, Integer> vocab,
            List<String[]> merges,
            String unkToken,
            String prefix,
            String suffix,
            boolean fuseUnk,
            boolean byteFallback,
            boolean ignoreMerges,
            String mergesPath)
            throws HfFormatException {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.prefix = prefix;
        this.suffix = suffix;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        int prefixLength = prefix == null ? 0 : prefix.length();
        LongIntHashMap ranks = new LongIntHashMap(Math.max(16, merges.size()));
        int[] mergedIds = new int[merges.size()];
        for (int k = 0; k < merges.size(); k++) {
            String a = merges.get(k)[0];
            String b = merges.get(k)[1];
            Integer left = vocab.get(a);
            Integer right = vocab.get(b);
            if (left == null || right == null) {
                throw new HfFormatException(
                        mergesPath + "[" + k + "]",
                        "merge token \"" + (left == null ? a : b) + "\" is not in the vocabulary");
            }
            String joined = a + (b.length() >= prefixLength ? b.substring(prefixLength) : "");
            Integer merged = vocab.get(joined);
            if (merged == null) {
                throw new HfFormatException(
                        mergesPath + "[" + k + "]", "merged token \"" + joined + "\" is not in the vocabulary");
            }
            // a repeated pair keeps its last rank, as HF's HashMap collect does
            ranks.put(LongIntHashMap.pair(left, right), k);
            mergedIds[k] = merged;
        }
        this.merger = new PairMerger(ranks, mergedIds);
        int[] bytes = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            bytes[b] = id == null ? -1 : id;
        }
        this.byteIds = bytes;
    }

    @Override
    public void tokenize(String word, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer id = vocab.get(word);
            if (id != null) {
                out.add(id);
                return;
            }
        }
        int[] symbols = new int[Math.max(4, word.length() * 4)];
        int n = 0;
        int unkId = -1;
        int pendingUnk = 0; // 1 when an unknown token waits to be emitted (fused with following unknowns)
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int next = i + Character.charCount(cp);
            String s = word.substring(i, next);
            if (i > 0 && prefix != null) {
                s = prefix + s;
            }
            if (next == word.length() && suffix != null) {
                s = s + suffix;
            }
            i = next;
            Integer id = vocab.get(s);
            if (id != null) {
                if (pendingUnk > 0) {
                    symbols = put(symbols, n++, unkId);
                    pendingUnk = 0;
                }
                symbols = put(symbols, n++, id);
                continue;
            }
            if (byteFallback) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    all &= byteIds[b & 0xFF] >= 0;
                }
                if (all) {
                    // HF emits the byte tokens without first flushing a pending unknown token; so does this
                    if (symbols.length < n + bytes.length + 1) {
                        symbols = java.util.Arrays.copyOf(symbols, (n + bytes.length + 1) * 2);
                    }
                    for (byte b : bytes) {
                        symbols = put(symbols, n++, byteIds[b & 0xFF]);
                    }
                    continue;
                }
            }
            if (unkToken != null) {
                Integer unk = vocab.get(unkToken);
                if (unk == null) {
                    throw new IllegalStateException(
                            "the unknown token \"" + unkToken + "\" is not in the vocabulary (model.unk_token)");
                }
                if (pendingUnk > 0 && !fuseUnk) {
                    symbols = put(symbols, n++, unkId);
                }
                unkId = unk;
                pendingUnk = 1;
            }
            // no unknown token: HF drops the character
        }
        if (pendingUnk > 0) {
            symbols = put(symbols, n++, unkId);
        }
        n = merger.merge(symbols, n, new int[n + 1]);
        out.addAll(symbols, 0, n);
    }

    private static int[] put(int[] a, int i, int v) {
        if (i >= a.length) {
            a = java.util.Arrays.copyOf(a, a.length * 2);
        }
        a[i] = v;
        return a;
    }

    static Map<String, Integer> copy(Map<String, Integer> vocab) {
        return new HashMap<>(vocab);
    }
}
