package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/**
 * The worked examples of the activation articles (catalog articles-optimizers-activations.md, checks 15–26), with
 * the corrected value and the erratum named where an article is wrong.
 */
class ActivationsArticleTest {

    /** The x where f′ changes sign in [lo, hi], by bisection on the reference derivative. */
    private static double argmin(Activation f, double lo, double hi) {
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (f.derivative(mid) < 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    // check 15
    @Test
    void sigmoidDerivativePeaksAtOneQuarterAndVanishesAlongAChain() {
        Activation s = Activations.create("sigmoid");
        assertEquals(0.5, s.apply(0), 0);
        assertEquals(0.25, s.derivative(0), 0);
        for (double x = -10; x <= 10; x += 0.01) {
            assertTrue(s.derivative(x) <= 0.25, "sigma'(" + x + ") exceeds 1/4");
        }
        assertEquals(6.6481e-3, s.derivative(5), 1e-7);
        assertEquals(4.5396e-5, s.derivative(10), 1e-9);
        double chain = 1;
        for (int layer = 0; layer < 10; layer++) {
            chain *= s.derivative(0); // the best case: every layer at its maximal slope
        }
        assertEquals(9.54e-7, chain, 1e-9);
        assertEquals(Math.pow(0.25, 10), chain, 0);
    }

    // check 15, erratum: the SwiGLU article says sigmoid is "symmetric about the line y = x"
    @Test
    void sigmoidIsPointSymmetricAboutHalfNotAboutTheDiagonal() {
        Activation s = Activations.create("sigmoid");
        for (double x = -8; x <= 8; x += 0.5) {
            assertEquals(1.0, s.apply(-x) + s.apply(x), 1e-15);
        }
        // symmetry about y = x would make σ its own inverse: σ(σ(0)) would be 0; it is σ(0.5) = 0.6225
        assertNotEquals(0.0, s.apply(s.apply(0)), 0.5);
        assertEquals(0.6224593312, s.apply(s.apply(0)), 1e-10);
    }

    // check 16 (and the tanh-derivative wording erratum: the derivative is small where the OUTPUT is near ±1)
    @Test
    void tanhProperties() {
        Activation t = Activations.create("tanh");
        assertEquals(1.0, t.derivative(0), 0);
        for (double x = -5; x <= 5; x += 0.25) {
            assertEquals(-t.apply(x), t.apply(-x), 0);
            assertTrue(Math.abs(t.apply(x)) < 1);
            assertEquals(2 * Sigmoid.sigmoid(2 * x) - 1, t.apply(x), 1e-15);
            assertEquals(1 - t.apply(x) * t.apply(x), t.derivative(x), 1e-15);
        }
        assertTrue(t.derivative(1.0) > 0.4, "input near 1: the derivative is not near 0");
        assertTrue(t.derivative(3.0) < 0.01, "output near 1 (tanh 3 = 0.995): the derivative is near 0");
    }

    // check 17
    @Test
    void softmaxExamples() {
        assertArrayEquals(
                new double[] {0.65900114, 0.24243297, 0.09856589}, Softmax.softmax(new double[] {2.0, 1.0, 0.1}), 1e-8);
        double[] cnn = Softmax.softmax(new double[] {35.4, 38.1, -5.0});
        assertArrayEquals(new double[] {0.0629734, 0.9370266}, new double[] {cnn[0], cnn[1]}, 1e-7);
        assertEquals(1.79e-19, cnn[2], 0.01e-19);
        // the article's naive code overflows: e^1000 = ∞, ∞/∞ = NaN
        for (double p : Softmax.naiveSoftmax(new double[] {1000, 1001, 1002})) {
            assertTrue(Double.isNaN(p));
        }
        assertArrayEquals(
                new double[] {0.09003057, 0.24472847, 0.66524096},
                Softmax.softmax(new double[] {1000, 1001, 1002}),
                1e-8);
        float[] f = Softmax.softmax(new float[] {1000, 1001, 1002});
        assertEquals(0.66524096, f[2], 1e-6);
        // the naive form is fine for small logits: the same numbers as the stable one
        assertArrayEquals(
                Softmax.softmax(new double[] {2.0, 1.0, 0.1}),
                Softmax.naiveSoftmax(new double[] {2.0, 1.0, 0.1}),
                1e-15);
    }

    // check 18
    @Test
    void reluZeroesAboutHalfOfStandardNormalInputs() {
        Tensor z = Tensor.randn(18, 1_000_000);
        float[] y = Activations.create("relu").forward(z.data());
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) {
                zeros++;
            }
        }
        assertEquals(0.5, zeros / 1e6, 0.005);
    }

