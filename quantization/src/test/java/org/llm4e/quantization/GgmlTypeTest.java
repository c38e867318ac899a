package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link GgmlType} and {@link GgufQuantName}: layouts, offset kernels, error budgets of the block formats, the GGUF
 * name grammar of {@code 大模型量化认知的三重境界.md} (catalog check 32) and the edge cases ggml documents.
 */
class GgmlTypeTest {

    @Test
    void layoutsAndBitsPerWeight() {
        assertEquals(8.5, GgmlType.Q8_0.bitsPerWeight(), 0.0);
        assertEquals(4.5, GgmlType.Q4_0.bitsPerWeight(), 0.0);
        assertEquals(5.0, GgmlType.Q4_1.bitsPerWeight(), 0.0);
        assertEquals(5.5, GgmlType.Q5_0.bitsPerWeight(), 0.0);
        assertEquals(6.0, GgmlType.Q5_1.bitsPerWeight(), 0.0);
        assertEquals(4.5, GgmlType.Q4_K.bitsPerWeight(), 0.0);
        assertEquals(6.5625, GgmlType.Q6_K.bitsPerWeight(), 0.0);
        assertEquals(16.0, GgmlType.BF16.bitsPerWeight(), 0.0);
        assertEquals(Q8_0.BYTES_PER_BLOCK, GgmlType.Q8_0.bytesPerBlock());
        assertEquals(Q6_K.BYTES_PER_BLOCK, GgmlType.Q6_K.bytesPerBlock());
        assertEquals(4096L / 32 * 18, GgmlType.Q4_0.bytes(4096));
        for (GgmlType t : GgmlType.values()) {
            assertEquals(t, GgmlType.ofId(t.id()));
        }
        assertThrows(IllegalArgumentException.class, () -> GgmlType.ofId(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_K.bytes(300));
        assertTrue(e.getMessage().contains("256") && e.getMessage().contains("300"), e.getMessage());
    }

    @Test
    void offsetKernelsEqualWholeArrayOnes() {
        float[] x = new float[512 + 7];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (GgmlType t : GgmlType.values()) {
            int n = 512;
            byte[] out = new byte[(int) t.bytes(n) + 5];
            t.quantize(x, 7, n, out, 5);
            float[] back = new float[n + 3];
            t.dequantize(out, 5, n, back, 3);
            byte[] whole = new byte[(int) t.bytes(n)];
            t.quantize(Arrays.copyOfRange(x, 7, 7 + n), 0, n, whole, 0);
            assertArrayEquals(whole, Arrays.copyOfRange(out, 5, out.length), t.name());
            float[] wholeBack = new float[n];
            t.dequantize(whole, 0, n, wholeBack, 0);
            assertArrayEquals(wholeBack, Arrays.copyOfRange(back, 3, back.length), t.name());
        }
        assertEquals(x[7], decodeOne(GgmlType.F32, x[7]), 0f);
        assertEquals(Fp16.round(x[7]), decodeOne(GgmlType.F16, x[7]), 0f);
        assertEquals(Bf16.round(x[7]), decodeOne(GgmlType.BF16, x[7]), 0f);
    }

    private static float decodeOne(GgmlType t, float v) {
        byte[] b = new byte[t.bytesPerBlock()];
        t.quantize(new float[] {v}, 0, 1, b, 0);
        float[] o = new float[1];
        t.dequantize(b, 0, 1, o, 0);
        return o[0];
    }

    /**
     * dequantize(quantize(x)) stays within each format's error budget relative to the block's largest value, for
     * magnitudes whose fp16 scales are normal numbers (below that, subnormal scales lose precision: see
     * {@link #ggmlEdgeCases()}).
     */
    @Property(tries = 60)
    void roundTripErrorBudgets(@ForAll long seed, @ForAll @IntRange(min = -1, max = 12) int exponent) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[512];
        float scale = (float) Math.scalb(1.0, exponent);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * scale;
        }
        // Budget: a fraction of the block's max |x| (steps of 1/127, 1/15, 1/31 of the range, plus fp16 scale
        // rounding; the K-quants' 6-bit scales add their own step).
        check(GgmlType.Q8_0, x, 32, 0.5 / 127 + 2e-3);
        check(GgmlType.Q4_0, x, 32, 0.5 / 7 + 2e-3);
        check(GgmlType.Q5_0, x, 32, 0.5 / 15 + 2e-3);
        check(GgmlType.Q4_1, x, 32, 1.0 / 15 + 2e-3);
        check(GgmlType.Q5_1, x, 32, 1.0 / 31 + 2e-3);
        check(GgmlType.Q4_K, x, 256, 0.15);
        check(GgmlType.Q6_K, x, 256, 0.05);
    }

    private static void check(GgmlType t, float[] x, int block, double fraction) {
        byte[] q = new byte[(int) t.bytes(x.length)];
        t.quantize(x, 0, x.length, q, 0);
        float[] back = new float[x.length];
        t.dequantize(q, 0, x.length, back, 0);
        for (int b = 0; b < x.length / block; b++) {
            float amax = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
            }
            for (int i = b * block; i < (b + 1) * block; i++) {
                double err = Math.abs(x[i] - back[i]);
                assertTrue(
                        err <= fraction * 2 * amax,
                        t + " element " + i + ": |" + x[i] + " - " + back[i] + "| vs " + amax);
            }
        }
    }

    @Test
    void ggmlEdgeCases() {
        // An all-zero Q4_0 / Q5_0 block stores d = -0.0 (bytes 00 80), because d = 0 / -8.
        byte[] q4 = Q4_0.quantize(new float[32]);
        assertEquals(0x00, q4[0] & 0xFF);
        assertEquals(0x80, q4[1] & 0xFF);
        assertEquals(0x88, q4[2] & 0xFF, "q = 8 in both nibbles");
        assertEquals(0x80, Q5_0.quantize(new float[32])[1] & 0xFF);
        // Q6_K wipes a block whose scales are all below 1e-15: 210 zero bytes.
        float[] tiny = new float[256];
        Arrays.fill(tiny, 1e-30f);
        byte[] q6 = Q6_K.quantize(tiny);
        for (byte b : q6) {
            assertEquals(0, b);
        }
        // Subnormal fp16 scales survive: values around 1e-5 give d below 2^-14 but above 2^-24.
        float[] small = new float[32];
        for (int i = 0; i < 32; i++) {
            small[i] = (i - 16) * 1e-6f;
        }
        byte[] q8 = Q8_0.quantize(small);
        float d = GgmlBlocks.getHalf(q8, 0);
        assertTrue(d > 0 && d < Fp16.MIN_NORMAL, "subnormal scale " + d);
        // ... but coarsely: d has only a few significant bits left, so the error is several times the normal one.
        double err = Math.abs(-16 * 1e-6 - Q8_0.dequantize(q8, 32)[0]);
        assertTrue(err > 0.5 * 16e-6 / 127 && err < 0.1 * 16e-6, "subnormal-scale error " + err);
    }

    @Test
    void badSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Q8_0.quantize(new float[33]));
        assertTrue(e.getMessage().contains("32") && e.getMessage().contains("33"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Q4_K.dequantize(new byte[100], 256));
        assertTrue(e.getMessage().contains("144") && e.getMessage().contains("100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Q6_K.quantize(new float[256], 10, 256, new byte[210], 0));
    }

    @Test
    void ggufNames() {
        GgufQuantName m = GgufQuantName.parse("Q4_K_M");
        assertEquals(4, m.bits());
        assertTrue(m.kQuant());
        assertEquals('M', m.size());
        assertEquals(GgmlType.Q4_K, m.mainType());
        for (String ok : new String[] {"Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "q4_0", "Q5_1", "Q3_K_S"}) {
            GgufQuantName.parse(ok);
        }
        assertFalse(GgufQuantName.parse("Q8_0").kQuant());
        assertEquals(GgmlType.Q8_0, GgufQuantName.parse("Q8_0").mainType());
        assertNull(GgufQuantName.parse("Q2_K").mainType());
        for (String bad : new String[] {"Q4", "Q4_K_X", "Q9_K", "Q8_1", "Q6_0", "K4_0", "Q4__M", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufQuantName.parse(bad));
            assertTrue(e.getMessage().contains("name"), e.getMessage());
        }
        int[] order = {2, 4, 5, 6, 8};
        String[] names = {"Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(order[i], GgufQuantName.parse(names[i]).bits(), "check 32: Q2 < Q4 < Q5 < Q6 < Q8");
        }
    }
}
