package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.quantization.GptqTest.assertMessage;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/** AWQ's α search against a brute-force search, and its gain over round-to-nearest on salient channels. */
class AwqTest {

    /** Gaussian inputs [n, in] where a few channels carry activations `boost` times larger (AWQ's salient ones). */
    static Tensor salientInputs(long seed, int n, int in, int[] salient, float boost) {
        float[] x = Tensor.randn(seed, n, in).data();
        for (int s = 0; s < n; s++) {
            for (int c : salient) {
                x[s * in + c] *= boost;
            }
        }
        return Tensor.of(x, n, in);
    }

    /** mean((x Wᵀ − x Ŵᵀ)²) in double, straight from the definition. */
    private static double loss(Tensor w, Tensor wHat, Tensor x) {
        int out = w.dim(0);
        int in = w.dim(1);
        int n = x.dim(0);
        double sum = 0;
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                double y = 0;
                double yHat = 0;
                for (int i = 0; i < in; i++) {
                    y += (double) x.get(s, i) * w.get(o, i);
                    yHat += (double) x.get(s, i) * wHat.get(o, i);
                }
                sum += (y - yHat) * (y - yHat);
            }
        }
        return sum / ((double) n * out);
    }

    @Test
    void chosenAlphaEqualsABruteForceSearch() {
        int[] salient = {3, 17, 40};
        Tensor x = salientInputs(1, 128, 64, salient, 12f);
        Tensor w = GptqTest.weights(2, 32, 64);
        Awq awq = Awq.builder().groupSize(32).gridSize(20).build();
        Awq.Result r = awq.quantize(w, x);
        double[] sx = Awq.activationScale(x);
        double bestLoss = Double.POSITIVE_INFINITY;
        double bestAlpha = -1;
        double[] losses = r.losses();
        for (int i = 0; i < 20; i++) {
            double alpha = i / 20.0;
            float[] s = Awq.scales(sx, alpha);
            double l = loss(w, Awq.unscale(awq.quantizeScaled(w, s), s), x);
            assertEquals(l, losses[i], 1e-9 * l, "loss at alpha " + alpha);
            if (l < bestLoss) {
                bestLoss = l;
                bestAlpha = alpha;
            }
        }
        assertEquals(bestAlpha, r.alpha(), 0.0);
        assertTrue(r.alpha() > 0, "with salient channels the search must scale them, got alpha " + r.alpha());
        assertEquals(bestLoss, loss(w, r.dequantize(), x), 1e-9 * bestLoss);
    }

    @Test
    void beatsRoundToNearestOnPlantedSalientChannels() {
        int[] salient = {5, 6, 70, 100};
        Tensor x = salientInputs(3, 256, 128, salient, 20f);
        Tensor w = GptqTest.weights(4, 64, 128);
        Awq awq = Awq.builder().build(); // 4 bits, groups of 128, 20 grid points
        double awqSse = LayerError.outputSse(w, awq.quantize(w, x).dequantize(), x);
        double rtnSse = LayerError.outputSse(w, awq.roundToNearest(w).dequantize(), x);
        assertTrue(awqSse < 0.8 * rtnSse, "AWQ " + awqSse + " vs RTN " + rtnSse);
    }

    @Test
    void alphaZeroIsRoundToNearest() {
        Tensor x = salientInputs(5, 32, 32, new int[] {1}, 10f);
        Tensor w = GptqTest.weights(6, 8, 32);
        Awq awq = Awq.builder().groupSize(-1).build();
        float[] s = Awq.scales(Awq.activationScale(x), 0);
        for (float v : s) {
            assertEquals(1f, v, 0f);
        }
        assertEquals(
                loss(w, awq.roundToNearest(w).dequantize(), x),
                awq.quantize(w, x).losses()[0],
                1e-12);
    }

    @Test
    void scalesAreNormalisedAroundOne() {
        double[] sx = {0.01, 0.5, 2, 40};
        for (double alpha : new double[] {0, 0.3, 0.75, 1}) {
            float[] s = Awq.scales(sx, alpha);
            double max = 0;
            double min = Double.POSITIVE_INFINITY;
            for (float v : s) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            assertEquals(1.0, max * min, 1e-6, "max · min at alpha " + alpha);
            assertTrue(s[3] >= s[0], "larger activations get larger scales");
        }
    }

    @Test
    void badInput() {
        assertMessage(() -> Awq.builder().bits(2), "bits", "2");
        assertMessage(() -> Awq.builder().gridSize(0), "gridSize", "0");
        assertMessage(() -> Awq.builder().groupSize(-3), "groupSize", "-3");
        assertMessage(() -> Awq.scales(new double[] {1}, 1.5), "alpha", "1.5");
        Awq awq = Awq.builder().groupSize(16).build();
        assertMessage(() -> awq.quantize(Tensor.zeros(2, 24), Tensor.zeros(4, 24)), "groupSize 16", "24");
        assertMessage(() -> awq.quantize(Tensor.zeros(2, 32), Tensor.zeros(4, 16)), "x shape [4, 16]", "32");
        assertMessage(() -> awq.quantizeScaled(Tensor.zeros(2, 32), new float[3]), "s.length", "3");
    }
}
