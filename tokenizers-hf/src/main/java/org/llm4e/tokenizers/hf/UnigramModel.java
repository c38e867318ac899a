package org.llm4e.tokenizers.hf;

import java.util.List;
import org.llm4e.tokenizers.Unigram;
import org.llm4e.tokenizers.internal.IntList;

/**
 * HF's {@code Unigram} model ({@code models/unigram/model.rs}, {@code encode_optimized}): Viterbi over the lattice of
 * vocabulary pieces, an uncovered character scored {@code min score − 10}, equal scores resolved for the earlier
 * split point. The Viterbi is the library's {@link Unigram#viterbi(String)} (the same rule). Two HF details are added
 * here: consecutive unknown characters are fused into one {@code unk_id} (HF's {@code fuse_unk}, always on for
 * Unigram), and with {@code byte_fallback} the fused run becomes its UTF-8 byte pieces {@code <0xNN>} — which is the
 * byte sequence {@link Unigram} already produces character by character.
 *
 * <p>One difference remains by design: {@link Unigram} never matches the text of the unknown piece or of a byte
 * piece ({@code "<unk>"}, {@code "<0x41>"} typed in the input), where HF's trie does.
 */
final class UnigramModel implements Model {
    private final Unigram unigram;
    private final int unkId;
    private final boolean byteFallback;
    private final boolean[] isBytePiece;

    UnigramModel(List<String> pieces, double[] scores, int unkId, boolean byteFallback, boolean[] isBytePiece) {
        this.unigram = Unigram.of(pieces, scores);
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        this.isBytePiece = isBytePiece;
    }

    @Override
    public void tokenize(String word, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        int[] ids = unigram.viterbi(word).ids();
        boolean previousUnknown = false;
        for (int id : ids) {
            if (byteFallback) {
                out.add(id);
                continue;
            }
            // without byte fallback in the file, a run of unknown characters (which Unigram reports as <unk> per
            // character, or as byte pieces when all 256 exist) is one unk_id
            boolean unknown = id == unkId || isBytePiece[id];
            if (unknown) {
                if (!previousUnknown) {
                    out.add(unkId);
                }
            } else {
                out.add(id);
            }
            previousUnknown = unknown;
        }
    }
}
