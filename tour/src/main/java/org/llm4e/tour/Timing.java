package org.llm4e.tour;

/**
 * Wall-clock timing for the tour's tables: the best of repeated runs.
 *
 * <p>The tour is a demonstration, not a benchmark (the JMH jar is where figures are measured): it runs the work until
 * at least {@code minSeconds} have passed and at least two runs were made, drops the first run (it pays for class
 * loading and JIT compilation) and reports the fastest of the rest, the least disturbed by other processes.
 */
public final class Timing {
    private Timing() {}

    /**
     * The best time of {@code work}, in seconds.
     *
     * @param work the code to time
     * @param minSeconds the least total time to spend, ≥ 0
     * @return the fastest run after the first, in seconds
     */
    public static double bestSeconds(Runnable work, double minSeconds) {
        if (!(minSeconds >= 0)) {
            throw new IllegalArgumentException("minSeconds must be >= 0, got " + minSeconds);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (minSeconds * 1e9);
        double best = Double.POSITIVE_INFINITY;
        int runs = 0;
        long now = start;
        while (runs < 2 || now < deadline) {
            long t0 = System.nanoTime();
            work.run();
            now = System.nanoTime();
            if (runs > 0) {
                best = Math.min(best, (now - t0) * 1e-9);
            }
            runs++;
        }
        return best;
    }
}
