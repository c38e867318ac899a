package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/** GPTQ's definition checked against an independent formulation, its options, and its input validation. */
class GptqTest {

    /** Correlated calibration inputs [n, in]: X = Z·M + 0.5·N, so H is far from diagonal (as in the golden file). */
    static Tensor correlatedInputs(long seed, int n, int in) {
        float[] z = Tensor.randn(seed, n, in).data();
        float[] m = Tensor.randn(seed + 1, in, in).data();
        float[] noise = Tensor.randn(seed + 2, n, in).data();
        float[] x = new float[n * in];
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < in; j++) {
                double acc = 0;
                for (int k = 0; k < in; k++) {
                    acc += z[s * in + k] * m[k * in + j];
                }
                x[s * in + j] = (float) (acc / Math.sqrt(in) + 0.5 * noise[s * in + j]);
            }
        }
        return Tensor.of(x, n, in);
    }

    static Tensor weights(long seed, int out, int in) {
        float[] w = Tensor.randn(seed, out, in).data();
        for (int i = 0; i < w.length; i++) {
            w[i] *= 0.1f;
        }
        return Tensor.of(w, out, in);
    }

    /**
     * The OBS form of GPTQ, without Cholesky and without blocks (paper §3, "Step 1"): quantize column j, spread its
     * error with row j of the current inverse Hessian F⁻¹ of the remaining columns, then remove j from F⁻¹ by one
     * step of Gaussian elimination. The paper shows the Cholesky rows equal these rows divided by √[F⁻¹]_jj.
     */
    static int[] obsReference(Tensor wt, Tensor xt, int bits, int groupSize, double percDamp) {
        int rows = wt.dim(0);
        int cols = wt.dim(1);
        int n = xt.dim(0);
        double[] h = new double[cols * cols];
        float[] x = xt.data();
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double acc = 0;
                for (int s = 0; s < n; s++) {
                    acc += (double) x[s * cols + i] * x[s * cols + j];
                }
                h[i * cols + j] = 2 * acc / n;
            }
        }
        double mean = 0;
        for (int j = 0; j < cols; j++) {
            mean += h[j * cols + j] / cols;
        }
        for (int j = 0; j < cols; j++) {
            h[j * cols + j] += percDamp * mean;
        }
        double[] hinv = invert(h, cols);
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = wt.data()[i];
        }
        MinMaxGrid grid = new MinMaxGrid(bits, false, true);
        double[][] p = new double[rows][2];
        for (int r = 0; r < rows; r++) {
            grid.params(w, r * cols, (r + 1) * cols, p[r]);
        }
        int[] codes = new int[rows * cols];
        for (int j = 0; j < cols; j++) {
            double d = hinv[j * cols + j];
            for (int r = 0; r < rows; r++) {
                if (groupSize != -1 && j % groupSize == 0) {
                    grid.params(w, r * cols + j, r * cols + j + groupSize, p[r]);
                }
                int q = grid.code(w[r * cols + j], p[r][0], p[r][1]);
                codes[r * cols + j] = q;
                double err = (w[r * cols + j] - MinMaxGrid.value(q, p[r][0], p[r][1])) / d;
                for (int k = j + 1; k < cols; k++) {
                    w[r * cols + k] -= err * hinv[j * cols + k];
                }
            }
            for (int a = j + 1; a < cols; a++) {
                for (int b = j + 1; b < cols; b++) {
                    hinv[a * cols + b] -= hinv[a * cols + j] * hinv[j * cols + b] / d;
                }
            }
        }
        return codes;
    }

    private static double[] invert(double[] a, int n) {
        double[] m = a.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int c = 0; c < n; c++) { // Gauss–Jordan; H is positive definite, no pivoting needed
            double piv = m[c * n + c];
            for (int k = 0; k < n; k++) {
                m[c * n + k] /= piv;
                inv[c * n + k] /= piv;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r * n + c];
                    for (int k = 0; k < n; k++) {
                        m[r * n + k] -= f * m[c * n + k];
                        inv[r * n + k] -= f * inv[c * n + k];
                    }
                }
            }
        }
        return inv;
    }

    private static int[] codes(QuantizedTensor q) {
        int[] c = new int[q.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = q.code(i);
        }
        return c;
    }

    @Test
    void choleskyFormWithLazyBlocksEqualsTheObsForm() {
        Tensor w = weights(11, 12, 48);
        Tensor x = correlatedInputs(12, 200, 48);
        for (int groupSize : new int[] {-1, 16}) {
            QuantizedTensor q =
                    Gptq.builder().groupSize(groupSize).blockSize(8).build().quantize(w, x);
            int[] expected = obsReference(w, x, 4, groupSize, 0.01);
            assertArrayEquals(expected, codes(q), "groupSize " + groupSize);
        }
    }

    @Test
    void blockSizeChangesOnlyTheSpeed() {
        Tensor w = weights(21, 16, 64);
        Tensor x = correlatedInputs(22, 256, 64);
        for (int groupSize : new int[] {-1, 16, 32}) {
            for (boolean actOrder : new boolean[] {false, true}) {
                Gptq ref = Gptq.builder()
                        .groupSize(groupSize)
                        .blockSize(1)
                        .actOrder(actOrder)
                        .build();
                QuantizedTensor expected = ref.quantize(w, x);
                for (int block : new int[] {5, 16, 32, 128}) {
                    Gptq g = Gptq.builder()
                            .groupSize(groupSize)
                            .blockSize(block)
                            .actOrder(actOrder)
                            .build();
                    QuantizedTensor q = g.quantize(w, x);
                    String name = g.toString();
                    assertArrayEquals(expected.codes(), q.codes(), name);
                    assertArrayEquals(expected.scales(), q.scales(), name);
                    assertArrayEquals(expected.zeroPoints(), q.zeroPoints(), name);
                }
            }
        }
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        Tensor w = weights(31, 40, 64);
        Tensor x = correlatedInputs(32, 128, 64);
        Gptq g = Gptq.builder().groupSize(32).blockSize(16).build();
        QuantizedTensor one = Parallel.withParallelism(1, () -> g.quantize(w, x));
        QuantizedTensor many = Parallel.withParallelism(4, () -> g.quantize(w, x));
        assertArrayEquals(one.codes(), many.codes());
        assertArrayEquals(one.scales(), many.scales());
    }

    @Test
    void actOrderKeepsThePermutationAndTheGroupIndex() {
        Tensor w = weights(41, 24, 64);
        Tensor x = correlatedInputs(42, 256, 64);
        double[] h = Gptq.hessian(x);
        int gs = 16;
        QuantizedTensor q = Gptq.builder()
                .groupSize(gs)
                .blockSize(32)
                .actOrder(true)
                .build()
                .quantize(w, x);
        int[] perm = q.permutation();
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i], "permutation must hold every column once");
        }
        for (int j = 1; j < perm.length; j++) {
            assertTrue(h[perm[j - 1] * 64 + perm[j - 1]] >= h[perm[j] * 64 + perm[j]], "decreasing diag(H) at " + j);
        }
        int[] gIdx = q.groupIndex();
        for (int j = 0; j < perm.length; j++) {
            assertEquals(j / gs, gIdx[perm[j]], "g_idx of the " + j + "-th quantized column");
        }
        assertArrayEquals(new int[] {24, 64 / gs}, q.scalesShape());
        // dequantize uses each column's own group
        float[] deq = q.dequantize().data();
        float[] s = q.scales();
        int[] z = q.zeroPoints();
        for (int r = 0; r < 24; r++) {
            for (int c = 0; c < 64; c++) {
                int g = r * (64 / gs) + gIdx[c];
                assertEquals((float) (q.code(r * 64 + c) - z[g]) * s[g], deq[r * 64 + c], 0f);
            }
        }
        // storage: packed 4-bit codes, float32 scales, one byte per zero point, int32 g_idx per column
        assertEquals(24 * 64 / 2 + 4 * 24 * 4 + 24 * 4 + 4 * 64, q.storageBytes());
        // requantizing the reconstruction gives back the codes under the scattered groups
        assertArrayEquals(q.codes(), q.requantize(q.dequantize()).codes());
        // and it still beats round-to-nearest on the layer output
        Gptq rtn = Gptq.builder().groupSize(gs).build();
        assertTrue(LayerError.outputSse(w, q.dequantize(), x)
                < LayerError.outputSse(w, rtn.roundToNearest(w).dequantize(), x));
    }

    @Test
    void withoutActOrderThePermutationIsTheIdentityAndGroupsAreRuns() {
        Tensor w = weights(51, 4, 32);
        Tensor x = correlatedInputs(52, 64, 32);
        QuantizedTensor q = Gptq.builder().groupSize(8).build().quantize(w, x);
        for (int c = 0; c < 32; c++) {
            assertEquals(c, q.permutation()[c]);
            assertEquals(c / 8, q.groupIndex()[c]);
        }
        assertEquals(8, q.groupLength());
        assertEquals(4, q.bits());
        assertEquals(0, q.scheme().qmin());
        assertEquals(15, q.scheme().qmax());
    }

    @Test
    void symmetricGridHasItsZeroInTheMiddle() {
        Tensor w = weights(61, 16, 64);
        Tensor x = correlatedInputs(62, 128, 64);
        Gptq sym = Gptq.builder().symmetric(true).groupSize(32).build();
        QuantizedTensor q = sym.quantize(w, x);
        for (int z : q.zeroPoints()) {
            assertEquals(8, z);
        }
        assertTrue(q.scheme().symmetric());
        assertTrue(LayerError.outputSse(w, q.dequantize(), x)
                < LayerError.outputSse(w, sym.roundToNearest(w).dequantize(), x));
    }

    @Test
    void eightBitsIsFarMoreAccurateThanFour() {
        Tensor w = weights(71, 16, 64);
        Tensor x = correlatedInputs(72, 128, 64);
        double e4 = LayerError.outputSse(
                w, Gptq.builder().bits(4).build().quantize(w, x).dequantize(), x);
        double e8 = LayerError.outputSse(
                w, Gptq.builder().bits(8).build().quantize(w, x).dequantize(), x);
        assertTrue(e8 < e4 / 100, "8-bit " + e8 + " vs 4-bit " + e4);
    }

    @Test
    void deadInputsZeroTheirWeights() {
        Tensor w = weights(81, 8, 16);
        float[] x = correlatedInputs(82, 64, 16).data();
        for (int s = 0; s < 64; s++) {
            x[s * 16 + 5] = 0f;
        }
        QuantizedTensor q = Gptq.builder().build().quantize(w, Tensor.of(x, 64, 16));
        float[] d = q.dequantize().data();
        for (int r = 0; r < 8; r++) {
            assertEquals(0f, d[r * 16 + 5], 0f, "row " + r);
        }
    }

    @Test
    void hessianIsTwiceTheMeanOuterProduct() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0, 2}, 2, 3);
        double[] h = Gptq.hessian(x);
        double[] expected = {2, 2, 1, 2, 4, 6, 1, 6, 13}; // 2/2 · Σ x xᵀ
        assertArrayEquals(expected, h, 1e-12);
    }

    @Test
    void badInputNamesTheParameterAndTheValue() {
        assertMessage(() -> Gptq.builder().bits(3), "bits", "3");
        assertMessage(() -> Gptq.builder().groupSize(0), "groupSize", "0");
        assertMessage(() -> Gptq.builder().blockSize(0), "blockSize", "0");
        assertMessage(() -> Gptq.builder().percDamp(-0.1), "percDamp", "-0.1");
        assertMessage(() -> Gptq.builder().percDamp(Double.NaN), "percDamp", "NaN");
        Gptq g = Gptq.builder().groupSize(32).build();
        assertMessage(() -> g.quantize(Tensor.zeros(4, 48), Tensor.zeros(8, 48)), "groupSize 32", "48");
        assertMessage(() -> g.quantize(Tensor.zeros(4, 64), Tensor.zeros(8, 32)), "x shape [8, 32]", "[4, 64]");
        assertMessage(() -> g.quantize(Tensor.zeros(64), Tensor.zeros(8, 64)), "w must be 2-D", "[64]");
        float[] bad = new float[4 * 64];
        bad[3] = Float.NaN;
        assertMessage(() -> g.quantize(Tensor.of(bad, 4, 64), Tensor.zeros(8, 64)), "w[3]", "NaN");
        // all-zero inputs with no damping: every column is dead, H = I, still fine; a rank-deficient H is not
        Gptq noDamp = Gptq.builder().percDamp(0).build();
        float[] x = new float[2 * 4];
        Arrays.fill(x, 1f); // every input identical: H has rank 1
        assertMessage(() -> noDamp.quantize(Tensor.zeros(2, 4), Tensor.of(x, 2, 4)), "percDamp 0.0", "positive");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' must contain '" + p + "'");
        }
    }
}
