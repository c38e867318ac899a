package org.llm4e.quantization;

/** Rounding helpers shared by the integer quantizers. */
final class Rounding {
    private Rounding() {}

    /**
     * C's {@code roundf}: round half away from zero, {@code sign(v)·⌊|v| + 0.5⌋}, evaluated exactly in double on the
     * float {@code v}. Not {@link Math#round(float)} (which rounds −2.5 to −2) and not numpy's half-to-even.
     */
    static double halfAway(float v) {
        double d = v;
        return Math.signum(d) * Math.floor(Math.abs(d) + 0.5);
    }

    /** {@link #halfAway(float)} clamped into [lo, hi], as an int. NaN is not expected (callers reject it). */
    static int halfAwayClamped(float v, int offset, int lo, int hi) {
        // Same value as halfAway(v), cheaper: |v| + 0.5 is exact in double and the cast truncates toward zero.
        double d = v;
        double r = (double) (long) (d + (d < 0 ? -0.5 : 0.5)) + offset;
        return r < lo ? lo : r > hi ? hi : (int) r;
    }
}
