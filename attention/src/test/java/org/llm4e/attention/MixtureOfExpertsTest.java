package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.llm4e.activations.SwiGluFeedForward;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/** The mixture-of-experts layer: the gating rules, their gradients, the auxiliary loss and Mixtral's arithmetic. */
class MixtureOfExpertsTest {

    static MixtureOfExperts.Builder small(MixtureOfExperts.Gating gating, int experts, int k) {
        return MixtureOfExperts.builder()
                .dModel(8)
                .hiddenDim(12)
                .numExperts(experts)
                .topK(k)
                .gating(gating)
                .seed(5);
    }

    /** Catalog check 31: exactly k non-zero weights, summing to 1, the KeepTopK slots exactly 0. */
    @Property(tries = 60)
    void renormalisedTopKHasExactlyKWeightsSummingToOne(
            @ForAll @IntRange(min = 1, max = 8) int experts,
            @ForAll @IntRange(min = 1, max = 8) int kRaw,
            @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        int k = Math.min(kRaw, experts);
        MixtureOfExperts moe = small(MixtureOfExperts.Gating.TOP_K, experts, k)
                .seed(seed)
                .noisy(seed % 2 == 0)
                .noiseSeed(seed)
                .build();
        MixtureOfExperts.Routing r = moe.route(Tensor.randn(seed, 6, 8));
        for (int t = 0; t < 6; t++) {
            assertEquals(k, r.experts()[t].length);
            assertEquals(k, Arrays.stream(r.experts()[t]).distinct().count(), "k distinct experts");
            double sum = 0;
            for (float g : r.gates()[t]) {
                assertTrue(g > 0, "a chosen expert has a positive weight");
                sum += g;
            }
            assertEquals(1.0, sum, 1e-6);
            double all = 0;
            for (float p : r.probabilities()[t]) {
                all += p;
            }
            assertEquals(1.0, all, 1e-6);
            // The chosen experts are the k most probable ones.
            float worstChosen = Float.MAX_VALUE;
            for (int e : r.experts()[t]) {
                worstChosen = Math.min(worstChosen, r.probabilities()[t][e]);
            }
            for (int e = 0; e < experts; e++) {
                final int ee = e;
                if (Arrays.stream(r.experts()[t]).noneMatch(c -> c == ee)) {
                    assertTrue(r.probabilities()[t][e] <= worstChosen);
                }
            }
        }
    }

    /** Without noise the gate is deterministic and equals the softmax over the top-k router logits. */
    @Test
    void noiselessGateIsTheSoftmaxOverTheTopKLogits() {
        MixtureOfExperts moe = small(MixtureOfExperts.Gating.TOP_K, 6, 2).build();
        Tensor x = Tensor.randn(11, 5, 8);
        float[] wg = moe.parameters().get(0).data();
        MixtureOfExperts.Routing r = moe.route(x);
        assertArrayEquals(r.gates()[0], moe.route(x).gates()[0]);
        for (int t = 0; t < 5; t++) {
            double[] logits = new double[6];
            for (int e = 0; e < 6; e++) {
                for (int j = 0; j < 8; j++) {
                    logits[e] += (double) x.get(t, j) * wg[e * 8 + j];
                }
            }
            Integer[] order = {0, 1, 2, 3, 4, 5};
            Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
            double z = Math.exp(logits[order[0]]) + Math.exp(logits[order[1]]);
            assertEquals(order[0], r.experts()[t][0]);
            assertEquals(order[1], r.experts()[t][1]);
            assertEquals(Math.exp(logits[order[0]]) / z, r.gates()[t][0], 1e-6);
            assertEquals(Math.exp(logits[order[1]]) / z, r.gates()[t][1], 1e-6);
        }
    }

