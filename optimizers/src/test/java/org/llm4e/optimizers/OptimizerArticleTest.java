package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;

/**
 * The numbered optimizer checks of the article catalog (Part A, checks 1–14): f(θ) = θ², θ₀ = 1, η = 0.1 unless
 * stated, θ after steps 1, 2, 3. Rows the catalog marks "Article" follow the article's own formula, which the library
 * does not implement where it is an erratum; those rows are computed here from the article's formula (in double) and
 * shown to differ from the library's torch semantics.
 */
class OptimizerArticleTest {
    /** float32 parameters against 8-digit reference values. */
    static final double TOL = 1e-6;

    /** Runs {@code steps} steps of f(θ) = θ² (g = 2θ) from θ₀ and returns θ after each step. */
    static double[] trajectory(Function<List<Parameter>, Optimizer> factory, double theta0, int steps) {
        Parameter p = new Parameter("theta", new float[] {(float) theta0});
        Optimizer opt = factory.apply(List.of(p));
        double[] out = new double[steps];
        for (int t = 0; t < steps; t++) {
            p.grad()[0] = 2 * p.data()[0];
            opt.step();
            out[t] = p.data()[0];
        }
        return out;
    }

    static double[] trajectory(Function<List<Parameter>, Optimizer> factory) {
        return trajectory(factory, 1, 3);
    }

    /** The first step's |Δθ| from θ₀ = 0 with a given gradient. */
    static double firstStep(Function<List<Parameter>, Optimizer> factory, float g) {
        Parameter p = new Parameter("theta", new float[] {0f});
        p.grad()[0] = g;
        factory.apply(List.of(p)).step();
        return Math.abs(p.data()[0]);
    }

    static void assertTrajectory(double[] expected, double[] actual, String what) {
        assertArrayEquals(expected, actual, TOL, what);
    }

    @Test
    void check1Sgd() {
        assertTrajectory(
                new double[] {0.8, 0.64, 0.512},
                trajectory(ps -> SGD.builder().lr(0.1).build(ps)),
                "SGD");
    }

    @Test
    void check2MomentumArticleFormEqualsTorchAtConstantLr() {
        double[] expected = {0.8, 0.46, 0.062};
        // Article: v = γ·v + η·g, θ −= v (no (1 − γ) factor, although the article calls it an EWA: erratum).
        double[] article = new double[3];
        double theta = 1;
        double v = 0;
        for (int t = 0; t < 3; t++) {
            v = 0.9 * v + 0.1 * 2 * theta;
            theta -= v;
            article[t] = theta;
        }
        assertArrayEquals(expected, article, 1e-12, "article momentum");
        assertTrajectory(
                expected, trajectory(ps -> SGD.builder().lr(0.1).momentum(0.9).build(ps)), "torch SGD");
    }

    @Test
    void check2MomentumFormsDifferUnderAChangingLr() {
        double[] lrs = {0.1, 0.05, 0.025};
        double theta = 1;
        double v = 0;
        Parameter p = new Parameter("theta", new float[] {1f});
        SGD sgd = SGD.builder().lr(0.1).momentum(0.9).build(List.of(p));
        double torchTheta = 1;
        double b = 0;
        for (int t = 0; t < 3; t++) {
            v = 0.9 * v + lrs[t] * 2 * theta; // article: v carries the old η
            theta -= v;
            b = t == 0 ? 2 * torchTheta : 0.9 * b + 2 * torchTheta; // torch: lr outside the buffer
            torchTheta -= lrs[t] * b;
            sgd.setLr(lrs[t]);
            p.grad()[0] = 2 * p.data()[0];
            sgd.step();
            assertEquals(torchTheta, p.data()[0], TOL, "step " + (t + 1));
        }
        assertTrue(Math.abs(theta - torchTheta) > 1e-2, "article " + theta + " vs torch " + torchTheta);
    }

