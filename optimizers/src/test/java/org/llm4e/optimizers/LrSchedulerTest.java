package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;

/**
 * Each schedule against torch's lr sequence: the closed forms in the classes are checked against torch's chainable
 * ({@code get_lr}) recursions, which is how {@code scheduler.step()} computes them in torch, and against the values
 * the torch docs give; all groups follow their own base lr.
 */
class LrSchedulerTest {
    private static Optimizer twoGroups(double lr0, double lr1) {
        return SGD.builder()
                .lr(lr0)
                .buildGroups(List.of(
                        ParamGroup.of(List.of(new Parameter("a", new float[1]))),
                        ParamGroup.of(List.of(new Parameter("b", new float[1])), Map.of("lr", lr1))));
    }

    @Test
    void stepLrMatchesTorchsRecursionAndDocs() {
        Optimizer opt = twoGroups(0.05, 0.2);
        StepLR s = new StepLR(opt, 30, 0.1);
        double[] chain = {0.05, 0.2};
        for (int epoch = 0; epoch <= 100; epoch++) {
            if (epoch > 0) {
                s.step();
                if (epoch % 30 == 0) { // torch: lr·γ when last_epoch % step_size == 0, else unchanged
                    chain[0] *= 0.1;
                    chain[1] *= 0.1;
                }
            }
            assertEquals(chain[0], s.lastLr().get(0), 1e-15 * chain[0], "group 0, epoch " + epoch);
            assertEquals(chain[1], s.lastLr().get(1), 1e-15 * chain[1], "group 1, epoch " + epoch);
        }
        // torch docs: lr = 0.05 if epoch < 30, 0.005 if 30 <= epoch < 60, 0.0005 if 60 <= epoch < 90.
        Optimizer docs = twoGroups(0.05, 0.05);
        StepLR d = new StepLR(docs, 30, 0.1);
        for (int epoch = 1; epoch <= 89; epoch++) {
            d.step();
            double expected = epoch < 30 ? 0.05 : epoch < 60 ? 0.005 : 0.0005;
            assertEquals(expected, docs.lr(), 1e-15, "epoch " + epoch);
        }
    }

    @Test
    void exponentialLrMatchesTorchsRecursion() {
        Optimizer opt = twoGroups(0.1, 1.0);
        ExponentialLR s = new ExponentialLR(opt, 0.95);
        double lr = 0.1;
        for (int epoch = 1; epoch <= 200; epoch++) {
            s.step();
            lr *= 0.95;
            assertEquals(lr, opt.lr(), 1e-13 * lr, "epoch " + epoch);
            assertEquals(10 * opt.lr(), opt.paramGroups().get(1).lr(), 1e-12 * lr);
        }
        assertEquals(200, s.lastEpoch());
    }

    @Test
    void constantLrMatchesTorchsRecursion() {
        Optimizer opt = twoGroups(0.05, 0.05);
        ConstantLR s = new ConstantLR(opt, 0.5, 4);
        // torch: epoch 0 lr·factor; lr unchanged until total_iters; there lr·(1/factor).
        double chain = 0.05 * 0.5;
        assertEquals(chain, opt.lr(), 1e-15);
        for (int epoch = 1; epoch <= 10; epoch++) {
            s.step();
            if (epoch == 4) {
                chain *= 1 / 0.5;
            }
            assertEquals(chain, opt.lr(), 1e-15, "epoch " + epoch);
        }
        Optimizer constant = twoGroups(0.3, 0.3);
        LrScheduler c = ConstantLR.constant(constant);
        for (int epoch = 0; epoch < 5; epoch++) {
            assertEquals(0.3, constant.lr(), 0.0);
            c.step();
        }
    }

