package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The number-format examples of {@code 10分钟理解大模型的量化.md} (figures 1–4, catalog W-FP and checks 23–24) and
 * the FP8 erratum of the deployment article.
 */
class NumberFormatsArticleTest {
    private static final float PI_AS_PRINTED = 3.141592f;

    @Test
    void piInFp32() {
        int bits = Float.floatToIntBits(PI_AS_PRINTED);
        assertEquals(0x40490FD8, bits);
        assertEquals("0 10000000 10010010000111111011000", FloatFormat.FP32.bitString(bits));
        assertEquals(3.1415920257568359, FloatFormat.FP32.decode(bits), 0.0);
        assertEquals(4, FloatFormat.FP32.totalBits() / 8, "FP32 takes 4 bytes");
    }

    @Test
    void piInFp16() {
        short h = Fp16.encode(PI_AS_PRINTED);
        assertEquals(0x4248, h & 0xFFFF);
        assertEquals("0 10000 1001001000", FloatFormat.FP16.bitString(h & 0xFFFF));
        assertEquals(3.140625f, Fp16.decode(h), 0f);
        assertEquals(3.140625, FloatFormat.FP16.decode(h & 0xFFFF), 0.0);
        assertEquals(2, FloatFormat.FP16.totalBits() / 8);
    }

    @Test
    void piInBf16RoundedAndTruncatedAlike() {
        short b = Bf16.encode(PI_AS_PRINTED);
        assertEquals(0x4049, b & 0xFFFF);
        assertEquals(0x4049, Bf16.truncate(PI_AS_PRINTED) & 0xFFFF, "figure 3 truncates; same bits here");
        assertEquals("0 10000000 1001001", FloatFormat.BF16.bitString(b & 0xFFFF));
        assertEquals(3.140625f, Bf16.decode(b), 0f);
        assertEquals(Fp16.round(PI_AS_PRINTED), Bf16.round(PI_AS_PRINTED), 0f, "FP16(pi) = BF16(pi) = 3.140625");
        assertEquals(2, FloatFormat.BF16.totalBits() / 8);
    }

    @Test
    void piInInt8IsThree() {
        // Figure 4: 0 0000011 = 3 (the figure calls the 7 low bits a "fraction"; it is two's complement).
        QuantizedTensor q = LinearQuantizer.builder()
                .bits(8)
                .build()
                .calibrate(org.llm4e.core.Tensor.of(new float[] {127f}, 1))
                .quantize(org.llm4e.core.Tensor.of(new float[] {PI_AS_PRINTED}, 1));
        assertEquals(3, q.code(0));
        assertEquals(
                "00000011",
                String.format("%8s", Integer.toBinaryString(q.code(0))).replace(' ', '0'));
    }

    @Test
    void bf16KeepsRangeFp16KeepsPrecision() {
        assertEquals(Float.POSITIVE_INFINITY, Fp16.round(70000f), "70000 overflows FP16");
        assertTrue(Float.isFinite(Bf16.round(70000f)), "but not BF16");
        assertEquals(70144f, Bf16.round(70000f), 0f);
        float onePlus = 1f + 0x1p-9f;
        assertEquals(onePlus, Fp16.round(onePlus), 0f, "1 + 2^-9 is an FP16 number");
        assertEquals(1f, Bf16.round(onePlus), 0f, "and rounds to 1 in BF16");
    }

    @Test
    void extraConstants() {
        assertEquals(65504.0, FloatFormat.FP16.maxFinite(), 0.0);
        assertEquals(Fp16.MAX_VALUE, Fp16.decode((short) 0x7BFF), 0f);
        assertEquals(0x1p-14f, Fp16.decode((short) 0x0400), 0f);
        assertEquals(0x1p-24f, Fp16.decode((short) 0x0001), 0f);
        assertEquals(1f + Fp16.EPSILON, Fp16.decode((short) 0x3C01), 0f);
        assertEquals(1f + Bf16.EPSILON, Bf16.decode((short) 0x3F81), 0f);
        assertEquals(3.3895313892515355e38, Bf16.MAX_VALUE, 1e31);
        assertEquals(448.0, FloatFormat.E4M3.maxFinite(), 0.0);
        assertEquals(57344.0, FloatFormat.E5M2.maxFinite(), 0.0);
        assertEquals(Math.ulp(1f), 0x1p-23f, 0f);
    }

    /**
     * ERRATUM (deployment article, out of scope for the series catalog): its "E4M3" example writes the exponent
     * {@code 101} and the mantissa {@code 1011}, which is an E3M4 layout. Read as E3M4 (bias 3) the bits are
     * (1 + 11/16) · 2^(5 − 3) = 6.75; the same 8 bits read as real E4M3 are a different number.
     */
    @Test
    void articleFp8ExampleIsReallyE3M4() {
        long bits = FloatFormat.E3M4.parseBits("0 101 1011");
        assertEquals(6.75, FloatFormat.E3M4.decode(bits), 0.0);
        double asE4M3 = FloatFormat.E4M3.decode(bits); // 0 1011 011 = 1.375 · 2^(11 − 7)
        assertEquals(22.0, asE4M3, 0.0);
        assertNotEquals(6.75, asE4M3);
        assertEquals(asE4M3, Fp8.E4M3.decode((byte) bits), 0.0);
    }

    @Test
    void fp8OcpConstants() {
        assertEquals(448f, Fp8.E4M3.decode((byte) 0x7E), 0f);
        assertTrue(Float.isNaN(Fp8.E4M3.decode((byte) 0x7F)));
        assertEquals(0x1p-6f, Fp8.E4M3.decode((byte) 0x08), 0f);
        assertEquals(0x1p-9f, Fp8.E4M3.decode((byte) 0x01), 0f);
        assertEquals(57344f, Fp8.E5M2.decode((byte) 0x7B), 0f);
        assertEquals(Float.POSITIVE_INFINITY, Fp8.E5M2.decode((byte) 0x7C), 0f);
        assertTrue(Float.isNaN(Fp8.E5M2.decode((byte) 0x7D)));
        assertEquals(0x1p-16f, Fp8.E5M2.decode((byte) 0x01), 0f);
        // Ties: 464 lies between 448 and the non-existent 480 -> 448; 61440 lies between 57344 (odd code) and
        // 65536 -> overflow.
        assertEquals(0x7E, Fp8.E4M3.encode(464f, false) & 0xFF);
        assertEquals(0x7F, Fp8.E4M3.encode(465f, false) & 0xFF);
        assertEquals(0x7C, Fp8.E5M2.encode(61440f, false) & 0xFF);
        assertEquals(0x7B, Fp8.E5M2.encode(61439f, false) & 0xFF);
        assertEquals(0x7B, Fp8.E5M2.encode(61440f, true) & 0xFF);
    }
}
