package org.llm4e.attention;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;

/**
 * PagedAttention's KV cache (vLLM): the keys and values of every sequence live in fixed-size physical blocks taken
 * from one shared pool on demand, a per-sequence block table maps its logical blocks to physical ones, blocks are
 * shared between sequences with reference counts, and a write into a shared block copies it first (copy-on-write).
 *
 * <pre>
 *   token t of a sequence  →  logical block t / B, slot t mod B  →  physical block table[t / B]
 *   append:  slot = length mod B;  slot = 0 ⇒ take a free block;  shared last block (ref &gt; 1) ⇒ copy it first
 *   fork:    child.table = parent.table;  ref[b] += 1 for every block
 *   free:    ref[b] −= 1;  ref[b] = 0 ⇒ the block returns to the pool
 *   attend:  o_i = Σ_blocks Σ_slots softmax_j(scale · q_i · k_j) v_j, reading each block through the table
 * </pre>
 *
 * <p>From vLLM使用PagedAttention轻松、快速且廉价地提供LLM服务（中文版翻译）.md (attention catalog §21; the analogy: block =
 * page, token = byte, sequence = process). Only a sequence's last block can be partly empty, so the waste is under
 * {@code B} tokens per sequence where a contiguous reservation of the maximum length wastes 60–80 % of its memory.
 * With block size 4 the article's sentence "Alan Turing is a computer scientist and mathematician renowned for" ends
 * in physical blocks 7, 1, 3 filled 4, 4, 2: which physical blocks come out of the pool is the allocator's business,
 * so {@link Builder#freeBlockOrder(int...)} sets the order of the initial free list (freed blocks go to its end).
 *
 * <p>Attention through the block table ({@link #query}) equals attention over the same tokens in a contiguous cache:
 * for each physical block the scores of all the new queries come from one {@code sgemm} over the block's rows, the
 * masked softmax runs over the gathered score row, and the output accumulates one {@code sgemm} per block. The
 * bottom-right causal rule of {@link AttentionMask#causal()} applies. {@link #keys(int)} and {@link #values(int)}
 * gather a sequence into contiguous tensors, the plain reference the tests compare against.
 *
 * <p>Storage is float32, laid out {@code [block][kvHead][slot][dim]} so that the rows one head reads in one block are
 * contiguous. Layouts of new tokens follow the rest of the module: {@code [1, kvHeads, s, headDim]} (one sequence).
 * A cache is a stateful working object and not thread-safe.
 */
public final class PagedKvCache {
    private final int numBlocks;
    private final int blockSize;
    private final int kvHeads;
    private final int headDim;
    private final int valueDim;
    private final float[] keys;
    private final float[] values;
    private final int[] refCounts;
    private final int[] fill;
    private final ArrayDeque<Integer> freeBlocks = new ArrayDeque<>();
    private final Map<Integer, Sequence> sequences = new LinkedHashMap<>();
    private int nextId;
    private long copiesOnWrite;

    private static final class Sequence {
        final List<Integer> table = new ArrayList<>();
        int length;
    }

    private PagedKvCache(Builder b) {
        this.numBlocks = b.numBlocks;
        this.blockSize = b.blockSize;
        this.kvHeads = b.kvHeads;
        this.headDim = b.headDim;
        this.valueDim = b.valueDim == -1 ? b.headDim : b.valueDim;
        long blockFloats = (long) kvHeads * blockSize;
        this.keys = new float[Math.toIntExact(blockFloats * headDim * numBlocks)];
        this.values = new float[Math.toIntExact(blockFloats * valueDim * numBlocks)];
        this.refCounts = new int[numBlocks];
        this.fill = new int[numBlocks];
        if (b.freeOrder == null) {
            for (int i = 0; i < numBlocks; i++) {
                freeBlocks.add(i);
            }
        } else {
            for (int i : b.freeOrder) {
                freeBlocks.add(i);
            }
        }
    }

    /**
     * A builder; {@code numBlocks}, {@code kvHeads} and {@code headDim} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link PagedKvCache}. */
    public static final class Builder {
        private int numBlocks = -1;
        private int blockSize = 16;
        private int kvHeads = -1;
        private int headDim = -1;
        private int valueDim = -1;
        private int[] freeOrder;

        private Builder() {}