    @Test
    void cosineAnnealingMatchesTorchsRecursion() {
        int tMax = 10;
        double etaMin = 0.001;
        Optimizer opt = twoGroups(0.1, 0.5);
        CosineAnnealingLR s = new CosineAnnealingLR(opt, tMax, etaMin);
        double[] base = {0.1, 0.5};
        double[] chain = base.clone();
        for (int epoch = 1; epoch <= 35; epoch++) {
            s.step();
            for (int g = 0; g < 2; g++) {
                if ((epoch - 1 - tMax) % (2 * tMax) == 0) {
                    chain[g] = chain[g] + (base[g] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
                } else {
                    chain[g] = (1 + Math.cos(Math.PI * epoch / tMax))
                                    / (1 + Math.cos(Math.PI * (epoch - 1) / tMax))
                                    * (chain[g] - etaMin)
                            + etaMin;
                }
                assertEquals(chain[g], s.lastLr().get(g), 1e-12, "group " + g + ", epoch " + epoch);
            }
        }
        Optimizer o = twoGroups(0.1, 0.1);
        CosineAnnealingLR half = new CosineAnnealingLR(o, 10, 0.0);
        for (int i = 0; i < 5; i++) {
            half.step();
        }
        assertEquals(0.05, o.lr(), 1e-15, "halfway: the mean of base and eta_min");
        for (int i = 0; i < 5; i++) {
            half.step();
        }
        assertEquals(0.0, o.lr(), 1e-17, "T_max: eta_min");
    }

    @Test
    void warmupCosineMatchesTransformersSchedule() {
        int warmup = 10;
        int total = 100;
        Optimizer opt = twoGroups(3e-4, 1e-3);
        WarmupCosineLR s = new WarmupCosineLR(opt, warmup, total, 0.0);
        for (int step = 0; step <= total; step++) {
            // transformers.get_cosine_schedule_with_warmup's lr_lambda (num_cycles = 0.5)
            double lambda;
            if (step < warmup) {
                lambda = (double) step / Math.max(1, warmup);
            } else {
                double progress = (double) (step - warmup) / Math.max(1, total - warmup);
                lambda = Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            }
            assertEquals(3e-4 * lambda, opt.lr(), 1e-18, "step " + step);
            assertEquals(1e-3 * lambda, opt.paramGroups().get(1).lr(), 1e-18, "group 1, step " + step);
            s.step();
        }
        // With a floor (nanoGPT's min_lr = lr/10): peak after warmup, floor at the end and after.
        Optimizer o = twoGroups(6e-4, 6e-4);
        WarmupCosineLR f = new WarmupCosineLR(o, 5, 50, 0.1);
        for (int i = 0; i < 5; i++) {
            f.step();
        }
        assertEquals(6e-4, o.lr(), 1e-18);
        for (int i = 5; i < 70; i++) {
            f.step();
        }
        assertEquals(6e-5, o.lr(), 1e-18);
    }

    @Test
    void reduceOnPlateauFollowsTorchsRules() {
        Optimizer opt = twoGroups(1.0, 0.5);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, "min", 0.5, 2, 0.01, "rel", 1, 0.2, 1e-8);
        // metric: improves, then three epochs that do not beat best·(1 − 0.01).
        double[] metrics = {10, 9, 8.95, 8.99, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5};
        double[] lr0 = {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25};
        double[] lr1 = {0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2};
        for (int i = 0; i < metrics.length; i++) {
            s.step(metrics[i]);
            assertEquals(lr0[i], opt.lr(), 1e-15, "group 0 after epoch " + (i + 1));
            assertEquals(lr1[i], opt.paramGroups().get(1).lr(), 1e-15, "group 1 after epoch " + (i + 1));
        }
        assertEquals(9.0, s.best(), "8.95 is not 1% better than 9");
        // After epoch 12 group 0 would reach 0.125 < min_lr: clamped to 0.2 only once it has become smaller.
        Optimizer max = twoGroups(1.0, 1.0);
        ReduceLROnPlateau m = new ReduceLROnPlateau(max, "max", 0.1, 0, 0.5, "abs", 0, 0, 1e-8);
        m.step(1.0); // better than -inf
        assertEquals(1.0, max.lr());
        m.step(1.4); // not > 1.0 + 0.5: bad epoch > patience 0: reduce
        assertEquals(0.1, max.lr(), 1e-15);
        m.step(Double.NaN); // NaN is never better
        assertEquals(0.01, max.lr(), 1e-15);
        m.step(1.6); // better
        assertEquals(0.01, max.lr(), 1e-15);
    }

    @Test
    void badArguments() {
        Optimizer opt = twoGroups(0.1, 0.1);
        assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(opt, -0.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineLR(opt, 10, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConstantLR(opt, 1.5, 3));
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> new ReduceLROnPlateau(opt, "up", 0.1, 1, 0, "rel", 0, 0, 0));
        assertEquals("mode must be min or max, got up", ex.getMessage());
    }
}
