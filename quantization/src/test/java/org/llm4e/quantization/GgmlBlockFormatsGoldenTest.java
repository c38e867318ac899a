package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.llm4e.testsupport.TensorAssert.assertIdentical;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.llm4e.testsupport.Golden;

/**
 * ggml's block formats against bytes produced by ggml's own C reference quantizers
 * ({@code golden/quantization_ggml.json}: all seven formats on a Gaussian input with outliers and on hand-made edge
 * rows) and the Q8_0/Q4_0/Q4_1 cases of {@code golden/quantization.json}: blocks byte-exact, dequantized values
 * bit-exact.
 */
class GgmlBlockFormatsGoldenTest {

    private record Format(Function<float[], byte[]> quantize, BiFunction<byte[], Integer, float[]> dequantize) {}

    private static Format format(String name) {
        switch (name) {
            case "q8_0":
                return new Format(Q8_0::quantize, Q8_0::dequantize);
            case "q4_0":
                return new Format(Q4_0::quantize, Q4_0::dequantize);
            case "q4_1":
                return new Format(Q4_1::quantize, Q4_1::dequantize);
            case "q5_0":
                return new Format(Q5_0::quantize, Q5_0::dequantize);
            case "q5_1":
                return new Format(Q5_1::quantize, Q5_1::dequantize);
            case "q4_K":
                return new Format(Q4_K::quantize, Q4_K::dequantize);
            case "q6_K":
                return new Format(Q6_K::quantize, Q6_K::dequantize);
            default:
                throw new IllegalArgumentException("format " + name);
        }
    }

    private static byte[] bytes(JsonNode tensor) {
        int[] v = Golden.ints(tensor);
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @TestFactory
    Stream<DynamicTest> ggmlReferenceBytes() {
        JsonNode root = Golden.load("quantization_ggml.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                Format f = format(c.get("format").asText());
                float[] x = Golden.floats(root.get("inputs").get(c.get("input").asText()));
                byte[] blocks = f.quantize().apply(x);
                assertArrayEquals(bytes(c.get("blocks")), blocks, c.get("name").asText() + " blocks");
                float[] deq = f.dequantize().apply(blocks, x.length);
                assertIdentical(Golden.floats(c.get("deq")), deq, c.get("name").asText() + " deq");
                QuantizationGoldenTest.assertMetrics(
                        c.get("metrics"), QuantError.of(x, deq), c.get("name").asText());
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> legacyFormatsOfQuantizationJson() {
        JsonNode root = Golden.load("quantization.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String scheme = c.get("scheme").asText();
            if (!scheme.startsWith("ggml_")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                Format f = format(scheme.substring(5));
                float[] x = Golden.floats(
                        root.get("inputs").get(c.get("input").asText()).get("data"));
                byte[] blocks = f.quantize().apply(x);
                assertArrayEquals(
                        java.util.HexFormat.of().parseHex(c.get("blocks_hex").asText()), blocks, "blocks");
                float[] deq = f.dequantize().apply(blocks, x.length);
                assertIdentical(Golden.floats(c.get("deq")), deq, "deq");
                float[] d = Golden.floats(c.get("d_fp16"));
                for (int b = 0; b < d.length; b++) {
                    assertEquals(
                            Float.floatToRawIntBits(d[b]),
                            Float.floatToRawIntBits(GgmlBlocks.getHalf(
                                    blocks, b * c.get("block_bytes").asInt())),
                            "d of block " + b);
                }
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> dotProductsOnBlocks() {
        JsonNode root = Golden.load("quantization_ggml.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : root.get("vec_dot")) {
            tests.add(DynamicTest.dynamicTest(v.get("name").asText(), () -> {
                int n = v.get("n").asInt();
                float[] x = Golden.floats(v.get("x"));
                float[] y = Golden.floats(v.get("y"));
                byte[] yq = GgmlDot.quantizeActivations(y);
                assertArrayEquals(bytes(v.get("y_q8_0")), yq, "activations as Q8_0");
                byte[] x8 = Q8_0.quantize(x);
                assertArrayEquals(bytes(v.get("q8_0_q8_0").get("x_blocks")), x8);
                float d8 = GgmlDot.dotQ8_0(x8, 0, yq, 0, n);
                assertEquals((float) v.get("q8_0_q8_0").get("result").asDouble(), d8, 0f, "Q8_0 · Q8_0");
                byte[] x4 = Q4_0.quantize(x);
                assertArrayEquals(bytes(v.get("q4_0_q8_0").get("x_blocks")), x4);
                float d4 = GgmlDot.dotQ4_0Q8_0(x4, 0, yq, 0, n);
                assertEquals((float) v.get("q4_0_q8_0").get("result").asDouble(), d4, 0f, "Q4_0 · Q8_0");
                double ref = v.get("q4_0_q8_0").get("dot_f64_dequantized").asDouble();
                assertEquals(ref, d4, 1e-5 * Math.max(1, Math.abs(ref)), "close to the dequantized dot");
            }));
        }
        return tests.stream();
    }
}
