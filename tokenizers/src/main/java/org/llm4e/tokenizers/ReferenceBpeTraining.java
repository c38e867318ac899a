package org.llm4e.tokenizers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The readable byte-level BPE trainer: a line-by-line transcription of minbpe's {@code train} (Karpathy, {@code
 * minbpe/regex.py} and {@code base.py}). Every step recounts every pair of every chunk, so it costs
 * O(merges × text); {@link IncrementalBpeTraining} is the fast form and is tested against this one.
 *
 * <pre>
 *   chunks ← [UTF-8 bytes of c for c in split(text)]
 *   for k in 0 .. numMerges−1:
 *       stats ← insertion-ordered map; for chunk in chunks, for (a, b) adjacent in chunk: stats[(a, b)] += 1
 *       pair ← the first key with the largest count          (Python's max over an ordered dict)
 *       replace pair by 256 + k in every chunk, left to right, non-overlapping ("aaa" → [X, a])
 * </pre>
 */
final class ReferenceBpeTraining {
    private ReferenceBpeTraining() {}

    static List<Merge> train(List<int[]> chunksInTextOrder, int numMerges, ByteLevelBpeTrainer.MergeListener listener) {
        List<int[]> chunks = new ArrayList<>(chunksInTextOrder);
        List<Merge> merges = new ArrayList<>();
        for (int k = 0; k < numMerges; k++) {
            // the insertion order of a LinkedHashMap is the order of first occurrence: it carries the tie-break
            Map<Long, Integer> stats = new LinkedHashMap<>();
            for (int[] chunk : chunks) {
                for (int i = 0; i + 1 < chunk.length; i++) {
                    stats.merge(pairKey(chunk[i], chunk[i + 1]), 1, Integer::sum);
                }
            }
            if (stats.isEmpty()) {
                break; // nothing left to merge (minbpe would fail here)
            }
            long best = 0;
            int bestCount = -1;
            for (Map.Entry<Long, Integer> e : stats.entrySet()) {
                if (e.getValue() > bestCount) { // strictly greater: the first maximal key wins
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            Merge merge = new Merge((int) (best >>> 32), (int) best, 256 + k);
            for (int c = 0; c < chunks.size(); c++) {
                chunks.set(c, replace(chunks.get(c), merge));
            }
            merges.add(merge);
            if (listener != null) {
                listener.onMerge(merge, bestCount);
            }
        }
        return merges;
    }

    /** minbpe's {@code merge(ids, pair, idx)}. */
    static int[] replace(int[] ids, Merge m) {
        int[] out = new int[ids.length];
        int n = 0;
        int i = 0;
        while (i < ids.length) {
            if (i + 1 < ids.length && ids[i] == m.left() && ids[i + 1] == m.right()) {
                out[n++] = m.id();
                i += 2;
            } else {
                out[n++] = ids[i++];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static long pairKey(int a, int b) {
        return ((long) a << 32) | b;
    }
}