        /**
         * The number of physical blocks in the pool.
         *
         * @param numBlocks ≥ 1
         * @return this builder
         */
        public Builder numBlocks(int numBlocks) {
            this.numBlocks = numBlocks;
            return this;
        }

        /**
         * Tokens per block (default 16, vLLM's default).
         *
         * @param blockSize ≥ 1
         * @return this builder
         */
        public Builder blockSize(int blockSize) {
            this.blockSize = blockSize;
            return this;
        }

        /**
         * The number of kv heads.
         *
         * @param kvHeads ≥ 1
         * @return this builder
         */
        public Builder kvHeads(int kvHeads) {
            this.kvHeads = kvHeads;
            return this;
        }

        /**
         * The key width.
         *
         * @param headDim ≥ 1
         * @return this builder
         */
        public Builder headDim(int headDim) {
            this.headDim = headDim;
            return this;
        }

        /**
         * The value width (default {@code headDim}).
         *
         * @param valueDim ≥ 1
         * @return this builder
         */
        public Builder valueDim(int valueDim) {
            this.valueDim = valueDim;
            return this;
        }

        /**
         * The order in which the initially free physical blocks are handed out (default 0, 1, 2, …).
         *
         * @param order a permutation of {@code 0 .. numBlocks−1}
         * @return this builder
         */
        public Builder freeBlockOrder(int... order) {
            this.freeOrder = order == null ? null : order.clone();
            return this;
        }

        /**
         * Builds the empty cache.
         *
         * @return the cache
         * @throws IllegalArgumentException if a size is missing or out of range, or the order is not a permutation
         */
        public PagedKvCache build() {
            positive("numBlocks", numBlocks);
            positive("blockSize", blockSize);
            positive("kvHeads", kvHeads);
            positive("headDim", headDim);
            if (valueDim != -1) {
                positive("valueDim", valueDim);
            }
            if (freeOrder != null) {
                BitSet seen = new BitSet(numBlocks);
                for (int i : freeOrder) {
                    if (i < 0 || i >= numBlocks || seen.get(i)) {
                        throw new IllegalArgumentException("freeBlockOrder must be a permutation of 0.."
                                + (numBlocks - 1) + ", got " + Arrays.toString(freeOrder));
                    }
                    seen.set(i);
                }
                if (freeOrder.length != numBlocks) {
                    throw new IllegalArgumentException("freeBlockOrder must be a permutation of 0.." + (numBlocks - 1)
                            + ", got " + Arrays.toString(freeOrder));
                }
            }
            return new PagedKvCache(this);
        }
    }

    /**
     * Starts an empty sequence (no block is taken until its first token).
     *
     * @return the sequence id
     */
    public int addSequence() {
        int id = nextId++;
        sequences.put(id, new Sequence());
        return id;
    }

    /**
     * Forks a sequence (parallel sampling, beam search): the child shares every block of the parent, whose reference
     * counts go up by one; nothing is copied until one of them writes into a shared block.
     *
     * @param parent the sequence to fork
     * @return the child's id
     * @throws IllegalArgumentException if {@code parent} is not a live sequence
     */
    public int fork(int parent) {
        Sequence p = sequence(parent);
        int id = nextId++;
        Sequence c = new Sequence();
        c.table.addAll(p.table);
        c.length = p.length;
        for (int block : p.table) {
            refCounts[block]++;
        }
        sequences.put(id, c);
        return id;
    }

    /**
     * Frees a sequence: every block's reference count drops by one and blocks nobody uses return to the pool.
     *
     * @param seq the sequence
     * @throws IllegalArgumentException if {@code seq} is not a live sequence
     */
    public void free(int seq) {
        Sequence s = sequence(seq);
        for (int block : s.table) {
            if (--refCounts[block] == 0) {
                fill[block] = 0;
                freeBlocks.addLast(block);
            }
        }
        sequences.remove(seq);
    }

