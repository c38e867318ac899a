package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The worked examples and checks 1–5 of 看懂FlashAttention需要的数学储备是？高考数学最后一道大题！.md (attention catalog §3–5):
 * safe softmax, online softmax, the one-pass recurrence and its tiled form.
 */
class SoftmaxRoadArticleTest {
    private static final double TOL = 1e-9;

    /** Check 1: subtracting the maximum changes nothing, and it is what keeps e^x finite. */
    @Test
    void safeSoftmaxIsShiftInvariantAndDoesNotOverflow() {
        double[] x = {0.5, -1.25, 3.0, 2.0, 3.0};
        double max = 3.0;
        double[] shifted = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            shifted[i] = x[i] - max;
        }
        assertArrayEquals(
                SafeSoftmax.threePass(x).a(), SafeSoftmax.threePass(shifted).a(), 0.0);

        // Erratum: the article calls fp16's largest value 65536; it is (2 − 2⁻¹⁰)·2¹⁵ = 65504, so e^x overflows
        // fp16 from x = ln 65504 ≈ 11.09 on.
        double fp16Max = (2 - Math.pow(2, -10)) * Math.pow(2, 15);
        assertEquals(65504.0, fp16Max);
        assertEquals(11.09, Math.log(fp16Max), 0.005);
        assertTrue(Math.exp(11.1) > fp16Max && Math.exp(11.0) < fp16Max);

