package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/**
 * The worked examples of the quantization articles ({@code 10分钟理解大模型的量化.md}, {@code 大模型量化认知的三重境界.md},
 * {@code 大模型微调之Adapters（三）QLoRA.md}): catalog W-QUANT (derived from the figures' formulas, since the articles
 * print no numbers) and checks 25–35.
 */
class QuantizationArticleTest {
    private static final float[] R = {-3.6f, -1.2f, 0.0f, 0.73f, 2.91f, 5.08f};

    private static int[] codes(QuantizedTensor q) {
        int[] c = new int[q.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = q.code(i);
        }
        return c;
    }

    @Test
    void symmetricInt8PerTensor() {
        QuantizedTensor q = LinearQuantizer.builder().bits(8).build().quantize(Tensor.of(R.clone(), 6));
        assertEquals(0.04f, q.scales()[0], 1e-8f, "s = 5.08 / 127");
        assertArrayEquals(new int[] {-90, -30, 0, 18, 73, 127}, codes(q));
        float[] deq = q.dequantize().data();
        assertClose(new float[] {-3.6f, -1.2f, 0f, 0.72f, 2.92f, 5.08f}, deq, 0, 1e-6, "dequantized");
        QuantError e = QuantError.of(R, deq);
        assertEquals(0.01, e.maxAbsError(), 1e-6);
        assertEquals(3.333e-5, e.mse(), 1e-8);
        assertTrue(e.maxAbsError() <= q.scales()[0] / 2 + 1e-6, "check 25: |r - r'| <= s/2");
    }

    @Test
    void asymmetricUint8() {
        QuantizedTensor q = LinearQuantizer.builder()
                .bits(8)
                .symmetric(false)
                .signed(false)
                .build()
                .quantize(Tensor.of(R.clone(), 6));
        assertEquals(0.0340392157, q.scales()[0], 3e-9);
        assertEquals(106, q.zeroPoints()[0]);
        assertArrayEquals(new int[] {0, 71, 106, 127, 191, 255}, codes(q));
        float[] deq = q.dequantize().data();
        assertClose(new float[] {-3.608157f, -1.191373f, 0f, 0.714824f, 2.893333f, 5.071843f}, deq, 0, 2e-6, "deq");
        assertEquals(0f, deq[2], 0f, "check 26: real 0 is reconstructed exactly");
        assertEquals(0.016667, QuantError.of(R, deq).maxAbsError(), 1e-6);
    }

    @Test
    void asymmetricInt8SameValues() {
        QuantizedTensor q = LinearQuantizer.builder()
                .bits(8)
                .symmetric(false)
                .signed(true)
                .build()
                .quantize(Tensor.of(R.clone(), 6));
        assertEquals(-22, q.zeroPoints()[0]);
        assertArrayEquals(new int[] {-128, -57, -22, -1, 63, 127}, codes(q));
        QuantizedTensor u =
                LinearQuantizer.builder().symmetric(false).signed(false).build().quantize(Tensor.of(R.clone(), 6));
        assertArrayEquals(u.dequantize().data(), q.dequantize().data(), "identical dequantized values");
        assertEquals(q.scheme().qmin(), q.code(0), "check 26: q(r_min) = q_min");
        assertEquals(q.scheme().qmax(), q.code(5), "check 26: q(r_max) = q_max");
    }

    @Test
    void perTensorVersusPerRow() {
        float[] w = {0.5f, -1.0f, 0.25f, 10.0f, -4.0f, 2.0f};
        QuantizedTensor t = LinearQuantizer.builder().perTensor().build().quantize(Tensor.of(w.clone(), 2, 3));
        assertArrayEquals(new int[] {6, -13, 3, 127, -51, 25}, codes(t));
        QuantizedTensor c = LinearQuantizer.builder().perChannel().build().quantize(Tensor.of(w.clone(), 2, 3));
        assertArrayEquals(new int[] {64, -127, 32, 127, -51, 25}, codes(c));
        assertArrayEquals(new float[] {1f / 127, 10f / 127}, c.scales(), 1e-9f);
        double mseT = QuantError.of(w, t.dequantize().data()).mse();
        double mseC = QuantError.of(w, c.dequantize().data()).mse();
        assertEquals(4.579e-4, mseT, 1e-7);
        assertEquals(2.099e-4, mseC, 1e-7);
        assertTrue(mseC < mseT, "check 28: per-channel error < per-tensor error");
        assertEquals(1, t.scales().length, "check 28: one parameter per tensor");
        assertEquals(2, c.scales().length, "one per row");
    }

