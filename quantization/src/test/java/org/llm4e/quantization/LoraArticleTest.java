package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.quantization.GptqTest.assertMessage;
import static org.llm4e.testsupport.TensorAssert.assertClose;
import static org.llm4e.testsupport.TensorAssert.assertIdentical;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;

/**
 * The LoRA worked examples of the catalog (W-LORA, checks 36), derived from the figures of
 * {@code 大模型的参数高效微调（PEFT），LoRA微调以及其它.md} (PEFT › 2.3.png, 2.1.png); the α/r scaling is the LoRA
 * paper's ([X]: not in the articles).
 */
class LoraArticleTest {

    @Test
    void bZeroAtInitialisationGivesTheBaseOutputExactly() {
        Tensor w = GptqTest.weights(1, 24, 40);
        LoraLinear layer = new LoraLinear(w, new LoraAdapter(40, 24, 8, 16, 7));
        Tensor x = Tensor.randn(2, 5, 40);
        assertIdentical(
                Kernels.matmul(x, false, w, true).data(), layer.forward(x).data(), "h = W x at init");
        for (float b : layer.adapter().b().data()) {
            assertEquals(0f, b, 0f);
        }
        float[] a = layer.adapter().a().data();
        double var = 0;
        for (float v : a) {
            var += v * v;
        }
        assertEquals(1.0 / 64, var / a.length, 0.3 / 64, "A ~ N(0, (1/r)²)");
    }

    @Test
    void mergedForwardEqualsUnmergedForward() {
        Tensor w = GptqTest.weights(3, 32, 48);
        LoraAdapter adapter = trainedLookingAdapter(48, 32, 4, 8);
        LoraLinear layer = new LoraLinear(w, adapter);
        Tensor x = Tensor.randn(4, 6, 48);
        Tensor unmerged = layer.forward(x);
        // the unmerged path is W x + (α/r)·B(A x)
        Tensor manual = Kernels.matmul(x, false, w, true);
        Tensor bax = Kernels.matmul(
                Kernels.matmul(x, false, Tensor.of(adapter.a().data(), 4, 48), true),
                false,
                Tensor.of(adapter.b().data(), 32, 4),
                true);
        for (int i = 0; i < manual.size(); i++) {
            manual.data()[i] += (float) (adapter.scaling() * bax.data()[i]);
        }
        assertClose(manual, unmerged, 1e-5, 1e-6);
        layer.merge();
        assertTrue(layer.merged());
        assertClose(unmerged, layer.forward(x), 1e-5, 1e-6, "merged == unmerged");
        layer.unmerge();
        assertClose(w, layer.weight(), 0, 1e-6, "unmerge restores W₀");
        assertClose(unmerged, layer.forward(x), 1e-5, 1e-6);
    }

    @Test
    void parameterCountIsRTimesDPlusK() {
        assertEquals(65_536L, LoraAdapter.parameterCount(4096, 4096, 8));
        assertEquals(0.0039, 65_536.0 / (4096.0 * 4096.0), 1e-4); // 0.39 % of the full weight
        LoraAdapter adapter = new LoraAdapter(48, 32, 4, 4, 1);
        int trainable = 0;
        for (var p : adapter.parameters()) {
            trainable += p.size();
        }
        assertEquals(LoraAdapter.parameterCount(32, 48, 4), trainable);
        assertEquals(1.0, new LoraAdapter(8, 8, 8, 8, 1).scaling(), 0.0); // PEFT default α = r = 8
    }

    @Test
    void rankOfTheUpdateIsAtMostR() {
        LoraAdapter adapter = trainedLookingAdapter(40, 30, 3, 6);
        Tensor delta = adapter.deltaWeight();
        DMatrixRMaj m = new DMatrixRMaj(30, 40);
        for (int i = 0; i < delta.size(); i++) {
            m.data[i] = delta.data()[i];
        }
        // singular values above float32 rounding noise (the largest is about 0.1)
        int rank = MatrixFeatures_DDRM.rank(m, 1e-5);
        assertTrue(rank <= 3, "rank(BA) = " + rank);
        assertEquals(3, rank); // and generically exactly r
    }

