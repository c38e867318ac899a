package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/** The W8A8 matrix-vector product: definition, SIMD == scalar bit for bit, closeness to the float product. */
class Int8MatVecTest {

    @Test
    void matchesTheDefinitionAndTheFloatProduct() {
        int rows = 37;
        int cols = 200;
        SplittableRandom r = new SplittableRandom(8);
        float[] w = GgufSamples.gaussian(r, rows * cols);
        float[] x = GgufSamples.gaussian(r, cols);
        QuantizedTensor q = LinearQuantizer.builder()
                .bits(8)
                .symmetric(true)
                .signed(true)
                .perChannel()
                .build()
                .quantize(Tensor.of(w, rows, cols));
        float[] y = Int8MatVec.multiply(q, x);
        float[] ref = Int8MatVec.multiplyReference(q.codes(), q.scales(), rows, cols, x);
        assertArrayEquals(ref, y, "exact integer sums: SIMD and scalar agree bit for bit");
        assertArrayEquals(y, Parallel.withParallelism(1, () -> Int8MatVec.multiply(q, x)), "thread count");
        byte[] xq = new byte[cols];
        float sx = Int8MatVec.quantizeActivations(x, xq);
        float amax = 0;
        for (float v : x) {
            amax = Math.max(amax, Math.abs(v));
        }
        assertEquals(amax / 127f, sx);
        float[] exact = new float[rows];
        for (int i = 0; i < rows; i++) {
            long sumi = 0;
            double full = 0;
            for (int j = 0; j < cols; j++) {
                assertEquals(Math.rint(x[j] / (double) sx), xq[j], 1.0, "code " + j);
                sumi += (long) q.codes()[i * cols + j] * xq[j];
                full += (double) w[i * cols + j] * x[j];
            }
            assertEquals((q.scales()[i] * sx) * (float) sumi, y[i], 0f, "row " + i);
            exact[i] = (float) full;
        }
        assertTrue(QuantError.of(exact, y).cosine() > 0.999, "close to the float product");
        // An all-zero input gives a zero scale and a zero output, not NaN.
        assertArrayEquals(new float[rows], Int8MatVec.multiply(q, new float[cols]));
    }

    @Test
    void badArguments() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Int8MatVec.multiply(new byte[6], new float[2], 2, 4, new float[4]));
        assertTrue(e.getMessage().contains("codes") && e.getMessage().contains("8"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Int8MatVec.multiply(new byte[8], new float[3], 2, 4, new float[4]));
        assertTrue(e.getMessage().contains("scales.length") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Int8MatVec.multiply(new byte[8], new float[2], 2, 4, new float[5]));
        assertTrue(e.getMessage().contains("x.length") && e.getMessage().contains("5"), e.getMessage());
        QuantizedTensor int4 = LinearQuantizer.builder()
                .bits(4)
                .symmetric(true)
                .signed(true)
                .perChannel()
                .build()
                .quantize(Tensor.zeros(2, 4));
        e = assertThrows(IllegalArgumentException.class, () -> Int8MatVec.multiply(int4, new float[4]));
        assertTrue(e.getMessage().contains("8-bit") && e.getMessage().contains("4 bits"), e.getMessage());
    }
}
