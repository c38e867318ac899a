package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/**
 * The worked examples and checks of the positional-encoding articles (catalog: articles-attention-positional.md §11–14,
 * checks 14–17): 什么是大模型的位置编码Position-Encoding.md, 最美的数学公式-欧拉公式.md, 复变函数在大模型位置编码中的应用.md,
 * 从欧拉公式的美到旋转位置编码RoPE.md.
 */
class PositionalArticleTest {

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] times(double[][] m, double[] x) {
        double[] out = new double[m.length];
        for (int r = 0; r < m.length; r++) {
            out[r] = dot(m[r], x);
        }
        return out;
    }

    // check 16: q = (0.3, −1.2), k = (0.7, 0.5), θ = 0.37, (m, n) = (5, 2) → 0.713324
    @Test
    void twoDimensionalScoreIs0713324InEveryForm() {
        double[] q = {0.3, -1.2};
        double[] k = {0.7, 0.5};
        double[] theta = {0.37};
        int m = 5;
        int n = 2;
        // complex form: Re[q · conj(k) · e^{i(m−n)θ}]
        double complex = new Complex(q[0], q[1])
                .times(new Complex(k[0], k[1]).conjugate())
                .times(Complex.expI((m - n) * 0.37))
                .re();
        assertEquals(0.713324, complex, 5e-7);
        for (RopeLayout layout : RopeLayout.values()) {
            double viaComplex =
                    dot(RotaryForms.rotateComplex(q, m, theta, layout), RotaryForms.rotateComplex(k, n, theta, layout));
            double viaMatrix =
                    dot(RotaryForms.rotateMatrix(q, m, theta, layout), RotaryForms.rotateMatrix(k, n, theta, layout));
            double viaElementwise = dot(
                    RotaryForms.rotateElementwise(q, m, theta, layout),
                    RotaryForms.rotateElementwise(k, n, theta, layout));
            assertEquals(complex, viaComplex, 1e-12);
            assertEquals(complex, viaMatrix, 1e-12);
            assertEquals(complex, viaElementwise, 1e-12);
        }
        // qᵀ R((n−m)θ) k, the corrected middle matrix: R(3·(−θ)) = R((n − m)θ)
        double[][] rNminusM = RotaryForms.rotationMatrix(2, m - n, new double[] {-0.37}, RopeLayout.INTERLEAVED);
        assertEquals(complex, dot(q, times(rNminusM, k)), 1e-12);
    }

    // Erratum (ROPE img 20, PE/COMPLEX img 6): the printed middle matrix R((m−n)θ) has the wrong off-diagonal signs;
    // it would give −1.060160. The implementation must NOT reproduce it.
    @Test
    void articlesPrintedMatrixSignIsNotWhatWeCompute() {
        double[] q = {0.3, -1.2};
        double[] k = {0.7, 0.5};
        double a = (5 - 2) * 0.37;
        double[][] printed = {{Math.cos(a), -Math.sin(a)}, {Math.sin(a), Math.cos(a)}};
        double articleValue = dot(q, times(printed, k));
        assertEquals(-1.060160, articleValue, 5e-7);
        double[] theta = {0.37};
        double ours = dot(
                RotaryForms.rotateMatrix(q, 5, theta, RopeLayout.INTERLEAVED),
                RotaryForms.rotateMatrix(k, 2, theta, RopeLayout.INTERLEAVED));
        assertTrue(Math.abs(ours - articleValue) > 1.0, "must differ from the erratum's value, got " + ours);
        // R(mθ)ᵀ R(nθ) = R((n−m)θ): check the product entry by entry
        double[][] rm = RotaryForms.rotationMatrix(2, 5, theta, RopeLayout.INTERLEAVED);
        double[][] rn = RotaryForms.rotationMatrix(2, 2, theta, RopeLayout.INTERLEAVED);
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                double product = rm[0][r] * rn[0][c] + rm[1][r] * rn[1][c];
                double[][] expected = {{Math.cos(-a), -Math.sin(-a)}, {Math.sin(-a), Math.cos(-a)}};
                assertEquals(expected[r][c], product, 1e-15);
            }
        }
    }

    // check 15: Euler
    @Test
    void eulerIdentityAndComplexArithmetic() {
        Complex z = Complex.expI(Math.PI).plus(Complex.ONE);
        assertTrue(z.abs() < 1e-15, "e^{iπ} + 1 = " + z);
        double x = 0.731;
        assertEquals(Math.cos(x), Complex.expI(x).re(), 0.0);
        assertEquals(Math.sin(x), Complex.expI(x).im(), 0.0);
        Complex p = new Complex(1.5, -2).times(new Complex(-0.5, 3));
        assertEquals(1.5 * -0.5 - (-2) * 3, p.re(), 0.0);
        assertEquals(1.5 * 3 + (-2) * -0.5, p.im(), 0.0);
        Complex quotient = p.divide(new Complex(-0.5, 3));
        assertEquals(1.5, quotient.re(), 1e-15);
        assertEquals(-2, quotient.im(), 1e-15);
        // ROPE img 10: e^{imθ} · conj(e^{inθ}) = e^{i(m−n)θ}
        Complex rel = Complex.expI(5 * 0.37).times(Complex.expI(2 * 0.37).conjugate());
        assertEquals(Math.cos(3 * 0.37), rel.re(), 1e-15);
        assertEquals(Math.sin(3 * 0.37), rel.im(), 1e-15);
    }

    // check 14: spot values PE(1, 0) = sin 1 = 0.841471, PE(1, 1) = cos 1 = 0.540302; PE(0) = [0, 1, 0, 1, …]
    @Test
    void sinusoidalSpotValues() {
        Tensor pe = SinusoidalEncoding.table(4, 512);
        assertEquals(0.841471, pe.get(1, 0), 5e-7);
        assertEquals(0.540302, pe.get(1, 1), 5e-7);
        assertEquals((float) Math.sin(1), pe.get(1, 0), 0f);
        for (int i = 0; i < 512; i++) {
            assertEquals(i % 2 == 0 ? 0f : 1f, pe.get(0, i), 0f, "PE(0, " + i + ")");
        }
    }

    // check 14: all |PE| ≤ 1 and rows are unique for pos < 10 000 at d = 512
    @Test
    void sinusoidalRowsAreBoundedAndUnique() {
        int n = 10_000;
        int d = 512;
        float[] data = SinusoidalEncoding.table(n, d).data();
        Map<Integer, Integer> seen = new HashMap<>();
        for (int pos = 0; pos < n; pos++) {
            float[] row = Arrays.copyOfRange(data, pos * d, (pos + 1) * d);
            for (float v : row) {
                assertTrue(Math.abs(v) <= 1f);
            }
            Integer previous = seen.put(Arrays.hashCode(row), pos);
            if (previous != null) {
                float[] other = Arrays.copyOfRange(data, previous * d, (previous + 1) * d);
                assertTrue(!Arrays.equals(row, other), "rows " + previous + " and " + pos + " are equal");
            }
        }
    }

    // §11: wavelengths run geometrically from 2π to 2π·10000^((d−2)/d) (≈ 10000·2π); per pair PE(pos+k) = R PE(pos)
    @Test
    void sinusoidalWavelengthsAndPairRotation() {
        double[] w = SinusoidalEncoding.wavelengths(512, 10000);
        assertEquals(2 * Math.PI, w[0], 1e-15);
        assertEquals(2 * Math.PI * Math.pow(10000, 510.0 / 512), w[255], 1e-9);
        for (int i = 1; i < w.length; i++) {
            assertEquals(w[1] / w[0], w[i] / w[i - 1], 1e-12, "geometric ratio");
        }
        double[] omega = SinusoidalEncoding.frequencies(16, 10000);
        double[] pe = SinusoidalEncoding.encode(37, 16, 10000);
        double[] shifted = SinusoidalEncoding.encode(37 + 5, 16, 10000);
        for (int i = 0; i < 8; i++) {
            double b = 5 * omega[i];
            // (sin(a+b), cos(a+b)) = [[cos b, sin b], [−sin b, cos b]] · (sin a, cos a)
            assertEquals(Math.cos(b) * pe[2 * i] + Math.sin(b) * pe[2 * i + 1], shifted[2 * i], 1e-12);
            assertEquals(-Math.sin(b) * pe[2 * i] + Math.cos(b) * pe[2 * i + 1], shifted[2 * i + 1], 1e-12);
        }
    }

    // check 16: θ_j = base^(−2j/d): θ_0 = 1 and θ_{d/2−1} = 10000^(−(d−2)/d); 1-based and 0-based indexings agree
    @Test
    void thetaValues() {
        for (int d : new int[] {2, 16, 64, 128}) {
            double[] theta = RotaryEmbedding.builder(d).maxPosition(0).build().inverseFrequencies();
            assertEquals(d / 2, theta.length);
            assertEquals(1.0, theta[0], 0.0);
            assertEquals(Math.pow(10000, -(d - 2.0) / d), theta[d / 2 - 1], 1e-15);
            for (int i = 1; i <= d / 2; i++) {
                // the article's 1-based θ_i = 10000^(−2(i−1)/d)
                assertEquals(Math.pow(10000, -2.0 * (i - 1) / d), theta[i - 1], 1e-15 * theta[i - 1]);
            }
        }
    }

    // PE asset 03: the 7×7 matrix of w_{clip(j−i, −3, 3)}
    @Test
    void shawClippedRelativePositionFigure() {
        int[][] m = ShawRelativePosition.relativeIndexMatrix(7, 3);
        assertArrayEquals(new int[] {0, 1, 2, 3, 3, 3, 3}, m[0]);
        assertArrayEquals(new int[] {-1, 0, 1, 2, 3, 3, 3}, m[1]);
        assertArrayEquals(new int[] {-3, -2, -1, 0, 1, 2, 3}, m[3]);
        assertArrayEquals(new int[] {-3, -3, -3, -3, -2, -1, 0}, m[6]);
        // as a bias: the value used at (i, j) is w_{clip(j−i)}
        float[] w = {-3f, -2f, -1f, 0f, 1f, 2f, 3f};
        ShawRelativePosition shaw = new ShawRelativePosition(1, 3, w);
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 7; j++) {
                assertEquals(m[i][j], shaw.bias(0, i, j), 0f);
            }
        }
    }

    // ROPE img 9 / PE img 2: a d = 2 pair rotated by mθ_1 at positions 1..6, norm unchanged
    @Test
    void roformerFigurePairRotatesOverPositionsOneToSix() {
        RotaryEmbedding rope =
                RotaryEmbedding.builder(2).layout(RopeLayout.INTERLEAVED).build();
        double[] x = {0.8, 0.3};
        double start = Math.atan2(x[1], x[0]);
        for (int m = 1; m <= 6; m++) {
            double[] y = x.clone();
            rope.rotate(y, 0, m);
            assertEquals(Math.hypot(x[0], x[1]), Math.hypot(y[0], y[1]), 1e-15);
            double turned = Math.atan2(y[1], y[0]) - start;
            double expected = Math.IEEEremainder(m * 1.0, 2 * Math.PI);
            assertEquals(0.0, Math.IEEEremainder(turned - expected, 2 * Math.PI), 1e-12, "position " + m);
        }
    }

    // check 17 [C, RoFormer §3.4.3]: the relative upper bound trends downward over |m − n| ∈ [0, 256]
    @Test
    void longTermDecayTrendsDownward() {
        double[] theta = RotaryEmbedding.builder(128).maxPosition(0).build().inverseFrequencies();
        double[] bound = new double[257];
        for (int r = 0; r <= 256; r++) {
            bound[r] = RotaryForms.relativeUpperBound(theta, r);
        }
        assertEquals(64 * 65 / 2 / 64.0, bound[0], 1e-12); // at distance 0, |S_j| = j
        double previousWindow = Double.MAX_VALUE;
        for (int start = 0; start < 256; start += 64) {
            double mean = 0;
            for (int r = start; r < start + 64; r++) {
                mean += bound[r] / 64;
            }
            assertTrue(mean < previousWindow, "window starting at " + start + " did not decrease: " + mean);
            previousWindow = mean;
        }
        assertEquals(bound[100], RotaryForms.relativeUpperBound(theta, -100), 1e-12);
    }

    // check 16: odd d is rejected
    @Test
    void oddHeadDimensionIsRejected() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> RotaryEmbedding.builder(7));
        assertTrue(e.getMessage().contains("headDim") && e.getMessage().contains("7"), e.getMessage());
    }
}