    @Test
    void backwardMatchesFiniteDifferencesOfADoubleReference() {
        int k = 12;
        int d = 9;
        int r = 3;
        LoraAdapter adapter = trainedLookingAdapter(k, d, r, 6);
        Tensor w = GptqTest.weights(8, d, k);
        LoraLinear layer = new LoraLinear(w, adapter);
        Tensor x = Tensor.randn(9, 5, k);
        Tensor dy = Tensor.randn(10, 5, d);
        layer.forward(x);
        Tensor dx = layer.backward(dy);
        double h = 1e-3;
        float[] a = adapter.a().data();
        float[] b = adapter.b().data();
        for (float[][] pg :
                new float[][][] {{a, adapter.a().grad()}, {b, adapter.b().grad()}}) {
            double[] numeric = new double[pg[0].length];
            for (int i = 0; i < pg[0].length; i++) {
                double[] pd = toDouble(pg[0]);
                pd[i] += h;
                double plus = pg[0] == a
                        ? objective(w, pd, toDouble(b), x, dy, adapter.scaling(), r)
                        : objective(w, toDouble(a), pd, x, dy, adapter.scaling(), r);
                pd[i] -= 2 * h;
                double minus = pg[0] == a
                        ? objective(w, pd, toDouble(b), x, dy, adapter.scaling(), r)
                        : objective(w, toDouble(a), pd, x, dy, adapter.scaling(), r);
                numeric[i] = (plus - minus) / (2 * h);
            }
            assertClose(numeric, pg[1], 1e-4, 1e-5, pg[0] == a ? "dA" : "dB");
        }
        // ∂x: perturb x
        double[] numeric = new double[x.size()];
        for (int i = 0; i < x.size(); i++) {
            Tensor xp = x.copy();
            xp.data()[i] += (float) h;
            Tensor xm = x.copy();
            xm.data()[i] -= (float) h;
            double step = (double) xp.data()[i] - xm.data()[i];
            numeric[i] = (objective(w, toDouble(a), toDouble(b), xp, dy, adapter.scaling(), r)
                            - objective(w, toDouble(a), toDouble(b), xm, dy, adapter.scaling(), r))
                    / step;
        }
        assertClose(numeric, dx.data(), 1e-3, 1e-4, "dx");
    }

    /** Σ dy ⊙ h with h = x W₀ᵀ + s (x Aᵀ) Bᵀ, in double. */
    private static double objective(Tensor w, double[] a, double[] b, Tensor x, Tensor dy, double s, int r) {
        int n = x.dim(0);
        int k = x.dim(1);
        int d = w.dim(0);
        double total = 0;
        for (int t = 0; t < n; t++) {
            double[] u = new double[r];
            for (int j = 0; j < r; j++) {
                for (int i = 0; i < k; i++) {
                    u[j] += a[j * k + i] * x.get(t, i);
                }
            }
            for (int o = 0; o < d; o++) {
                double hOut = 0;
                for (int i = 0; i < k; i++) {
                    hOut += (double) w.get(o, i) * x.get(t, i);
                }
                for (int j = 0; j < r; j++) {
                    hOut += s * b[o * r + j] * u[j];
                }
                total += dy.get(t, o) * hOut;
            }
        }
        return total;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** An adapter with a non-zero B, as after some training. */
    static LoraAdapter trainedLookingAdapter(int k, int d, int r, double alpha) {
        float[] a = Tensor.randn(100 + k, r, k).data();
        float[] b = Tensor.randn(200 + d, d, r).data();
        for (int i = 0; i < b.length; i++) {
            b[i] *= 0.05f;
        }
        for (int i = 0; i < a.length; i++) {
            a[i] *= 0.1f;
        }
        return new LoraAdapter(k, d, r, alpha, a, b);
    }

    @Test
    void stateAndBadInput() {
        LoraLinear layer = new LoraLinear(Tensor.zeros(4, 6), new LoraAdapter(6, 4, 2, 2, 1));
        assertThrows(IllegalStateException.class, layer::unmerge);
        assertThrows(IllegalStateException.class, () -> layer.backward(Tensor.zeros(1, 4)));
        layer.merge();
        assertThrows(IllegalStateException.class, layer::merge);
        assertThrows(IllegalStateException.class, () -> layer.backward(Tensor.zeros(1, 4)));
        assertMessage(() -> new LoraAdapter(6, 4, 0, 2, 1), "rank", "0");
        assertMessage(() -> new LoraAdapter(6, 4, 2, -1, 1), "alpha", "-1");
        assertMessage(() -> new LoraAdapter(6, 4, 2, 2, new float[5], new float[8]), "a.length", "12", "5");
        assertMessage(() -> new LoraLinear(Tensor.zeros(5, 6), new LoraAdapter(6, 4, 2, 2, 1)), "[5, 6]");
        assertMessage(() -> layer.forward(Tensor.zeros(2, 5)), "x shape [2, 5]", "[n, 6]");
    }
}
