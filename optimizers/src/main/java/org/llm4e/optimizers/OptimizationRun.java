package org.llm4e.optimizers;

import java.util.List;
import java.util.function.Function;
import org.llm4e.core.Parameter;

/**
 * Runs an optimizer on an {@link Objective} and records the trajectory and the losses: what the optimizer race of the
 * overview article animates. The point lives in a float32 {@link Parameter} as in training; the gradient is evaluated
 * in double at the float point and rounded to float.
 */
public final class OptimizationRun {
    private OptimizationRun() {}

    /**
     * The recorded run.
     *
     * @param points {@code steps + 1} points, row 0 the start and row t the point after step t
     * @param losses f at each point ({@code steps + 1} values)
     */
    public record Trajectory(double[][] points, double[] losses) {
        /**
         * The first step whose loss is at most {@code tolerance}.
         *
         * @param tolerance the loss to reach
         * @return the step index (0 if the start already is), or −1 if never reached
         */
        public int stepsToReach(double tolerance) {
            for (int t = 0; t < losses.length; t++) {
                if (losses[t] <= tolerance) {
                    return t;
                }
            }
            return -1;
        }

        /**
         * The last point.
         *
         * @return a copy of {@code points[steps]}
         */
        public double[] last() {
            return points[points.length - 1].clone();
        }
    }

    /**
     * Runs {@code steps} optimizer steps from {@code start}.
     *
     * @param f the objective
     * @param start the starting point, length {@code f.dim()}
     * @param optimizer builds the optimizer over the single parameter, e.g.
     *     {@code ps -> Adam.builder().lr(0.1).build(ps)} or {@code ps -> Optimizers.create("rmsprop", ps, Map.of())}
     * @param steps the number of steps, ≥ 0
     * @return the trajectory
     * @throws IllegalArgumentException if {@code start} has the wrong length or {@code steps} is negative
     */
    public static Trajectory run(
            Objective f, double[] start, Function<List<Parameter>, Optimizer> optimizer, int steps) {
        TestFunctions.check(f, start);
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        int n = f.dim();
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) start[i];
        }
        Parameter p = new Parameter(f.name(), data);
        Optimizer opt = optimizer.apply(List.of(p));
        double[][] points = new double[steps + 1][];
        double[] losses = new double[steps + 1];
        double[] x = point(data);
        points[0] = x;
        losses[0] = f.value(x);
        for (int t = 1; t <= steps; t++) {
            double[] g = f.gradient(x);
            for (int i = 0; i < n; i++) {
                p.grad()[i] = (float) g[i];
            }
            opt.step();
            x = point(data);
            points[t] = x;
            losses[t] = f.value(x);
        }
        return new Trajectory(points, losses);
    }

    private static double[] point(float[] data) {
        double[] x = new double[data.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = data[i];
        }
        return x;
    }
}
