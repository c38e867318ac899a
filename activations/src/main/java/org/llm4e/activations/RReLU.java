package org.llm4e.activations;

import java.util.SplittableRandom;
import org.llm4e.activations.internal.Checks;

/**
 * Randomized leaky ReLU (Xu et al. 2015).
 *
 * <pre>
 *   training:  f(x) = x for x &gt; 0, r·x for x ≤ 0,  r ~ U(lower, upper) drawn per element and per call
 *   eval:      f(x) = x for x &gt; 0, ((lower + upper)/2)·x for x ≤ 0      defaults lower = 1/8, upper = 1/3
 * </pre>
 *
 * <p>Absent from the articles; the ReLU article ({@code 神经网络的激活函数（三）ReLU和它的变种.md}) covers its leaky relatives. The instances from the
 * constructors are the eval form ({@code F.rrelu(training=False)}), a leaky ReLU with the mean slope, with
 * f′(0) = mean slope as PyTorch. {@link #training(long)} gives the random form: its bulk forward draws one slope per
 * non-positive element from a {@link SplittableRandom} seeded once, and its bulk backward reuses the slopes of the
 * last forward (so it is stateful and not thread-safe). The random numbers are this library's, not torch's; the
 * scalar {@link #apply(double)} and {@link #derivative(double)} of the training form use the mean slope.
 */
public final class RReLU extends ElementwiseActivation {
    private final double lower;
    private final double upper;
    private final SplittableRandom random;
    private float[] lastSlopes = new float[0];

    private RReLU(double lower, double upper, SplittableRandom random) {
        this.lower = Checks.finite("lower", lower);
        this.upper = Checks.finite("upper", upper);
        if (lower > upper) {
            throw new IllegalArgumentException("lower must be <= upper, got lower=" + lower + " and upper=" + upper);
        }
        this.random = random;
    }

    /**
     * Creates the eval form.
     *
     * @param lower the lower bound of the slope (finite)
     * @param upper the upper bound of the slope (finite, ≥ lower)
     * @throws IllegalArgumentException if a bound is not finite or {@code lower > upper}
     */
    public RReLU(double lower, double upper) {
        this(lower, upper, null);
    }

    /** Creates the eval form with PyTorch's defaults lower = 1/8, upper = 1/3. */
    public RReLU() {
        this(1.0 / 8, 1.0 / 3);
    }

    /**
     * The training form with PyTorch's default bounds.
     *
     * @param seed the seed of the slope generator
     * @return a new stateful training-mode RReLU
     */
    public static RReLU training(long seed) {
        return training(1.0 / 8, 1.0 / 3, seed);
    }

    /**
     * The training form.
     *
     * @param lower the lower bound of the slope
     * @param upper the upper bound of the slope
     * @param seed the seed of the slope generator
     * @return a new stateful training-mode RReLU
     * @throws IllegalArgumentException if a bound is not finite or {@code lower > upper}
     */
    public static RReLU training(double lower, double upper, long seed) {
        return new RReLU(lower, upper, new SplittableRandom(seed));
    }

    /**
     * Whether this is the random training form.
     *
     * @return true for instances from {@link #training(long)}
     */
    public boolean isTraining() {
        return random != null;
    }

    /**
     * The slope used for x ≤ 0 in eval mode.
     *
     * @return (lower + upper)/2
     */
    public double evalSlope() {
        return (lower + upper) / 2;
    }

    @Override
    public String name() {
        return "rrelu";
    }

    @Override
    public double apply(double x) {
        return x > 0 ? x : evalSlope() * x;
    }

    @Override
    public double derivative(double x) {
        return x > 0 ? 1.0 : (Double.isNaN(x) ? x : evalSlope());
    }

    @Override
    void forwardUnchecked(float[] x, int xOff, float[] y, int yOff, int n) {
        if (random == null) {
            super.forwardUnchecked(x, xOff, y, yOff, n);
            return;
        }
        float[] slopes = new float[n];
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            if (v > 0) {
                slopes[i] = 1f;
                y[yOff + i] = v;
            } else {
                slopes[i] = (float) (lower + (upper - lower) * random.nextDouble());
                y[yOff + i] = slopes[i] * v;
            }
        }
        lastSlopes = slopes;
    }

    @Override
    void backwardUnchecked(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        if (random == null) {
            super.backwardUnchecked(x, xOff, dy, dyOff, dx, dxOff, n);
            return;
        }
        if (lastSlopes.length != n) {
            throw new IllegalArgumentException(
                    "n must equal the length of the last training forward (" + lastSlopes.length + "), got " + n);
        }
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] * lastSlopes[i];
        }
    }
}
