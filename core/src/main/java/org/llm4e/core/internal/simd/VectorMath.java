package org.llm4e.core.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code exp}, {@code tanh} and {@code sigmoid} for float vectors, each with a scalar twin that performs the very same
 * IEEE operations, so a slice gives the same bits whether an element lands in a vector or in the scalar tail.
 *
 * <h2>exp: range reduction and a polynomial</h2>
 *
 * <pre>
 *   x  = clamp(x, −104, 89)                         below −104 the result rounds to 0, above 88.73 to +∞
 *   n  = round(x·log₂e)                             added to 1.5·2²³ so the FPU rounds to nearest; n ∈ [−150, 128]
 *   r  = x − n·ln2                                  ln2 split in two (ln2_hi has 9 bits, so n·ln2_hi is exact), |r| ≤ ½ln2
 *   eʳ ≈ 1 + r + r²·P(r)                            P of degree 5: the Cephes {@code expf} coefficients
 *   eˣ = eʳ · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋)                 two exact powers of two, so results down to the subnormal range
 *                                                   are rounded once, at the last multiplication
 * </pre>
 *
 * <p>Accuracy, measured over every finite float: at most 1.011 ulps from the exact {@code e^x} (the worst case is
 * x = −5.8778844; the error is below 1 ulp almost everywhere, so the result is nearly always one of the two floats
 * around {@code e^x}), and at most 0.76 ulps for subnormal results; {@code exp(NaN) = NaN}, {@code exp(−∞) = 0},
 * {@code exp(+∞) = +∞}. {@code ExpAccuracyTest} checks a strided sweep and, tagged slow, every float whose result is
 * neither 0, 1 nor ∞.
 *
 * <p><b>Why not {@code lanewise(VectorOperators.EXP)}?</b> On x86 the C2 compiler turns it into a call to Intel's
 * SVML routine, which is accurate (0.75 ulps worst on a strided sweep) and faster: on the AVX-512 test machine, per
 * CPU-second, about 3.7·10⁹ exponentials on JDK 17 and 5.7·10⁹ on JDK 25, against 2.7–2.9·10⁹ for this polynomial
 * (and 0.1–0.25·10⁹ for a scalar {@link Math#exp} loop). But its bits depend on how the code happens to be compiled:
 * before C2 compiles the loop (and on CPUs or platforms without the stub) the operator falls back to {@link Math#exp}
 * per lane, which rounds differently, so the same call gives different results early and late in one run. The
 * polynomial uses only {@code +, −, ×, ÷, fma}, min/max and bit operations, all exactly specified by the JLS and the
 * Vector API, so it gives the same bits in the interpreter and in compiled code, on JDK 17 and JDK 25 (checked: equal
 * fingerprints over a sweep), on every CPU, and in the scalar tail ({@link Math#fma} rounds as the vector {@code fma}
 * does). Softmax rows are usually memory-bound well before 2.7·10⁹ exponentials per second matter.
 *
 * <h2>sigmoid and tanh from exp</h2>
 *
 * <pre>
 *   σ(x)    = 1/(1 + t)  for x ≥ 0,   t/(1 + t)  for x &lt; 0,   t = e^(−|x|)    (no overflow; tiny results stay accurate)
 *   tanh(x) = sign(x)·(1 − t)/(1 + t),  t = e^(−2|x|)        for |x| ≥ 0.25
 *   tanh(x) = x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 − 1382x¹¹/155925   for |x| &lt; 0.25 (where 1 − t would cancel)
 * </pre>
 *
 * <p>Both stay within a few ulps of the correctly rounded value ({@code VectorMathTest} checks 4 ulps against the
 * double-precision functions).
 */
public final class VectorMath {
    private static final float LO = -104f;
    private static final float HI = 89f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it leaves round(v) in the low mantissa bits for |v| &lt; 2²². */
    private static final float MAGIC = 12582912f;

    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    /** ln 2 to 9 significant bits (0.693359375), so n·LN2_HI is exact for |n| ≤ 2¹⁵. */
    private static final float LN2_HI = 0.693359375f;
    /** ln 2 − LN2_HI. */
    private static final float LN2_LO = -2.12194440e-4f;

    // Cephes expf: eʳ ≈ 1 + r + r²·(((((P0·r + P1)·r + P2)·r + P3)·r + P4)·r + P5) on |r| ≤ ½ln2.
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private static final float TANH_SMALL = 0.25f;
    private static final int SIGN_BIT = 0x80000000;
    // Taylor coefficients of tanh: x + x³·(T3 + x²·(T5 + x²·(T7 + x²·(T9 + x²·T11)))).
    private static final float T3 = (float) (-1.0 / 3);
    private static final float T5 = (float) (2.0 / 15);
    private static final float T7 = (float) (-17.0 / 315);
    private static final float T9 = (float) (62.0 / 2835);
    private static final float T11 = (float) (-1382.0 / 155925);

    private VectorMath() {}

    /**
     * {@code e^x} lane by lane.
     *
     * @param x the arguments
     * @return the exponentials
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(LO).min(HI); // max/min propagate NaN
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
        FloatVector negN = n.neg();
        FloatVector r = negN.fma(x.broadcast(LN2_HI), xc);
        r = negN.fma(x.broadcast(LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, x.broadcast(P2));
        p = p.fma(r, x.broadcast(P3));
        p = p.fma(r, x.broadcast(P4));
        p = p.fma(r, x.broadcast(P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /**
     * {@code e^x}, the scalar twin of {@link #exp(FloatVector)}: the same operations in the same order, so the same
     * bits.
     *
     * @param x the argument
     * @return the exponential
     */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, LO), HI);
        float t = Math.fma(xc, LOG2E, MAGIC);
        float n = t - MAGIC;
        int ni = Float.floatToRawIntBits(t) - MAGIC_BITS;
        float negN = -n;
        float r = Math.fma(negN, LN2_HI, xc);
        r = Math.fma(negN, LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        float s1 = Float.intBitsToFloat((n1 + 127) << 23);
        float s2 = Float.intBitsToFloat((n2 + 127) << 23);
        return y * s1 * s2;
    }

    /**
     * The logistic sigmoid {@code 1/(1 + e^−x)} lane by lane.
     *
     * @param x the arguments
     * @return the sigmoids
     */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector t = exp(x.abs().neg());
        FloatVector d = t.add(1f);
        FloatVector pos = d.broadcast(1f).div(d);
        FloatVector neg = t.div(d);
        return pos.blend(neg, x.lt(0f));
    }

    /**
     * The scalar twin of {@link #sigmoid(FloatVector)}.
     *
     * @param x the argument
     * @return {@code 1/(1 + e^−x)}
     */
    public static float sigmoid(float x) {
        float t = exp(-Math.abs(x));
        float d = t + 1f;
        return x < 0f ? t / d : 1f / d;
    }

    /**
     * The hyperbolic tangent lane by lane.
     *
     * @param x the arguments
     * @return the tangents
     */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = exp(ax.mul(-2f));
        FloatVector big = t.neg().add(1f).div(t.add(1f));
        FloatVector x2 = ax.mul(ax);
        FloatVector q = x2.fma(T11, T9);
        q = q.fma(x2, x.broadcast(T7));
        q = q.fma(x2, x.broadcast(T5));
        q = q.fma(x2, x.broadcast(T3));
        FloatVector small = q.mul(x2).fma(ax, ax);
        // Both branches compute |tanh x|; x's sign bit is put back with an OR, so tanh(−0) = −0.
        FloatVector magnitude = big.blend(small, ax.lt(TANH_SMALL));
        IntVector sign = x.reinterpretAsInts().and(SIGN_BIT);
        return magnitude.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /**
     * The scalar twin of {@link #tanh(FloatVector)}.
     *
     * @param x the argument
     * @return {@code tanh(x)}
     */
    public static float tanh(float x) {
        float ax = Math.abs(x);
        float magnitude;
        if (ax < TANH_SMALL) {
            float x2 = ax * ax;
            float q = Math.fma(x2, T11, T9);
            q = Math.fma(q, x2, T7);
            q = Math.fma(q, x2, T5);
            q = Math.fma(q, x2, T3);
            magnitude = Math.fma(q * x2, ax, ax);
        } else {
            float t = exp(ax * -2f);
            magnitude = (-t + 1f) / (t + 1f);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(magnitude) | (Float.floatToRawIntBits(x) & SIGN_BIT));
    }
}
