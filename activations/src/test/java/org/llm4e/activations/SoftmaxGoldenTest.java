package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.Golden;

/**
 * The softmax cases of golden/activations.json: double reference at 1e-15 + 1e-12·|g|, float32 (both kernel sets
 * and the public float API) at 1e-6 + 1e-5·|g|. The {@code all_masked} case records torch's NaN; this library's rule
 * (zeros, −∞) is asserted instead.
 */
class SoftmaxGoldenTest {
    private static final JsonNode CASES =
            Golden.load("activations.json").get("softmax").get("cases");

    private static float[] f(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> goldenCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : CASES) {
            String id = c.get("id").textValue();
            if (c.get("fully_masked").booleanValue()) {
                continue; // torch's NaN; see fullyMaskedRowFollowsTheLibraryRule
            }
            double[] x = Golden.doubles(c.get("x"));
            double[] g = Golden.doubles(c.get("upstream_grad"));
            double[] p = Golden.doubles(c.get("softmax"));
            double[] lp = Golden.doubles(c.get("log_softmax"));
            double[] dp = Golden.doubles(c.get("softmax_grad_input"));
            double[] dlp = Golden.doubles(c.get("log_softmax_grad_input"));
            tests.add(DynamicTest.dynamicTest(id + " double", () -> {
                assertClose(p, Softmax.softmax(x), 1e-12, 1e-15, id + " softmax");
                assertClose(lp, Softmax.logSoftmax(x), 1e-12, 1e-15, id + " log_softmax");
                assertClose(dp, Softmax.backward(Softmax.softmax(x), g), 1e-12, 1e-15, id + " softmax grad");
                assertClose(
                        dlp,
                        Softmax.logSoftmaxBackward(Softmax.logSoftmax(x), g),
                        1e-12,
                        1e-15,
                        id + " log_softmax grad");
            }));
            tests.add(DynamicTest.dynamicTest(id + " float32 api", () -> {
                float[] y = Softmax.softmax(f(x));
                float[] ly = Softmax.logSoftmax(f(x));
                assertClose(p, y, 1e-5, 1e-6, id + " softmax");
                assertClose(lp, ly, 1e-5, 1e-6, id + " log_softmax");
                assertClose(dp, Softmax.backward(y, f(g)), 1e-5, 1e-6, id + " softmax grad");
                assertClose(dlp, Softmax.logSoftmaxBackward(ly, f(g)), 1e-5, 1e-6, id + " log_softmax grad");
            }));
            for (ActivationKernels k : KernelSets.all()) {
                tests.add(DynamicTest.dynamicTest(id + " float32 kernels " + KernelSets.label(k), () -> {
                    int n = x.length;
                    float[] y = new float[n];
                    float[] ly = new float[n];
                    float[] d = new float[n];
                    k.softmax(f(x), 0, y, 0, n);
                    k.logSoftmax(f(x), 0, ly, 0, n);
                    assertClose(p, y, 1e-5, 1e-6, id + " softmax");
                    assertClose(lp, ly, 1e-5, 1e-6, id + " log_softmax");
                    k.softmaxBackward(y, 0, f(g), 0, d, 0, n);
                    assertClose(dp, d, 1e-5, 1e-6, id + " softmax grad");
                    k.logSoftmaxBackward(ly, 0, f(g), 0, d, 0, n);
                    assertClose(dlp, d, 1e-5, 1e-6, id + " log_softmax grad");
                }));
            }
        }
        assertTrue(tests.size() >= 9 * 4);
        return tests.stream();
    }

    @Test
    void fullyMaskedRowFollowsTheLibraryRule() {
        JsonNode c = null;
        for (JsonNode candidate : CASES) {
            if (candidate.get("fully_masked").booleanValue()) {
                c = candidate;
            }
        }
        double[] x = Golden.doubles(c.get("x"));
        // torch returns NaN here (the golden record); llm4e returns zeros and −∞, like attention's empty rows
        assertTrue(Double.isNaN(Golden.doubles(c.get("softmax"))[0]));
        for (double v : Softmax.softmax(x)) {
            assertEquals(0.0, v, 0.0);
        }
        for (double v : Softmax.logSoftmax(x)) {
            assertEquals(Double.NEGATIVE_INFINITY, v, 0.0);
        }
        for (ActivationKernels k : KernelSets.all()) {
            float[] y = new float[x.length + 20];
            float[] xs = new float[x.length + 20];
            java.util.Arrays.fill(xs, Float.NEGATIVE_INFINITY);
            k.softmax(xs, 0, y, 0, xs.length);
            for (float v : y) {
                assertEquals(0f, v, 0f);
            }
            k.logSoftmax(xs, 0, y, 0, xs.length);
            for (float v : y) {
                assertEquals(Float.NEGATIVE_INFINITY, v, 0f);
            }
        }
        double[] g = Golden.doubles(c.get("upstream_grad"));
        for (double v : Softmax.backward(Softmax.softmax(x), g)) {
            assertEquals(0.0, v, 0.0);
        }
        assertClose(g, Softmax.logSoftmaxBackward(Softmax.logSoftmax(x), g), 0, 0, "masked log-softmax grad = g");
    }

    @Test
    void rowWiseTensorMatchesRowByRow() {
        // every golden case of length 4 stacked as rows of one tensor
        List<double[]> rows = new ArrayList<>();
        for (JsonNode c : CASES) {
            double[] x = Golden.doubles(c.get("x"));
            if (x.length == 4 && !c.get("fully_masked").booleanValue()) {
                rows.add(x);
            }
        }
        float[] data = new float[rows.size() * 4];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(f(rows.get(r)), 0, data, r * 4, 4);
        }
        Tensor t = Tensor.of(data, rows.size(), 4);
        Tensor p = Softmax.softmax(t);
        Tensor lp = Softmax.logSoftmax(t);
        for (int r = 0; r < rows.size(); r++) {
            double[] ref = Softmax.softmax(rows.get(r));
            double[] lref = Softmax.logSoftmax(rows.get(r));
            for (int i = 0; i < 4; i++) {
                assertEquals(ref[i], p.get(r, i), 1e-6 + 1e-5 * Math.abs(ref[i]));
                assertEquals(lref[i], lp.get(r, i), 1e-6 + 1e-5 * Math.abs(lref[i]));
            }
        }
        assertTrue(rows.size() >= 3);
    }
}