    /**
     * Appends the keys and values of new tokens of one sequence, taking blocks from the pool on demand and copying a
     * shared last block before writing into it. Either every token is appended or, when the pool is too small,
     * nothing changes.
     *
     * @param seq the sequence
     * @param k new keys {@code [1, kvHeads, s, headDim]}
     * @param v new values {@code [1, kvHeads, s, valueDim]}
     * @throws IllegalArgumentException if {@code seq} is unknown or the shapes do not fit
     * @throws IllegalStateException if the pool has too few free blocks
     */
    public void append(int seq, Tensor k, Tensor v) {
        Sequence s = sequence(seq);
        int n = checkNew("k", k, headDim);
        if (checkNew("v", v, valueDim) != n) {
            throw new IllegalArgumentException("k " + Arrays.toString(k.shape()) + " and v "
                    + Arrays.toString(v.shape()) + " must hold the same number of tokens");
        }
        int needed = blocksFor(s.length + n) - s.table.size();
        boolean cow = n > 0 && s.length % blockSize != 0 && refCounts[s.table.get(s.table.size() - 1)] > 1;
        if (needed + (cow ? 1 : 0) > freeBlocks.size()) {
            throw new IllegalStateException("sequence " + seq + " needs " + (needed + (cow ? 1 : 0))
                    + " free blocks but the pool has " + freeBlocks.size() + " (of " + numBlocks + ")");
        }
        if (cow) {
            copyOnWrite(s);
        }
        for (int t = 0; t < n; t++) {
            int slot = s.length % blockSize;
            if (slot == 0) {
                int block = freeBlocks.pollFirst();
                refCounts[block] = 1;
                fill[block] = 0;
                s.table.add(block);
            }
            int block = s.table.get(s.length / blockSize);
            for (int g = 0; g < kvHeads; g++) {
                System.arraycopy(
                        k.data(),
                        (g * n + t) * headDim,
                        keys,
                        ((block * kvHeads + g) * blockSize + slot) * headDim,
                        headDim);
                System.arraycopy(
                        v.data(),
                        (g * n + t) * valueDim,
                        values,
                        ((block * kvHeads + g) * blockSize + slot) * valueDim,
                        valueDim);
            }
            fill[block] = slot + 1;
            s.length++;
        }
    }

    /** Replaces the shared last block of {@code s} by a private copy (vLLM gif 5). */
    private void copyOnWrite(Sequence s) {
        int last = s.table.size() - 1;
        int shared = s.table.get(last);
        int copy = freeBlocks.pollFirst();
        int kBlock = kvHeads * blockSize * headDim;
        int vBlock = kvHeads * blockSize * valueDim;
        System.arraycopy(keys, shared * kBlock, keys, copy * kBlock, kBlock);
        System.arraycopy(values, shared * vBlock, values, copy * vBlock, vBlock);
        refCounts[shared]--;
        refCounts[copy] = 1;
        fill[copy] = s.length - last * blockSize;
        s.table.set(last, copy);
        copiesOnWrite++;
    }

    /**
     * Appends {@code k} and {@code v} to a sequence and runs causal attention of {@code q} (the same new tokens) over
     * all of its tokens, with the default scale {@code 1/√headDim}.
     *
     * @param seq the sequence
     * @param q new queries {@code [1, heads, s, headDim]} (heads a multiple of kvHeads)
     * @param k new keys {@code [1, kvHeads, s, headDim]}
     * @param v new values {@code [1, kvHeads, s, valueDim]}
     * @return output {@code [1, heads, s, valueDim]} and log-sum-exp {@code [1, heads, s]}
     * @throws IllegalArgumentException if the shapes do not fit or the sequence is unknown
     * @throws IllegalStateException if the pool has too few free blocks
     */
    public AttentionResult attend(int seq, Tensor q, Tensor k, Tensor v) {
        checkQuery(q);
        if (k == null || k.rank() != 4 || q.dim(2) != k.dim(2)) {
            throw new IllegalArgumentException("q " + Arrays.toString(q.shape()) + " and k "
                    + (k == null ? "null" : Arrays.toString(k.shape()))
                    + " must be rank 4 with the same number of new tokens (dimension 2)");
        }
        append(seq, k, v);
        return query(seq, q, 1.0 / Math.sqrt(headDim));
    }

