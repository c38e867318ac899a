package org.llm4e.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The library thread pool: one fixed pool of daemon threads that every llm4e kernel shares.
 *
 * <p>Its size is {@code -Dllm4e.threads} (default: the number of available processors). Work is expressed as a range
 * of independent indices, {@link #forRange(int, int, int, RangeTask)}, split into at most {@link #parallelism()}
 * contiguous chunks; the calling thread runs the first chunk and waits for the others.
 *
 * <p>Three rules keep it predictable:
 *
 * <ul>
 *   <li><b>No nested parallelism.</b> A call made from inside a chunk (on a pool worker or on the calling thread while
 *       it runs its own chunk) runs single-threaded, so a kernel used inside a parallel layer never oversubscribes the
 *       cores or deadlocks.
 *   <li><b>Results do not depend on the thread count.</b> A task must compute each index the same way whatever chunk
 *       it lands in (no cross-index reductions whose order follows the split); every llm4e kernel is written that way,
 *       and the tests run them with 1, 2 and 4 chunks.
 *   <li><b>Exceptions propagate</b> to the caller, unwrapped when they are unchecked.
 * </ul>
 *
 * <p>{@link #withParallelism(int, Supplier)} changes the number of chunks for calls made by the current thread, which
 * is how tests check thread-count independence and how benchmarks pin a kernel to one thread.
 */
public final class Parallel {
    private static final int THREADS = configuredThreads();
    private static final ThreadLocal<Integer> OVERRIDE = new ThreadLocal<>();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static volatile ExecutorService pool;

    private Parallel() {}

    /** A body over a half-open range of indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        /**
         * Processes the indices {@code from} (inclusive) to {@code to} (exclusive).
         *
         * @param from first index
         * @param to one past the last index
         */
        void run(int from, int to);
    }

    /**
     * The pool size from {@code -Dllm4e.threads}.
     *
     * @return the number of threads the library uses at most
     */
    public static int threads() {
        return THREADS;
    }

    /**
     * The number of chunks a call from the current thread may use: 1 inside a chunk, the
     * {@link #withParallelism(int, Supplier) override} when one is set, else {@link #threads()}.
     *
     * @return the current parallelism
     */
    public static int parallelism() {
        if (INSIDE.get()) {
            return 1;
        }
        Integer override = OVERRIDE.get();
        return override != null ? override : THREADS;
    }

    /**
     * Runs {@code body} with calls from this thread split into {@code chunks} pieces at most.
     *
     * @param chunks the parallelism, ≥ 1 (may exceed the pool size: chunks then queue)
     * @param body the work
     * @param <T> the result type
     * @return what {@code body} returns
     */
    public static <T> T withParallelism(int chunks, Supplier<T> body) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be >= 1, got " + chunks);
        }
        Integer previous = OVERRIDE.get();
        OVERRIDE.set(chunks);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                OVERRIDE.remove();
            } else {
                OVERRIDE.set(previous);
            }
        }
    }

    /**
     * Runs {@code task} over {@code [from, to)}, split into contiguous chunks of at least {@code grain} indices.
     *
     * @param from first index
     * @param to one past the last index
     * @param grain the smallest chunk worth a thread, ≥ 1
     * @param task the body
     */
    public static void forRange(int from, int to, int grain, RangeTask task) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be >= 1, got " + grain);
        }
        if (to < from) {
            throw new IllegalArgumentException("to must be >= from, got from=" + from + ", to=" + to);
        }
        int n = to - from;
        int chunks = (int) Math.min(parallelism(), ((long) n + grain - 1) / grain);
        if (chunks <= 1) {
            runInside(task, from, to);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        ExecutorService executor = pool();
        for (int c = 1; c < chunks; c++) {
            int lo = from + (int) ((long) n * c / chunks);
            int hi = from + (int) ((long) n * (c + 1) / chunks);
            futures.add(executor.submit(() -> runInside(task, lo, hi)));
        }
        Throwable failure = null;
        try {
            runInside(task, from, from + (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : e;
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException("parallel task failed", failure);
        }
    }

    private static void runInside(RangeTask task, int lo, int hi) {
        boolean wasInside = INSIDE.get();
        INSIDE.set(Boolean.TRUE);
        try {
            task.run(lo, hi);
        } finally {
            INSIDE.set(wasInside);
        }
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    int[] counter = {0};
                    p = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
                        Thread t = new Thread(r, "llm4e-worker-" + (++counter[0]));
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    private static int configuredThreads() {
        String value = System.getProperty("llm4e.threads");
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("system property llm4e.threads must be an integer >= 1, got " + value);
    }
}
