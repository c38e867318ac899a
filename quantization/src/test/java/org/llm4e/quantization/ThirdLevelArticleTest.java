package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/**
 * The "level 3" checks of {@code 大模型量化认知的三重境界.md} (catalog B7, B8, B11 level 3, B12): GPTQ on one linear
 * layer with synthetic calibration inputs and AWQ on data with salient channels both beat round-to-nearest on
 * ‖WX − ŴX‖, and the errata of the articles' GPTQ and QLoRA intuitions.
 */
class ThirdLevelArticleTest {

    @Test
    void gptqErrorCompensationBeatsRoundToNearest() {
        // B11: "GPTQ on a single linear layer with synthetic calibration X; RTN baseline; ‖WX − ŴX‖ GPTQ ≤ RTN"
        Tensor w = GptqTest.weights(1, 64, 128);
        Tensor x = GptqTest.correlatedInputs(2, 512, 128);
        Gptq gptq = Gptq.builder().groupSize(128).build(); // the article's groups of 128
        double rtn = LayerError.outputSse(w, gptq.roundToNearest(w).dequantize(), x);
        double compensated = LayerError.outputSse(w, gptq.quantize(w, x).dequantize(), x);
        assertTrue(compensated < rtn, "GPTQ " + compensated + " vs RTN " + rtn);
    }

    @Test
    void gptqUsesOneBitWidthForEveryGroup() {
        // ERRATUM (B7): "important groups 4-bit, ordinary groups 2-bit" is not GPTQ; every group shares the width.
        Tensor w = GptqTest.weights(3, 8, 256);
        Tensor x = GptqTest.correlatedInputs(4, 300, 256);
        QuantizedTensor q = Gptq.builder().bits(4).groupSize(128).build().quantize(w, x);
        assertEquals(4, q.bits());
        for (int i = 0; i < q.size(); i++) {
            assertTrue(q.code(i) >= 0 && q.code(i) <= 15);
        }
        assertEquals(2, q.scalesShape()[1], "two groups of 128 per row, each with its own parameters");
    }

    @Test
    void awqProtectsSalientChannelsFoundFromActivations() {
        // B8: salient weights are found from activation magnitudes and protected by an equivalent scaling
        int[] salient = {10, 90};
        Tensor x = AwqTest.salientInputs(5, 256, 128, salient, 25f);
        Tensor w = GptqTest.weights(6, 32, 128);
        Awq.Result r = Awq.builder().build().quantize(w, x);
        float[] s = r.scales();
        for (int c : salient) {
            for (int j = 0; j < s.length; j++) {
                if (j != salient[0] && j != salient[1]) {
                    assertTrue(s[c] > s[j], "salient channel " + c + " gets a larger scale than channel " + j);
                }
            }
        }
        double rtn =
                LayerError.outputSse(w, Awq.builder().build().roundToNearest(w).dequantize(), x);
        assertTrue(LayerError.outputSse(w, r.dequantize(), x) < rtn);
    }

    @Test
    void qloraDoubleQuantizationQuantizesOnlyTheScales() {
        // ERRATUM (B12): the article says "scale factor and offset"; NF4 has no offset, only absmax is re-quantized
        QloraLinear layer = new QloraLinear(GptqTest.weights(7, 32, 256), new LoraAdapter(256, 32, 8, 16, 8));
        Nf4Tensor base = layer.base();
        assertEquals(32 * 256 / 64, base.absmaxCodes().length, "one 8-bit code per 64-weight block's absmax");
        assertEquals(0.127, Nf4.constantBitsPerParameter(64, 256), 0.0005);
        assertEquals(0.5, Nf4.constantBitsPerParameter(64), 0.0);
    }
}