    /**
     * The Switch Transformer figure of 混合专家模型MoE详解节选.md: top-1 over 4 FFN experts, "More" goes to FFN2 with
     * p = 0.65 and "Parameters" to FFN1 with p = 0.8, and the output is the expert's output times that probability.
     * The renormalised top-1 form gives the same expert weight 1.0 instead.
     */
    @Test
    void switchScalesByTheRawRouterProbabilityAsInTheFigure() {
        double[] more = {0.15, 0.65, 0.1, 0.1}; // FFN2 is expert index 1
        double[] parameters = {0.8, 0.1, 0.05, 0.05}; // FFN1 is expert index 0
        for (MixtureOfExperts.Gating gating :
                new MixtureOfExperts.Gating[] {MixtureOfExperts.Gating.SWITCH, MixtureOfExperts.Gating.TOP_K}) {
            MixtureOfExperts moe = MixtureOfExperts.builder()
                    .dModel(4)
                    .hiddenDim(6)
                    .numExperts(4)
                    .topK(1)
                    .gating(gating)
                    .seed(3)
                    .build();
            // Token "More" is e0 and "Parameters" e1; the router's columns are the log-probabilities of the figure.
            float[] wg = moe.parameters().get(0).data();
            Arrays.fill(wg, 0f);
            for (int e = 0; e < 4; e++) {
                wg[e * 4] = (float) Math.log(more[e]);
                wg[e * 4 + 1] = (float) Math.log(parameters[e]);
            }
            Tensor x = Tensor.of(new float[] {1, 0, 0, 0, 0, 1, 0, 0}, 2, 4);
            Tensor y = moe.forward(x);
            MixtureOfExperts.Routing r = moe.lastRouting();
            assertArrayEquals(new int[] {1}, r.experts()[0]);
            assertArrayEquals(new int[] {0}, r.experts()[1]);
            double gMore = gating == MixtureOfExperts.Gating.SWITCH ? 0.65 : 1.0;
            double gParams = gating == MixtureOfExperts.Gating.SWITCH ? 0.8 : 1.0;
            assertEquals(gMore, r.gates()[0][0], 1e-6, gating + " More");
            assertEquals(gParams, r.gates()[1][0], 1e-6, gating + " Parameters");
            // y = g · E_i(x), with the expert run on its own.
            for (int t = 0; t < 2; t++) {
                int e = r.experts()[t][0];
                List<Parameter> p = moe.parameters();
                SwiGluFeedForward expert = new SwiGluFeedForward(
                        Tensor.of(p.get(1 + 3 * e).data().clone(), 6, 4),
                        Tensor.of(p.get(2 + 3 * e).data().clone(), 4, 6),
                        Tensor.of(p.get(3 + 3 * e).data().clone(), 6, 4));
                float[] row = new float[4];
                System.arraycopy(x.data(), t * 4, row, 0, 4);
                float[] ex = expert.forward(Tensor.of(row, 1, 4)).data();
                double g = t == 0 ? gMore : gParams;
                for (int j = 0; j < 4; j++) {
                    assertEquals(g * ex[j], y.get(t, j), 1e-5);
                }
            }
        }
    }

    /** Catalog check 31: the noise scale is a Softplus, so it is never negative; evaluation mode is noiseless. */
    @Test
    void noisyGatingIsSeededAndOffInEvaluation() {
        Tensor x = Tensor.randn(2, 40, 8);
        Supplier<MixtureOfExperts> make = () -> small(MixtureOfExperts.Gating.TOP_K, 6, 2)
                .noisy(true)
                .noiseSeed(77)
                .build();
        MixtureOfExperts a = make.get();
        MixtureOfExperts b = make.get();
        MixtureOfExperts.Routing ra = a.route(x);
        MixtureOfExperts.Routing rb = b.route(x);
        for (int t = 0; t < 40; t++) {
            assertArrayEquals(ra.experts()[t], rb.experts()[t], "same noise seed, same routing");
        }
        MixtureOfExperts clean = small(MixtureOfExperts.Gating.TOP_K, 6, 2).build();
        MixtureOfExperts.Routing rc = clean.route(x);
        int differing = 0;
        for (int t = 0; t < 40; t++) {
            differing += Arrays.equals(ra.experts()[t], rc.experts()[t]) ? 0 : 1;
        }
        assertTrue(differing > 0, "noise of scale Softplus(0) = ln 2 changes some routes");
        a.setTraining(false);
        MixtureOfExperts.Routing eval = a.route(x);
        for (int t = 0; t < 40; t++) {
            assertArrayEquals(rc.experts()[t], eval.experts()[t], "no noise in evaluation");
            assertArrayEquals(rc.gates()[t], eval.gates()[t]);
        }
        // A very negative noise pre-activation makes Softplus ≈ e^−100: the noise scale shrinks to 0 (never below),
        // and the routing is the clean one. Column 0 of the input is set to 1 so that W_noise[:, 0] acts as a bias.
        MixtureOfExperts quiet = make.get();
        Parameter wn = quiet.parameters().get(quiet.parameters().size() - 1);
        assertEquals("noise.weight", wn.name());
        Tensor x1 = x.copy();
        for (int t = 0; t < 40; t++) {
            x1.set(1f, t, 0);
        }
        for (int e = 0; e < 6; e++) {
            wn.data()[e * 8] = -100f;
        }
        MixtureOfExperts.Routing rq = quiet.route(x1);
        MixtureOfExperts.Routing rq0 = clean.route(x1);
        for (int t = 0; t < 40; t++) {
            assertArrayEquals(rq0.experts()[t], rq.experts()[t]);
            assertClose(rq0.gates()[t], rq.gates()[t], 1e-6, 1e-7, "vanishing noise");
        }
    }