    @Test
    void check3ExponentiallyWeightedAverage() {
        // Adam's first moment is an EWA of the gradients: with a constant gradient c it is (1 − β^t)·c (biased low).
        Parameter p = new Parameter("theta", new float[] {0f});
        Adam adam = Adam.builder().lr(0).build(List.of(p));
        for (int t = 1; t <= 10; t++) {
            p.grad()[0] = 3f;
            adam.step();
            float m = adam.stateOf(p).buffer("exp_avg")[0];
            assertEquals((1 - Math.pow(0.9, t)) * 3, m, 1e-6, "m after step " + t);
        }
        // Erratum: the article says 0.9^99 ≈ 1e-5; it is 2.9513e-5, and the weight of θ₁ in v₁₀₀ is 2.9513e-6.
        assertEquals(2.9513e-5, Math.pow(0.9, 99), 1e-9);
        assertEquals(2.9513e-6, 0.1 * Math.pow(0.9, 99), 1e-10);
        assertEquals(0.348678, Math.pow(0.9, 10), 1e-6);
        assertEquals(0.366032, Math.pow(0.99, 100), 1e-6);
    }

    @Test
    void check4Asgd() {
        // Article form (erratum: unrelated to torch's ASGD): θ −= η·S_k/(k+1), S_k the sum of the gradients.
        double theta = 1;
        double sum = 0;
        double[] article = new double[3];
        for (int k = 1; k <= 3; k++) {
            sum += 2 * theta;
            theta -= 0.1 * sum / (k + 1);
            article[k - 1] = theta;
        }
        assertArrayEquals(new double[] {0.9, 0.7733333, 0.6396667}, article, 1e-7, "article ASGD");
        Parameter p = new Parameter("theta", new float[] {1f});
        ASGD asgd = ASGD.builder().lr(0.1).build(List.of(p));
        double[] expected = {0.79999, 0.63998520, 0.51198368};
        for (int t = 0; t < 3; t++) {
            p.grad()[0] = 2 * p.data()[0];
            asgd.step();
            assertEquals(expected[t], p.data()[0], TOL, "torch ASGD step " + (t + 1));
            // t < t0 = 1e6: the average is the parameter itself.
            assertArrayEquals(p.data(), asgd.averaged(p), "ax equals θ before t0");
        }
    }

    @Test
    void check5RpropTrajectoryAndScaleInvariance() {
        assertTrajectory(
                new double[] {0.9, 0.78, 0.636},
                trajectory(ps -> Rprop.builder().lr(0.1).build(ps)),
                "Rprop");
        // Multiplying every gradient by c > 0 gives an identical trajectory.
        Parameter a = new Parameter("a", new float[] {1f});
        Parameter b = new Parameter("b", new float[] {1f});
        Rprop ra = Rprop.builder().lr(0.1).build(List.of(a));
        Rprop rb = Rprop.builder().lr(0.1).build(List.of(b));
        for (int t = 0; t < 20; t++) {
            a.grad()[0] = 2 * a.data()[0];
            b.grad()[0] = 2 * b.data()[0] * 37.5f;
            ra.step();
            rb.step();
            assertEquals(a.data()[0], b.data()[0], 0f, "step " + (t + 1));
        }
    }

    @Test
    void check5RpropSignFlipHalvesTheStepAndDoesNotMove() {
        Parameter p = new Parameter("w", new float[] {0f});
        Rprop rprop = Rprop.builder().lr(0.1).build(List.of(p));
        p.grad()[0] = 1f;
        rprop.step(); // step size 0.1 (prev = 0: unchanged), moves −0.1
        assertEquals(-0.1f, p.data()[0], 1e-7);
        p.grad()[0] = 1f;
        rprop.step(); // same sign: ×1.2 → 0.12
        assertEquals(-0.22f, p.data()[0], 1e-7);
        p.grad()[0] = -1f;
        rprop.step(); // sign flip: ×0.5 → 0.06, gradient treated as 0: no move
        assertEquals(-0.22f, p.data()[0], 1e-7);
        assertEquals(0.06f, rprop.stateOf(p).buffer("step_size")[0], 1e-7);
        assertEquals(0f, rprop.stateOf(p).buffer("prev")[0], "stored previous gradient is 0");
        p.grad()[0] = -1f;
        rprop.step(); // prev = 0: factor 1, moves +0.06
        assertEquals(-0.16f, p.data()[0], 1e-7);
    }

