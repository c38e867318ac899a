package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.LlmArbitraries;

/** Property tests of the linear quantizer, the INT4 packing, NF4 and the FP8 codecs. */
class QuantizationProperties {

    /** Every scheme of {@link LinearQuantizer}: bits × symmetric × signed × full range × granularity. */
    @Provide
    Arbitrary<LinearQuantizer> quantizers() {
        return Combinators.combine(
                        Arbitraries.of(8, 4),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        Arbitraries.of(0, 1, 2, 4, 8))
                .as((bits, sym, signed, full, g) -> {
                    LinearQuantizer.Builder b = LinearQuantizer.builder()
                            .bits(bits)
                            .symmetric(sym)
                            .signed(signed)
                            .fullRange(full);
                    if (g == 0) {
                        b.perTensor();
                    } else if (g == 1) {
                        b.perChannel();
                    } else {
                        b.perGroup(g);
                    }
                    return b.build();
                });
    }

    /** [rows, 8·k] tensors with a random magnitude, so that every group size above divides the rows. */
    @Provide
    Arbitrary<Tensor> weights() {
        return Combinators.combine(
                        Arbitraries.longs(),
                        Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(-20, 20))
                .as((seed, rows, k, exp) -> {
                    Tensor t = Tensor.randn(seed, rows, 8 * k);
                    float s = (float) Math.scalb(1.0, exp);
                    float[] d = t.data();
                    for (int i = 0; i < d.length; i++) {
                        d[i] *= s;
                    }
                    return t;
                });
    }

    @Property(tries = 150)
    void errorIsAtMostHalfAStepAwayFromClipping(@ForAll("quantizers") LinearQuantizer q, @ForAll("weights") Tensor w) {
        QuantizedTensor qt = q.quantize(w);
        float[] x = w.data();
        float[] xHat = qt.dequantize().data();
        float[] scales = qt.scales();
        for (int i = 0; i < x.length; i++) {
            int code = qt.code(i);
            assertTrue(code >= q.qmin() && code <= q.qmax(), "code " + code + " out of range " + q);
            boolean clipped = code == q.qmin() || code == q.qmax();
            float s = scales[i / qt.groupLength()];
            double bound = s / 2.0 * (1 + 1e-5) + 4 * Math.ulp(Math.abs(x[i]));
            if (!clipped || q.symmetric()) {
                // Symmetric grids contain ±max|x| (restricted: exactly; full range: within half a step), so no
                // element is ever clipped by more than half a step.
                assertTrue(Math.abs(x[i] - xHat[i]) <= bound, q + " x=" + x[i] + " x̂=" + xHat[i] + " s=" + s);
            } else {
                assertTrue(Math.abs(x[i] - xHat[i]) <= 2 * bound, "asymmetric ±1 from rounding z: " + q);
            }
        }
    }

    @Property(tries = 150)
    void requantizingTheDequantizedValuesGivesTheSameCodes(
            @ForAll("quantizers") LinearQuantizer q, @ForAll("weights") Tensor w) {
        QuantizedTensor qt = q.quantize(w);
        assertArrayEquals(qt.codes(), qt.requantize(qt.dequantize()).codes(), q.toString());
    }

    @Property(tries = 100)
    void zeroIsExactAndStaticEqualsDynamicOnTheSameData(
            @ForAll("quantizers") LinearQuantizer q, @ForAll("weights") Tensor w) {
        Tensor withZero = w.copy();
        withZero.data()[0] = 0f;
        QuantizedTensor qt = q.quantize(withZero);
        assertEquals(0f, qt.dequantize().data()[0], 0f, "real 0 is exactly representable: " + q);
        CalibratedQuantizer c = q.calibrate(withZero);
        assertArrayEquals(qt.scales(), c.scales());
        assertArrayEquals(qt.zeroPoints(), c.zeroPoints());
        assertArrayEquals(qt.codes(), c.quantize(withZero).codes());
    }

    @Property(tries = 100)
    void packingRoundTrips(@ForAll("codes4") byte[] codes, @ForAll boolean signed) {
        byte[] c = codes.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] = (byte) (signed ? c[i] : c[i] & 0xF);
        }
        assertArrayEquals(c, Int4Packing.unpackLowFirst(Int4Packing.packLowFirst(c), c.length, signed));
        assertArrayEquals(c, Int4Packing.unpackHighFirst(Int4Packing.packHighFirst(c), c.length, signed));
        assertEquals((c.length + 1) / 2, Int4Packing.packLowFirst(c).length);
    }

    @Provide
    Arbitrary<byte[]> codes4() {
        return Arbitraries.bytes()
                .between((byte) -8, (byte) 7)
                .array(byte[].class)
                .ofMaxSize(65);
    }

    @Property(tries = 100)
    void nf4PicksTheNearestLevelWithinHalfAGap(
            @ForAll("nf4Inputs") float[] x, @ForAll @IntRange(min = 1, max = 8) int halfBlock) {
        int blockSize = 2 * halfBlock;
        Nf4Tensor t = Nf4.quantize(x, blockSize);
        float[] levels = Nf4.levels();
        float[] absmax = t.absmax();
        byte[] codes = t.unpackedCodes();
        float[] xHat = t.dequantize();
        for (int i = 0; i < x.length; i++) {
            float a = absmax[i / blockSize];
            int c = codes[i];
            double gap = Math.max(c > 0 ? levels[c] - levels[c - 1] : 0, c < 15 ? levels[c + 1] - levels[c] : 0);
            assertTrue(
                    Math.abs(x[i] - xHat[i]) <= gap / 2 * a * (1 + 1e-5) + 1e-30,
                    "check 34: within half the gap between neighbouring levels × absmax");
            // Nearest level of the normalized value (ties to the lower code).
            float xn = a == 0f ? 0f : x[i] * (1f / a);
            for (int k = 0; k < 16; k++) {
                assertTrue(Math.abs(xn - levels[c]) <= Math.abs(xn - levels[k]), "code " + c + " vs " + k);
            }
        }
        assertArrayEquals(Nf4.quantize(x, blockSize).codes(), Int4Packing.packHighFirst(codes), "high nibble first");
    }

    @Provide
    Arbitrary<float[]> nf4Inputs() {
        return LlmArbitraries.floatArrays(0, 100, 10f);
    }

    @Property(tries = 200)
    void fp8DecodeOfEncodeIsTheNearestValue(@ForAll float x, @ForAll boolean saturate) {
        for (Fp8 f : Fp8.values()) {
            assertEquals(NumberFormatsTest.referenceFp8(f, x, saturate), f.encode(x, saturate) & 0xFF, f + " " + x);
        }
    }

    @Property(tries = 200)
    void fp16IsTheNearestHalf(@ForAll float x) {
        if (!Float.isNaN(x)) {
            if (Float.isInfinite(x)) {
                assertEquals(x, Fp16.round(x), 0f);
            } else {
                assertEquals(NumberFormatsTest.referenceHalf(x), Fp16.encode(x) & 0xFFFF, "x = " + x);
            }
        }
    }
}
