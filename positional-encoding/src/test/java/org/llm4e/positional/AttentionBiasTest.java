package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/** ALiBi, T5 buckets, Shaw's clipped positions and the bias combinators. */
class AttentionBiasTest {

    /** BLOOM's closed form ({@code build_alibi_tensor}), an independent formulation of the paper's recursion. */
    private static double[] bloomSlopes(int heads) {
        int closest = Integer.highestOneBit(heads);
        double base = Math.pow(2, -Math.pow(2, -(Math.log(closest) / Math.log(2) - 3)));
        double[] s = new double[heads];
        for (int h = 0; h < closest; h++) {
            s[h] = Math.pow(base, h + 1);
        }
        double extraBase = Math.pow(2, -Math.pow(2, -(Math.log(2 * closest) / Math.log(2) - 3)));
        for (int i = 0; i < heads - closest; i++) {
            s[closest + i] = Math.pow(extraBase, 1 + 2 * i);
        }
        return s;
    }

    @Test
    void alibiSlopesForPowersOfTwoAndOthers() {
        double[] eight = Alibi.slopes(8);
        for (int h = 0; h < 8; h++) {
            assertEquals(Math.pow(2, -(h + 1)), eight[h], 1e-15, "1/2 … 1/256");
        }
        double[] sixteen = Alibi.slopes(16);
        for (int h = 0; h < 16; h++) {
            assertEquals(Math.pow(2, -0.5 * (h + 1)), sixteen[h], 1e-15);
        }
        for (int heads = 1; heads <= 80; heads++) {
            assertArrayEquals(bloomSlopes(heads), Alibi.slopes(heads), 1e-14, "heads=" + heads);
        }
        double[] twelve = Alibi.slopes(12);
        for (int h = 0; h < 8; h++) {
            assertEquals(eight[h], twelve[h], 0.0);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(sixteen[2 * i], twelve[8 + i], 0.0, "every other slope of 16 heads");
        }
    }

