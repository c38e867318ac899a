package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;
import static org.llm4e.testsupport.TensorAssert.assertIdentical;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.Golden;

/**
 * Every public case of {@code golden/quantization.json} handled by this part of the module (the ggml block formats
 * and GPTQ are tested elsewhere). Integer outputs must match exactly; float32 outputs are bit-identical because the
 * implementation follows the reference's float32 operation order (README: "exact when the f32 order above is
 * followed"); metrics within 1e-6 relative.
 */
class QuantizationGoldenTest {
    private static final JsonNode ROOT = Golden.load("quantization.json");

    private static float[] input(String name) {
        return Golden.floats(ROOT.get("inputs").get(name).get("data"));
    }

    private static Tensor inputTensor(String name) {
        JsonNode in = ROOT.get("inputs").get(name);
        return Tensor.of(Golden.floats(in.get("data")), Golden.ints(in.get("shape")));
    }

    private static Stream<JsonNode> cases(String... schemes) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : ROOT.get("cases")) {
            for (String s : schemes) {
                if (c.get("scheme").asText().equals(s)) {
                    out.add(c);
                }
            }
        }
        return out.stream();
    }

    static void assertMetrics(JsonNode expected, QuantError actual, String name) {
        assertEquals(
                expected.get("mse").asDouble(),
                actual.mse(),
                1e-6 * expected.get("mse").asDouble(),
                name);
        assertEquals(
                expected.get("max_abs_err").asDouble(),
                actual.maxAbsError(),
                1e-6 * expected.get("max_abs_err").asDouble(),
                name);
        if (!expected.get("snr_db").isNull()) {
            assertEquals(
                    expected.get("snr_db").asDouble(),
                    actual.snrDb(),
                    1e-6 * Math.abs(expected.get("snr_db").asDouble()),
                    name);
        }
    }

    private static LinearQuantizer quantizerFor(JsonNode c) {
        String scheme = c.get("scheme").asText();
        LinearQuantizer.Builder b = LinearQuantizer.builder()
                .bits(scheme.contains("8") ? 8 : 4)
                .symmetric(scheme.endsWith("_sym"))
                .signed(!scheme.startsWith("uint"));
        String g = c.get("granularity").asText();
        if (g.equals("per_tensor")) {
            b.perTensor();
        } else if (g.equals("per_channel")) {
            b.perChannel();
        } else {
            b.perGroup(c.get("group_size").asInt());
        }
        return b.build();
    }

    @TestFactory
    Stream<DynamicTest> linearSchemesMatchCodesScalesZeroPointsAndValues() {
        return cases("int8_sym", "int4_sym", "uint8_asym", "int8_asym", "uint4_asym")
                .map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                    String name = c.get("name").asText();
                    Tensor w = inputTensor(c.get("input").asText());
                    LinearQuantizer quantizer = quantizerFor(c);
                    QuantizedTensor q = quantizer.quantize(w);
                    int[] codes = new int[q.size()];
                    for (int i = 0; i < codes.length; i++) {
                        codes[i] = q.code(i);
                    }
                    assertArrayEquals(Golden.ints(c.get("q")), codes, name + " codes");
                    assertArrayEquals(Golden.ints(c.get("scales_shape")), q.scalesShape(), name + " scales shape");
                    assertIdentical(Golden.floats(c.get("scales")), q.scales(), name + " scales");
                    if (c.has("zero_points")) {
                        assertArrayEquals(Golden.ints(c.get("zero_points")), q.zeroPoints(), name + " zero points");
                        assertEquals(c.get("qmin").asInt(), quantizer.qmin(), name);
                        assertEquals(c.get("qmax").asInt(), quantizer.qmax(), name);
                    }
                    float[] deq = q.dequantize().data();
                    assertIdentical(Golden.floats(c.get("deq")), deq, name + " deq");
                    assertMetrics(c.get("metrics"), QuantError.of(w.data(), deq), name);
                    if (q.bits() == 4) {
                        byte[] back = Int4Packing.unpackLowFirst(q.packed(), q.size(), quantizer.signed());
                        assertArrayEquals(q.codes(), back, name + " packing");
                        assertEquals((q.size() + 1) / 2, q.packed().length);
                    }
                }));
    }

    @Test
    void nf4TableAndThresholds() {
        assertIdentical(Golden.floats(ROOT.get("nf4_code")), Nf4.levels(), "nf4 levels");
        assertIdentical(Golden.floats(ROOT.get("nf4_thresholds")), Nf4.thresholds(), "nf4 thresholds");
        assertIdentical(Golden.floats(ROOT.get("dynamic_map_signed_8bit")), DynamicMap.signed(), "dynamic map");
        // The formula reproduces torch's float32 table to within 6e-8 (a bit or two; torch.linspace differs).
        float[] torch = DynamicMap.signed();
        float[] formula = DynamicMap.computeSigned();
        int differing = 0;
        for (int i = 0; i < 256; i++) {
            assertEquals(torch[i], formula[i], 6e-8, "entry " + i);
            assertEquals(i, DynamicMap.nearest(torch[i]), "a table value is its own nearest entry");
            differing += torch[i] != formula[i] ? 1 : 0;
        }
        assertTrue(differing < 64, differing + " entries differ in the last bits");
        assertEquals(0f, torch[127], 0f);
        assertEquals(1f, torch[255], 0f);
        float mid = (float) (((double) torch[200] + torch[201]) / 2);
        assertEquals(200, DynamicMap.nearest(mid), "a tie goes to the lower index");
    }

    @Test
    void nf4Blocksize64() {
        JsonNode c = cases("nf4").findFirst().orElseThrow();
        float[] x = input(c.get("input").asText());
        Nf4Tensor t = Nf4.quantize(x, c.get("block_size").asInt());
        assertIdentical(Golden.floats(c.get("absmax")), t.absmax(), "absmax");
        assertArrayEquals(toBytes(Golden.ints(c.get("codes"))), t.unpackedCodes(), "codes");
        assertArrayEquals(HexFormat.of().parseHex(c.get("packed_hex").asText()), t.codes(), "packed");
        float[] deq = t.dequantize();
        assertIdentical(Golden.floats(c.get("deq")), deq, "deq");
        assertMetrics(c.get("metrics"), QuantError.of(x, deq), "nf4");
    }

    @Test
    void nf4DoubleQuantization() {
        JsonNode c = cases("nf4_dq").findFirst().orElseThrow();
        float[] x = input(c.get("input").asText());
        Nf4Tensor t = Nf4.quantize(
                x, c.get("block_size").asInt(), c.get("block_size2").asInt());
        assertIdentical(Golden.floats(c.get("absmax")), t.absmaxFloat32(), "absmax");
        assertArrayEquals(toBytes(Golden.ints(c.get("codes"))), t.unpackedCodes(), "codes");
        assertArrayEquals(HexFormat.of().parseHex(c.get("packed_hex").asText()), t.codes(), "packed");
        assertEquals((float) c.get("dq_offset").asDouble(), t.absmaxOffset(), 0f, "offset");
        assertIdentical(Golden.floats(c.get("dq_absmax2")), t.absmaxScales(), "absmax2");
        int[] dqCodes = new int[t.absmaxCodes().length];
        for (int i = 0; i < dqCodes.length; i++) {
            dqCodes[i] = Byte.toUnsignedInt(t.absmaxCodes()[i]);
        }
        assertArrayEquals(Golden.ints(c.get("dq_codes")), dqCodes, "dq codes");
        assertIdentical(Golden.floats(c.get("absmax_deq")), t.absmax(), "absmax deq");
        assertMetrics(c.get("metrics_absmax"), QuantError.of(t.absmaxFloat32(), t.absmax()), "absmax metrics");
        float[] deq = t.dequantize();
        assertIdentical(Golden.floats(c.get("deq")), deq, "deq");
        assertMetrics(c.get("metrics"), QuantError.of(x, deq), "nf4 dq");
        Nf4Tensor single = Nf4.quantize(x, c.get("block_size").asInt());
        assertMetrics(
                c.get("metrics_without_double_quant"), QuantError.of(x, single.dequantize()), "without double quant");
    }

    @TestFactory
    Stream<DynamicTest> fp8PerTensorScaled() {
        return cases("fp8_e4m3", "fp8_e5m2")
                .map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                    Fp8 format = c.get("scheme").asText().equals("fp8_e4m3") ? Fp8.E4M3 : Fp8.E5M2;
                    float[] x = input(c.get("input").asText());
                    Fp8Tensor t = format.quantizeScaled(x);
                    assertEquals((float) c.get("scale").asDouble(), t.scale(), 0f, "scale");
                    int[] codes = new int[t.size()];
                    for (int i = 0; i < codes.length; i++) {
                        codes[i] = Byte.toUnsignedInt(t.codes()[i]);
                    }
                    assertArrayEquals(Golden.ints(c.get("codes")), codes, "codes");
                    float[] deq = t.dequantize();
                    assertIdentical(Golden.floats(c.get("deq")), deq, "deq");
                    assertMetrics(
                            c.get("metrics"),
                            QuantError.of(x, deq),
                            c.get("name").asText());
                }));
    }

    @Test
    void fp8ConversionsInAllFourModes() {
        for (JsonNode row : ROOT.get("fp8_conversions")) {
            float x = (float) Golden.number(row.get("x"));
            for (Fp8 f : Fp8.values()) {
                for (boolean sat : new boolean[] {true, false}) {
                    JsonNode e = row.get(f.name().toLowerCase() + (sat ? "_satfinite" : "_nonsat"));
                    byte code = f.encode(x, sat);
                    String what = f + (sat ? " satfinite " : " nonsat ") + x;
                    double value = Golden.number(e.get("value"));
                    if (Double.isNaN(value)) {
                        assertTrue(Float.isNaN(f.decode(code)), what + " should be NaN");
                    } else {
                        assertEquals(e.get("code").asInt(), Byte.toUnsignedInt(code), what);
                        assertEquals(value, f.decode(code), 0.0, what);
                        assertEquals(
                                Double.doubleToRawLongBits(value),
                                Double.doubleToRawLongBits(f.decode(code)),
                                what + " sign of zero");
                    }
                }
            }
        }
    }

    @Test
    void fp8TablesByCode() {
        for (Fp8 f : Fp8.values()) {
            double[] table = Golden.doubles(ROOT.get("fp8_tables").get(f.name().toLowerCase()));
            for (int c = 0; c < 256; c++) {
                float v = f.decode((byte) c);
                if (Double.isNaN(table[c])) {
                    assertTrue(Float.isNaN(v), f + " code " + c);
                } else {
                    assertEquals(table[c], v, 0.0, f + " code " + c);
                }
            }
        }
    }

    @Test
    void llmInt8Decomposition() {
        JsonNode g = ROOT.get("llm_int8");
        Tensor x = Tensor.of(Golden.floats(g.get("X_fp16")), Golden.ints(g.get("X_shape")));
        Tensor w = Tensor.of(Golden.floats(g.get("W_fp16")), Golden.ints(g.get("W_shape")));
        LlmInt8.Result r = LlmInt8.multiply(x, w, g.get("threshold").asDouble());
        assertArrayEquals(Golden.ints(g.get("outlier_cols")), r.outlierColumns());
        assertIdentical(Golden.floats(g.get("cx")), r.rowScales(), "cx");
        assertIdentical(Golden.floats(g.get("cw")), r.columnScales(), "cw");
        assertArrayEquals(toBytes(Golden.ints(g.get("Xq"))), r.xq(), "Xq");
        assertArrayEquals(toBytes(Golden.ints(g.get("Wq"))), r.wq(), "Wq");
        assertArrayEquals(Golden.ints(g.get("acc_int32")), r.accumulator(), "acc");
        assertIdentical(Golden.floats(g.get("y_fp16part")), r.fp16Part().data(), "y fp16 part");
        assertIdentical(Golden.floats(g.get("y_int8part")), r.int8Part().data(), "y int8 part");
        assertIdentical(Golden.floats(g.get("y")), r.output().data(), "y");

        double[][] ref = LlmInt8.reference(x, w);
        double[] flat = Stream.of(ref).flatMapToDouble(java.util.Arrays::stream).toArray();
        assertClose(Golden.doubles(g.get("y_ref")), flat, 1e-12, 1e-12, "y_ref");
        float[] refF = new float[flat.length];
        for (int i = 0; i < flat.length; i++) {
            refF[i] = (float) flat[i];
        }
        // The metrics are computed against the double reference; float32-rounding it changes them far below 1e-6.
        QuantError withDecomposition = errorVs(flat, r.output().data());
        QuantError without = errorVs(
                flat, LlmInt8.multiply(x, w, Double.POSITIVE_INFINITY).output().data());
        assertMetrics(g.get("metrics"), withDecomposition, "llm.int8");
        assertMetrics(g.get("metrics_no_decomposition"), without, "no decomposition");
        assertTrue(withDecomposition.mse() < without.mse() / 5, "the decomposition should cut the error");
        assertTrue(QuantError.of(refF, r.output().data()).cosine() > 0.999);
    }

    private static QuantError errorVs(double[] ref, float[] y) {
        double se = 0;
        double sx = 0;
        double max = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = ref[i] - y[i];
            se += e * e;
            sx += ref[i] * ref[i];
            max = Math.max(max, Math.abs(e));
        }
        return new QuantError(se / ref.length, max, 10 * Math.log10(sx / se), Double.NaN);
    }

    private static byte[] toBytes(int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