    // check 18: dying ReLU
    @Test
    void aUnitWithOnlyNegativeInputsNeverUpdatesUnderReluButDoesUnderLeakyReluAndElu() {
        double[][] inputs = {{1, 2}, {0.5, 1}, {2, 0.1}, {1.5, 1.5}};
        for (String name : new String[] {"relu", "leaky_relu", "elu"}) {
            Activation act = Activations.create(name);
            double[] w = {-1.0, -0.5}; // every pre-activation w·x is negative
            double[] start = w.clone();
            for (int step = 0; step < 100; step++) {
                double[] grad = new double[2];
                for (double[] x : inputs) {
                    double z = w[0] * x[0] + w[1] * x[1];
                    assertTrue(z < 0 || !name.equals("relu"));
                    // loss = −Σ act(z): its gradient pushes the unit up if any gradient flows
                    double dz = -act.derivative(z);
                    grad[0] += dz * x[0];
                    grad[1] += dz * x[1];
                }
                w[0] -= 0.01 * grad[0];
                w[1] -= 0.01 * grad[1];
            }
            if (name.equals("relu")) {
                assertArrayEquals(start, w, 0, "a dead ReLU unit must not move");
            } else {
                assertTrue(w[0] > start[0] && w[1] > start[1], name + " must keep a gradient");
            }
        }
    }

    // check 19
    @Test
    void leakyReluAndPrelu() {
        Activation leaky = Activations.create("leaky_relu", Map.of("negative_slope", 0.01));
        assertEquals(-0.1, leaky.apply(-10), 1e-15);
        assertEquals(0.01, leaky.derivative(-3), 0);
        assertEquals(0.01, leaky.derivative(0), 0); // PyTorch's branch at 0 (the article's x ≥ 0 split would give 1)
        PReLU prelu = new PReLU();
        assertEquals(0.25, prelu.weight().data()[0], 0);
        assertEquals(-0.5, prelu.apply(-2), 0);
        assertEquals(-2.0, prelu.weightDerivative(-2), 0);
        assertEquals(0.0, prelu.weightDerivative(2), 0);
        float[] x = {-2f, 3f, -1f};
        float[] dy = {1f, 1f, 2f};
        float[] dx = new float[3];
        prelu.backward(x, dy, dx);
        assertArrayEquals(new float[] {0.25f, 1f, 0.5f}, dx);
        assertEquals(-2f + 2f * -1f, prelu.weight().grad()[0], 0f); // Σ dy·x over x ≤ 0
        assertEquals(1, prelu.parameters().size());
    }

    // check 20
    @Test
    void eluSaturatesAtMinusAlpha() {
        assertEquals(-0.99999999794, Activations.create("elu").apply(-20), 1e-11);
        for (double alpha : new double[] {0.1, 0.2, 0.3, 1.0}) {
            Activation elu = Activations.create("elu", Map.of("alpha", alpha));
            assertEquals(-alpha, elu.apply(-50), 1e-15);
            assertEquals(alpha, elu.derivative(0), 0);
            assertEquals(elu.apply(-1.3) + alpha, elu.derivative(-1.3), 1e-15);
        }
    }

    // check 21
    @Test
    void seluConstantsAndSelfNormalizingFixedPoint() {
        Activation selu = Activations.create("selu");
        assertEquals(-1.7580993408, selu.apply(-100), 1e-10);
        assertEquals(1.7580993, selu.derivative(0), 1e-7);
        assertEquals(1.0507010, selu.derivative(2), 1e-7);
        // E[SELU(z)] = 0 and Var[SELU(z)] = 1 for z ~ N(0, 1): composite Simpson on [−12, 12]
        int steps = 24_000;
        double h = 24.0 / steps;
        double mean = 0;
        double second = 0;
        for (int i = 0; i <= steps; i++) {
            double z = -12 + i * h;
            double w = (i == 0 || i == steps) ? 1 : (i % 2 == 1 ? 4 : 2);
            double pdf = Erf.normalPdf(z);
            double s = selu.apply(z);
            mean += w * s * pdf;
            second += w * s * s * pdf;
        }
        mean *= h / 3;
        second *= h / 3;
        assertEquals(0.0, mean, 1e-7);
        assertEquals(1.0, second - mean * mean, 1e-6);
    }

    // check 22
    @Test
    void geluExactAndTanhForms() {
        Activation exact = Activations.create("gelu");
        Activation tanh = Activations.create("gelu", Map.of("approximate", "tanh"));
        assertEquals(0.8413447461, exact.apply(1), 1e-10);
        assertEquals(0.8411919906, tanh.apply(1), 1e-10);
        assertEquals(-0.1586553, exact.apply(-1), 1e-7);
        assertEquals(-0.1588080, tanh.apply(-1), 1e-7);
        double worst = 0;
        double at = 0;
        for (double x = -10; x <= 10; x += 1e-3) {
            double d = Math.abs(exact.apply(x) - tanh.apply(x));
            if (d > worst) {
                worst = d;
                at = x;
            }
        }
        assertEquals(4.73e-4, worst, 0.01e-4);
        assertEquals(2.70, Math.abs(at), 0.01);
        assertEquals(0.5, exact.derivative(0), 1e-15);
        double xMin = argmin(exact, -2, 0);
        assertEquals(-0.7517915, xMin, 1e-7);
        assertEquals(-0.1699712, exact.apply(xMin), 1e-7);
    }

