package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Erf} to ≤ 1e-15 relative error against an independent 100-digit evaluation of the Maclaurin series
 * {@code erf(x) = 2/√π · Σₙ (−1)ⁿ x^(2n+1) / (n!·(2n+1))}, and against published values.
 */
class ErfTest {
    private static final MathContext MC = new MathContext(110);
    private static final BigDecimal PI = new BigDecimal(
            "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798");
    private static final BigDecimal TWO_OVER_SQRT_PI = BigDecimal.valueOf(2).divide(PI.sqrt(MC), MC);

    /** erf(x) to about 100 significant digits (the alternating series needs ≈ x²/ln 10 guard digits; x ≤ 8). */
    static BigDecimal erfSeries(double xd) {
        BigDecimal x = new BigDecimal(xd);
        BigDecimal x2 = x.multiply(x, MC);
        BigDecimal term = x; // (−1)ⁿ x^(2n+1) / n!
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal eps = new BigDecimal("1e-105");
        for (int n = 0; n < 10_000; n++) {
            BigDecimal contribution = term.divide(BigDecimal.valueOf(2L * n + 1), MC);
            sum = sum.add(contribution, MC);
            if (contribution.abs().compareTo(eps) < 0 && n > 2 * xd * xd) {
                break;
            }
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
        }
        return sum.multiply(TWO_OVER_SQRT_PI, MC);
    }

    private static void assertRelative(double expected, double actual, double rel, String what) {
        double err = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(err <= rel, what + ": expected " + expected + ", got " + actual + ", relative error " + err);
    }

    @Test
    void erfMatchesTheSeriesToOneEMinus15() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 150; i++) {
            double x = (random.nextDouble() * 2 - 1) * 6;
            if (i < 20) {
                x = (random.nextDouble() * 2 - 1) * 1e-3; // the small-argument branch
            }
            double exact = erfSeries(x).doubleValue();
            assertRelative(exact, Erf.erf(x), 1e-15, "erf(" + x + ")");
        }
    }

    @Test
    void erfcMatchesTheSeriesToOneEMinus15InTheTail() {
        SplittableRandom random = new SplittableRandom(11);
        BigDecimal one = BigDecimal.ONE;
        for (int i = 0; i < 100; i++) {
            double x = random.nextDouble() * 8 - 1; // [−1, 7): erfc down to ~4e-23
            double exact = one.subtract(erfSeries(x), MC).doubleValue();
            assertRelative(exact, Erf.erfc(x), 1e-15, "erfc(" + x + ")");
        }
    }

    @Test
    void publishedValues() {
        // Abramowitz & Stegun table 7.1 / DLMF 7.2 values
        assertRelative(0.8427007929497148693, Erf.erf(1.0), 1e-15, "erf(1)");
        assertRelative(0.5204998778130465377, Erf.erf(0.5), 1e-15, "erf(0.5)");
        assertRelative(0.9953222650189527342, Erf.erf(2.0), 1e-15, "erf(2)");
        assertRelative(2.209049699858544137e-5, Erf.erfc(3.0), 1e-15, "erfc(3)");
        assertRelative(1.537459794428034850e-12, Erf.erfc(5.0), 1e-15, "erfc(5)");
        assertRelative(2.088487583762544757e-45, Erf.erfc(10.0), 1e-14, "erfc(10)");
    }

    @Test
    void symmetryLimitsAndSpecialValues() {
        for (double x : new double[] {1e-300, 0.3, 0.9, 1.1, 2.5, 4.0, 10.0}) {
            assertEquals(-Erf.erf(x), Erf.erf(-x), 0.0);
            assertEquals(2.0, Erf.erfc(x) + Erf.erfc(-x), 1e-15);
        }
        assertEquals(0.0, Erf.erf(0.0), 0.0);
        assertEquals(1.0, Erf.erfc(0.0), 0.0);
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY), 0.0);
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY), 0.0);
        assertEquals(0.0, Erf.erfc(30.0), 0.0);
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertTrue(Double.isNaN(Erf.erfc(Double.NaN)));
        // Φ keeps relative accuracy deep in the lower tail, where 1 + erf(x/√2) would round to 0
        assertRelative(7.619853024160526e-24, Erf.normalCdf(-10.0), 1e-14, "Phi(-10)");
        assertEquals(0.5, Erf.normalCdf(0.0), 0.0);
    }
}
