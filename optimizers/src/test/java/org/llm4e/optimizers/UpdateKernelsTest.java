package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parallel;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.ScalarUpdateKernels;
import org.llm4e.optimizers.internal.UpdateKernels;
import org.llm4e.optimizers.internal.simd.PanamaUpdateKernels;

/**
 * The Vector API kernels equal the scalar reference bit for bit (random lengths, so every tail length occurs), and an
 * optimizer step does not depend on the number of threads.
 */
class UpdateKernelsTest {
    private static final UpdateKernels SCALAR = new ScalarUpdateKernels();
    private static final UpdateKernels PANAMA = new PanamaUpdateKernels();

    private static float[] random(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    private static float[] positive(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    @Property(tries = 60)
    void adamKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean amsgrad,
            @ForAll boolean decoupled,
            @ForAll boolean negate) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = random(r, n, 2);
        float[] g = random(r, n, 1);
        float[] m = random(r, n, 0.1);
        float[] v = positive(r, n);
        float[] vMax = amsgrad ? positive(r, n) : null;
        float[] p2 = p.clone();
        float[] m2 = m.clone();
        float[] v2 = v.clone();
        float[] vMax2 = vMax == null ? null : vMax.clone();
        float decay = decoupled ? 0.999f : 1f;
        float l2 = decoupled ? 0f : 0.01f;
        int from = Math.min(n, 3);
        SCALAR.adam(p, g, m, v, vMax, from, n, decay, l2, negate, 0.1f, 0.999f, 0.001f, -0.01f, 0.3f, 1e-8f);
        PANAMA.adam(p2, g, m2, v2, vMax2, from, n, decay, l2, negate, 0.1f, 0.999f, 0.001f, -0.01f, 0.3f, 1e-8f);
        assertArrayEquals(p, p2, "p");
        assertArrayEquals(m, m2, "m");
        assertArrayEquals(v, v2, "v");
        if (amsgrad) {
            assertArrayEquals(vMax, vMax2, "vMax");
        }
    }

