package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.llm4e.core.Tensor;

/**
 * Bad input gets an {@link IllegalArgumentException} naming the parameter, the value and what was expected; the
 * documented edge cases (partial NF4 blocks, all-zero groups, FP8 NaN/±∞) behave as documented.
 */
class BadInputTest {

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" should contain \"" + f + "\"");
        }
    }

    @Test
    void linearQuantizerSettings() {
        assertRejected(() -> LinearQuantizer.builder().bits(3), "bits", "3", "8 or 4");
        assertRejected(() -> LinearQuantizer.builder().perGroup(0), "groupSize", "0", ">= 1");
        assertRejected(() -> LinearQuantizer.builder().percentile(40), "percentile", "40", "(50, 100]");
        assertRejected(() -> LinearQuantizer.builder().percentile(Double.NaN), "percentile", "NaN");
    }

    @Test
    void groupSizeMustDivideTheRow() {
        LinearQuantizer q = LinearQuantizer.builder().bits(4).perGroup(32).build();
        assertRejected(() -> q.quantize(Tensor.zeros(2, 100)), "groupSize 32", "row length 100", "[2, 100]");
    }

    @Test
    void nonFiniteWeightsAreRejectedByIntegerSchemes() {
        float[] x = {1f, 2f, Float.NaN, 4f};
        assertRejected(() -> LinearQuantizer.builder().build().quantize(Tensor.of(x, 4)), "w[2]", "NaN", "finite");
        float[] inf = {1f, Float.NEGATIVE_INFINITY};
        assertRejected(() -> LinearQuantizer.builder().build().quantize(Tensor.of(inf, 2)), "w[1]", "-Infinity");
        assertRejected(() -> Nf4.quantize(x, 2), "x[2]", "NaN");
        assertRejected(() -> Fp8.E4M3.quantizeScaled(inf), "x[1]", "Infinity");
        assertRejected(
                () -> LlmInt8.multiply(Tensor.of(x, 1, 4), Tensor.of(new float[] {1, 1, 1, 1}, 1, 4)), "x[2]", "NaN");
    }

    @Test
    void calibrationShapes() {
        LinearQuantizer perChannel = LinearQuantizer.builder().perChannel().build();
        assertRejected(() -> perChannel.calibrate(List.of()), "batches", "none");
        assertRejected(
                () -> perChannel.calibrate(Tensor.zeros(2, 4), Tensor.zeros(3, 4)), "batches[1]", "[3, 4]", "[2, 4]");
        CalibratedQuantizer c = perChannel.calibrate(Tensor.randn(1, 2, 4));
        assertRejected(() -> c.quantize(Tensor.zeros(4, 2)), "[4, 2]", "[2, 4]");
        // Per tensor, calibration batches may have any shapes.
        LinearQuantizer perTensor = LinearQuantizer.builder().build();
        CalibratedQuantizer any =
                perTensor.calibrate(Tensor.of(new float[] {1f}, 1), Tensor.of(new float[] {-2f, 0f}, 2));
        assertEquals(2f / 127, any.scales()[0], 0f);
    }

    @Test
    void allZeroGroupsGetScaleOne() {
        QuantizedTensor q = LinearQuantizer.builder()
                .perChannel()
                .symmetric(false)
                .build()
                .quantize(Tensor.of(new float[] {0, 0, 0, 1, -1, 2}, 2, 3));
        assertEquals(1f, q.scales()[0], 0f);
        assertArrayEquals(new float[] {0, 0, 0}, Arrays.copyOf(q.dequantize().data(), 3));
    }

    @Test
    void nf4BlockSizesAndPartialBlocks() {
        assertRejected(() -> Nf4.quantize(new float[8], 7), "blockSize", "7", "even");
        assertRejected(() -> Nf4.quantize(new float[8], 2, 0), "absmaxBlockSize", "0");
        // A size that is not a multiple of the block: the last block is shorter (as bitsandbytes), and an odd
        // size leaves the last low nibble 0.
        float[] x = new float[101];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        Nf4Tensor t = Nf4.quantize(x, 64);
        assertEquals(2, t.absmax().length);
        assertEquals(51, t.codes().length);
        assertEquals(0, t.codes()[50] & 0xF);
        Nf4Tensor tail = Nf4.quantize(Arrays.copyOfRange(x, 64, 101), 64);
        assertEquals(tail.absmax()[0], t.absmax()[1], 0f);
        assertArrayEquals(tail.dequantize(), Arrays.copyOfRange(t.dequantize(), 64, 101));
        // An all-zero block: absmax 0, code 7 (exact zero), zeros back.
        Nf4Tensor zeros = Nf4.quantize(new float[64], 64);
        assertEquals(0f, zeros.absmax()[0], 0f);
        assertEquals(0x77, zeros.codes()[0] & 0xFF);
        assertArrayEquals(new float[64], zeros.dequantize());
    }

    @Test
    void fp8SpecialValues() {
        for (Fp8 f : Fp8.values()) {
            assertEquals(0x7F, f.encode(Float.NaN, true) & 0xFF);
            assertEquals(0x80, f.encode(-0.0f, false) & 0xFF);
            assertEquals(f.maxValue(), f.decode(f.encode(Float.POSITIVE_INFINITY, true)), 0f);
            assertEquals(-f.maxValue(), f.decode(f.encode(-1e30f, true)), 0f);
        }
        assertTrue(Float.isNaN(Fp8.E4M3.decode(Fp8.E4M3.encode(Float.POSITIVE_INFINITY, false))), "E4M3 has no ∞");
        assertEquals(Float.NEGATIVE_INFINITY, Fp8.E5M2.decode(Fp8.E5M2.encode(-1e30f, false)), 0f);
    }

    @Test
    void otherArguments() {
        assertRejected(() -> QuantError.of(new float[2], new float[3]), "xHat.length", "2", "3");
        assertRejected(() -> Int4Packing.unpackLowFirst(new byte[2], 5, true), "n", "5", "[0, 4]");
        assertRejected(() -> new FloatFormat("bad", 0, 3, 1, true), "exponentBits", "0");
        assertRejected(() -> FloatFormat.FP16.decode(0x10000), "bits", "16 bits");
        assertRejected(() -> FloatFormat.E3M4.parseBits("0 101 10"), "drawn", "8 binary digits");
        assertRejected(() -> MemoryCalculator.bytes(-1, MemoryCalculator.Precision.FP16), "parameters", "-1", ">= 0");
        assertRejected(() -> LlmInt8.multiply(Tensor.zeros(2, 3), Tensor.zeros(4, 5)), "x must be", "[2, 3]", "[4, 5]");
        assertRejected(() -> LlmInt8.multiply(Tensor.zeros(2, 3), Tensor.zeros(4, 3), 0), "threshold", "0");
        assertRejected(() -> new Fp8Tensor(Fp8.E4M3, new byte[1], 0f), "scale", "0.0");
    }

    @Test
    void llmInt8ZeroRowsAndNoDecomposition() {
        // A token row that is zero outside the outlier columns gets scale 0 and zero codes, not NaN.
        float[] x = {10f, 0f, 0f, 1f, 2f, 3f};
        float[] w = {1f, 1f, 1f, 0.5f, 0.25f, 0.125f};
        LlmInt8.Result r = LlmInt8.multiply(Tensor.of(x, 2, 3), Tensor.of(w, 2, 3));
        assertArrayEquals(new int[] {0}, r.outlierColumns());
        assertEquals(0f, r.rowScales()[0], 0f);
        assertEquals(10f, r.output().get(0, 0), 0f);
        assertEquals(5f, r.output().get(0, 1), 0f);
        LlmInt8.Result plain = LlmInt8.multiply(Tensor.of(x, 2, 3), Tensor.of(w, 2, 3), Double.POSITIVE_INFINITY);
        assertEquals(0, plain.outlierColumns().length);
        double[][] ref = LlmInt8.reference(Tensor.of(x, 2, 3), Tensor.of(w, 2, 3));
        assertEquals(ref[1][0], r.output().get(1, 0), 0.05);
    }
}
