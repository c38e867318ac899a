package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Exhaustive and reference checks of the hand-written FP16, BF16 and FP8 codecs: every non-NaN code round-trips,
 * encoders agree with a brute-force "nearest representable value, ties to the even code" search, and (on JDK 20+)
 * FP16 agrees with {@code Float.floatToFloat16} / {@code Float.float16ToFloat}.
 */
class NumberFormatsTest {

    @Test
    void everyFp16CodeRoundTrips() {
        for (int c = 0; c < 0x10000; c++) {
            float v = Fp16.decode((short) c);
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(Fp16.decode(Fp16.encode(v))), "NaN stays NaN: 0x" + Integer.toHexString(c));
                continue;
            }
            assertEquals(c, Fp16.encode(v) & 0xFFFF, "code 0x" + Integer.toHexString(c));
            assertEquals(FloatFormat.FP16.decode(c), v, 0.0, "generic decoder, code 0x" + Integer.toHexString(c));
        }
    }

    @Test
    void everyBf16CodeRoundTrips() {
        for (int c = 0; c < 0x10000; c++) {
            float v = Bf16.decode((short) c);
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(Bf16.decode(Bf16.encode(v))));
                continue;
            }
            assertEquals(c, Bf16.encode(v) & 0xFFFF, "code 0x" + Integer.toHexString(c));
            assertEquals(FloatFormat.BF16.decode(c), v, 0.0);
        }
    }

    @Test
    void everyFp8CodeRoundTripsInBothModes() {
        for (Fp8 f : Fp8.values()) {
            for (int c = 0; c < 256; c++) {
                float v = f.decode((byte) c);
                if (Float.isNaN(v)) {
                    assertTrue(Float.isNaN(f.decode(f.encode(v, true))));
                    continue;
                }
                assertEquals(c, f.encode(v, false) & 0xFF, f + " code " + c);
                if (!Float.isInfinite(v)) {
                    assertEquals(c, f.encode(v, true) & 0xFF, f + " code " + c + " saturating");
                }
            }
        }
    }

    /** Nearest half by search over the monotone positive codes, ties to the even code, overflow at 65520. */
    static int referenceHalf(float x) {
        int sign = Float.floatToRawIntBits(x) < 0 ? 0x8000 : 0;
        double a = Math.abs((double) x);
        if (a >= 65520.0) {
            return sign | 0x7C00; // 65520 is the tie between 65504 (odd code) and 65536 (= ∞, even)
        }
        int lo = 0;
        int hi = 0x7BFF;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (Fp16.decode((short) mid) <= a) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double dl = a - Fp16.decode((short) lo);
        double dh = Fp16.decode((short) hi) - a;
        int best = dl < dh ? lo : dh < dl ? hi : ((lo & 1) == 0 ? lo : hi);
        if (a <= Fp16.decode((short) lo)) {
            best = lo;
        }
        return sign | best;
    }

    /** Nearest FP8 value by brute force over all positive codes, the OCP rules for overflow. */
    static int referenceFp8(Fp8 f, float x, boolean saturate) {
        if (Float.isNaN(x)) {
            return 0x7F;
        }
        int sign = Float.floatToRawIntBits(x) < 0 ? 0x80 : 0;
        double a = Math.abs((double) x);
        int maxCode = f == Fp8.E4M3 ? 0x7E : 0x7B;
        int overflow = f == Fp8.E4M3 ? 0x7F : 0x7C;
        double next = f == Fp8.E4M3 ? 480.0 : 65536.0; // the first value beyond max, as if the format went on
        if (a > next) {
            return sign | (saturate ? maxCode : overflow); // beyond the first value past max: always overflows
        }
        int best = -1;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c <= maxCode + 1; c++) {
            double v = c == maxCode + 1 ? next : f.decode((byte) c);
            double d = Math.abs(a - v);
            if (d < bestD || (d == bestD && (c & 1) == 0)) {
                best = c;
                bestD = d;
            }
        }
        if (best == maxCode + 1) {
            return sign | (saturate ? maxCode : overflow);
        }
        return sign | best;
    }

    @Test
    void fp16MatchesBruteForceOnEveryHalfBoundary() {
        // Every representable value, its midpoints with both neighbours and one float ulp either side of them.
        for (int c = 0; c < 0x7C00; c++) {
            float v = Fp16.decode((short) c);
            float next = c == 0x7BFF ? 65536f : Fp16.decode((short) (c + 1));
            float mid = (float) (((double) v + next) / 2);
            for (float x : new float[] {v, mid, Math.nextUp(mid), Math.nextDown(mid), -mid, -v}) {
                assertEquals(referenceHalf(x), Fp16.encode(x) & 0xFFFF, "x = " + x);
            }
        }
    }

    @Test
    void fp16AndFp8MatchBruteForceOnRandomFloats() {
        SplittableRandom rnd = new SplittableRandom(16);
        for (int i = 0; i < 60_000; i++) {
            // Random exponents across the whole float range, and a dense band around the formats' ranges.
            float x = i % 2 == 0
                    ? Float.intBitsToFloat(rnd.nextInt())
                    : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-30, 20)));
            if (Float.isNaN(x)) {
                continue;
            }
            if (Math.abs(x) < 1e6f) {
                assertEquals(referenceHalf(x), Fp16.encode(x) & 0xFFFF, "fp16 x = " + x);
            }
            for (Fp8 f : Fp8.values()) {
                for (boolean sat : new boolean[] {true, false}) {
                    assertEquals(referenceFp8(f, x, sat), f.encode(x, sat) & 0xFF, f + " " + sat + " x = " + x);
                }
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(Bf16.round(x)));
                continue;
            }
            float r = Bf16.round(x);
            float down = Bf16.decode(Bf16.truncate(x)); // toward zero
            int t = Bf16.truncate(x) & 0xFFFF;
            float up = Bf16.decode((short) (t + 1)); // away from zero (may be ∞)
            if (x == down) {
                assertEquals(x, r, 0f);
                continue;
            }
            // Past the largest finite value the next step is 2^128 "as if the exponent went on" (IEEE overflow).
            double upValue = Float.isInfinite(up) ? Math.copySign(0x1p128, up) : up;
            double dDown = Math.abs((double) x - down);
            double dUp = Math.abs(upValue - x);
            float expected = dDown < dUp ? down : dUp < dDown ? up : ((t & 1) == 0 ? down : up);
            assertEquals(expected, r, 0f, "x = " + x);
        }
    }

    private static MethodHandle jdkHandle(String name, Class<?> ret, Class<?> arg) {
        try {
            return MethodHandles.publicLookup().findStatic(Float.class, name, MethodType.methodType(ret, arg));
        } catch (ReflectiveOperationException e) {
            return null; // JDK < 20
        }
    }

    @Test
    void fp16AgreesWithTheJdkOn20AndLater() throws Throwable {
        MethodHandle toHalf = jdkHandle("floatToFloat16", short.class, float.class);
        MethodHandle fromHalf = jdkHandle("float16ToFloat", float.class, short.class);
        Assumptions.assumeTrue(toHalf != null && fromHalf != null, "Float.floatToFloat16 needs JDK 20+");
        for (int c = 0; c < 0x10000; c++) {
            float mine = Fp16.decode((short) c);
            float jdk = (float) fromHalf.invokeExact((short) c);
            if (Float.isNaN(jdk)) {
                assertTrue(Float.isNaN(mine));
            } else {
                assertEquals(Float.floatToRawIntBits(jdk), Float.floatToRawIntBits(mine), "code " + c);
            }
        }
        // Float bit patterns with a stride that visits every exponent and many mantissas (about 1M values).
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += 4093) {
            float x = Float.intBitsToFloat((int) bits);
            if (Float.isNaN(x)) {
                continue;
            }
            short jdk = (short) toHalf.invokeExact(x);
            assertEquals(jdk, Fp16.encode(x), "x = " + x);
        }
    }
}
