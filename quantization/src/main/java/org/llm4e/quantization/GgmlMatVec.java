package org.llm4e.quantization;

import org.llm4e.core.Parallel;

/**
 * Matrix-vector product y = W x with W stored row by row in {@link Q8_0} or {@link Q4_0} blocks: the scalar reference
 * of a quantized linear layer as ggml's CPU backend computes it.
 *
 * <pre>
 *   x_q = Q8_0(x)                        (the activation side, quantized once per product, as ggml does)
 *   y[r] = dot(W row r, x_q)             ({@link GgmlDot#dotQ8_0} or {@link GgmlDot#dotQ4_0Q8_0})
 * </pre>
 *
 * <p>Rows are independent, so they are split over the library thread pool ({@link Parallel#forRange}); each row's
 * dot product runs in a fixed order, so the result does not depend on the thread count. Each weight byte is read
 * once: 4.5 (Q4_0) or 8.5 (Q8_0) bits per weight instead of 32, which is what makes quantized inference faster on a
 * memory-bound CPU. This is the readable reference; a SIMD path is future work.
 */
public final class GgmlMatVec {
    private GgmlMatVec() {}

    /**
     * Computes {@code W x}.
     *
     * @param type {@link GgmlType#Q8_0} or {@link GgmlType#Q4_0}
     * @param w the weight rows, {@code rows · type.bytes(cols)} bytes, row-major
     * @param rows number of rows (outputs)
     * @param cols number of columns (inputs), a multiple of 32
     * @param x the input vector, length cols
     * @return the output vector, length rows
     * @throws IllegalArgumentException for another type, sizes that do not match or cols not a multiple of 32
     */
    public static float[] multiply(GgmlType type, byte[] w, int rows, int cols, float[] x) {
        if (type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("type must be Q8_0 or Q4_0, got " + type);
        }
        if (x.length != cols) {
            throw new IllegalArgumentException("x.length must equal cols " + cols + ", got " + x.length);
        }
        long rowBytes = type.bytes(cols);
        if (rows < 0 || rowBytes * rows != w.length) {
            throw new IllegalArgumentException("w must hold " + rows + " rows of " + rowBytes + " bytes ("
                    + rowBytes * Math.max(rows, 0) + "), got " + w.length);
        }
        byte[] xq = GgmlDot.quantizeActivations(x);
        float[] y = new float[rows];
        int rb = (int) rowBytes;
        Parallel.forRange(0, rows, 16, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                y[r] = type == GgmlType.Q8_0
                        ? GgmlDot.dotQ8_0(w, r * rb, xq, 0, cols)
                        : GgmlDot.dotQ4_0Q8_0(w, r * rb, xq, 0, cols);
            }
        });
        return y;
    }
}
