package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Property tests of the element-wise activations: derivatives, SIMD == scalar, NaN propagation. */
class ActivationProperties {
    private static final double[] KINKS = {0, -3, 3, 6, -1, 1};

    static List<Activation> everyActivation() {
        List<Activation> all = new ArrayList<>();
        for (String name : Activations.names()) {
            all.add(Activations.create(name));
        }
        all.add(Activations.create("gelu", Map.of("approximate", "tanh")));
        all.add(Activations.create("leaky_relu", Map.of("negative_slope", 0.2)));
        all.add(Activations.create("elu", Map.of("alpha", 0.5)));
        all.add(Activations.create("celu", Map.of("alpha", 2.0)));
        all.add(Activations.create("swish", Map.of("beta", 3.0)));
        all.add(Activations.create("softplus", Map.of("beta", 2.0, "threshold", 10.0)));
        all.add(Activations.create("hardtanh", Map.of("min_val", -2.0, "max_val", 0.5)));
        return all;
    }

    @Provide
    Arbitrary<Activation> activations() {
        return Arbitraries.of(everyActivation());
    }

    @Provide
    Arbitrary<String> hot() {
        return Arbitraries.of("sigmoid", "tanh", "silu", "gelu_none", "gelu_tanh", "mish");
    }

    /** The analytic derivative equals a central finite difference in double, away from kinks. */
    @Property(tries = 400)
    void derivativeEqualsCentralDifference(
            @ForAll("activations") Activation f, @ForAll @DoubleRange(min = -8, max = 8) double x) {
        for (double k : KINKS) {
            if (Math.abs(x - k) < 1e-3) {
                return;
            }
        }
        if (f.name().equals("hardtanh") && (Math.abs(x + 2) < 1e-3 || Math.abs(x - 0.5) < 1e-3)) {
            return;
        }
        if (f.name().equals("softplus") && Math.abs(x - 5) < 1e-3) {
            return; // β = 2, threshold 10 switches at x = 5
        }
        double h = 1e-5;
        double fd = (f.apply(x + h) - f.apply(x - h)) / (2 * h);
        double d = f.derivative(x);
        assertTrue(Math.abs(fd - d) <= 1e-7 + 1e-7 * Math.abs(d), f + " at " + x + ": analytic " + d + ", fd " + fd);
    }

    /** The Vector API kernels agree with the scalar ones to float32 tolerance, vector body and tail alike. */
    @Property(tries = 150)
    void simdEqualsScalar(
            @ForAll("hot") String id,
            @ForAll @IntRange(min = 0, max = 70) int n,
            @ForAll @IntRange(min = 0, max = 5) int offset,
            @ForAll long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] x = new float[n + offset];
        float[] dy = new float[n + offset];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 40 - 20) * (i % 3 == 0 ? 0.1f : 1f);
            dy[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] xs = java.util.Arrays.copyOfRange(x, offset, x.length);
        float[] dys = java.util.Arrays.copyOfRange(dy, offset, dy.length);
        float[] ys = new float[n];
        float[] yp = new float[n];
        KernelSets.forward(KernelSets.SCALAR, id, xs, ys);
        KernelSets.forward(KernelSets.PANAMA, id, xs, yp);
        float[] ds = new float[n];
        float[] dp = new float[n];
        KernelSets.backward(KernelSets.SCALAR, id, xs, dys, ds);
        KernelSets.backward(KernelSets.PANAMA, id, xs, dys, dp);
        for (int i = 0; i < n; i++) {
            assertTrue(
                    Math.abs(ys[i] - yp[i]) <= 1e-6 + 1e-5 * Math.abs(ys[i]),
                    id + " forward at x=" + xs[i] + ": " + ys[i] + " vs " + yp[i]);
            assertTrue(
                    Math.abs(ds[i] - dp[i]) <= 2e-6 + 1e-5 * Math.abs(ds[i]),
                    id + " backward at x=" + xs[i] + ": " + ds[i] + " vs " + dp[i]);
        }
    }

    /** NaN propagates through the reference, the bulk path and the backward pass (as in PyTorch). */
    @Property(tries = 60)
    void nanPropagates(@ForAll("activations") Activation f, @ForAll @IntRange(min = 1, max = 40) int n) {
        assertTrue(Double.isNaN(f.apply(Double.NaN)), f + " apply(NaN)");
        assertTrue(Double.isNaN(f.derivative(Double.NaN)), f + " derivative(NaN)");
        float[] x = new float[n];
        java.util.Arrays.fill(x, Float.NaN);
        float[] y = f.forward(x);
        float[] dx = new float[n];
        f.backward(x, y.clone(), dx);
        for (int i = 0; i < n; i++) {
            assertTrue(Float.isNaN(y[i]) && Float.isNaN(dx[i]), f + " bulk NaN at " + i);
        }
    }
}
