package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.quantization.GptqTest.assertMessage;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;

/** SmoothQuant: the product is unchanged, the outliers shrink, and W8A8 gets more accurate. */
class SmoothQuantTest {
    private static final int[] OUTLIERS = {7, 30, 61};

    /** Activations [n, in] with a few outlier channels 60× larger, as the paper's figure 4 shows for OPT. */
    static Tensor outlierActivations(long seed, int n, int in) {
        return AwqTest.salientInputs(seed, n, in, OUTLIERS, 60f);
    }

    private static double relativeError(Tensor expected, Tensor actual) {
        return Math.sqrt(QuantError.of(expected, actual).mse()
                / QuantError.of(expected, Tensor.zeros(expected.shape())).mse());
    }

    @Test
    void productIsUnchangedBeforeQuantization() {
        Tensor x = outlierActivations(1, 64, 96);
        Tensor w = GptqTest.weights(2, 48, 96);
        SmoothQuant.Smoothed sm = SmoothQuant.builder().build().smooth(x, w);
        Tensor y = Kernels.matmul(x, false, w, true);
        Tensor ySmooth = Kernels.matmul(sm.x(), false, sm.w(), true);
        assertClose(y, ySmooth, 1e-4, 1e-5);
    }

    @Test
    void activationOutliersShrink() {
        Tensor x = outlierActivations(3, 64, 96);
        Tensor w = GptqTest.weights(4, 48, 96);
        SmoothQuant.Smoothed sm = SmoothQuant.builder().alpha(0.5).build().smooth(x, w);
        float[] before = SmoothQuant.channelAbsMax(x);
        float[] after = SmoothQuant.channelAbsMax(sm.x());
        assertTrue(
                spread(after) < spread(before) / 4, "max/min channel range " + spread(before) + " -> " + spread(after));
        // α = 0.5 balances the two sides: max|X̂_j| = max|Ŵ_j| for every channel
        float[] wAfter = SmoothQuant.channelAbsMax(sm.w());
        for (int j = 0; j < 96; j++) {
            assertEquals(after[j], wAfter[j], 1e-4 * after[j], "channel " + j);
        }
    }

    private static double spread(float[] m) {
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (float v : m) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        return max / min;
    }

    @Test
    void w8a8ErrorFallsBelowNaiveW8A8() {
        Tensor x = outlierActivations(5, 128, 128);
        Tensor w = GptqTest.weights(6, 64, 128);
        Tensor y = Kernels.matmul(x, false, w, true);
        double naive = relativeError(y, W8A8.matmul(x, w));
        SmoothQuant.Smoothed sm = SmoothQuant.builder().build().smooth(x, w);
        double smooth = relativeError(y, W8A8.matmul(sm.x(), sm.w()));
        assertTrue(smooth < naive / 2, "smoothed W8A8 " + smooth + " vs naive " + naive);
        // per-token activation scales do not help here: the outliers are channels, present in every token
        double perToken = relativeError(y, W8A8.matmul(x, w, true));
        assertTrue(smooth < perToken, "smoothed " + smooth + " vs per-token " + perToken);
    }

    @Test
    void factorsFollowTheFormula() {
        Tensor w = Tensor.of(new float[] {0.5f, -2f, 0.25f, 1f}, 2, 2); // column maxima 0.5 and 2
        float[] act = {8f, 1f};
        float[] s = SmoothQuant.builder().alpha(0.75).build().factors(act, w);
        assertEquals(Math.pow(8, 0.75) / Math.pow(0.5, 0.25), s[0], 1e-5);
        assertEquals(Math.pow(1, 0.75) / Math.pow(2, 0.25), s[1], 1e-6);
    }

    @Test
    void badInput() {
        assertMessage(() -> SmoothQuant.builder().alpha(1.2), "alpha", "1.2");
        SmoothQuant sq = SmoothQuant.builder().build();
        assertMessage(() -> sq.smooth(Tensor.zeros(4, 8), Tensor.zeros(3, 6)), "[4, 8]", "[3, 6]");
        assertMessage(() -> sq.factors(new float[3], Tensor.zeros(2, 4)), "[2, 4]", "3");
        assertMessage(() -> W8A8.matmul(Tensor.zeros(4, 8), Tensor.zeros(3, 6)), "[4, 8]", "[3, 6]");
    }
}
