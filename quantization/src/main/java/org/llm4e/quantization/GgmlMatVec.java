package org.llm4e.quantization;

import org.llm4e.core.Parallel;
import org.llm4e.core.Simd;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.ScalarGgmlDotKernels;

/**
 * Matrix-vector product y = W x with W stored row by row in {@link Q8_0} or {@link Q4_0} blocks, as ggml's CPU backend
 * computes a quantized linear layer.
 *
 * <pre>
 *   x_q = Q8_0(x)                        (the activation side, quantized once per product, as ggml does)
 *   y[r] = dot(W row r, x_q)             ({@link GgmlDot#dotQ8_0} or {@link GgmlDot#dotQ4_0Q8_0})
 * </pre>
 *
 * <p>Rows are independent, so they are split over the library thread pool ({@link Parallel#forRange}); each row's
 * dot product runs in a fixed order, so the result does not depend on the thread count. Each weight byte is read
 * once: 4.5 (Q4_0) or 8.5 (Q8_0) bits per weight instead of 32, which is what makes quantized inference faster on a
 * memory-bound CPU.
 *
 * <p>Two paths. {@link #multiplyReference} is the readable reference: {@link GgmlDot}'s scalar loops, bit-exact to
 * ggml's generic kernels. {@link #multiply} runs the kernels {@link Simd#load} chose once per JVM: with
 * {@code --add-modules jdk.incubator.vector}, llama3.java's scheme (one scale per block, widen, accumulate, one
 * reduction; see {@code internal.simd.PanamaGgmlDotKernels}), whose integer sums are exact but whose float sums run
 * in another order, so it agrees with the reference to float rounding; without the module, the reference itself.
 */
public final class GgmlMatVec {
    private static final GgmlDotKernels KERNELS = Simd.load(
            GgmlDotKernels.class,
            "org.llm4e.quantization.internal.simd.PanamaGgmlDotKernels",
            new ScalarGgmlDotKernels());
    /** Rows per task: a 4096-column Q4_0 row is 2.3 KB, so a task streams at least 37 KB. */
    private static final int GRAIN = 16;

    private GgmlMatVec() {}

    /**
     * Computes {@code W x} with the fastest kernels this JVM has.
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
        checkX(x, cols);
        checkW(type, w, rows, cols);
        float[] y = new float[rows];
        run(KERNELS, type, w, rows, cols, GgmlDot.quantizeActivations(x), y);
        return y;
    }

    /**
     * Computes {@code y = W x_q} for activations already quantized to Q8_0 (as a layer that feeds one quantized
     * input to several matrices does), with the fastest kernels this JVM has, writing into {@code y}.
     *
     * @param type {@link GgmlType#Q8_0} or {@link GgmlType#Q4_0}
     * @param w the weight rows, {@code rows · type.bytes(cols)} bytes, row-major
     * @param rows number of rows (outputs)
     * @param cols number of columns (inputs), a multiple of 32
     * @param xq the input vector as Q8_0 blocks ({@link GgmlDot#quantizeActivations}), cols / 32 · 34 bytes
     * @param y the output, at least rows long
     * @throws IllegalArgumentException for another type or sizes that do not match
     */
    public static void multiplyQuantized(GgmlType type, byte[] w, int rows, int cols, byte[] xq, float[] y) {
        checkW(type, w, rows, cols);
        if (xq.length != GgmlType.Q8_0.bytes(cols)) {
            throw new IllegalArgumentException("xq must hold " + GgmlType.Q8_0.bytes(cols)
                    + " bytes of Q8_0 blocks for " + cols + " columns, got " + xq.length);
        }
        if (y.length < rows) {
            throw new IllegalArgumentException("y must hold at least rows = " + rows + " values, got " + y.length);
        }
        run(KERNELS, type, w, rows, cols, xq, y);
    }

    /**
     * Computes {@code W x} with the scalar reference kernels ({@link GgmlDot}), bit-exact to ggml's generic CPU code.
     *
     * @param type {@link GgmlType#Q8_0} or {@link GgmlType#Q4_0}
     * @param w the weight rows, {@code rows · type.bytes(cols)} bytes, row-major
     * @param rows number of rows (outputs)
     * @param cols number of columns (inputs), a multiple of 32
     * @param x the input vector, length cols
     * @return the output vector, length rows
     * @throws IllegalArgumentException for another type, sizes that do not match or cols not a multiple of 32
     */
    public static float[] multiplyReference(GgmlType type, byte[] w, int rows, int cols, float[] x) {
        checkX(x, cols);
        checkW(type, w, rows, cols);
        float[] y = new float[rows];
        run(new ScalarGgmlDotKernels(), type, w, rows, cols, GgmlDot.quantizeActivations(x), y);
        return y;
    }

    /**
     * The name of the kernels {@link #multiply} uses on this JVM.
     *
     * @return the simple class name of the chosen implementation
     */
    public static String kernels() {
        return KERNELS.getClass().getSimpleName();
    }

    /** Runs a row range with given kernels; package-private so tests can compare implementations. */
    static void run(GgmlDotKernels k, GgmlType type, byte[] w, int rows, int cols, byte[] xq, float[] y) {
        int rb = (int) type.bytes(cols);
        int blocks = cols / 32;
        boolean q8 = type == GgmlType.Q8_0;
        Parallel.forRange(0, rows, GRAIN, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                y[r] = q8 ? k.dotQ8_0(w, r * rb, xq, 0, blocks) : k.dotQ4_0Q8_0(w, r * rb, xq, 0, blocks);
            }
        });
    }

    private static void checkX(float[] x, int cols) {
        if (x.length != cols) {
            throw new IllegalArgumentException("x.length must equal cols " + cols + ", got " + x.length);
        }
    }

    private static void checkW(GgmlType type, byte[] w, int rows, int cols) {
        if (type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("type must be Q8_0 or Q4_0, got " + type);
        }
        if (cols < 0 || cols % 32 != 0) {
            throw new IllegalArgumentException("cols must be a non-negative multiple of 32, got " + cols);
        }
        long rowBytes = type.bytes(cols);
        if (rows < 0 || rowBytes * rows != w.length) {
            throw new IllegalArgumentException("w must hold " + rows + " rows of " + rowBytes + " bytes ("
                    + rowBytes * Math.max(rows, 0) + "), got " + w.length);
        }
    }
}