        // In double the naive form overflows from x ≈ 709.8; at x = 1000 it gives NaN, the safe form does not.
        double[] big = {1000, 999, 998};
        assertTrue(Double.isNaN(SafeSoftmax.naive(big)[0]));
        double[] a = SafeSoftmax.threePass(big).a();
        double e1 = Math.exp(-1);
        double e2 = Math.exp(-2);
        assertEquals(1 / (1 + e1 + e2), a[0], TOL);
        assertEquals(e2 / (1 + e1 + e2), a[2], TOL);
    }

    /** Checks 2 and 3: 3-pass = 2-pass = reference, d′_N = d_N, m_N = max, and recurrence (10) at every i. */
    @Test
    void threePassEqualsTwoPassEqualsReference() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int n : new int[] {1, 2, 3, 7, 64, 1000, 4096}) {
            for (int kind = 0; kind < 3; kind++) {
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = kind == 1 ? 0.75 : rnd.nextGaussian() * 5;
                    if (kind == 2 && i % 3 == 0) {
                        x[i] = Double.NEGATIVE_INFINITY; // masked entries, including the first
                    }
                }
                if (kind == 2 && n % 3 == 1) {
                    x[n - 1] = 1.0; // at least one finite entry
                }
                SafeSoftmax.Trace three = SafeSoftmax.threePass(x);
                OnlineSoftmax.Trace two = OnlineSoftmax.twoPass(x);
                double max = Double.NEGATIVE_INFINITY;
                for (double v : x) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (double v : x) {
                    sum += Math.exp(v - max);
                }
                for (int i = 0; i < n; i++) {
                    double ref = Math.exp(x[i] - max) / sum;
                    assertEquals(ref, three.a()[i], TOL, "3-pass n=" + n);
                    assertEquals(ref, two.a()[i], TOL, "2-pass n=" + n);
                }
                assertEquals(max, two.m()[n - 1]);
                assertEquals(max, three.m()[n - 1]);
                assertEquals(three.d()[n - 1], two.dPrime()[n - 1], TOL * three.d()[n - 1]);
                // (10): d′_i = Σ_{j≤i} e^{x_j − m_i}
                for (int i = 0; i < n; i += Math.max(1, n / 50)) {
                    double mi = two.m()[i];
                    double direct = 0;
                    for (int j = 0; j <= i; j++) {
                        direct += mi == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x[j] - mi);
                    }
                    assertEquals(direct, two.dPrime()[i], TOL * Math.max(1, direct), "d'_" + i);
                }
            }
        }
    }

    /** Check 4: the single loop (14) and the tiled version equal softmax(QKᵀ/√d)V, b need not divide N. */
    @Test
    void singleLoopAndTiledRecurrenceEqualNaiveAttention() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int len : new int[] {1, 7, 128, 1024}) {
            for (int d : new int[] {16, 64, 128}) {
                double[][] k = gaussian(rnd, len, d);
                double[][] v = gaussian(rnd, len, d);
                double scale = 1 / Math.sqrt(d);
                for (int row = 0; row < 2; row++) {
                    double[] q = gaussian(rnd, 1, d)[0];
                    double[] naive = naiveRow(q, k, v, scale);
                    OnlineAttention.Trace one = OnlineAttention.row(q, k, v, scale, null);
                    assertArrayEquals(naive, one.output(), TOL, "single loop L=" + len + " d=" + d);
                    assertArrayEquals(one.output(), one.oPrime()[len - 1], 0.0); // o′_N = o_N
                    for (int b : new int[] {1, 2, 3, 16, 64, len}) {
                        TiledOnlineAttention.Trace tiled = TiledOnlineAttention.row(q, k, v, scale, b, null);
                        assertEquals((len + b - 1) / b, tiled.tiles());
                        assertArrayEquals(naive, tiled.output(), TOL, "tiled b=" + b + " L=" + len + " d=" + d);
                    }
                }
            }
        }
    }

    /** Figure 1 of the catalog: N = 8, b = 2; after tile t the tiled state equals the single loop's state at 2t. */
    @Test
    void tiledTraceAgreesWithSingleLoopTraceAtTileBoundaries() {
        SplittableRandom rnd = new SplittableRandom(8);
        double[][] k = gaussian(rnd, 8, 4);
        double[][] v = gaussian(rnd, 8, 3);
        double[] q = gaussian(rnd, 1, 4)[0];
        OnlineAttention.Trace one = OnlineAttention.row(q, k, v, 0.5, null);
        TiledOnlineAttention.Trace tiled = TiledOnlineAttention.row(q, k, v, 0.5, 2, null);
        assertEquals(4, tiled.tiles());
        for (int t = 0; t < 4; t++) {
            int i = 2 * t + 1;
            assertEquals(one.m()[i], tiled.m()[t], TOL);
            assertEquals(one.dPrime()[i], tiled.dPrime()[t], TOL);
            assertArrayEquals(one.oPrime()[i], tiled.oPrime()[t], TOL);
        }
    }

    /** Check 5: safe softmax reads the N scores 3 times, online softmax twice, FlashAttention reads K and V once. */
    @Test
    void passCounts() {
        double[] x = {1, 2, 3, 4, 5, 6, 7};
        assertEquals(3, SafeSoftmax.threePass(x).passes());
        assertEquals(21, SafeSoftmax.threePass(x).scoreReads());
        assertEquals(2, OnlineSoftmax.twoPass(x).passes());
        assertEquals(14, OnlineSoftmax.twoPass(x).scoreReads());
        SplittableRandom rnd = new SplittableRandom(1);
        OnlineAttention.Trace t =
                OnlineAttention.row(gaussian(rnd, 1, 4)[0], gaussian(rnd, 7, 4), gaussian(rnd, 7, 4), 0.5, null);
        assertEquals(7, t.keyReads());
        assertEquals(7, t.valueReads());
    }

    @Test
    void maskedKeysAndFullyMaskedRows() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[][] k = gaussian(rnd, 5, 4);
        double[][] v = gaussian(rnd, 5, 2);
        double[] q = gaussian(rnd, 1, 4)[0];
        boolean[] allowed = {false, true, false, true, true};
        double[][] k3 = {k[1], k[3], k[4]};
        double[][] v3 = {v[1], v[3], v[4]};
        double[] expected = naiveRow(q, k3, v3, 0.5);
        assertArrayEquals(expected, OnlineAttention.row(q, k, v, 0.5, allowed).output(), TOL);
        assertArrayEquals(
                expected, TiledOnlineAttention.row(q, k, v, 0.5, 2, allowed).output(), TOL);
        boolean[] none = new boolean[5];
        assertArrayEquals(new double[2], OnlineAttention.row(q, k, v, 0.5, none).output(), 0.0);
        assertArrayEquals(
                new double[2], TiledOnlineAttention.row(q, k, v, 0.5, 3, none).output(), 0.0);
        double[] allMasked = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        assertArrayEquals(new double[2], SafeSoftmax.threePass(allMasked).a(), 0.0);
        assertArrayEquals(new double[2], OnlineSoftmax.twoPass(allMasked).a(), 0.0);
    }

    static double[][] gaussian(SplittableRandom rnd, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] r : m) {
            for (int c = 0; c < cols; c++) {
                r[c] = rnd.nextGaussian();
            }
        }
        return m;
    }

    static double[] naiveRow(double[] q, double[][] k, double[][] v, double scale) {
        double[] s = new double[k.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k.length; j++) {
            s[j] = scale * OnlineAttention.dot(q, k[j]);
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < k.length; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
        }
        double[] o = new double[v[0].length];
        for (int j = 0; j < k.length; j++) {
            for (int c = 0; c < o.length; c++) {
                o[c] += s[j] / sum * v[j][c];
            }
        }
        return o;
    }
}
