package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.core.Parameter;

/** Properties every optimizer or a family of them must have, over random parameters and gradients. */
class OptimizerProperties {
    /** Each optimizer's own small learning rate for the convex-quadratic property. */
    static final Map<String, Double> SMALL_LR = Map.ofEntries(
            Map.entry("sgd", 0.1),
            Map.entry("asgd", 0.1),
            Map.entry("rprop", 0.01),
            Map.entry("adagrad", 0.1),
            Map.entry("adadelta", 1.0),
            Map.entry("rmsprop", 0.01),
            Map.entry("adam", 0.01),
            Map.entry("adamw", 0.01),
            Map.entry("nadam", 0.01),
            Map.entry("radam", 0.01),
            Map.entry("adamax", 0.01),
            Map.entry("lion", 0.001));

    @Provide
    Arbitrary<float[]> vectors() {
        return Arbitraries.integers()
                .between(1, 70)
                .flatMap(n -> Arbitraries.floats()
                        .between(-5f, 5f)
                        .array(float[].class)
                        .ofSize(n));
    }

    /** Gradients bounded away from zero, so that scaling by a power of two stays normal. */
    @Provide
    Arbitrary<float[][]> gradientSequences() {
        Arbitrary<Float> magnitude = Arbitraries.floats().between(1e-3f, 10f).ofScale(6);
        Arbitrary<Float> signed =
                Combinators.combine(magnitude, Arbitraries.of(-1f, 1f)).as((m, s) -> m * s);
        return Arbitraries.integers()
                .between(1, 20)
                .flatMap(n -> signed.array(float[].class)
                        .ofSize(n)
                        .array(float[][].class)
                        .ofSize(8));
    }

    @Property(tries = 100)
    void zeroGradientLeavesSgdAndAdamUnchanged(
            @ForAll("vectors") float[] x, @ForAll @IntRange(min = 1, max = 5) int steps, @ForAll boolean momentum) {
        for (String name : List.of("sgd", "adam", "adamw")) {
            Parameter p = new Parameter("x", x.clone());
            Map<String, Object> hp = name.equals("sgd")
                    ? Map.of("lr", 0.1, "momentum", momentum ? 0.9 : 0.0)
                    : name.equals("adamw") ? Map.of("weight_decay", 0.0) : Map.of();
            Optimizer opt = Optimizers.create(name, List.of(p), hp);
            for (int t = 0; t < steps; t++) {
                opt.step();
            }
            assertArrayEquals(x, p.data(), name);
        }
    }

    @Property(tries = 100)
    void adamAndRpropAreInvariantToScalingGradientsByPowersOfTwo(
            @ForAll("gradientSequences") float[][] grads, @ForAll @IntRange(min = -12, max = 12) int exponent) {
        float scale = (float) Math.scalb(1.0, exponent);
        int n = grads[0].length;
        for (String name : List.of("adam", "rprop", "adamax")) {
            // Exact only without ε (Adam, Adamax) since ε does not scale with the gradient.
            Map<String, Object> hp = name.equals("rprop") ? Map.of() : Map.of("eps", 0.0);
            Parameter a = new Parameter("a", new float[n]);
            Parameter b = new Parameter("b", new float[n]);
            Optimizer oa = Optimizers.create(name, List.of(a), hp);
            Optimizer ob = Optimizers.create(name, List.of(b), hp);
            for (float[] g : grads) {
                for (int i = 0; i < n; i++) {
                    a.grad()[i] = g[i];
                    b.grad()[i] = g[i] * scale;
                }
                oa.step();
                ob.step();
                assertArrayEquals(a.data(), b.data(), name + " scaled by 2^" + exponent);
            }
        }
    }

    @Property(tries = 30)
    void everyOptimizerLowersAConvexQuadratic(@ForAll("quadratics") float[][] problem) {
        float[] curvature = problem[0];
        float[] x0 = problem[1];
        for (String name : Optimizers.names()) {
            Parameter p = new Parameter("x", x0.clone());
            Optimizer opt = Optimizers.create(name, List.of(p), Map.of("lr", SMALL_LR.get(name)));
            double f0 = quadratic(curvature, p.data());
            for (int t = 0; t < 100; t++) {
                for (int i = 0; i < x0.length; i++) {
                    p.grad()[i] = curvature[i] * p.data()[i];
                }
                opt.step();
            }
            double f100 = quadratic(curvature, p.data());
            assertTrue(f100 < f0, name + ": f went from " + f0 + " to " + f100);
        }
    }

    /** f(x) = ½ Σ aᵢxᵢ² with aᵢ in [0.5, 2] and |xᵢ| in [0.5, 5]. */
    @Provide
    Arbitrary<float[][]> quadratics() {
        return Arbitraries.integers().between(1, 16).flatMap(n -> {
            Arbitrary<float[]> a =
                    Arbitraries.floats().between(0.5f, 2f).array(float[].class).ofSize(n);
            Arbitrary<Float> coordinate = Combinators.combine(
                            Arbitraries.floats().between(0.5f, 5f), Arbitraries.of(-1f, 1f))
                    .as((m, s) -> m * s);
            Arbitrary<float[]> x = coordinate.array(float[].class).ofSize(n);
            return Combinators.combine(a, x).as((aa, xx) -> new float[][] {aa, xx});
        });
    }

    static double quadratic(float[] a, float[] x) {
        double f = 0;
        for (int i = 0; i < x.length; i++) {
            f += 0.5 * a[i] * (double) x[i] * x[i];
        }
        return f;
    }
}
