package org.llm4e.attention.estimate;

import java.util.ArrayList;
import java.util.List;

/**
 * Static versus continuous batching, counted in forward calls of the model.
 *
 * <pre>
 *   static:      the batch waits for its longest request:  calls per batch = max(max_tokens in the batch)
 *                (one prefill call emits token 1, then max − 1 decode calls)
 *   continuous:  init_batch → generate_next_token (prefill)
 *                while queue or batch:
 *                    if batch has free slots and queue:  prefill the next requests, merge them into the batch
 *                    decode one token for the whole batch;  remove the finished requests
 * </pre>
 *
 * <p>From 大模型的latency（延迟）和throughput（吞吐量）有什么区别.md (the deeplearning.ai continuous-batching loop:
 * {@code queue_size = 32}, {@code batch_size = 8}, {@code max_tokens = 100 if i % batch_size == 0 else 10};
 * attention catalog §20, check 29). The loop is simulated as the article's code runs it: prefill decrements each new
 * request's remaining tokens, every decode decrements all, and requests with none left are filtered after each decode.
 * The article's {@code random.seed(42)} only picks prompt texts, which do not change these counts, so it is not a
 * parameter here. With the article's requests static batching needs 400 forward calls and continuous batching 132
 * (126 decode iterations and 6 prefill calls) [derived].
 */
public final class BatchingSimulation {
    private BatchingSimulation() {}

    /**
     * Forward-call counts of one schedule.
     *
     * @param prefillCalls calls that prefill newly admitted requests
     * @param decodeIterations decode calls
     */
    public record Result(int prefillCalls, int decodeIterations) {
        /**
         * All forward calls.
         *
         * @return prefill + decode calls
         */
        public int forwardCalls() {
            return prefillCalls + decodeIterations;
        }
    }

    /**
     * The article's request queue: {@code max_tokens = 100} for every {@code batchSize}-th request, else 10.
     *
     * @param queueSize the number of requests
     * @param batchSize the batch size
     * @return the max tokens of each request
     * @throws IllegalArgumentException if a size is not positive
     */
    public static int[] articleRequests(int queueSize, int batchSize) {
        positive("queueSize", queueSize);
        positive("batchSize", batchSize);
        int[] r = new int[queueSize];
        for (int i = 0; i < queueSize; i++) {
            r[i] = i % batchSize == 0 ? 100 : 10;
        }
        return r;
    }

    /**
     * Static batching: consecutive groups of {@code batchSize} requests, each run until its longest request ends.
     *
     * @param maxTokens the tokens each request generates, each ≥ 1
     * @param batchSize the batch size ≥ 1
     * @return the counts
     * @throws IllegalArgumentException if a value is out of range
     */
    public static Result staticBatching(int[] maxTokens, int batchSize) {
        check(maxTokens, batchSize);
        int prefill = 0;
        int decode = 0;
        for (int start = 0; start < maxTokens.length; start += batchSize) {
            int longest = 0;
            for (int i = start; i < Math.min(maxTokens.length, start + batchSize); i++) {
                longest = Math.max(longest, maxTokens[i]);
            }
            prefill++;
            decode += longest - 1;
        }
        return new Result(prefill, decode);
    }

    /**
     * Continuous (iteration-level) batching as the article's loop runs it.
     *
     * @param maxTokens the tokens each request generates, each ≥ 1
     * @param batchSize the batch size ≥ 1
     * @return the counts
     * @throws IllegalArgumentException if a value is out of range
     */
    public static Result continuousBatching(int[] maxTokens, int batchSize) {
        check(maxTokens, batchSize);
        int next = 0;
        List<int[]> batch = new ArrayList<>(); // remaining tokens of each running request
        int prefill = 0;
        int decode = 0;
        // init_batch + generate_next_token: the first prefill emits each request's first token.
        for (; next < Math.min(batchSize, maxTokens.length); next++) {
            batch.add(new int[] {maxTokens[next] - 1});
        }
        prefill++;
        while (next < maxTokens.length || !batch.isEmpty()) {
            int capacity = batchSize - batch.size();
            if (capacity > 0 && next < maxTokens.length) {
                int end = Math.min(maxTokens.length, next + capacity);
                for (; next < end; next++) {
                    batch.add(new int[] {maxTokens[next] - 1});
                }
                prefill++;
            }
            for (int[] r : batch) {
                r[0]--;
            }
            decode++;
            batch.removeIf(r -> r[0] <= 0);
        }
        return new Result(prefill, decode);
    }

    private static void check(int[] maxTokens, int batchSize) {
        positive("batchSize", batchSize);
        if (maxTokens == null || maxTokens.length == 0) {
            throw new IllegalArgumentException("maxTokens must hold at least one request");
        }
        for (int i = 0; i < maxTokens.length; i++) {
            if (maxTokens[i] < 1) {
                throw new IllegalArgumentException("maxTokens[" + i + "] must be >= 1, got " + maxTokens[i]);
            }
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }
}
