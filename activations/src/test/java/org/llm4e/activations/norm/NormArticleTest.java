package org.llm4e.activations.norm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/**
 * The 3×4 table of the LayerNorm-vs-BatchNorm article (catalog checks 27–30): samples are rows, features columns;
 * x₁ = [1, 3, 8], x₂ = [3, 4, 3], x₃ = [5, 6, 2], x₄ = [7, 2, 1] are the feature columns of the figure.
 */
class NormArticleTest {
    private static Tensor table() {
        return Tensor.of(new float[] {1, 3, 5, 7, 3, 4, 6, 2, 8, 3, 2, 1}, 3, 4);
    }

    private static float[] row(Tensor t, int r) {
        float[] out = new float[t.dim(1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.get(r, i);
        }
        return out;
    }

    // check 27: per-feature population statistics, the normalized table, PyTorch's running statistics
    @Test
    void batchNormOnTheArticleTable() {
        BatchNorm bn = new BatchNorm(4);
        Tensor y = bn.forward(table());
        assertArrayEquals(new float[] {-1.0190f, -0.7071f, 0.3922f, 1.3970f}, row(y, 0), 1e-4f);
        assertArrayEquals(new float[] {-0.3397f, 1.4142f, 0.9806f, -0.5080f}, row(y, 1), 1e-4f);
        assertArrayEquals(new float[] {1.3587f, -0.7071f, -1.3728f, -0.8890f}, row(y, 2), 1e-4f);
        assertArrayEquals(new float[] {0.4f, 0.33333f, 0.43333f, 0.33333f}, bn.runningMean(), 1e-5f);
        assertArrayEquals(new float[] {2.2f, 0.93333f, 1.33333f, 1.93333f}, bn.runningVar(), 1e-5f);
        assertEquals(1, bn.numBatchesTracked());
        // the figure's means and population standard deviations, recovered from the running averages (m = 0.1)
        float[] mean = {4f, 3.3333f, 4.3333f, 3.3333f};
        float[] std = {2.9439f, 0.4714f, 1.6997f, 2.6247f};
        for (int j = 0; j < 4; j++) {
            assertEquals(mean[j], bn.runningMean()[j] / 0.1f, 1e-4f);
            double unbiased = (bn.runningVar()[j] - 0.9) / 0.1;
            assertEquals(std[j], Math.sqrt(unbiased * 2 / 3), 1e-4);
        }
        // eval mode uses the running statistics
        bn.eval();
        Tensor e = bn.forward(table());
        assertEquals((1 - 0.4) / Math.sqrt(2.2 + 1e-5), e.get(0, 0), 1e-5);
    }

    // check 28, and the article's core argument: LN of a sample ignores the other samples, BN does not
    @Test
    void layerNormOnTheArticleTable() {
        LayerNorm ln = new LayerNorm(4);
        Tensor y = ln.forward(table());
        assertArrayEquals(new float[] {-1.3416f, -0.4472f, 0.4472f, 1.3416f}, row(y, 0), 1e-4f);
        assertArrayEquals(new float[] {-0.5071f, 0.1690f, 1.5213f, -1.1832f}, row(y, 1), 1e-4f);
        assertArrayEquals(new float[] {1.6713f, -0.1857f, -0.5571f, -0.9285f}, row(y, 2), 1e-4f);
        Tensor changed = table();
        changed.set(99f, 2, 0);
        Tensor y2 = ln.forward(changed);
        assertArrayEquals(row(y, 0), row(y2, 0), 0f);
        BatchNorm bn = new BatchNorm(4);
        Tensor b1 = bn.forward(table());
        Tensor b2 = bn.forward(changed);
        assertFalse(java.util.Arrays.equals(row(b1, 0), row(b2, 0)));
    }

    // check 29 (RMSNorm is external to the articles; ε = 0)
    @Test
    void rmsNormOnTheArticleTable() {
        RMSNorm rms = new RMSNorm(4, 0.0);
        Tensor y = rms.forward(table());
        assertArrayEquals(new float[] {0.2182f, 0.6547f, 1.0911f, 1.5275f}, row(y, 0), 1e-4f);
        assertArrayEquals(new float[] {0.7442f, 0.9923f, 1.4884f, 0.4961f}, row(y, 1), 1e-4f);
        assertArrayEquals(new float[] {1.8116f, 0.6794f, 0.4529f, 0.2265f}, row(y, 2), 1e-4f);
        float[] rmsValues = {4.5826f, 4.0311f, 4.4159f};
        for (int r = 0; r < 3; r++) {
            assertEquals(rmsValues[r], table().get(r, 0) / y.get(r, 0), 1e-3f);
        }
    }

    // check 30: standardization gives mean 0 and population standard deviation 1
    @Test
    void standardizationGivesZeroMeanAndUnitStd() {
        Tensor y = new LayerNorm(4, 0.0, false).forward(table());
        for (int r = 0; r < 3; r++) {
            double mean = 0;
            double sq = 0;
            for (float v : row(y, r)) {
                mean += v;
                sq += v * v;
            }
            assertEquals(0.0, mean / 4, 1e-6);
            assertEquals(1.0, Math.sqrt(sq / 4), 1e-6);
        }
    }
}
