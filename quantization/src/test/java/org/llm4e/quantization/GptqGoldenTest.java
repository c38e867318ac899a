package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.Golden;

/**
 * The {@code gptq} section of {@code golden/quantization.json}: only error numbers are golden (README: "exact GPTQ
 * weights depend on float details"). RTN is deterministic and must match to 1e-6 relative; GPTQ's output SSE must
 * be within 2 % of the reference's and clearly below RTN's.
 */
class GptqGoldenTest {
    private static final JsonNode G = Golden.load("quantization.json").get("gptq");

    static Tensor weight() {
        return Tensor.of(Golden.floats(G.get("W")), Golden.ints(G.get("W_shape")));
    }

    /** The golden X is [in, samples]; the API takes [samples, in]. */
    static Tensor inputs() {
        int[] shape = Golden.ints(G.get("X_shape"));
        float[] x = Golden.floats(G.get("X"));
        int in = shape[0];
        int n = shape[1];
        float[] t = new float[x.length];
        for (int i = 0; i < in; i++) {
            for (int s = 0; s < n; s++) {
                t[s * in + i] = x[i * n + s];
            }
        }
        return Tensor.of(t, n, in);
    }

    @TestFactory
    Stream<DynamicTest> gptqAndRtnErrorsMatchTheReference() {
        Tensor w = weight();
        Tensor x = inputs();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode r : G.get("results")) {
            int groupSize = r.get("groupsize").asInt();
            String name = "bits " + r.get("bits").asInt() + " groupsize " + groupSize;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Gptq gptq = Gptq.builder()
                        .bits(r.get("bits").asInt())
                        .groupSize(groupSize)
                        .blockSize(G.get("blocksize").asInt())
                        .percDamp(G.get("percdamp").asDouble())
                        .symmetric(r.get("sym").asBoolean())
                        .actOrder(r.get("act_order").asBoolean())
                        .build();
                Tensor rtn = gptq.roundToNearest(w).dequantize();
                Tensor q = gptq.quantize(w, x).dequantize();
                double rtnSse = LayerError.outputSse(w, rtn, x);
                double gptqSse = LayerError.outputSse(w, q, x);
                double expectedRtn = r.get("rtn_output_sse").asDouble();
                double expectedGptq = r.get("gptq_output_sse").asDouble();
                assertEquals(expectedRtn, rtnSse, 1e-6 * expectedRtn, name + " rtn_output_sse");
                assertEquals(expectedGptq, gptqSse, 0.02 * expectedGptq, name + " gptq_output_sse");
                assertEquals(r.get("gptq_over_rtn").asDouble(), gptqSse / rtnSse, 0.02, name + " gptq_over_rtn");
                assertTrue(gptqSse < 0.7 * rtnSse, name + ": GPTQ " + gptqSse + " must be clearly below RTN " + rtnSse);
                double rtnWeightMse = QuantError.of(w, rtn).mse();
                assertEquals(
                        r.get("rtn_weight_mse").asDouble(),
                        rtnWeightMse,
                        1e-6 * r.get("rtn_weight_mse").asDouble(),
                        name + " rtn_weight_mse");
                // GPTQ trades weight error for output error.
                assertEquals(
                        r.get("gptq_weight_mse").asDouble(),
                        QuantError.of(w, q).mse(),
                        0.05 * r.get("gptq_weight_mse").asDouble(),
                        name + " gptq_weight_mse");
            }));
        }
        return tests.stream();
    }
}