    @Test
    void check5RpropStepSizeIsClamped() {
        Parameter p = new Parameter("w", new float[] {0f});
        Rprop rprop = Rprop.builder().lr(40).build(List.of(p));
        for (int t = 0; t < 5; t++) {
            p.grad()[0] = 1f;
            rprop.step();
        }
        assertEquals(50f, rprop.stateOf(p).buffer("step_size")[0], "clamped to step_sizes[1] = 50");
        Parameter q = new Parameter("w", new float[] {0f});
        Rprop flip = Rprop.builder().lr(2e-6).build(List.of(q));
        for (int t = 0; t < 6; t++) {
            q.grad()[0] = t % 2 == 0 ? 1f : -1f;
            flip.step();
        }
        assertEquals(1e-6f, flip.stateOf(q).buffer("step_size")[0], "clamped to step_sizes[0] = 1e-6");
    }

    @Test
    void check6Adagrad() {
        assertTrajectory(
                new double[] {0.9, 0.83310353, 0.78045618},
                trajectory(ps -> Adagrad.builder().lr(0.1).eps(1e-8).build(ps)),
                "Adagrad");
        // Under a constant gradient the k-th step is ≈ η/√k: monotonically decreasing.
        Parameter p = new Parameter("w", new float[] {0f});
        Adagrad adagrad = Adagrad.builder().lr(0.1).build(List.of(p));
        double previous = Double.MAX_VALUE;
        for (int k = 1; k <= 50; k++) {
            float before = p.data()[0];
            p.grad()[0] = 1f;
            adagrad.step();
            double step = before - p.data()[0];
            assertEquals(0.1 / Math.sqrt(k), step, 1e-6, "step " + k);
            assertTrue(step < previous);
            previous = step;
        }
    }

    @Test
    void check7Adadelta() {
        assertTrajectory(
                new double[] {0.99683773, 0.99359817, 0.99030905},
                trajectory(ps -> Adadelta.builder().build(ps)),
                "Adadelta, torch defaults = article");
        // First step ≈ √ε·|g| / √((1 − ρ)·g²) = 0.0031623 for any |g| ≫ 1e-3.
        for (float g : new float[] {1f, 10f, 1000f}) {
            assertEquals(0.0031623, firstStep(ps -> Adadelta.builder().build(ps), g), 1e-6, "g = " + g);
        }
    }

    @Test
    void check8Rmsprop() {
        double[] article = {0.68377224, 0.49887061, 0.36918056};
        assertTrajectory(
                article,
                trajectory(ps ->
                        RMSprop.builder().lr(0.1).alpha(0.9).epsInsideSqrt(true).build(ps)),
                "article placement");
        assertTrajectory(
                article, trajectory(ps -> RMSprop.builder().lr(0.1).alpha(0.9).build(ps)), "torch, alpha 0.9");
        // torch's default alpha is 0.99, not the article's 0.9: θ₁ = 1 − 0.2/(0.2 + 1e-8) ≈ 5e-8.
        assertEquals(5.0e-8, trajectory(ps -> RMSprop.builder().lr(0.1).build(ps))[0], 1e-7);
    }

    @Test
    void check9RmspropEpsPlacementTable() {
        float[] gs = {1f, 1e-3f, 1e-8f};
        double[] inside = {0.316228, 0.301511, 1.0e-5};
        double[] outside = {0.316228, 0.316218, 0.0759747};
        for (int i = 0; i < gs.length; i++) {
            double in = firstStep(
                    ps -> RMSprop.builder()
                            .lr(0.1)
                            .alpha(0.9)
                            .epsInsideSqrt(true)
                            .build(ps),
                    gs[i]);
            double out = firstStep(ps -> RMSprop.builder().lr(0.1).alpha(0.9).build(ps), gs[i]);
            assertEquals(inside[i], in, 1e-5 * inside[i], "inside, g = " + gs[i]);
            assertEquals(outside[i], out, 1e-5 * outside[i], "outside, g = " + gs[i]);
        }
    }

