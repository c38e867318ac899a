package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.Golden;
import org.llm4e.testsupport.TensorAssert;

/**
 * The public cases of {@code golden/rope.json} (PyTorch float64 references of HF Llama's {@code rotate_half} and Meta's
 * complex form), with the tolerances of the golden README: {@code 1e-12 + 1e-15·max|position|} in double, and float32
 * rounding (1e-5) for the float path.
 */
class RopeGoldenTest {
    private static final JsonNode ROOT = Golden.load("rope.json");

    static Stream<JsonNode> cases() {
        List<JsonNode> list = new ArrayList<>();
        ROOT.get("rope").forEach(list::add);
        return list.stream();
    }

    static RopeScaling scalingOf(JsonNode s) {
        String type = s.get("type").asText();
        switch (type) {
            case "none":
                return RopeScaling.none();
            case "linear":
                return RopeScaling.linear(s.get("factor").asDouble());
            case "llama3":
                return RopeScaling.llama3(
                        s.get("factor").asDouble(),
                        s.get("low_freq_factor").asDouble(),
                        s.get("high_freq_factor").asDouble(),
                        s.get("original_max_position").asInt());
            default:
                throw new IllegalArgumentException("unknown scaling type in golden file: " + type);
        }
    }

    static RotaryEmbedding ropeOf(JsonNode c, int maxPosition, boolean simd) {
        return RotaryEmbedding.builder(c.get("head_dim").asInt())
                .base(c.get("theta").asDouble())
                .layout("half".equals(c.get("convention").asText()) ? RopeLayout.HALF : RopeLayout.INTERLEAVED)
                .scaling(scalingOf(c.get("scaling")))
                .maxPosition(maxPosition)
                .simd(simd)
                .build();
    }