    @Property(tries = 60)
    void sgdKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean momentum,
            @ForAll boolean nesterov,
            @ForAll boolean first,
            @ForAll boolean negate) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = random(r, n, 2);
        float[] g = random(r, n, 1);
        float[] buf = momentum ? random(r, n, 1) : null;
        float[] p2 = p.clone();
        float[] buf2 = buf == null ? null : buf.clone();
        SCALAR.sgd(p, g, buf, 0, n, 0.01f, negate, -0.1f, 0.9f, 0.7f, nesterov, first);
        PANAMA.sgd(p2, g, buf2, 0, n, 0.01f, negate, -0.1f, 0.9f, 0.7f, nesterov, first);
        assertArrayEquals(p, p2, "p");
        if (momentum) {
            assertArrayEquals(buf, buf2, "buf");
        }
    }

    @Property(tries = 60)
    void lionAndRmspropKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean epsInside,
            @ForAll boolean negate) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = random(r, n, 2);
        float[] g = random(r, n, 1);
        if (n > 2) {
            g[0] = 0f; // sign(0) and sign(-0) must agree too
            g[1] = -0f;
        }
        float[] m = random(r, n, 1);
        if (n > 2) {
            m[0] = 0f;
            m[1] = -0f;
        }
        float[] p2 = p.clone();
        float[] m2 = m.clone();
        SCALAR.lion(p, g, m, 0, n, 0.999f, negate, 0.9f, 0.1f, 0.99f, 0.01f, -1e-3f);
        PANAMA.lion(p2, g, m2, 0, n, 0.999f, negate, 0.9f, 0.1f, 0.99f, 0.01f, -1e-3f);
        assertArrayEquals(p, p2, "lion p");
        assertArrayEquals(m, m2, "lion m");
        float[] v = positive(r, n);
        float[] v2 = v.clone();
        SCALAR.rmsprop(p, g, v, null, null, 0, n, 0.01f, negate, 0.99f, 0.01f, 1e-8f, epsInside, -0.01f, 0f);
        PANAMA.rmsprop(p2, g, v2, null, null, 0, n, 0.01f, negate, 0.99f, 0.01f, 1e-8f, epsInside, -0.01f, 0f);
        assertArrayEquals(p, p2, "rmsprop p");
        assertArrayEquals(v, v2, "rmsprop v");
    }

    @Property(tries = 60)
    void centeredAndMomentumRmspropKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean centered,
            @ForAll boolean momentum,
            @ForAll boolean epsInside,
            @ForAll boolean negate) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = random(r, n, 2);
        float[] g = random(r, n, 1);
        float[] v = positive(r, n);
        // ḡ² may exceed v here, so the centered root sees negative numbers and both sides must give the same NaN
        float[] gAvg = centered ? random(r, n, 1) : null;
        float[] buf = momentum ? random(r, n, 1) : null;
        float[] p2 = p.clone();
        float[] v2 = v.clone();
        float[] gAvg2 = centered ? gAvg.clone() : null;
        float[] buf2 = momentum ? buf.clone() : null;
        int from = Math.min(n, 5);
        SCALAR.rmsprop(p, g, v, gAvg, buf, from, n, 0.01f, negate, 0.9f, 0.1f, 1e-8f, epsInside, -0.01f, 0.9f);
        PANAMA.rmsprop(p2, g, v2, gAvg2, buf2, from, n, 0.01f, negate, 0.9f, 0.1f, 1e-8f, epsInside, -0.01f, 0.9f);
        assertArrayEquals(p, p2, "p");
        assertArrayEquals(v, v2, "square_avg");
        if (centered) {
            assertArrayEquals(gAvg, gAvg2, "grad_avg");
        }
        if (momentum) {
            assertArrayEquals(buf, buf2, "momentum_buffer");
        }
    }

    /**
     * Rprop's masks and blends against the scalar if-chain: gradients and previous gradients that are ±0, keep or flip
     * their sign, or are NaN, and step sizes pushed past both clamps.
     */
    @Property(tries = 100)
    void rpropKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean negate,
            @ForAll boolean tightBounds) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = random(r, n, 2);
        float[] g = new float[n];
        float[] prev = new float[n];
        float[] size = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = special(r);
            prev[i] = special(r);
            // around the clamps: some sizes already below min or above max, some that one factor pushes across
            size[i] = (float) Math.scalb(r.nextDouble(0.5, 2), r.nextInt(-22, 8));
        }
        float min = tightBounds ? 1e-3f : 1e-6f;
        float max = tightBounds ? 1f : 50f;
        float[] p2 = p.clone();
        float[] prev2 = prev.clone();
        float[] size2 = size.clone();
        int from = Math.min(n, 1);
        SCALAR.rprop(p, g, prev, size, from, n, negate, 0.5f, 1.2f, min, max);
        PANAMA.rprop(p2, g, prev2, size2, from, n, negate, 0.5f, 1.2f, min, max);
        assertArrayEquals(p, p2, "p");
        assertArrayEquals(prev, prev2, "prev");
        assertArrayEquals(size, size2, "step_size");
        // a second step on the same state exercises the zeroed previous gradients of the flipped lanes
        SCALAR.rprop(p, g, prev, size, from, n, negate, 0.5f, 1.2f, min, max);
        PANAMA.rprop(p2, g, prev2, size2, from, n, negate, 0.5f, 1.2f, min, max);
        assertArrayEquals(p, p2, "p, second step");
        assertArrayEquals(prev, prev2, "prev, second step");
        assertArrayEquals(size, size2, "step_size, second step");
    }

    /** A value for Rprop's sign tests: often ±0, sometimes NaN, otherwise a random sign and magnitude. */
    private static float special(SplittableRandom r) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            return 0f;
        }
        if (kind == 1) {
            return -0f;
        }
        if (kind == 2 && r.nextInt(4) == 0) {
            return Float.NaN;
        }
        return (float) (r.nextDouble(-1, 1) * Math.scalb(1.0, r.nextInt(-30, 4)));
    }

    @Property(tries = 60)
    void asgdKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean average,
            @ForAll boolean l2,
            @ForAll boolean negate) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = random(r, n, 2);
        float[] g = random(r, n, 1);
        float[] ax = random(r, n, 2);
        float[] p2 = p.clone();
        float[] ax2 = ax.clone();
        float wd = l2 ? 0.01f : 0f;
        float mu = average ? 0.25f : 1f;
        int from = Math.min(n, 2);
        SCALAR.asgd(p, g, ax, from, n, wd, negate, 0.9999f, -0.01f, average, mu);
        PANAMA.asgd(p2, g, ax2, from, n, wd, negate, 0.9999f, -0.01f, average, mu);
        assertArrayEquals(p, p2, "p");
        assertArrayEquals(ax, ax2, "ax");
    }

    @Property(tries = 60)
    void adamFamilyAndAdaptiveKernelsAgree(
            @ForAll @IntRange(min = 0, max = 200) int n,
            @ForAll long seed,
            @ForAll boolean decoupled,
            @ForAll boolean rectified,
            @ForAll boolean negate) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] g = random(r, n, 1);
        float decay = decoupled ? 0.999f : 1f;
        float l2 = decoupled ? 0f : 0.01f;
        float[][] a = {random(r, n, 2), random(r, n, 0.1), positive(r, n)};
        float[][] b = {a[0].clone(), a[1].clone(), a[2].clone()};
        SCALAR.nadam(a[0], g, a[1], a[2], 0, n, decay, l2, negate, 0.1f, 0.999f, 0.001f, 0.02f, 1e-8f, -0.01f, -0.02f);
        PANAMA.nadam(b[0], g, b[1], b[2], 0, n, decay, l2, negate, 0.1f, 0.999f, 0.001f, 0.02f, 1e-8f, -0.01f, -0.02f);
        assertArrayEquals(a[0], b[0], "nadam p");
        assertArrayEquals(a[1], b[1], "nadam m");
        assertArrayEquals(a[2], b[2], "nadam v");
        SCALAR.radam(
                a[0], g, a[1], a[2], 0, n, decay, l2, negate, 0.1f, 0.999f, 0.001f, 0.4f, 1e-3f, rectified, 0.1f, 1e-8f,
                0.03f);
        PANAMA.radam(
                b[0], g, b[1], b[2], 0, n, decay, l2, negate, 0.1f, 0.999f, 0.001f, 0.4f, 1e-3f, rectified, 0.1f, 1e-8f,
                0.03f);
        assertArrayEquals(a[0], b[0], "radam p");
        assertArrayEquals(a[1], b[1], "radam m");
        assertArrayEquals(a[2], b[2], "radam v");
        SCALAR.adamax(a[0], g, a[1], a[2], 0, n, l2, negate, 0.1f, 0.999f, 1e-8f, -0.002f);
        PANAMA.adamax(b[0], g, b[1], b[2], 0, n, l2, negate, 0.1f, 0.999f, 1e-8f, -0.002f);
        assertArrayEquals(a[0], b[0], "adamax p");
        assertArrayEquals(a[1], b[1], "adamax m");
        assertArrayEquals(a[2], b[2], "adamax u");
        SCALAR.adagrad(a[0], g, a[2], 0, n, l2, negate, 1e-10f, -0.01f);
        PANAMA.adagrad(b[0], g, b[2], 0, n, l2, negate, 1e-10f, -0.01f);
        assertArrayEquals(a[0], b[0], "adagrad p");
        assertArrayEquals(a[2], b[2], "adagrad sum");
        float[] acc = positive(r, n);
        float[] acc2 = acc.clone();
        SCALAR.adadelta(a[0], g, a[2], acc, 0, n, l2, negate, 0.9f, 0.1f, 1e-6f, -1f);
        PANAMA.adadelta(b[0], g, b[2], acc2, 0, n, l2, negate, 0.9f, 0.1f, 1e-6f, -1f);
        assertArrayEquals(a[0], b[0], "adadelta p");
        assertArrayEquals(a[2], b[2], "adadelta square_avg");
        assertArrayEquals(acc, acc2, "adadelta acc_delta");
    }

    @Test
    void aStepDoesNotDependOnTheThreadCount() {
        int n = 2 * BaseOptimizer.GRAIN + 17;
        for (String name : Optimizers.names()) {
            float[][] results = new float[3][];
            int[] threads = {1, 2, 4};
            for (int k = 0; k < threads.length; k++) {
                SplittableRandom r = new SplittableRandom(42);
                Parameter p = new Parameter("w", random(r, n, 1));
                Optimizer opt = Optimizers.create(name, List.of(p), Map.of());
                results[k] = Parallel.withParallelism(threads[k], () -> {
                    for (int t = 0; t < 3; t++) {
                        float[] g = random(r, n, 1);
                        System.arraycopy(g, 0, p.grad(), 0, n);
                        opt.step();
                    }
                    return p.data().clone();
                });
            }
            assertArrayEquals(results[0], results[1], name + ": 1 vs 2 threads");
            assertArrayEquals(results[0], results[2], name + ": 1 vs 4 threads");
        }
    }

    @Test
    void scalarAndVectorOptimizersGiveIdenticalTrajectories() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 1000;
        float[] x0 = random(r, n, 1);
        float[][] grads = new float[10][];
        for (int t = 0; t < grads.length; t++) {
            grads[t] = random(r, n, 1);
        }
        Parameter a = new Parameter("a", x0.clone());
        Parameter b = new Parameter("b", x0.clone());
        Optimizer sa = AdamW.builder().amsgrad(true).kernels(SCALAR).build(List.of(a));
        Optimizer sb = AdamW.builder().amsgrad(true).kernels(PANAMA).build(List.of(b));
        for (float[] g : grads) {
            System.arraycopy(g, 0, a.grad(), 0, n);
            System.arraycopy(g, 0, b.grad(), 0, n);
            sa.step();
            sb.step();
        }
        assertArrayEquals(a.data(), b.data());
        assertTrue(UpdateKernels.INSTANCE instanceof PanamaUpdateKernels, "the test JVM runs with the Vector API");
    }
}