    @Test
    void check10RmspropStepDoesNotVanishWhereAdagradsDoes() {
        Parameter r = new Parameter("r", new float[] {0f});
        Parameter a = new Parameter("a", new float[] {0f});
        RMSprop rms = RMSprop.builder().lr(0.1).alpha(0.9).build(List.of(r));
        Adagrad ada = Adagrad.builder().lr(0.1).build(List.of(a));
        float rStep = 0;
        float aStep = 0;
        for (int t = 0; t < 2000; t++) {
            float r0 = r.data()[0];
            float a0 = a.data()[0];
            r.grad()[0] = -1f;
            a.grad()[0] = -1f;
            rms.step();
            ada.step();
            rStep = r.data()[0] - r0;
            aStep = a.data()[0] - a0;
        }
        assertEquals(0.1, rStep, 1e-3, "RMSprop step tends to η·sign(g)");
        assertTrue(aStep < 0.1 / Math.sqrt(2000) * 1.01, "AdaGrad step tends to 0: " + aStep);
    }

    @Test
    void check11Adam() {
        assertTrajectory(
                new double[] {0.9, 0.80041223, 0.70158627},
                trajectory(ps -> Adam.builder().lr(0.1).build(ps)),
                "Adam");
        float[] gs = {1e3f, 1f, 1e-3f, 1e-6f};
        double[] ratio = {1, 0.99999999, 0.99999, 0.990099};
        for (int i = 0; i < gs.length; i++) {
            double step = firstStep(ps -> Adam.builder().lr(0.1).build(ps), gs[i]);
            assertEquals(ratio[i], step / 0.1, 1e-6, "|Δθ|/η for g = " + gs[i]);
        }
        // Without bias correction the first step would be η·0.1/√0.001 = 3.1623η; with it, η.
        assertEquals(3.1623, 0.1 / Math.sqrt(0.001), 1e-4);
        assertEquals(0.1, firstStep(ps -> Adam.builder().lr(0.1).build(ps), 1f), 1e-6);
    }

    @Test
    void check12AdamWDecouplesWeightDecay() {
        double[] adamw =
                trajectory(ps -> AdamW.builder().lr(0.1).weightDecay(0.01).build(ps));
        assertTrajectory(new double[] {0.899, 0.79851903, 0.69891118}, adamw, "AdamW");
        double[] adam = trajectory(ps -> Adam.builder().lr(0.1).build(ps));
        double[] adamL2 =
                trajectory(ps -> Adam.builder().lr(0.1).weightDecay(0.01).build(ps));
        // The L2 gradient 0.01θ is proportional to 2θ, so Adam's normalisation rescales it away.
        assertArrayEquals(adam, adamL2, 1e-6, "Adam + L2 = plain Adam on θ²");
        assertTrue(Math.abs(adamw[2] - adam[2]) > 2e-3, "AdamW's decay survives: " + adamw[2] + " vs " + adam[2]);
        // Adam with decoupled_weight_decay is AdamW.
        assertArrayEquals(
                adamw,
                trajectory(ps -> Adam.builder()
                        .lr(0.1)
                        .weightDecay(0.01)
                        .decoupledWeightDecay(true)
                        .build(ps)),
                0.0);
    }

    @Test
    void check13Nadam() {
        // Article form (erratum: β₁·m_{t−1}, the raw previous moment): m̂′ = β₁·m_{t−1} + (1 − β₁)·g/(1 − β₁ᵗ).
        double theta = 1;
        double m = 0;
        double v = 0;
        double[] article = new double[3];
        for (int t = 1; t <= 3; t++) {
            double g = 2 * theta;
            double mPrev = m;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double mHat = 0.9 * mPrev + 0.1 * g / (1 - Math.pow(0.9, t));
            double vHat = v / (1 - Math.pow(0.999, t));
            theta -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
            article[t - 1] = theta;
        }
        assertArrayEquals(new double[] {0.9, 0.84074528, 0.78918466}, article, 1e-8, "article NAdam");
        // Catalog erratum: its "PyTorch" rows (0.89504688, 0.82112695, 0.75412952 for ψ = 0.004 and 0.89504882,
        // 0.82112437, 0.75411907 for ψ = 0) come from torch 1.13, whose NAdam counts μₜ twice in the μ product. The
        // formula with the bug reproduces them; the library follows torch ≥ 2.0 (and Dozat), computed here in double.
        assertArrayEquals(new double[] {0.89504688, 0.82112695, 0.75412952}, nadamDouble(0.004, true), 1e-8);
        assertArrayEquals(new double[] {0.89504882, 0.82112437, 0.75411907}, nadamDouble(0, true), 1e-8);
        double[] torch = trajectory(ps -> NAdam.builder().lr(0.1).build(ps));
        assertTrajectory(nadamDouble(0.004, false), torch, "torch >= 2.0 NAdam, ψ = 0.004");
        assertTrajectory(
                nadamDouble(0, false),
                trajectory(ps -> NAdam.builder().lr(0.1).momentumDecay(0).build(ps)),
                "torch >= 2.0 NAdam, ψ = 0");
        assertTrue(Math.abs(torch[0] - 0.89504688) > 5e-4, "not torch 1.13's value");
        assertNotEquals(article[0], torch[0], 1e-3);
    }