    private static double tolerance(int[] positions) {
        int max = 0;
        for (int p : positions) {
            max = Math.max(max, p);
        }
        return 1e-12 + 1e-15 * max;
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void inverseFrequenciesAndAnglesMatch(JsonNode c) {
        RotaryEmbedding rope = ropeOf(c, 16, true);
        double multiplier = c.get("position_multiplier").asDouble();
        double[] golden = Golden.doubles(c.get("inv_freq"));
        double[] ours = rope.inverseFrequencies();
        assertEquals(golden.length, ours.length);
        for (int j = 0; j < golden.length; j++) {
            // linear interpolation divides θ here and the position in HF: compare θ'·1 with θ·(1/s)
            assertEquals(golden[j] * multiplier, ours[j], 1e-15 * golden[j], "inv_freq[" + j + "]");
        }
        int[] positions = Golden.ints(c.get("positions"));
        double[] angles = Golden.doubles(c.get("angles"));
        int half = golden.length;
        for (int t = 0; t < positions.length; t++) {
            for (int j = 0; j < half; j++) {
                double expected = angles[t * half + j];
                assertEquals(expected, rope.angle(positions[t], j), 1e-14 * Math.abs(expected) + 1e-15, "angle");
            }
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void doubleReferenceMatchesToTheReadmeTolerance(JsonNode c) {
        RotaryEmbedding rope = ropeOf(c, 0, true);
        int[] positions = Golden.ints(c.get("positions"));
        int d = c.get("head_dim").asInt();
        int heads = c.get("heads").asInt();
        double tol = tolerance(positions);
        for (String name : new String[] {"q", "k"}) {
            double[] x = Golden.doubles(c.get(name));
            double[] expected = Golden.doubles(c.get(name + "_out"));
            for (int t = 0; t < positions.length; t++) {
                for (int h = 0; h < heads; h++) {
                    rope.rotate(x, (t * heads + h) * d, positions[t]);
                }
            }
            TensorAssert.assertClose(expected, x, 0, tol, c.get("id").asText() + " " + name);
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void threeFormsMatchGolden(JsonNode c) {
        RotaryEmbedding rope = ropeOf(c, 0, true);
        int[] positions = Golden.ints(c.get("positions"));
        int d = c.get("head_dim").asInt();
        int heads = c.get("heads").asInt();
        double tol = 1e-9; // the matrix form sums d products: the README's blanket tolerance
        double[] q = Golden.doubles(c.get("q"));
        double[] expected = Golden.doubles(c.get("q_out"));
        for (int t = 0; t < positions.length; t++) {
            for (int h = 0; h < heads; h++) {
                int off = (t * heads + h) * d;
                double[] x = java.util.Arrays.copyOfRange(q, off, off + d);
                double[] want = java.util.Arrays.copyOfRange(expected, off, off + d);
                String where = c.get("id").asText() + " t=" + t + " h=" + h;
                TensorAssert.assertClose(want, RotaryForms.rotateComplex(rope, x, positions[t]), 0, tol, where);
                TensorAssert.assertClose(want, RotaryForms.rotateMatrix(rope, x, positions[t]), 0, tol, where);
                TensorAssert.assertClose(want, RotaryForms.rotateElementwise(rope, x, positions[t]), 0, tol, where);
            }
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void float32PathMatchesForCachedAndUncachedPositionsAndBothKernels(JsonNode c) {
        int[] positions = Golden.ints(c.get("positions"));
        int d = c.get("head_dim").asInt();
        int heads = c.get("heads").asInt();
        int seq = positions.length;
        for (int maxPosition : new int[] {0, 50, 4096}) {
            for (boolean simd : new boolean[] {false, true}) {
                RotaryEmbedding rope = ropeOf(c, maxPosition, simd);
                for (String name : new String[] {"q", "k"}) {
                    Tensor x = Golden.tensor(c.get(name));
                    double[] expected = Golden.doubles(c.get(name + "_out"));
                    String where = c.get("id").asText() + " " + name + " maxPosition=" + maxPosition + " simd=" + simd;
                    Tensor out = rope.apply(x, positions);
                    TensorAssert.assertClose(expected, out.data(), 1e-5, 1e-5, where);
                    // the attention layout [batch=1, heads, seq, d] must give the same numbers
                    Tensor bhsd = Tensor.zeros(1, heads, seq, d);
                    for (int t = 0; t < seq; t++) {
                        for (int h = 0; h < heads; h++) {
                            System.arraycopy(x.data(), (t * heads + h) * d, bhsd.data(), (h * seq + t) * d, d);
                        }
                    }
                    Tensor outHeads = rope.applyToHeads(bhsd, positions);
                    for (int t = 0; t < seq; t++) {
                        for (int h = 0; h < heads; h++) {
                            for (int i = 0; i < d; i++) {
                                assertEquals(
                                        out.data()[(t * heads + h) * d + i],
                                        outHeads.data()[(h * seq + t) * d + i],
                                        0.0,
                                        where);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void sinusoidalTableMatches() {
        JsonNode s = ROOT.get("sinusoidal");
        int d = s.get("d_model").asInt();
        int n = s.get("num_positions").asInt();
        double base = s.get("base").asDouble();
        double[] expected = Golden.doubles(s.get("pe"));
        Tensor table = SinusoidalEncoding.table(n, d, base);
        assertEquals(List.of(n, d), List.of(table.dim(0), table.dim(1)));
        TensorAssert.assertClose(expected, table.data(), 0, 6e-8, "float32 table"); // one float32 rounding of |v| ≤ 1
        for (int pos = 0; pos < n; pos++) {
            double[] row = SinusoidalEncoding.encode(pos, d, base);
            TensorAssert.assertClose(
                    java.util.Arrays.copyOfRange(expected, pos * d, (pos + 1) * d), row, 0, 1e-12, "row " + pos);
        }
        if (base == 10000.0) {
            TensorAssert.assertIdentical(
                    table.data(), SinusoidalEncoding.table(n, d).data(), "default base");
        }
    }

    @Test
    void relativePropertyDotsMatchAndDependOnlyOnTheOffset() {
        JsonNode p = ROOT.get("relative_property");
        int d = p.get("head_dim").asInt();
        double[] q = Golden.doubles(p.get("q"));
        double[] k = Golden.doubles(p.get("k"));
        int groups = 0;
        for (JsonNode g : p.get("groups")) {
            RopeLayout layout = "half".equals(g.get("convention").asText()) ? RopeLayout.HALF : RopeLayout.INTERLEAVED;
            RotaryEmbedding rope = RotaryEmbedding.builder(d)
                    .base(p.get("theta").asDouble())
                    .layout(layout)
                    .build();
            double[] dots = Golden.doubles(g.get("dots"));
            JsonNode pairs = g.get("pairs");
            double first = Double.NaN;
            for (int i = 0; i < pairs.size(); i++) {
                int m = pairs.get(i).get(0).asInt();
                int n = pairs.get(i).get(1).asInt();
                double[] qm = q.clone();
                double[] kn = k.clone();
                rope.rotate(qm, 0, m);
                rope.rotate(kn, 0, n);
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += qm[j] * kn[j];
                }
                assertEquals(dots[i], dot, 1e-10, "dot for (m, n) = (" + m + ", " + n + ")");
                if (i == 0) {
                    first = dot;
                } else {
                    assertEquals(first, dot, 1e-11 * Math.max(1, Math.max(m, n) / 1000.0), "spread");
                }
            }
            groups++;
        }
        assertTrue(groups > 0);
    }
}