    /**
     * Causal attention of queries (the last {@code s} tokens of the sequence) over the sequence's cached tokens,
     * reading keys and values through the block table.
     *
     * @param seq the sequence
     * @param q queries {@code [1, heads, s, headDim]}, {@code s ≤ length(seq)}
     * @param scale the score scale
     * @return output {@code [1, heads, s, valueDim]} and log-sum-exp {@code [1, heads, s]}
     * @throws IllegalArgumentException if the shapes do not fit, the scale is not finite or the sequence is unknown
     */
    public AttentionResult query(int seq, Tensor q, double scale) {
        Sequence s = sequence(seq);
        checkQuery(q);
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite, got " + scale);
        }
        int heads = q.dim(1);
        int qSeq = q.dim(2);
        int len = s.length;
        if (qSeq > len) {
            throw new IllegalArgumentException(
                    "q holds " + qSeq + " queries but sequence " + seq + " has only " + len + " cached tokens");
        }
        int group = heads / kvHeads;
        Tensor out = Tensor.zeros(1, heads, qSeq, valueDim);
        Tensor lse = Tensor.zeros(1, heads, qSeq);
        float[] p = new float[qSeq * len];
        float[] qa = q.data();
        for (int h = 0; h < heads; h++) {
            int g = h / group;
            int qOff = h * qSeq * headDim;
            // Scores of every new query against each block's rows: one sgemm per physical block.
            for (int lb = 0; lb < s.table.size(); lb++) {
                int block = s.table.get(lb);
                int count = Math.min(blockSize, len - lb * blockSize);
                Kernels.sgemm(
                        false,
                        true,
                        qSeq,
                        count,
                        headDim,
                        (float) scale,
                        qa,
                        qOff,
                        headDim,
                        keys,
                        (block * kvHeads + g) * blockSize * headDim,
                        headDim,
                        0f,
                        p,
                        lb * blockSize,
                        len);
            }
            for (int i = 0; i < qSeq; i++) {
                int off = i * len;
                int n = len - qSeq + i + 1; // bottom-right causal: query i is token len − qSeq + i
                Arrays.fill(p, off + n, off + len, 0f);
                float m = Kernels.max(p, off, n);
                float sum = Kernels.expAndSum(p, off, p, off, n, m);
                Kernels.scale(1f / sum, p, off, n);
                lse.data()[h * qSeq + i] = (float) (m + Math.log(sum));
            }
            for (int lb = 0; lb < s.table.size(); lb++) {
                int block = s.table.get(lb);
                int count = Math.min(blockSize, len - lb * blockSize);
                Kernels.sgemm(
                        false,
                        false,
                        qSeq,
                        valueDim,
                        count,
                        1f,
                        p,
                        lb * blockSize,
                        len,
                        values,
                        (block * kvHeads + g) * blockSize * valueDim,
                        valueDim,
                        lb == 0 ? 0f : 1f,
                        out.data(),
                        h * qSeq * valueDim,
                        valueDim);
            }
        }
        return new AttentionResult(out, lse, null);
    }

    /**
     * The keys of a sequence gathered into a contiguous tensor (the reference for attention over the blocks).
     *
     * @param seq the sequence
     * @return {@code [1, kvHeads, length, headDim]}
     * @throws IllegalArgumentException if the sequence is unknown
     */
    public Tensor keys(int seq) {
        return gather(sequence(seq), keys, headDim);
    }

    /**
     * The values of a sequence gathered into a contiguous tensor.
     *
     * @param seq the sequence
     * @return {@code [1, kvHeads, length, valueDim]}
     * @throws IllegalArgumentException if the sequence is unknown
     */
    public Tensor values(int seq) {
        return gather(sequence(seq), values, valueDim);
    }

    private Tensor gather(Sequence s, float[] src, int width) {
        Tensor t = Tensor.zeros(1, kvHeads, s.length, width);
        for (int lb = 0; lb < s.table.size(); lb++) {
            int block = s.table.get(lb);
            int count = Math.min(blockSize, s.length - lb * blockSize);
            for (int g = 0; g < kvHeads; g++) {
                System.arraycopy(
                        src,
                        (block * kvHeads + g) * blockSize * width,
                        t.data(),
                        (g * s.length + lb * blockSize) * width,
                        count * width);
            }
        }
        return t;
    }

    /**
     * The block table of a sequence: physical block of each logical block.
     *
     * @param seq the sequence
     * @return a copy of the table
     * @throws IllegalArgumentException if the sequence is unknown
     */
    public int[] blockTable(int seq) {
        return sequence(seq).table.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The number of filled slots of each logical block of a sequence ({@code blockSize} except in the last block).
     *
     * @param seq the sequence
     * @return one count per logical block
     * @throws IllegalArgumentException if the sequence is unknown
     */
    public int[] filledSlots(int seq) {
        Sequence s = sequence(seq);
        int[] f = new int[s.table.size()];
        for (int lb = 0; lb < f.length; lb++) {
            f[lb] = Math.min(blockSize, s.length - lb * blockSize);
        }
        return f;
    }

    /**
     * A textual block table, one line per logical block: {@code logical 0 → physical 7, filled 4/4, ref 1}.
     *
     * @param seq the sequence
     * @return the table as text
     * @throws IllegalArgumentException if the sequence is unknown
     */
    public String describe(int seq) {
        int[] table = blockTable(seq);
        int[] filled = filledSlots(seq);
        StringBuilder sb = new StringBuilder();
        for (int lb = 0; lb < table.length; lb++) {
            sb.append("logical ")
                    .append(lb)
                    .append(" → physical ")
                    .append(table[lb])
                    .append(", filled ")
                    .append(filled[lb])
                    .append('/')
                    .append(blockSize)
                    .append(", ref ")
                    .append(refCounts[table[lb]])
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * The reference count of a physical block (0 when it is free).
     *
     * @param block a physical block in {@code [0, numBlocks)}
     * @return how many sequences' tables hold it
     * @throws IllegalArgumentException if the block is out of range
     */
    public int refCount(int block) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("block must be in [0, " + numBlocks + "), got " + block);
        }
        return refCounts[block];
    }

    /**
     * The number of tokens of a sequence.
     *
     * @param seq the sequence
     * @return its length
     * @throws IllegalArgumentException if the sequence is unknown
     */
    public int length(int seq) {
        return sequence(seq).length;
    }

    /**
     * The live sequence ids, in creation order.
     *
     * @return a copy of the ids
     */
    public int[] sequenceIds() {
        return sequences.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The number of blocks in the pool.
     *
     * @return free blocks
     */
    public int freeBlockCount() {
        return freeBlocks.size();
    }

    /**
     * The number of physical blocks in use (reference count ≥ 1).
     *
     * @return used blocks
     */
    public int usedBlockCount() {
        return numBlocks - freeBlocks.size();
    }

    /**
     * The token slots of the used blocks that hold no token: the internal fragmentation, under {@code blockSize} per
     * sequence (a block shared by several sequences counts once).
     *
     * @return empty slots in used blocks
     */
    public long wastedSlots() {
        long w = 0;
        for (int b = 0; b < numBlocks; b++) {
            if (refCounts[b] > 0) {
                w += blockSize - fill[b];
            }
        }
        return w;
    }

    /**
     * How many copy-on-write block copies were made.
     *
     * @return the count
     */
    public long copiesOnWrite() {
        return copiesOnWrite;
    }

    /**
     * The number of physical blocks.
     *
     * @return numBlocks
     */
    public int numBlocks() {
        return numBlocks;
    }

    /**
     * Tokens per block.
     *
     * @return blockSize
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The bytes of float32 storage of the pool, {@code numBlocks · blockSize · kvHeads · (headDim + valueDim) · 4}.
     *
     * @return the allocated bytes
     */
    public long bytes() {
        return 4L * (keys.length + (long) values.length);
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    private Sequence sequence(int seq) {
        Sequence s = sequences.get(seq);
        if (s == null) {
            throw new IllegalArgumentException("seq " + seq + " is not a live sequence; live: " + sequences.keySet());
        }
        return s;
    }

    private void checkQuery(Tensor q) {
        if (q == null || q.rank() != 4 || q.dim(0) != 1 || q.dim(3) != headDim || q.dim(1) % kvHeads != 0) {
            throw new IllegalArgumentException("q has shape " + (q == null ? "null" : Arrays.toString(q.shape()))
                    + " but the cache needs [1, a multiple of " + kvHeads + ", s, " + headDim + "]");
        }
    }

    private int checkNew(String name, Tensor t, int width) {
        if (t == null || t.rank() != 4 || t.dim(0) != 1 || t.dim(1) != kvHeads || t.dim(3) != width) {
            throw new IllegalArgumentException(name + " has shape " + (t == null ? "null" : Arrays.toString(t.shape()))
                    + " but the cache holds [1, " + kvHeads + ", s, " + width + "]");
        }
        return t.dim(2);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
