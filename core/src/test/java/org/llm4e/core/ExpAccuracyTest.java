package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.llm4e.core.internal.simd.PanamaKernels;
import org.llm4e.core.internal.simd.VectorMath;

/**
 * The accuracy of the Vector API provider's {@code exp} (range reduction + Cephes polynomial, see {@link VectorMath})
 * over the finite floats: within 1.02 ulps of the exact {@code e^x} everywhere, overflow to +∞ and underflow to 0 at the
 * right places, and the vector and scalar forms give the same bits (which is what makes the function reproducible
 * across JDKs: it uses only exactly specified operations).
 */
class ExpAccuracyTest {
    private static final PanamaKernels SIMD = new PanamaKernels();

    /**
     * The bound the tests hold exp to: the worst error over all floats is 1.0103 ulps (at x = −5.8778844), measured
     * with the full sweep below.
     */
    private static final double MAX_ULPS = 1.02;

    @Test
    void withinTheBoundOnAStridedSweepOfAllFloats() {
        Sweep s = sweep(Integer.MIN_VALUE, 1L << 32, 4099);
        assertTrue(s.checked > 1_000_000, "the sweep must cover about a million floats, got " + s.checked);
        assertTrue(s.worstUlps <= MAX_ULPS, () -> "worst error " + s.worstUlps + " ulps at x=" + s.worstX);
    }

    @Tag("slow")
    @Test
    void withinTheBoundForEveryFloatWhoseResultIsNotZeroOneOrInfinity() {
        // |x| < 2⁻²⁵ gives 1 (the strided sweep covers it), x < −104 gives 0 and x > 89 gives +∞: the ~5·10⁸ floats
        // left are swept one by one, in 256 slices across the cores.
        long tiny = Float.floatToRawIntBits(0x1p-25f);
        long[][] ranges = {
            {tiny, Float.floatToRawIntBits(89f)}, {tiny | 0x80000000L, Float.floatToRawIntBits(104f) | 0x80000000L}
        };
        Sweep worst = IntStream.range(0, 512)
                .parallel()
                .mapToObj(part -> {
                    long[] range = ranges[part & 1];
                    long length = range[1] - range[0];
                    long from = range[0] + length * (part >> 1) / 256;
                    long to = range[0] + length * ((part >> 1) + 1) / 256;
                    return sweep((int) from, to - from, 1);
                })
                .reduce(Sweep::worse)
                .orElseThrow();
        assertTrue(worst.checked > 500_000_000L, "the sweep must cover every float of the range, got " + worst.checked);
        assertTrue(worst.worstUlps <= MAX_ULPS, () -> "worst error " + worst.worstUlps + " ulps at x=" + worst.worstX);
    }

    @Test
    void specialValuesAndTheEdgesOfTheRange() {
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(1f, VectorMath.exp(-0f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
        // ln(Float.MAX_VALUE) = 88.7228391…: the largest float below it is finite, the next one overflows.
        assertTrue(Float.isFinite(VectorMath.exp(88.72283f)));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(88.7229f));
        // e^-103.9 ≈ 7.5e-46 rounds up to the smallest subnormal 2⁻¹⁴⁹; e^-104 ≈ 6.8e-46 rounds down to 0.
        assertEquals(Float.MIN_VALUE, VectorMath.exp(-103.9f));
        assertEquals(0f, VectorMath.exp(-104f));
        assertEquals(0f, VectorMath.exp(-1e30f));
        assertEquals((float) Math.E, VectorMath.exp(1f), Math.ulp((float) Math.E));

        float[] x = {0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 88.7229f, -104f};
        float[] y = new float[16 + x.length];
        float[] in = new float[16 + x.length];
        System.arraycopy(x, 0, in, 16, x.length); // put the specials in the vector lanes and the tail alike
        System.arraycopy(x, 0, in, 0, x.length);
        SIMD.exp(in, 0, y, 0, in.length);
        for (int i = 0; i < in.length; i++) {
            assertEquals(VectorMath.exp(in[i]), y[i], "exp(" + in[i] + ") in lane " + i);
        }
    }

    @Test
    void vectorLanesAndScalarTailGiveIdenticalBits() {
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat(Integer.MIN_VALUE + i * 65537); // spread over every exponent and sign
        }
        float[] y = new float[x.length];
        SIMD.exp(x, 0, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(VectorMath.exp(x[i])), Float.floatToIntBits(y[i]), "x=" + x[i]);
        }
    }

    /** Worst ulp error over {@code count} bit patterns from {@code start}, every {@code stride}-th. */
    private static Sweep sweep(long start, long count, int stride) {
        Sweep s = new Sweep();
        for (long bits = start; bits < start + count; bits += stride) {
            float x = Float.intBitsToFloat((int) bits);
            if (!Float.isFinite(x)) {
                continue;
            }
            s.record(x, VectorMath.exp(x), Math.exp(x));
        }
        return s;
    }

    /** The worst error seen, in ulps of the correctly rounded result. */
    private static final class Sweep {
        double worstUlps;
        float worstX;
        long checked;

        void record(float x, float y, double exact) {
            checked++;
            float rounded = (float) exact;
            double ulps;
            if (Float.isInfinite(rounded)) {
                ulps = y == rounded ? 0 : Double.POSITIVE_INFINITY;
            } else {
                // Math.exp is within 1 ulp of e^x in double, ~2⁻²⁹ of a float ulp: negligible here.
                ulps = Math.abs(y - exact) / Math.ulp(Math.max(rounded, Float.MIN_VALUE));
            }
            if (ulps > worstUlps || Double.isNaN(ulps)) {
                worstUlps = Double.isNaN(ulps) ? Double.POSITIVE_INFINITY : ulps;
                worstX = x;
            }
        }

        Sweep worse(Sweep other) {
            Sweep merged = other.worstUlps > worstUlps ? other : this;
            Sweep result = new Sweep();
            result.worstUlps = merged.worstUlps;
            result.worstX = merged.worstX;
            result.checked = checked + other.checked;
            return result;
        }
    }
}