    @Test
    void alibiBiasIsLinearInTheDistanceAndShiftDoesNotChangeSoftmax() {
        Alibi alibi = Alibi.bias(4);
        assertEquals(4, alibi.heads());
        for (int h = 0; h < 4; h++) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j <= i; j++) {
                    assertEquals((float) (alibi.slope(h) * (j - i)), alibi.bias(h, i, j), 0f);
                    assertTrue(alibi.bias(h, i, j) <= 0f);
                }
            }
        }
        // a shifted query frame changes each row by a constant: softmax rows are identical
        AttentionBias shifted = alibi.shifted(100);
        for (int i = 0; i < 3; i++) {
            double[] a = softmaxRow(alibi, 2, i, 8);
            double[] b = softmaxRow(shifted, 2, i, 8);
            assertArrayEquals(a, b, 1e-6);
        }
        assertArrayEquals(
                new double[] {0.5, 0.25}, Alibi.bias(new double[] {0.5, 0.25}).slopes(), 0.0);
    }

    private static double[] softmaxRow(AttentionBias bias, int head, int i, int keys) {
        double[] e = new double[keys];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < keys; j++) {
            max = Math.max(max, bias.bias(head, i, j));
        }
        double sum = 0;
        for (int j = 0; j < keys; j++) {
            e[j] = Math.exp(bias.bias(head, i, j) - max);
            sum += e[j];
        }
        for (int j = 0; j < keys; j++) {
            e[j] /= sum;
        }
        return e;
    }

    @Test
    void t5BucketsBidirectional() {
        // 32 buckets, max distance 128: 16 per sign, 8 exact, log-spaced up to 128
        assertEquals(0, T5RelativeBias.bucket(0, true, 32, 128));
        assertEquals(1, T5RelativeBias.bucket(-1, true, 32, 128));
        assertEquals(7, T5RelativeBias.bucket(-7, true, 32, 128));
        assertEquals(8, T5RelativeBias.bucket(-8, true, 32, 128));
        // 8 + ⌊ln(12/8)/ln(16)·8⌋ = 8 + ⌊1.17⌋
        assertEquals(9, T5RelativeBias.bucket(-12, true, 32, 128));
        assertEquals(15, T5RelativeBias.bucket(-127, true, 32, 128));
        assertEquals(15, T5RelativeBias.bucket(-128, true, 32, 128));
        assertEquals(15, T5RelativeBias.bucket(-100_000, true, 32, 128));
        assertEquals(17, T5RelativeBias.bucket(1, true, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(128, true, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(Integer.MAX_VALUE, true, 32, 128));
        assertEquals(15, T5RelativeBias.bucket(Integer.MIN_VALUE, true, 32, 128));
        int previous = 0;
        for (int r = 0; r <= 300; r++) {
            int b = T5RelativeBias.bucket(-r, true, 32, 128);
            assertTrue(b >= previous && b <= 15, "monotone at " + r);
            assertEquals(b + 16, T5RelativeBias.bucket(r, true, 32, 128) + (r == 0 ? 16 : 0));
            previous = b;
        }
    }

    @Test
    void t5BucketsCausal() {
        // decoder: 32 buckets for the past only, 16 exact; the future maps to bucket 0
        assertEquals(0, T5RelativeBias.bucket(5, false, 32, 128));
        assertEquals(15, T5RelativeBias.bucket(-15, false, 32, 128));
        // 16 + ⌊ln(20/16)/ln(8)·16⌋ = 16 + ⌊1.72⌋
        assertEquals(17, T5RelativeBias.bucket(-20, false, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(-128, false, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(-5000, false, 32, 128));
    }

    @Test
    void t5BiasReadsTheHfWeightLayoutAndItsGradientIsTheScatterSum() {
        int heads = 3;
        T5RelativeBias t5 = T5RelativeBias.random(heads, 8, 20, true, 1.0, 7);
        float[] w = t5.parameters().get(0).data();
        for (int h = 0; h < heads; h++) {
            assertEquals(w[t5.bucket(-2) * heads + h], t5.bias(h, 5, 3), 0f);
        }
        checkLinearGradient(
                t5, t5.parameters().get(0).data(), t5.parameters().get(0).grad(), t5::backward, heads);
    }

    @Test
    void shawBiasAndGradient() {
        int heads = 2;
        ShawRelativePosition shaw = ShawRelativePosition.random(heads, 3, 1.0, 11);
        assertEquals(shaw.bias(1, 0, 3), shaw.bias(1, 0, 50), 0f, "clipped beyond k");
        assertEquals(shaw.bias(0, 10, 4), shaw.bias(0, 7, 1), 0f, "depends on j − i only");
        checkLinearGradient(
                shaw, shaw.parameters().get(0).data(), shaw.parameters().get(0).grad(), shaw::backward, heads);
    }

    /**
     * L(w) = Σ G[b, h, i, j] · bias(h, i, j) is linear in w, so ∂L/∂w_k is L evaluated at the one-hot weight e_k.
     */
    private static void checkLinearGradient(
            AttentionBias bias, float[] w, float[] grad, java.util.function.Consumer<Tensor> backward, int heads) {
        int batch = 2;
        int q = 5;
        int k = 9;
        Tensor g = Tensor.randn(3, batch, heads, q, k);
        java.util.Arrays.fill(grad, 0f);
        backward.accept(g);
        float[] saved = w.clone();
        for (int idx = 0; idx < w.length; idx++) {
            java.util.Arrays.fill(w, 0f);
            w[idx] = 1f;
            double l = 0;
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < q; i++) {
                        for (int j = 0; j < k; j++) {
                            l += g.get(b, h, i, j) * bias.bias(h, i, j);
                        }
                    }
                }
            }
            assertEquals(l, grad[idx], 1e-5, "dw[" + idx + "]");
        }
        System.arraycopy(saved, 0, w, 0, w.length);
    }

    @Test
    void combinators() {
        AttentionBias a = (h, i, j) -> h + 10 * i + 100 * j;
        AttentionBias sum = a.plus(Alibi.bias(2));
        assertEquals(a.bias(1, 3, 2) + Alibi.bias(2).bias(1, 3, 2), sum.bias(1, 3, 2), 0f);
        assertEquals(a.bias(1, 7, 2), a.shifted(4).bias(1, 3, 2), 0f);
        assertEquals(0f, AttentionBias.none().bias(3, 4, 5), 0f);
        float[] m = a.matrix(1, 2, 3);
        assertArrayEquals(new float[] {1, 101, 201, 11, 111, 211}, m, 0f);
    }
}