    /** NAdam on θ² with lr 0.1 in double, torch ≥ 2.0's formula, or torch 1.13's with μₜ counted twice. */
    private static double[] nadamDouble(double psi, boolean torch113) {
        double theta = 1;
        double m = 0;
        double v = 0;
        double product = 1;
        double[] out = new double[3];
        for (int t = 1; t <= 3; t++) {
            double g = 2 * theta;
            double mu = 0.9 * (1 - 0.5 * Math.pow(0.96, t * psi));
            double muNext = 0.9 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
            product *= mu;
            double productNext = torch113 ? product * mu * muNext : product * muNext;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double d = Math.sqrt(v / (1 - Math.pow(0.999, t))) + 1e-8;
            theta -= 0.1 * (1 - mu) / (1 - product) * g / d + 0.1 * muNext / (1 - productNext) * m / d;
            out[t - 1] = theta;
        }
        return out;
    }

    @Test
    void check14RadamRhoTableAndRectification() {
        assertEquals(1999, RAdam.rhoInfinity(0.999), 1e-9);
        double[] rho = {1, 1.99950, 2.99867, 3.99750, 4.99600, 5.99416};
        for (int t = 1; t <= 6; t++) {
            assertEquals(rho[t - 1], RAdam.rho(0.999, t), 1e-5, "ρ_" + t);
        }
        assertEquals(0.0173115, RAdam.rectification(0.999, 5), 1e-7);
        assertEquals(0.0258211, RAdam.rectification(0.999, 6), 1e-7);
        assertEquals(0.0489980, RAdam.rectification(0.999, 10), 1e-7);
        // First rectified step: t = 6 with torch's threshold 5, t = 5 with the paper's 4.
        assertEquals(6, firstRectified(5));
        assertEquals(5, firstRectified(4));
    }

    private static int firstRectified(double threshold) {
        int t = 1;
        while (RAdam.rho(0.999, t) <= threshold) {
            t++;
        }
        return t;
    }

    @Test
    void check14RadamTrajectoryIsNotTheArticlesAdam() {
        double[] radam = trajectory(ps -> RAdam.builder().lr(0.1).build(ps));
        assertTrajectory(new double[] {0.8, 0.62105263, 0.46230336}, radam, "torch RAdam: θ −= η·m̂ while ρ ≤ 5");
        // Erratum: the article's "else r = 1" reproduces Adam (0.9, 0.80041223, 0.70158627); the library does not.
        double[] adam = trajectory(ps -> Adam.builder().lr(0.1).build(ps));
        assertTrajectory(new double[] {0.9, 0.80041223, 0.70158627}, adam, "Adam");
        assertNotEquals(adam[0], radam[0], 0.05);
        // Step 6 is the first that uses the adaptive denominator: the step shrinks by about r₆ ≈ 0.026.
        double[] six = trajectory(ps -> RAdam.builder().lr(0.01).build(ps), 1, 6);
        double step5 = six[3] - six[4];
        double step6 = six[4] - six[5];
        assertTrue(step6 < 0.1 * step5, "step 6 " + step6 + " vs step 5 " + step5);
    }

    @Test
    void facadeBuildsTheSameOptimizersAsTheBuilders() {
        double[] viaFacade = trajectory(ps -> Optimizers.create("NAdam", ps, Map.of("lr", 0.1)));
        double[] viaBuilder = trajectory(ps -> NAdam.builder().lr(0.1).build(ps));
        assertArrayEquals(viaBuilder, viaFacade, 0.0);
    }
}
