package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parallel;

/** The quantized matrix-vector product: per-row dots, thread-count independence, closeness to the float product. */
class GgmlMatVecTest {

    @Test
    void rowsAreBlockDotsAndCloseToTheFloatProduct() {
        int rows = 67;
        int cols = 256;
        SplittableRandom r = new SplittableRandom(5);
        float[] w = new float[rows * cols];
        float[] x = new float[cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextGaussian();
        }
        double[] exact = new double[rows];
        float[] yExact = new float[rows];
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            java.util.Arrays.fill(exact, 0);
            byte[] wq = new byte[(int) t.bytes(w.length)];
            t.quantize(w, 0, w.length, wq, 0);
            float[] y = GgmlMatVec.multiplyReference(t, wq, rows, cols, x);
            float[] single = Parallel.withParallelism(1, () -> GgmlMatVec.multiplyReference(t, wq, rows, cols, x));
            assertArrayEquals(single, y, "independent of the thread count");
            float[] fast = GgmlMatVec.multiply(t, wq, rows, cols, x);
            float[] fastSingle = Parallel.withParallelism(1, () -> GgmlMatVec.multiply(t, wq, rows, cols, x));
            // Same code for every row whatever the thread count; compared within 1e-6, not bit for bit, because on JDK
            // 25
            // a Vector API lane reduction may add in another order after JIT compilation, between two calls.
            assertArrayEquals(fastSingle, fast, 1e-6f, "fast path independent of the thread count");
            float[] viaQuantized = new float[rows];
            GgmlMatVec.multiplyQuantized(t, wq, rows, cols, GgmlDot.quantizeActivations(x), viaQuantized);
            assertArrayEquals(fast, viaQuantized, 1e-6f, "pre-quantized activations give the same product");
            byte[] xq = GgmlDot.quantizeActivations(x);
            int rb = (int) t.bytes(cols);
            for (int i = 0; i < rows; i++) {
                float expected = t == GgmlType.Q8_0
                        ? GgmlDot.dotQ8_0(wq, i * rb, xq, 0, cols)
                        : GgmlDot.dotQ4_0Q8_0(wq, i * rb, xq, 0, cols);
                assertEquals(expected, y[i], 0f);
                assertEquals(expected, t.dot(wq, i * rb, xq, 0, cols), 0f, "GgmlType.dot");
                assertEquals(expected, fast[i], 1e-5f * (1 + Math.abs(expected)), t + " fast row " + i);
                // Against the product of the dequantized weights the only error left is the activations' Q8_0
                // rounding (≤ half a step of max|x| / 127 per element).
                float[] wDeq = new float[cols];
                t.dequantize(wq, i * rb, cols, wDeq, 0);
                double withDequantized = 0;
                for (int j = 0; j < cols; j++) {
                    withDequantized += (double) wDeq[j] * x[j];
                    exact[i] += (double) w[i * cols + j] * x[j];
                }
                assertEquals(withDequantized, y[i], 0.03, t + " row " + i);
                yExact[i] = (float) exact[i];
            }
            double cosine = QuantError.of(yExact, y).cosine();
            assertTrue(cosine > (t == GgmlType.Q8_0 ? 0.999 : 0.98), t + " cosine with the float product " + cosine);
        }
    }

    @Test
    void badArguments() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> GgmlMatVec.multiply(GgmlType.Q6_K, new byte[210], 1, 256, new float[256]));
        assertTrue(e.getMessage().contains("Q6_K"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> GgmlMatVec.multiply(GgmlType.Q4_K, new byte[72], 1, 128, new float[128]));
        assertTrue(e.getMessage().contains("256") && e.getMessage().contains("128"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GgmlMatVec.Activations(48));
        assertTrue(e.getMessage().contains("cols") && e.getMessage().contains("48"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> GgmlMatVec.multiply(
                        GgmlType.Q8_0, new byte[34], 1, 32, new GgmlMatVec.Activations(64), new float[1]));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        assertThrows(
                IllegalStateException.class,
                () -> GgmlMatVec.multiply(
                        GgmlType.Q8_0, new byte[34], 1, 32, new GgmlMatVec.Activations(32), new float[1]));
        e = assertThrows(
                IllegalArgumentException.class, () -> GgmlType.Q6_K.dot(new byte[210], 0, new byte[272], 0, 256));
        assertTrue(e.getMessage().contains("Q6_K"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> GgmlMatVec.multiply(GgmlType.Q8_0, new byte[34], 2, 32, new float[32]));
        assertTrue(e.getMessage().contains("68") && e.getMessage().contains("34"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> GgmlMatVec.multiply(GgmlType.Q8_0, new byte[34], 1, 32, new float[31]));
    }
}
