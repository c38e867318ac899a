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
    /** Mean over samples of (x · (w_row − ŵ_row))², the row's whole output error. */
    private static double rowError(Tensor w, int row, double[] wHat, Tensor x) {
        double sum = 0;
        for (int n = 0; n < x.dim(0); n++) {
            double e = 0;
            for (int c = 0; c < wHat.length; c++) {
                e += x.get(n, c) * (w.get(row, c) - wHat[c]);
            }
            sum += e * e;
        }
        return sum / x.dim(0);
    }

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
        assertEquals(bestLoss, r.lossBeforeClip(), 1e-9 * bestLoss);
        Awq.Result unclipped = Awq.builder().groupSize(32).clip(false).build().quantize(w, x);
        assertEquals(bestLoss, loss(w, unclipped.dequantize(), x), 1e-9 * bestLoss);
        assertEquals(r.lossAfterClip(), loss(w, r.dequantize(), x), 1e-9 * bestLoss);
    }

    /** The salient-channel layer with a few planted outlier weights, which stretch their groups' grids. */
    private static Tensor outlierWeights(long seed, int out, int in) {
        Tensor w = GptqTest.weights(seed, out, in);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int k = 0; k < out; k++) {
            int row = r.nextInt(out);
            int col = r.nextInt(in);
            w.set(w.get(row, col) * 8, row, col);
        }
        return w;
    }

    @Test
    void chosenClipEqualsABruteForceSearch() {
        int out = 16;
        int in = 64;
        int gs = 32;
        Tensor x = salientInputs(7, 96, in, new int[] {2, 33, 50}, 10f);
        Tensor w = outlierWeights(8, out, in);
        Awq awq = Awq.builder().groupSize(gs).build();
        Awq.Result r = awq.quantize(w, x);
        float[] s = r.scales();
        double[] ratios = Awq.clipRatios();
        assertEquals(10, ratios.length);
        assertEquals(1.0, ratios[0], 0.0);
        assertEquals(0.55, ratios[9], 1e-12);
        double[] chosen = r.clipRatios();
        double[] thresholds = r.clipThresholds();
        MinMaxGrid grid = new MinMaxGrid(4, false, false);
        int clipped = 0;
        int resetRows = 0;
        int groups = in / gs;
        for (int row = 0; row < out; row++) {
            int[] best = new int[groups];
            double[][] err = new double[groups][];
            double[] amax = new double[groups];
            double[] wHatBest = new double[in]; // the row dequantized with each group's brute-force ratio
            double[] wHatWhole = new double[in]; // the row dequantized with ratio 1 everywhere
            for (int g = 0; g < groups; g++) {
                for (int c = g * gs; c < (g + 1) * gs; c++) {
                    amax[g] = Math.max(amax[g], Math.abs((double) w.get(row, c) * s[c]));
                }
                // Brute force: each ratio's group output error, mean over samples of (x_g · (w_g − ŵ_g))², directly.
                err[g] = new double[ratios.length];
                double[][] wHat = new double[ratios.length][gs];
                for (int k = 0; k < ratios.length; k++) {
                    double t = amax[g] * ratios[k];
                    double[] v = new double[gs];
                    for (int c = 0; c < gs; c++) {
                        v[c] = Math.max(-t, Math.min(t, (double) w.get(row, g * gs + c) * s[g * gs + c]));
                    }
                    double[] p = new double[2];
                    grid.params(v, 0, gs, p);
                    for (int c = 0; c < gs; c++) {
                        wHat[k][c] = MinMaxGrid.value(grid.code(v[c], p[0], p[1]), p[0], p[1]) / s[g * gs + c];
                    }
                    for (int n = 0; n < x.dim(0); n++) {
                        double e = 0;
                        for (int c = 0; c < gs; c++) {
                            e += x.get(n, g * gs + c) * (w.get(row, g * gs + c) - wHat[k][c]);
                        }
                        err[g][k] += e * e / x.dim(0);
                    }
                    if (err[g][k] < err[g][best[g]]) {
                        best[g] = k;
                    }
                }
                System.arraycopy(wHat[best[g]], 0, wHatBest, g * gs, gs);
                System.arraycopy(wHat[0], 0, wHatWhole, g * gs, gs);
            }
            // The row guard: the whole row's error, cross-group terms included, must not rise; else ratio 1 everywhere.
            boolean reset = rowError(w, row, wHatBest, x) > rowError(w, row, wHatWhole, x);
            if (reset) {
                resetRows++;
            }
            for (int g = 0; g < groups; g++) {
                int idx = row * groups + g;
                int picked = (int) Math.round((1 - chosen[idx]) * 20);
                assertEquals(ratios[picked], chosen[idx], 1e-12);
                if (reset) {
                    assertEquals(0, picked, "row " + row + " is worse clipped as a whole: no group may clip");
                } else {
                    // The same ratio, unless the two errors tie to rounding (then either is a minimum).
                    assertTrue(
                            picked == best[g] || Math.abs(err[g][picked] - err[g][best[g]]) <= 1e-9 * err[g][best[g]],
                            "row " + row + " group " + g + ": chose ratio " + chosen[idx] + " (error "
                                    + err[g][picked] + "), brute force " + ratios[best[g]] + " (error "
                                    + err[g][best[g]] + ")");
                }
                assertEquals(amax[g] * chosen[idx], thresholds[idx], 1e-12 * amax[g]);
                if (picked > 0) {
                    clipped++;
                }
            }
        }
        assertTrue(resetRows < out, "the guard must not reset every row on planted outliers");
        assertTrue(clipped > 0, "the planted outliers must make some group clip");
        // The result's codes are the clipped scaled weight's.
        assertEquals(
                0.0,
                loss(Awq.unscale(awq.quantizeClipped(w, s, thresholds), s), r.dequantize(), x),
                0.0,
                "quantizeClipped with the chosen thresholds reproduces the result");
    }

    @Test
    void clippingNeverIncreasesTheErrorOnPlantedSalientChannels() {
        int[] salient = {5, 6, 70, 100};
        boolean strictlyBetter = false;
        for (long seed = 0; seed < 4; seed++) {
            Tensor x = salientInputs(3 + seed, 256, 128, salient, 20f);
            Tensor w = seed % 2 == 0 ? GptqTest.weights(4 + seed, 64, 128) : outlierWeights(4 + seed, 64, 128);
            // groups of 128 = one group per row: each group's error is its row's whole output error
            Awq.Result clipped = Awq.builder().build().quantize(w, x);
            Awq.Result plain = Awq.builder().clip(false).build().quantize(w, x);
            assertEquals(plain.alpha(), clipped.alpha(), 0.0, "clipping runs after the scale search");
            double clippedSse = LayerError.outputSse(w, clipped.dequantize(), x);
            double plainSse = LayerError.outputSse(w, plain.dequantize(), x);
            assertTrue(clippedSse <= plainSse * (1 + 1e-9), "seed " + seed + ": " + clippedSse + " > " + plainSse);
            assertTrue(clipped.lossAfterClip() <= clipped.lossBeforeClip() * (1 + 1e-9), "seed " + seed);
            for (double ratio : plain.clipRatios()) {
                assertEquals(1.0, ratio, 0.0, "clip(false) keeps every group whole");
            }
            double rtnSse = LayerError.outputSse(
                    w, Awq.builder().build().roundToNearest(w).dequantize(), x);
            assertTrue(clippedSse < 0.8 * rtnSse, "AWQ with clipping " + clippedSse + " vs RTN " + rtnSse);
            strictlyBetter |= clippedSse < 0.999 * plainSse;
        }
        assertTrue(strictlyBetter, "on the layers with outlier weights clipping must help");
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
        assertMessage(
                () -> awq.quantizeClipped(Tensor.zeros(2, 32), new float[32], new double[3]), "thresholds.length", "3");
    }
}