    /** Backward against central differences of L = Σ dy ∘ y (+ α·L_aux), for every gating rule. */
    @ParameterizedTest
    @EnumSource(MixtureOfExperts.Gating.class)
    void gradientsMatchFiniteDifferences(MixtureOfExperts.Gating gating) {
        for (boolean noisy : new boolean[] {false, true}) {
            Supplier<MixtureOfExperts> make = () -> small(gating, 4, 2)
                    .noisy(noisy)
                    .noiseSeed(9)
                    .auxLossCoefficient(0.5)
                    .build();
            MixtureOfExperts moe = make.get();
            Tensor x = Tensor.randn(21, 5, 8);
            Tensor dy = Tensor.randn(22, 5, 8);
            moe.forward(x);
            Tensor dx = moe.backward(dy);
            List<Parameter> params = moe.parameters();
            double eps = 2e-3;
            for (int pi = 0; pi < params.size(); pi += Math.max(1, params.size() / 5)) {
                Parameter p = params.get(pi);
                for (int i = 0; i < p.size(); i += Math.max(1, p.size() / 4)) {
                    double num = (loss(make, params, pi, i, eps, x, dy) - loss(make, params, pi, i, -eps, x, dy))
                            / (2 * eps);
                    assertEquals(
                            num,
                            p.grad()[i],
                            3e-3 + 3e-2 * Math.abs(num),
                            gating + " noisy=" + noisy + " " + p.name() + "[" + i + "]");
                }
            }
            for (int i = 0; i < x.size(); i += 7) {
                Tensor xp = x.copy();
                Tensor xm = x.copy();
                xp.data()[i] += (float) eps;
                xm.data()[i] -= (float) eps;
                double num = (loss(make, params, -1, 0, 0, xp, dy) - loss(make, params, -1, 0, 0, xm, dy)) / (2 * eps);
                assertEquals(
                        num, dx.data()[i], 3e-3 + 3e-2 * Math.abs(num), gating + " noisy=" + noisy + " dx[" + i + "]");
            }
        }
    }

    /** L = Σ dy ∘ y + α·L_aux of a fresh layer (same seeds, hence the same noise) with one weight perturbed. */
    private static double loss(
            Supplier<MixtureOfExperts> make, List<Parameter> ref, int pi, int i, double delta, Tensor x, Tensor dy) {
        MixtureOfExperts m = make.get();
        for (int j = 0; j < ref.size(); j++) {
            System.arraycopy(
                    ref.get(j).data(),
                    0,
                    m.parameters().get(j).data(),
                    0,
                    ref.get(j).size());
        }
        if (pi >= 0) {
            m.parameters().get(pi).data()[i] += (float) delta;
        }
        Tensor y = m.forward(x);
        double l = 0;
        for (int j = 0; j < y.size(); j++) {
            l += (double) dy.data()[j] * y.data()[j];
        }
        return l + m.auxLoss();
    }

    /**
     * The Switch load-balancing loss (Fedus et al. 2021, eq. 4; not in the article's excerpt): n·Σ f_i·P_i is 1 for a
     * uniform router and tends to n when every token goes to one expert with certainty. The article's imbalance
     * example (10 tokens, loads {5, 1, 1, 1, 1, 1}) scores above the balanced value.
     */
    @Test
    void loadBalancingLossPenalisesImbalance() {
        MixtureOfExperts uniform = small(MixtureOfExperts.Gating.SWITCH, 6, 1).build();
        Arrays.fill(uniform.parameters().get(0).data(), 0f);
        uniform.forward(Tensor.randn(1, 10, 8));
        assertEquals(1.0, uniform.auxLoss(), 1e-6, "uniform probabilities: n · Σ f_i / n = 1");

        // Ten one-hot tokens: tokens 0–4 prefer expert 0, tokens 5–9 experts 1…5 (the article's loads).
        MixtureOfExperts skewed = MixtureOfExperts.builder()
                .dModel(10)
                .hiddenDim(4)
                .numExperts(6)
                .topK(1)
                .gating(MixtureOfExperts.Gating.SWITCH)
                .build();
        float[] wg = skewed.parameters().get(0).data();
        Arrays.fill(wg, 0f);
        for (int t = 0; t < 10; t++) {
            int e = t < 5 ? 0 : t - 4;
            wg[e * 10 + t] = 3f;
        }
        Tensor x = Tensor.zeros(10, 10);
        for (int t = 0; t < 10; t++) {
            x.set(1f, t, t);
        }
        skewed.forward(x);
        int[] loads = new int[6];
        for (int[] row : skewed.lastRouting().experts()) {
            loads[row[0]]++;
        }
        assertArrayEquals(new int[] {5, 1, 1, 1, 1, 1}, loads);
        assertTrue(skewed.auxLoss() > 1.2, "imbalanced routing costs more than balanced: " + skewed.auxLoss());
    }

