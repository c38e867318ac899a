package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;
import org.llm4e.testsupport.TensorAssert;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * ND4J's (DL4J's) updaters as a peer: Adam agrees with torch's where their semantics match (ε negligible or 0), and
 * this test documents where they differ: ε placement in Adam (DL4J adds ε to the uncorrected √v), defaults (RmsProp,
 * AdaGrad, AdaDelta, Nesterovs) and the Nesterov form (cs231n's v = μv − lr·g, which carries the learning rate).
 *
 * <p>DL4J's convention: {@code applyUpdater(gradient, iteration, epoch)} overwrites the gradient with the update to
 * subtract, and {@code iteration} is 0-based.
 */
class Nd4jUpdaterCrossCheckTest {
    /** Runs an ND4J updater over a gradient sequence, teacher-forced, and returns θ after each step. */
    private static float[][] nd4j(IUpdater config, float[] theta0, float[][] grads) {
        int n = theta0.length;
        long stateSize = config.stateSize(n);
        INDArray view = stateSize == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, stateSize);
        GradientUpdater<?> updater = config.instantiate(view, true);
        float[] theta = theta0.clone();
        float[][] out = new float[grads.length][];
        for (int t = 0; t < grads.length; t++) {
            INDArray g = Nd4j.create(grads[t].clone(), new long[] {1, n}, 'c');
            updater.applyUpdater(g, t, 0);
            float[] update = g.toFloatVector();
            for (int i = 0; i < n; i++) {
                theta[i] -= update[i];
            }
            out[t] = theta.clone();
        }
        return out;
    }

    private static float[][] ours(Optimizer opt, Parameter p, float[][] grads, double[] lrs) {
        float[][] out = new float[grads.length][];
        for (int t = 0; t < grads.length; t++) {
            if (lrs != null) {
                opt.setLr(lrs[t]);
            }
            System.arraycopy(grads[t], 0, p.grad(), 0, p.size());
            opt.step();
            out[t] = p.data().clone();
        }
        return out;
    }

    private static float[][] randomGrads(long seed, int steps, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] g = new float[steps][n];
        for (float[] row : g) {
            for (int i = 0; i < n; i++) {
                row[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
            }
        }
        return g;
    }

    @Test
    void adamAgreesWithNd4jWhereEpsIsNegligible() {
        float[] theta0 = new float[64];
        java.util.Arrays.fill(theta0, 0.5f);
        float[][] grads = randomGrads(7, 50, 64, 1.0);
        float[][] peer = nd4j(new org.nd4j.linalg.learning.config.Adam(1e-2, 0.9, 0.999, 1e-8), theta0, grads);
        Parameter p = new Parameter("w", theta0.clone());
        float[][] mine = ours(Adam.builder().lr(1e-2).build(List.of(p)), p, grads, null);
        for (int t = 0; t < grads.length; t++) {
            TensorAssert.assertClose(peer[t], mine[t], 1e-5, 1e-6, "step " + (t + 1));
        }
    }

    @Test
    void adamEpsPlacementDiffers() {
        // With ε = 0 the two forms are the same function.
        float[][] tiny = {{1e-8f, -2e-8f}};
        float[] theta0 = {0f, 0f};
        float[] peerNoEps = nd4j(new org.nd4j.linalg.learning.config.Adam(0.1, 0.9, 0.999, 0.0), theta0, tiny)[0];
        Parameter p = new Parameter("w", theta0.clone());
        float[] mineNoEps = ours(Adam.builder().lr(0.1).eps(0).build(List.of(p)), p, tiny, null)[0];
        TensorAssert.assertClose(peerNoEps, mineNoEps, 1e-5, 0, "eps = 0");
        // With ε = 1e-8 and |g| = 1e-8: torch's first step is lr·|g|/(|g| + ε) = 0.05, DL4J's is
        // lr·|g|/(|g| + ε/√(1 − β₂)) = 0.1/(1 + 31.6) = 0.00307: DL4J's ε is 31.6× larger at t = 1.
        float peer = nd4j(new org.nd4j.linalg.learning.config.Adam(0.1, 0.9, 0.999, 1e-8), theta0, tiny)[0][0];
        Parameter q = new Parameter("w", theta0.clone());
        float mine = ours(Adam.builder().lr(0.1).build(List.of(q)), q, tiny, null)[0][0];
        assertEquals(-0.05, mine, 1e-6);
        assertEquals(-0.1 / (1 + 1 / Math.sqrt(0.001)), peer, 1e-6);
    }

    @Test
    void nesterovFormsAgreeAtConstantLrAndDifferUnderASchedule() {
        float[] theta0 = {1f, -2f, 0.5f};
        float[][] grads = randomGrads(11, 20, 3, 1.0);
        float[][] peer = nd4j(new Nesterovs(0.05, 0.9), theta0, grads);
        Parameter p = new Parameter("w", theta0.clone());
        float[][] mine =
                ours(SGD.builder().lr(0.05).momentum(0.9).nesterov(true).build(List.of(p)), p, grads, null);
        for (int t = 0; t < grads.length; t++) {
            TensorAssert.assertClose(peer[t], mine[t], 1e-5, 1e-6, "constant lr, step " + (t + 1));
        }
        // cs231n's v = μv − lr·g keeps the old learning rates inside v; torch keeps lr outside the buffer.
        double[] lrs = {0.1, 0.01, 0.01, 0.01, 0.01};
        Map<Integer, Double> schedule = Map.of(0, 0.1, 1, 0.01);
        float[][] grads5 = java.util.Arrays.copyOf(grads, 5);
        float[][] peerSched =
                nd4j(new Nesterovs(new MapSchedule(ScheduleType.ITERATION, schedule), 0.9), theta0, grads5);
        Parameter q = new Parameter("w", theta0.clone());
        float[][] mineSched =
                ours(SGD.builder().lr(0.1).momentum(0.9).nesterov(true).build(List.of(q)), q, grads5, lrs);
        TensorAssert.assertClose(peerSched[0], mineSched[0], 1e-5, 1e-6, "step 1 (same lr)");
        assertTrue(
                Math.abs(peerSched[4][0] - mineSched[4][0]) > 1e-3,
                "forms differ after an lr change: " + peerSched[4][0] + " vs " + mineSched[4][0]);
    }

    @Test
    void rmspropStartsItsSquareAverageAtEps() {
        // DL4J's RmsProp puts ε outside the root as torch does, but starts the square average at ε instead of 0:
        // v₁ = ρ·ε + (1 − ρ)·g². For ordinary gradients that is torch's RMSprop; for tiny ones it is neither torch's
        // placement nor the article's √(v + ε).
        float[] theta0 = {0f, 0f, 0f};
        float[][] grads = {{1f, 1e-3f, 1e-8f}, {0.5f, -1e-3f, 2e-8f}};
        float[][] peer = nd4j(new RmsProp(0.1, 0.9, 1e-8), theta0, grads);
        Parameter p = new Parameter("w", theta0.clone());
        float[][] mine = ours(RMSprop.builder().lr(0.1).alpha(0.9).build(List.of(p)), p, grads, null);
        double[] v = {1e-8, 1e-8, 1e-8};
        double[] theta = new double[3];
        for (int t = 0; t < grads.length; t++) {
            for (int i = 0; i < 3; i++) {
                double g = grads[t][i];
                v[i] = 0.9 * v[i] + 0.1 * g * g;
                theta[i] -= 0.1 * g / (Math.sqrt(v[i]) + 1e-8);
                assertEquals(theta[i], peer[t][i], 1e-5 * Math.abs(theta[i]), "DL4J's formula, step " + (t + 1));
            }
            assertEquals(peer[t][0], mine[t][0], 1e-5 * Math.abs(peer[t][0]), "g = O(1): same as torch");
        }
        assertEquals(-0.301511, -0.1 * 1e-3 / Math.sqrt(0.1 * 1e-6 + 1e-8), 1e-6, "article placement, g = 1e-3");
        assertEquals(-0.316218, mine[0][1], 1e-6, "torch placement, g = 1e-3");
        assertEquals(-0.30288, peer[0][1], 1e-5, "DL4J, g = 1e-3");
    }

    @Test
    void defaultsDiffer() {
        Map<String, Object> rms = Optimizers.defaults("RMSprop");
        assertEquals(0.1, RmsProp.DEFAULT_RMSPROP_LEARNING_RATE);
        assertEquals(0.01, (Double) rms.get("lr"));
        assertEquals(0.95, RmsProp.DEFAULT_RMSPROP_RMSDECAY);
        assertEquals(0.99, (Double) rms.get("alpha"));
        Map<String, Object> adagrad = Optimizers.defaults("Adagrad");
        assertEquals(0.1, AdaGrad.DEFAULT_ADAGRAD_LEARNING_RATE);
        assertEquals(0.01, (Double) adagrad.get("lr"));
        assertEquals(1e-6, AdaGrad.DEFAULT_ADAGRAD_EPSILON);
        assertEquals(1e-10, (Double) adagrad.get("eps"));
        assertEquals(0.95, AdaDelta.DEFAULT_ADADELTA_RHO);
        assertEquals(0.9, (Double) Optimizers.defaults("Adadelta").get("rho"));
        assertEquals(0.1, Nesterovs.DEFAULT_NESTEROV_LEARNING_RATE);
        assertEquals(1e-3, (Double) Optimizers.defaults("SGD").get("lr"));
        // Adam's defaults agree.
        Map<String, Object> adam = Optimizers.defaults("Adam");
        assertEquals(org.nd4j.linalg.learning.config.Adam.DEFAULT_ADAM_LEARNING_RATE, (Double) adam.get("lr"));
        assertEquals(org.nd4j.linalg.learning.config.Adam.DEFAULT_ADAM_EPSILON, (Double) adam.get("eps"));
        double[] betas = (double[]) adam.get("betas");
        assertEquals(org.nd4j.linalg.learning.config.Adam.DEFAULT_ADAM_BETA1_MEAN_DECAY, betas[0]);
        assertEquals(org.nd4j.linalg.learning.config.Adam.DEFAULT_ADAM_BETA2_VAR_DECAY, betas[1]);
        assertNotEquals(RmsProp.DEFAULT_RMSPROP_RMSDECAY, (Double) rms.get("alpha"));
    }
}