    @Test
    void int4GroupSizes() {
        float[] v = {0.1f, -0.3f, 0.7f, 0.2f, 3.0f, -1.0f, 0.5f, 2.0f};
        QuantizedTensor g8 =
                LinearQuantizer.builder().bits(4).perGroup(8).build().quantize(Tensor.of(v.clone(), 1, 8));
        assertEquals(3f / 7, g8.scales()[0], 1e-7f);
        assertArrayEquals(new int[] {0, -1, 2, 0, 7, -2, 1, 5}, codes(g8));
        QuantizedTensor g4 =
                LinearQuantizer.builder().bits(4).perGroup(4).build().quantize(Tensor.of(v.clone(), 1, 8));
        assertArrayEquals(new float[] {0.1f, 3f / 7}, g4.scales(), 1e-7f);
        assertArrayEquals(new int[] {1, -3, 7, 2, 7, -2, 1, 5}, codes(g4));
        double mse8 = QuantError.of(v, g8.dequantize().data()).mse();
        double mse4 = QuantError.of(v, g4.dequantize().data()).mse();
        assertEquals(0.017143, mse8, 1e-6);
        assertEquals(0.005740, mse4, 1e-6);
        assertTrue(mse4 < mse8, "smaller groups, lower error");
        assertEquals(8 / 4, g4.scales().length, "check 28: #elements / groupSize parameters");
    }

