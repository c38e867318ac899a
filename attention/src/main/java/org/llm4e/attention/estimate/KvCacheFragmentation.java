package org.llm4e.attention.estimate;

import java.util.SplittableRandom;
import org.llm4e.attention.PagedKvCache;
import org.llm4e.core.Tensor;

/**
 * How much KV-cache memory sits unused: paged blocks (vLLM) against a contiguous reservation of the maximum length per
 * sequence.
 *
 * <pre>
 *   paged:     waste = Σ_seq (⌈len / B⌉ · B − len)   &lt; B tokens per sequence (only the last block is partial)
 *   reserved:  waste = Σ_seq (max_len − len)          fraction 1 − mean(len) / max_len
 * </pre>
 *
 * <p>From vLLM使用PagedAttention轻松、快速且廉价地提供LLM服务（中文版翻译）.md (attention catalog §21, check 28): existing
 * systems waste 60–80 % of the cache, PagedAttention under 4 %. The paged side runs the real {@link PagedKvCache}
 * (one tiny head, so only the block accounting costs memory). The reservation waste depends only on how long the
 * sequences are compared with the reserved length; lengths uniform in [max/8, max/2], for instance, waste about 69 %.
 */
public final class KvCacheFragmentation {
    private KvCacheFragmentation() {}

    /**
     * The outcome of one simulation.
     *
     * @param tokens tokens stored
     * @param pagedSlots token slots of the blocks in use
     * @param reservedSlots token slots reserved contiguously ({@code sequences · maxLength})
     * @param maxPagedWastePerSequence the largest number of empty slots of one sequence's blocks
     */
    public record Result(long tokens, long pagedSlots, long reservedSlots, int maxPagedWastePerSequence) {
        /**
         * The fraction of the paged slots that are empty.
         *
         * @return {@code 1 − tokens / pagedSlots}
         */
        public double pagedWaste() {
            return 1.0 - (double) tokens / pagedSlots;
        }

        /**
         * The fraction of the reserved slots that are empty.
         *
         * @return {@code 1 − tokens / reservedSlots}
         */
        public double reservedWaste() {
            return 1.0 - (double) tokens / reservedSlots;
        }
    }

    /**
     * Stores sequences of the given lengths in a paged cache and compares with a max-length reservation.
     *
     * @param lengths tokens of each sequence, each in {@code [1, maxLength]}
     * @param blockSize tokens per block ≥ 1
     * @param maxLength the length a contiguous cache reserves per sequence
     * @return the waste of both
     * @throws IllegalArgumentException if a length is out of range
     */
    public static Result simulate(int[] lengths, int blockSize, int maxLength) {
        if (lengths == null || lengths.length == 0) {
            throw new IllegalArgumentException("lengths must hold at least one sequence");
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        }
        long blocks = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1 || lengths[i] > maxLength) {
                throw new IllegalArgumentException(
                        "lengths[" + i + "] must be in [1, maxLength = " + maxLength + "], got " + lengths[i]);
            }
            blocks += (lengths[i] + blockSize - 1) / blockSize;
        }
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(Math.toIntExact(blocks))
                .blockSize(blockSize)
                .kvHeads(1)
                .headDim(1)
                .build();
        long tokens = 0;
        int maxWaste = 0;
        for (int len : lengths) {
            long before = cache.wastedSlots();
            int seq = cache.addSequence();
            Tensor kv = Tensor.zeros(1, 1, len, 1);
            cache.append(seq, kv, kv);
            maxWaste = (int) Math.max(maxWaste, cache.wastedSlots() - before);
            tokens += len;
        }
        long pagedSlots = (long) cache.usedBlockCount() * blockSize;
        return new Result(tokens, pagedSlots, (long) lengths.length * maxLength, maxWaste);
    }

    /**
     * Sequence lengths drawn uniformly from {@code [min, max]}.
     *
     * @param seed the generator's seed
     * @param count how many
     * @param min the shortest ≥ 1
     * @param max the longest ≥ min
     * @return the lengths
     * @throws IllegalArgumentException if the range is empty
     */
    public static int[] uniformLengths(long seed, int count, int min, int max) {
        if (min < 1 || max < min || count < 1) {
            throw new IllegalArgumentException(
                    "need count >= 1 and 1 <= min <= max, got count " + count + ", min " + min + ", max " + max);
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = r.nextInt(min, max + 1);
        }
        return out;
    }
}
