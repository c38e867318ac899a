package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.ScalarGgmlDotKernels;
import org.llm4e.quantization.internal.simd.PanamaGgmlDotKernels;

/**
 * The Vector API dot products against the scalar reference: the integer sums are exact in both, so the two differ
 * only by float rounding in the accumulation. The SIMD path sums per-lane partial sums, which may cancel inside a
 * block, so the bound is a few ulps of Σ_b |dx_b · dy_b| · Σ_j |x_j · y_j|, not of Σ_b |sumi_b · dx_b · dy_b|.
 */
class GgmlSimdKernelsProperties {
    private final GgmlDotKernels scalar = new ScalarGgmlDotKernels();
    private final GgmlDotKernels simd = new PanamaGgmlDotKernels();

    @Property(tries = 150)
    void simdEqualsScalarOnArbitraryBlocks(
            @ForAll @IntRange(min = 0, max = 40) int blocks,
            @ForAll @IntRange(min = 0, max = 40) int xOff,
            @ForAll @IntRange(min = 0, max = 40) int yOff,
            @ForAll long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        // Arbitrary bytes: every code, including −128 that quantizers never write, and random (finite) fp16 scales.
        byte[] x8 = randomBlocks(r, xOff, blocks, 34);
        byte[] x4 = randomBlocks(r, xOff, blocks, 18);
        byte[] y = randomBlocks(r, yOff, blocks, 34);
        assertClose(
                bound(x8, xOff, 34, y, yOff, blocks, true),
                scalar.dotQ8_0(x8, xOff, y, yOff, blocks),
                simd.dotQ8_0(x8, xOff, y, yOff, blocks),
                "Q8_0");
        assertClose(
                bound(x4, xOff, 18, y, yOff, blocks, false),
                scalar.dotQ4_0Q8_0(x4, xOff, y, yOff, blocks),
                simd.dotQ4_0Q8_0(x4, xOff, y, yOff, blocks),
                "Q4_0");
    }

    @Property(tries = 100)
    void int8DotIsExactlyTheScalarSum(
            @ForAll @IntRange(min = 0, max = 300) int n,
            @ForAll @IntRange(min = 0, max = 20) int aOff,
            @ForAll @IntRange(min = 0, max = 20) int bOff,
            @ForAll long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        byte[] a = new byte[aOff + n];
        byte[] b = new byte[bOff + n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        long expected = 0;
        for (int i = 0; i < n; i++) {
            expected += a[aOff + i] * b[bOff + i];
        }
        assertEquals(expected, scalar.dotInt8(a, aOff, b, bOff, n));
        assertEquals(expected, simd.dotInt8(a, aOff, b, bOff, n));
    }

    @Test
    void goldenDotsThroughTheSimdKernels() {
        com.fasterxml.jackson.databind.JsonNode root = org.llm4e.testsupport.Golden.load("quantization_ggml.json");
        int checked = 0;
        for (com.fasterxml.jackson.databind.JsonNode v : root.get("vec_dot")) {
            float[] x = org.llm4e.testsupport.Golden.floats(v.get("x"));
            byte[] yq = GgmlDot.quantizeActivations(org.llm4e.testsupport.Golden.floats(v.get("y")));
            int blocks = v.get("n").asInt() / 32;
            byte[] x8 = Q8_0.quantize(x);
            byte[] x4 = Q4_0.quantize(x);
            assertClose(
                    bound(x8, 0, 34, yq, 0, blocks, true),
                    (float) v.get("q8_0_q8_0").get("result").asDouble(),
                    simd.dotQ8_0(x8, 0, yq, 0, blocks),
                    v.get("name").asText() + " Q8_0");
            assertClose(
                    bound(x4, 0, 18, yq, 0, blocks, false),
                    (float) v.get("q4_0_q8_0").get("result").asDouble(),
                    simd.dotQ4_0Q8_0(x4, 0, yq, 0, blocks),
                    v.get("name").asText() + " Q4_0");
            checked++;
        }
        assertTrue(checked > 0, "the golden file has vec_dot cases");
    }

    private static byte[] randomBlocks(java.util.SplittableRandom r, int off, int blocks, int bytesPerBlock) {
        byte[] b = new byte[off + blocks * bytesPerBlock + r.nextInt(3)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        for (int k = 0; k < blocks; k++) {
            // Scales in [2^-20, 2): normal and subnormal halves, never Inf/NaN (which both paths propagate alike).
            short h = Fp16.encode((float) Math.scalb(r.nextDouble(), -r.nextInt(20)) * (r.nextBoolean() ? 1 : -1));
            b[off + k * bytesPerBlock] = (byte) h;
            b[off + k * bytesPerBlock + 1] = (byte) (h >>> 8);
        }
        return b;
    }

    /** Σ_b |dx_b · dy_b| · Σ_j |x_j · y_j|, computed in double from the block definition. */
    private static double bound(byte[] x, int xOff, int xbb, byte[] y, int yOff, int blocks, boolean q8) {
        double s = 0;
        for (int k = 0; k < blocks; k++) {
            int xb = xOff + k * xbb;
            int yb = yOff + k * 34;
            long sumi = 0;
            for (int j = 0; j < 32; j++) {
                int xv =
                        q8 ? x[xb + 2 + j] : (j < 16 ? (x[xb + 2 + j] & 0xF) : ((x[xb + 2 + j - 16] & 0xFF) >>> 4)) - 8;
                sumi += Math.abs((long) xv * y[yb + 2 + j]);
            }
            s += Math.abs(sumi * (double) GgmlBlocks.getHalf(x, xb) * GgmlBlocks.getHalf(y, yb));
        }
        return s;
    }

    private static void assertClose(double magnitude, float expected, float actual, String what) {
        // Both sums round at most (blocks + lanes) times, each by ≤ 2^-24 of the running magnitude.
        double tol = 1e-5 * magnitude + 1e-30;
        assertEquals(expected, actual, tol, what + ": scalar " + expected + " vs SIMD " + actual);
    }
}