    // check 23 (and the copy-paste erratum "outputs x for x > 0")
    @Test
    void swishAndSilu() {
        Activation silu = Activations.create("silu");
        double xMin = argmin(silu, -3, 0);
        assertEquals(-1.2784645, xMin, 1e-7);
        assertEquals(-0.2784645, silu.apply(xMin), 1e-7);
        assertEquals(0.5, silu.derivative(0), 0);
        assertNotEquals(1.0, silu.apply(1.0), 0.1);
        Activation flat = Activations.create("swish", Map.of("beta", 0.0));
        for (double x = -5; x <= 5; x += 0.5) {
            assertEquals(x / 2, flat.apply(x), 0);
        }
        for (double beta : new double[] {1, 3, 10}) {
            Activation s = Activations.create("swish", Map.of("beta", beta));
            double worst = 0;
            for (double x = -10; x <= 10; x += 1e-4) {
                worst = Math.max(worst, Math.abs(s.apply(x) - Math.max(0, x)));
            }
            assertEquals(0.2784645 / beta, worst, 1e-6);
        }
    }

    // check 24, erratum: the GELU/Mish article says Mish is "unbounded in the negative region"
    @Test
    void mishIsBoundedBelow() {
        Activation mish = Activations.create("mish");
        double xMin = argmin(mish, -3, 0);
        assertEquals(-1.1924312, xMin, 1e-7);
        assertEquals(-0.3088434, mish.apply(xMin), 1e-7);
        for (double x = -1000; x < 0; x += 0.37) {
            assertTrue(mish.apply(x) >= -0.3088435, "Mish is bounded below");
        }
        assertEquals(0.6, mish.derivative(0), 1e-15);
        assertEquals(1000.0, mish.apply(1000), 0);
        assertEquals(30.0, Activations.create("softplus").apply(30), 0);
        // unthresholded softplus in the article's NumPy form would be ∞ at 1000; this one is finite
        assertEquals(1000.0, Softplus.softplus(1000), 0);
    }

    // check 25, erratum: the overview writes GLU(x) = σ(x) ⊙ tanh(x)
    @Test
    void gluExample() {
        assertArrayEquals(new float[] {0.95257413f, 1.96402758f}, Glu.forward("glu", new float[] {1, 2, 3, 4}), 1e-7f);
        double[] overviewForm = {Sigmoid.sigmoid(1) * Math.tanh(1), Sigmoid.sigmoid(2) * Math.tanh(2)};
        assertNotEquals(overviewForm[0], Glu.forward(GluVariant.GLU, new double[] {1, 2, 3, 4})[0], 0.1);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Glu.forward("glu", new float[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("even") && e.getMessage().contains("3"), e.getMessage());
    }

    // check 26, errata: the overview's xσ(x) + tanh(x) and (五) §3.1's Swish(a) ⊙ σ(b) are not SwiGLU
    @Test
    void swigluExampleAndLlamaOrdering() {
        assertArrayEquals(
                new float[] {2.85772238f, 7.85611032f}, Glu.forward("SwiGLU", new float[] {1, 2, 3, 4}), 1e-6f);
        double wrong = SiLU.silu(1) * Sigmoid.sigmoid(3); // (五) §3.1's double gate
        assertNotEquals(wrong, Glu.forward(GluVariant.SWIGLU, new double[] {1, 2, 3, 4})[0], 0.1);
        // Llama: silu(x W1) ⊙ (x W3), then W2; W1 = W2 = I and W3 = diag(3, 2) on x = [1, 2]
        SwiGluFeedForward ffn = new SwiGluFeedForward(
                Tensor.of(new float[] {1, 0, 0, 1}, 2, 2),
                Tensor.of(new float[] {1, 0, 0, 1}, 2, 2),
                Tensor.of(new float[] {3, 0, 0, 2}, 2, 2));
        Tensor y = ffn.forward(Tensor.of(new float[] {1, 2}, 1, 2));
        assertArrayEquals(new float[] {2.19317574f, 7.04637662f}, y.data(), 1e-6f);
    }

    @Test
    void everyNameIsCreatable() {
        for (String name : Activations.names()) {
            Activation a = Activations.create(name);
            assertEquals(name, a.name());
            assertTrue(Double.isFinite(a.apply(0.3)) && Double.isFinite(a.derivative(0.3)));
        }
        assertEquals(21, Activations.names().size());
        assertEquals("leaky_relu", Activations.create("LEAKY_RELU").name());
    }
}
