package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Q8_K activations and the Q4_K · Q8_K dot product, against their definitions computed in double. */
class Q4KDotTest {

    @Property(tries = 40)
    void q8kCodesSumsAndScale(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int blocks) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = GgufSamples.gaussian(r, 256 * blocks);
        if (r.nextBoolean()) {
            java.util.Arrays.fill(x, 0, 256, 0f); // an all-zero block
        }
        byte[] q = Q8_K.quantize(x);
        float[] back = Q8_K.dequantize(q, x.length);
        for (int b = 0; b < blocks; b++) {
            int o = b * Q8_K.BYTES_PER_BLOCK;
            float d = Q8_K.scale(q, o);
            float max = 0;
            for (int j = 0; j < 256; j++) {
                max = Math.abs(x[256 * b + j]) > Math.abs(max) ? x[256 * b + j] : max;
            }
            assertEquals(max == 0 ? 0f : 1f / (-127f / max), d, "d of block " + b);
            for (int k = 0; k < 16; k++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    int c = q[o + 4 + 16 * k + i];
                    assertTrue(c >= -127 && c <= 127, "code " + c);
                    sum += c;
                }
                assertEquals(sum, Q8_K.bsum(q, o, k), "bsums[" + k + "]");
            }
            for (int j = 0; j < 256; j++) {
                assertTrue(Math.abs(back[256 * b + j] - x[256 * b + j]) <= Math.abs(d) * 0.5001f + 1e-30f, "error");
            }
        }
    }

    /** The dot product of the decoded blocks, in double: Σ (d·scale·q4 − dmin·min) · d8·q8. */
    static double definition(byte[] x, byte[] y, int n) {
        double s = 0;
        byte[] sc = new byte[12];
        for (int b = 0; b < n / 256; b++) {
            int xb = b * Q4_K.BYTES_PER_BLOCK;
            int yb = b * Q8_K.BYTES_PER_BLOCK;
            System.arraycopy(x, xb + 4, sc, 0, 12);
            double d = GgmlBlocks.getHalf(x, xb);
            double dmin = GgmlBlocks.getHalf(x, xb + 2);
            double d8 = Q8_K.scale(y, yb);
            for (int i = 0; i < 256; i++) {
                int j = i / 32;
                int byteAt = xb + 16 + 32 * (j / 2) + i % 32;
                int q4 = (j & 1) == 0 ? x[byteAt] & 0xF : (x[byteAt] & 0xFF) >>> 4;
                double w = d * Q4_K.scale(sc, j) * q4 - dmin * Q4_K.min(sc, j);
                s += w * d8 * y[yb + 4 + i];
            }
        }
        return s;
    }

    @Property(tries = 40)
    void dotIsTheDefinitionToFloatRounding(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int blocks) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 256 * blocks;
        float[] w = GgufSamples.gaussian(r, n);
        float[] a = GgufSamples.gaussian(r, n);
        byte[] x = Q4_K.quantize(w);
        byte[] y = Q8_K.quantize(a);
        double expected = definition(x, y, n);
        double magnitude = 0;
        float[] wd = Q4_K.dequantize(x, n);
        float[] ad = Q8_K.dequantize(y, n);
        for (int i = 0; i < n; i++) {
            magnitude += Math.abs((double) wd[i] * ad[i]);
        }
        float got = GgmlDot.dotQ4_KQ8_K(x, 0, y, 0, n);
        assertEquals(expected, got, 1e-5 * magnitude + 1e-6, "Q4_K · Q8_K");
    }

    @Test
    void closeToTheFloatDotAndOffsetsWork() {
        SplittableRandom r = new SplittableRandom(77);
        int n = 1024;
        double errSq = 0;
        double refSq = 0;
        for (int row = 0; row < 20; row++) {
            float[] w = GgufSamples.gaussian(r, n);
            float[] a = GgufSamples.gaussian(r, n);
            double exact = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) w[i] * a[i];
            }
            byte[] x = Q4_K.quantize(w);
            byte[] y = Q8_K.quantize(a);
            float got = GgmlDot.dotQ4_KQ8_K(x, 0, y, 0, n);
            errSq += (got - exact) * (got - exact);
            refSq += exact * exact;
            // The same blocks at other offsets give the same bits.
            byte[] x2 = new byte[x.length + 5];
            byte[] y2 = new byte[y.length + 3];
            System.arraycopy(x, 0, x2, 5, x.length);
            System.arraycopy(y, 0, y2, 3, y.length);
            assertEquals(got, GgmlDot.dotQ4_KQ8_K(x2, 5, y2, 3, n), 0f);
        }
        // 4.5-bit weights: the dot's error is a few percent of its typical size (√n for unit Gaussians).
        assertTrue(Math.sqrt(errSq / refSq) < 0.15, "relative RMS error " + Math.sqrt(errSq / refSq));
    }

    @Test
    void zeroActivationsGiveZeroAndBadArgumentsAreRejected() {
        byte[] x = Q4_K.quantize(GgufSamples.gaussian(new SplittableRandom(1), 256));
        byte[] y = Q8_K.quantize(new float[256]);
        assertArrayEquals(new byte[292], y);
        assertEquals(0f, GgmlDot.dotQ4_KQ8_K(x, 0, y, 0, 256));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GgmlDot.dotQ4_KQ8_K(x, 0, y, 0, 128));
        assertTrue(e.getMessage().contains("256") && e.getMessage().contains("128"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GgmlDot.dotQ4_KQ8_K(x, 1, y, 0, 256));
        assertTrue(e.getMessage().contains("144") && e.getMessage().contains("offset 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Q8_K.quantize(new float[100]));
    }
}