    @Test
    void asymmetricBeatsSymmetricOnOneSidedData() {
        // Check 27 (the article claims only "lower error"): r uniform in [0, 1].
        SplittableRandom rnd = new SplittableRandom(27);
        float[] r = new float[4096];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) rnd.nextDouble();
        }
        Tensor t = Tensor.of(r, r.length);
        double sym = QuantError.of(
                        r,
                        LinearQuantizer.builder()
                                .build()
                                .quantize(t)
                                .dequantize()
                                .data())
                .mse();
        double asym = QuantError.of(
                        r,
                        LinearQuantizer.builder()
                                .symmetric(false)
                                .signed(false)
                                .build()
                                .quantize(t)
                                .dequantize()
                                .data())
                .mse();
        assertTrue(asym < sym, "asymmetric " + asym + " < symmetric " + sym);
    }

    @Test
    void restrictedAndFullInt8Range() {
        // Figure 5 maps [-r_max, r_max] to [-127, 127]; figure 0 draws [-128, 127]. Both, explicitly.
        Tensor t = Tensor.of(new float[] {-2f, -1f, 0f, 1f, 2f}, 5);
        QuantizedTensor restricted = LinearQuantizer.builder().build().quantize(t);
        assertEquals(-127, restricted.code(0));
        assertEquals(127, restricted.code(4));
        LinearQuantizer fullRange = LinearQuantizer.builder().fullRange(true).build();
        QuantizedTensor full = fullRange.quantize(t);
        assertEquals(-128, fullRange.qmin());
        assertEquals(2f / 127.5f, full.scales()[0], 0f, "s = r_max / 127.5 as PyTorch's symmetric observers");
        assertEquals(127, full.code(4), "r_max / s = 127.5 clamps to 127");
        assertTrue(full.code(0) == -128 || full.code(0) == -127, "-r_max sits on the -128 / -127 tie");
        assertEquals(0, full.code(2));
        // Static parameters: beyond the calibrated range the full range reaches -128, the restricted one -127.
        Tensor beyond = Tensor.of(new float[] {-3f, -1f, 0f, 1f, 3f}, 5);
        assertEquals(-128, fullRange.calibrate(t).quantize(beyond).code(0));
        assertEquals(
                -127,
                LinearQuantizer.builder().build().calibrate(t).quantize(beyond).code(0));
    }

    @Test
    void staticCalibrationVersusDynamic() {
        // Check 30: the static scale is computed once and reused; it equals the dynamic one when the calibration
        // set is the input.
        Tensor a = Tensor.randn(1, 4, 16);
        Tensor b = Tensor.randn(2, 4, 16);
        LinearQuantizer q = LinearQuantizer.builder().perChannel().build();
        CalibratedQuantizer onA = q.calibrate(a);
        assertArrayEquals(q.quantize(a).scales(), onA.scales());
        assertArrayEquals(q.quantize(a).codes(), onA.quantize(a).codes());
        CalibratedQuantizer onBoth = q.calibrate(a, b);
        for (int r = 0; r < 4; r++) {
            float amax = 0;
            for (Tensor t : new Tensor[] {a, b}) {
                for (int c = 0; c < 16; c++) {
                    amax = Math.max(amax, Math.abs(t.get(r, c)));
                }
            }
            assertEquals(amax / 127f, onBoth.scales()[r], 0f, "row " + r);
        }
        // A value beyond the calibrated range clamps.
        Tensor big = a.copy();
        big.set(0, 0, 1000f);
        assertEquals(127, onA.quantize(big).code(0));
    }

    @Test
    void percentileCalibrationClips() {
        float[] x = new float[101];
        for (int i = 0; i <= 100; i++) {
            x[i] = i / 100f;
        }
        x[100] = 50f; // one outlier
        Tensor t = Tensor.of(x, x.length);
        QuantizedTensor minMax = LinearQuantizer.builder().build().quantize(t);
        QuantizedTensor p99 = LinearQuantizer.builder().percentile(99).build().quantize(t);
        assertEquals(50f / 127, minMax.scales()[0], 1e-9f);
        assertEquals(0.99f / 127, p99.scales()[0], 1e-9f, "99th percentile of |x| (numpy linear)");
        assertEquals(127, p99.code(100), "the outlier clips");
        double inliersMinMax = QuantError.of(java.util.Arrays.copyOf(x, 100), head(minMax, 100))
                .mse();
        double inliersP99 =
                QuantError.of(java.util.Arrays.copyOf(x, 100), head(p99, 100)).mse();
        assertTrue(inliersP99 < inliersMinMax / 100, "clipping the outlier makes the rest far more precise");
    }

    private static float[] head(QuantizedTensor q, int n) {
        return java.util.Arrays.copyOf(q.dequantize().data(), n);
    }

    @Test
    void int4PackingTwoPerByte() {
        // Check 31: pack/unpack is the identity on -8..7, ceil(n/2) bytes.
        byte[] all = new byte[16];
        for (int i = 0; i < 16; i++) {
            all[i] = (byte) (i - 8);
        }
        byte[] packed = Int4Packing.packLowFirst(all);
        assertEquals(8, packed.length);
        assertEquals((byte) 0x98, packed[0], "-8 = 0x8 in the low nibble, -7 = 0x9 in the high one");
        assertArrayEquals(all, Int4Packing.unpackLowFirst(packed, 16, true));
        assertEquals(8, Int4Packing.packLowFirst(java.util.Arrays.copyOf(all, 15)).length);
    }

    @Test
    void memoryCalculator() {
        // Check 33: 7B -> 28 / 14 / 14 / 7 / 3.5 GB.
        long p = 7_000_000_000L;
        assertEquals(28.0, MemoryCalculator.gigabytes(p, MemoryCalculator.Precision.FP32), 1e-9);
        assertEquals(14.0, MemoryCalculator.gigabytes(p, MemoryCalculator.Precision.FP16), 1e-9);
        assertEquals(14.0, MemoryCalculator.gigabytes(p, MemoryCalculator.Precision.BF16), 1e-9);
        assertEquals(7.0, MemoryCalculator.gigabytes(p, MemoryCalculator.Precision.INT8), 1e-9);
        assertEquals(3.5, MemoryCalculator.gigabytes(p, MemoryCalculator.Precision.INT4), 1e-9);
        assertEquals(0.5, MemoryCalculator.Precision.INT4.bytesPerParameter(), 0.0);
        assertEquals(1342e9, MemoryCalculator.bytes(671_000_000_000L, MemoryCalculator.Precision.BF16), 1.0);
        // NF4 with its constants: 4.5 bits single, ~4.127 bits double-quantized.
        assertEquals(3.9375, MemoryCalculator.bytes(p, 4 + Nf4.constantBitsPerParameter(64)) / 1e9, 1e-9);
    }

    @Test
    void nf4Levels() {
        // Check 34: 16 levels, idx 7 = 0, min -1, max 1; 7 negative and 8 positive.
        float[] l = Nf4.levels();
        assertEquals(16, l.length);
        assertEquals(0f, l[7], 0f);
        assertEquals(-1f, l[0], 0f);
        assertEquals(1f, l[15], 0f);
        assertEquals(-0.6961928009986877f, l[1], 0f);
        assertEquals(0.7229568362236023f, l[14], 0f);
        for (int i = 1; i < 16; i++) {
            assertTrue(l[i] > l[i - 1]);
        }
        assertEquals(64, Nf4.DEFAULT_BLOCK_SIZE);
    }

    @Test
    void doubleQuantizationOverhead() {
        // Check 35: 32/64 = 0.5 bit per parameter, 8/64 + 32/(64*256) = 0.127 with double quantization.
        assertEquals(0.5, Nf4.constantBitsPerParameter(64), 0.0);
        assertEquals(0.126953125, Nf4.constantBitsPerParameter(64, 256), 0.0);
        assertEquals(0.127, Nf4.constantBitsPerParameter(64, 256), 5e-4);
        float[] x = new float[64 * 256 * 2];
        Tensor.fillRandn(new SplittableRandom(35), x);
        Nf4Tensor single = Nf4.quantize(x, 64);
        Nf4Tensor dq = Nf4.quantize(x, 64, 256);
        assertEquals(x.length / 2 + 4L * x.length / 64, single.storageBytes());
        assertEquals(x.length / 2 + x.length / 64 + 4L * 2 + 4, dq.storageBytes());
    }

    /**
     * ERRATUM (QLoRA article): double quantization is said to compress the "scale factor and offset"; NF4 has no
     * offset, only the absmax scales are quantized again, and the NF4 codes do not change.
     */
    @Test
    void doubleQuantizationTouchesOnlyTheScales() {
        float[] x = new float[64 * 300];
        Tensor.fillRandn(new SplittableRandom(12), x);
        Nf4Tensor single = Nf4.quantize(x, 64);
        Nf4Tensor dq = Nf4.quantize(x, 64, 256);
        assertArrayEquals(single.codes(), dq.codes());
        assertArrayEquals(single.absmax(), dq.absmaxFloat32());
        assertEquals(300, dq.absmaxCodes().length);
        assertEquals(2, dq.absmaxScales().length, "300 constants in blocks of 256: the last block is shorter");
        QuantError e = QuantError.of(dq.absmaxFloat32(), dq.absmax());
        assertTrue(e.maxAbsError() < 0.02 * dq.absmaxScales()[0] + 1e-6, "8-bit absmax error " + e);
    }
}
