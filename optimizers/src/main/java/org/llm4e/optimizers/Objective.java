package org.llm4e.optimizers;

/**
 * A differentiable test function f: ℝⁿ → ℝ with its analytic gradient, for watching optimizers move (see
 * {@link TestFunctions} and {@link OptimizationRun}). Evaluated in double.
 */
public interface Objective {
    /**
     * A short name for tables and plots.
     *
     * @return the name, e.g. {@code "rosenbrock"}
     */
    String name();

    /**
     * The dimension n.
     *
     * @return n ≥ 1
     */
    int dim();

    /**
     * f(x).
     *
     * @param x a point of length {@link #dim()}
     * @return the value
     */
    double value(double[] x);

    /**
     * ∇f(x), analytic.
     *
     * @param x a point of length {@link #dim()}
     * @return a new array of length {@link #dim()}
     */
    double[] gradient(double[] x);

    /**
     * A global minimizer, where one is known.
     *
     * @return a copy of the minimizer, or null when f is unbounded below (the saddle)
     */
    double[] minimizer();
}
