package org.llm4e.tour;

/**
 * Wall-clock timing for the tour's tables: the best of repeated runs, once the time has stopped improving.
 *
 * <p>The tour is a demonstration, not a benchmark (the JMH jar is where figures are measured). It drops the first run
 * (class loading, interpretation) and reports the fastest of the others, the run least disturbed by other processes.
 * It stops once at least {@code minSeconds} have passed, at least two runs were made, and the best time has not
 * improved by more than 5 % for {@code minSeconds / 2}: the JIT may recompile a kernel when it sees a new problem size,
 * and Vector API code runs a hundred times slower until it has, so a fixed number of runs could time the wrong code.
 * A hard limit of {@code 20 · minSeconds} (at least 2 s) keeps a noisy machine from stretching a chapter forever.
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
        long settle = (long) (minSeconds * 0.5e9);
        long hardDeadline = start + (long) (Math.max(2.0, 20 * minSeconds) * 1e9);
        double best = Double.POSITIVE_INFINITY;
        long lastImprovement = start;
        int runs = 0;
        long now = start;
        while (runs < 2 || (now < hardDeadline && (now < deadline || now - lastImprovement < settle))) {
            long t0 = System.nanoTime();
            work.run();
            now = System.nanoTime();
            double seconds = (now - t0) * 1e-9;
            if (runs > 0 && seconds < best) {
                if (seconds < 0.95 * best) {
                    lastImprovement = now;
                }
                best = seconds;
            }
            runs++;
        }
        return best;
    }
}