    /**
     * Catalog check 32 (混合专家模型MoE详解节选.md): Mixtral 8x7B is not 8 × 7B = 56B but about 47B, because only the FFNs are
     * per expert, and top-2 routing costs about 12B-equivalent. Solving S + 8E = 47, S + 2E = 12 gives E ≈ 5.83B,
     * S ≈ 0.33B; Mixtral's published shapes give 46.7B and 12.9B. QMoE: 3.2 TB / 1.6e12 = 2 bytes per parameter,
     * 160 GB is 0.8 bits per parameter.
     */
    @Test
    void mixtralArithmetic() {
        double e = (47.0 - 12.0) / 6; // subtract the two equations: 6E = 35
        double s = 12.0 - 2 * e;
        assertEquals(5.83, e, 0.005);
        assertEquals(0.33, s, 0.005);
        assertNotEquals(56.0, s + 8 * e);
        // Mixtral-8x7B config: hidden 4096, intermediate 14336, 32 layers, 32 query / 8 kv heads of 128, vocab 32000.
        long d = 4096;
        long ffn = 14336;
        long layers = 32;
        long expert = 3 * d * ffn; // w1, w2, w3 of one SwiGLU expert
        long attention = d * 32 * 128 + 2 * d * 8 * 128 + 32 * 128 * d;
        long perLayerShared = attention + 8 * d /* router */ + 2 * d /* norms */;
        long shared = layers * perLayerShared + 2 * 32000 * d + d;
        long total = shared + layers * 8 * expert;
        long active = shared + layers * 2 * expert;
        assertEquals(46.7e9, total, 0.05e9);
        assertEquals(12.9e9, active, 0.05e9);
        MixtureOfExperts tiny = MixtureOfExperts.builder()
                .dModel(16)
                .hiddenDim(56)
                .numExperts(8)
                .topK(2)
                .build();
        long perExpert = 3L * 16 * 56;
        long counted = tiny.parameters().stream().mapToLong(Parameter::size).sum();
        assertEquals(8 * perExpert + 8 * 16, counted, "8 experts + the router, as in the Mixtral count");
        assertEquals(2.0 * perExpert + 8 * 16, tiny.activeMacsPerToken(), "2 experts + the router per token");
        assertEquals(2.0, 3.2e12 / 1.6e12, 1e-12);
        assertEquals(0.8, 160e9 * 8 / 1.6e12, 1e-12);
    }

    @Test
    void badInputIsRejectedNamingTheParameter() {
        assertMessage(
                () -> MixtureOfExperts.builder().hiddenDim(2).numExperts(2).build(), "dModel", "-1");
        assertMessage(() -> MixtureOfExperts.builder().dModel(2).numExperts(2).build(), "hiddenDim", "-1");
        assertMessage(() -> MixtureOfExperts.builder().dModel(2).hiddenDim(2).build(), "numExperts", "-1");
        assertMessage(
                () -> MixtureOfExperts.builder()
                        .dModel(2)
                        .hiddenDim(2)
                        .numExperts(2)
                        .topK(3)
                        .build(),
                "topK",
                "3");
        assertMessage(
                () -> MixtureOfExperts.builder()
                        .dModel(2)
                        .hiddenDim(2)
                        .numExperts(2)
                        .auxLossCoefficient(-1)
                        .build(),
                "auxLossCoefficient",
                "-1");
        MixtureOfExperts moe = small(MixtureOfExperts.Gating.TOP_K, 4, 2).build();
        assertMessage(() -> moe.forward(Tensor.zeros(2, 7)), "[2, 7]", "[n, 8]");
        assertMessage(() -> moe.shapeOf("experts.9.w1.weight"), "experts.9.w1.weight");
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> moe.backward(Tensor.zeros(1, 8)));
        moe.forward(Tensor.zeros(3, 8));
        assertMessage(() -> moe.backward(Tensor.zeros(2, 8)), "[2, 8]", "[3, 8]");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void denseSoftmaxGatingRunsEveryExpert() {
        MixtureOfExperts moe = small(MixtureOfExperts.Gating.SOFTMAX, 5, 1).build();
        assertEquals(5, moe.topK());
        moe.forward(Tensor.randn(4, 3, 8));
        for (int t = 0; t < 3; t++) {
            assertEquals(5, moe.lastRouting().experts()[t].length);
            float[] sorted = moe.lastRouting().gates()[t].clone();
            float[] probs = moe.lastRouting().probabilities()[t].clone();
            Arrays.sort(sorted);
            Arrays.sort(probs);
            assertClose(probs, sorted, 0, 0, "dense gates are the router probabilities");
        }
    }
}
