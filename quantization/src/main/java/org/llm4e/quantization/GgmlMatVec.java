package org.llm4e.quantization;

import org.llm4e.core.Parallel;
import org.llm4e.core.Simd;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.QuantizedActivations;
import org.llm4e.quantization.internal.ScalarGgmlDotKernels;

/**
 * Matrix-vector product y = W x with W stored row by row in {@link Q8_0}, {@link Q4_0} or {@link Q4_K} blocks, as
 * ggml's CPU backend computes a quantized linear layer.
 *
 * <pre>
 *   x_q = Q8_0(x)   (Q8_K(x) for Q4_K)   the activation side, quantized once per product, as ggml does
 *   y[r] = dot(W row r, x_q)             {@link GgmlDot#dotQ8_0}, {@link GgmlDot#dotQ4_0Q8_0}, {@link GgmlDot#dotQ4_KQ8_K}
 * </pre>
 *
 * <p>Rows are independent, so they are split over the library thread pool ({@link Parallel#forRange}); within a
 * thread, row r runs in one pass with row r + half of the thread's range: two memory streams at once (measured here:
 * one sequential stream per core leaves memory bandwidth unused, the hardware prefetchers follow several), and one
 * load of each activation chunk serves both rows. Each row's dot product runs the same code in a fixed order, so the
 * result does not depend on the thread count or the pairing (on JDK 25 the final lane reduction of a row may add in
 * another order before and after JIT compilation, a last-bit difference between calls). Each weight byte is read once: 4.5 (Q4_0, Q4_K) or 8.5 (Q8_0) bits per
 * weight instead of 32, which is what makes quantized inference faster on a memory-bound CPU, provided the per-block
 * arithmetic keeps up with memory (a 4096-wide Q4_0 row is 128 blocks of 18 bytes: at 20 GB/s a core has under 2 ns
 * per block). For Q4_0 it barely does row by row; {@link RepackedQ4_0} is the layout that keeps up, as in ggml.
 *
 * <p>Two paths. {@link #multiplyReference} is the readable reference: {@link GgmlDot}'s scalar loops, bit-exact to
 * ggml's generic kernels. {@link #multiply} runs the kernels {@link Simd#load} chose once per JVM: with
 * {@code --add-modules jdk.incubator.vector}, llama3.java's scheme (one scale per block, widen, accumulate, one
 * reduction; see {@code internal.simd.PanamaGgmlDotKernels}); without the module, the reference itself. The fast path
 * decodes the activations once per product ({@link Activations}: codes widened to 16 bits, scales as floats) instead of
 * once per row; its integer sums are exact but its float sums run in another order, so it agrees with the reference to
 * float rounding. {@link #multiply(GgmlType, byte[], int, int, Activations, float[])} with a reused {@link Activations}
 * and output allocates nothing.
 */
public final class GgmlMatVec {
    static final GgmlDotKernels KERNELS = Simd.load(
            GgmlDotKernels.class,
            "org.llm4e.quantization.internal.simd.PanamaGgmlDotKernels",
            new ScalarGgmlDotKernels());
    static final GgmlDotKernels SCALAR = new ScalarGgmlDotKernels();
    /** Rows per task: a 4096-column Q4_0 row is 2.3 KB, so a task streams at least 37 KB. */
    private static final int GRAIN = 16;

    private GgmlMatVec() {}

    /**
     * Activations quantized for the products, reusable: {@link #set} quantizes a vector into buffers kept between
     * calls (Q8_0 always, Q8_K on first use by a Q4_K product), so a decoding loop that feeds one vector to several
     * matrices quantizes it once, and refilling allocates nothing. Mutable and not thread-safe; a product only reads
     * it.
     */
    public static final class Activations {
        private final int cols;
        private final float[] x;
        private final QuantizedActivations q = new QuantizedActivations();
        private boolean set;
        private boolean hasQ8K;

        /**
         * Creates buffers for vectors of {@code cols} values.
         *
         * @param cols the vector length, a non-negative multiple of 32
         * @throws IllegalArgumentException if cols is not a non-negative multiple of 32
         */
        public Activations(int cols) {
            if (cols < 0 || cols % 32 != 0) {
                throw new IllegalArgumentException("cols must be a non-negative multiple of 32, got " + cols);
            }
            this.cols = cols;
            this.x = new float[cols];
            q.q8_0Buffer(cols / 32);
        }

        /**
         * Quantizes a vector to Q8_0 ({@link GgmlDot#quantizeActivations}'s bytes) into these buffers.
         *
         * @param x the activations, {@link #cols()} values
         * @return this
         * @throws IllegalArgumentException if the length differs
         */
        public Activations set(float[] x) {
            if (x.length != cols) {
                throw new IllegalArgumentException("x.length must equal cols " + cols + ", got " + x.length);
            }
            System.arraycopy(x, 0, this.x, 0, cols);
            Q8_0.quantize(x, 0, cols, q.q8_0Buffer(cols / 32), 0);
            q.decodeQ8_0();
            set = true;
            hasQ8K = false;
            return this;
        }

        /**
         * The vector length.
         *
         * @return cols
         */
        public int cols() {
            return cols;
        }

        /**
         * A copy of the Q8_0 blocks of the current vector.
         *
         * @return {@code cols / 32 · 34} bytes
         * @throws IllegalStateException if no vector was set
         */
        public byte[] q8_0() {
            return java.util.Arrays.copyOf(prepared(GgmlType.Q8_0).q8_0, cols / 32 * 34);
        }

        QuantizedActivations prepared(GgmlType type) {
            if (!set) {
                throw new IllegalStateException("no activations set: call set(x) first");
            }
            if (type == GgmlType.Q4_K && !hasQ8K) {
                Q8_K.quantize(x, 0, cols, q.q8_KBuffer(cols / 256), 0);
                q.decodeQ8_K();
                hasQ8K = true;
            }
            return q;
        }

        static Activations ofQ8_0(byte[] xq, int cols) {
            Activations a = new Activations(cols);
            a.q.setQ8_0(xq, 0, cols / 32);
            a.set = true;
            return a;
        }
    }

    /**
     * Computes {@code W x} with the fastest kernels this JVM has.
     *
     * @param type {@link GgmlType#Q8_0}, {@link GgmlType#Q4_0} or {@link GgmlType#Q4_K}
     * @param w the weight rows, {@code rows · type.bytes(cols)} bytes, row-major
     * @param rows number of rows (outputs)
     * @param cols number of columns (inputs), a multiple of 32 (of 256 for Q4_K)
     * @param x the input vector, length cols
     * @return the output vector, length rows
     * @throws IllegalArgumentException for another type, sizes that do not match or cols not a multiple of the block
     */
    public static float[] multiply(GgmlType type, byte[] w, int rows, int cols, float[] x) {
        checkX(x, cols);
        checkW(type, w, rows, cols);
        float[] y = new float[rows];
        run(KERNELS, type, w, rows, new Activations(cols).set(x), y);
        return y;
    }

    /**
     * Computes {@code y = W x} for prepared activations, with the fastest kernels this JVM has, writing into {@code y}
     * and allocating nothing (once {@code x} has quantized for this type).
     *
     * @param type {@link GgmlType#Q8_0}, {@link GgmlType#Q4_0} or {@link GgmlType#Q4_K}
     * @param w the weight rows, {@code rows · type.bytes(cols)} bytes, row-major
     * @param rows number of rows (outputs)
     * @param cols number of columns (inputs), a multiple of 32 (of 256 for Q4_K)
     * @param x the activations, set to a vector of cols values
     * @param y the output, at least rows long
     * @throws IllegalArgumentException for another type or sizes that do not match
     * @throws IllegalStateException if no vector was set in x
     */
    public static void multiply(GgmlType type, byte[] w, int rows, int cols, Activations x, float[] y) {
        checkW(type, w, rows, cols);
        if (x.cols() != cols) {
            throw new IllegalArgumentException("x must hold cols = " + cols + " activations, got " + x.cols());
        }
        checkY(y, rows);
        run(KERNELS, type, w, rows, x, y);
    }

    /**
     * Computes {@code y = W x_q} for activations already quantized to Q8_0 (as a layer that feeds one quantized
     * input to several matrices does), with the fastest kernels this JVM has, writing into {@code y}. Decodes the
     * blocks into a temporary {@link Activations}; reuse one with
     * {@link #multiply(GgmlType, byte[], int, int, Activations, float[])} to allocate nothing.
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
        if (type == GgmlType.Q4_K) {
            throw new IllegalArgumentException("type must be Q8_0 or Q4_0 for Q8_0 activations, got " + type);
        }
        checkW(type, w, rows, cols);
        if (xq.length != GgmlType.Q8_0.bytes(cols)) {
            throw new IllegalArgumentException("xq must hold " + GgmlType.Q8_0.bytes(cols)
                    + " bytes of Q8_0 blocks for " + cols + " columns, got " + xq.length);
        }
        checkY(y, rows);
        if (cols == 0) {
            return;
        }
        run(KERNELS, type, w, rows, Activations.ofQ8_0(xq, cols), y);
    }

    /**
     * Computes {@code W x} with the scalar reference kernels ({@link GgmlDot}), bit-exact to ggml's generic CPU code.
     *
     * @param type {@link GgmlType#Q8_0}, {@link GgmlType#Q4_0} or {@link GgmlType#Q4_K}
     * @param w the weight rows, {@code rows · type.bytes(cols)} bytes, row-major
     * @param rows number of rows (outputs)
     * @param cols number of columns (inputs), a multiple of 32 (of 256 for Q4_K)
     * @param x the input vector, length cols
     * @return the output vector, length rows
     * @throws IllegalArgumentException for another type, sizes that do not match or cols not a multiple of the block
     */
    public static float[] multiplyReference(GgmlType type, byte[] w, int rows, int cols, float[] x) {
        checkX(x, cols);
        checkW(type, w, rows, cols);
        float[] y = new float[rows];
        run(SCALAR, type, w, rows, new Activations(cols).set(x), y);
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

    /** Runs the rows with given kernels; package-private so tests can compare implementations. */
    static void run(GgmlDotKernels k, GgmlType type, byte[] w, int rows, Activations x, float[] y) {
        if (x.cols() == 0 || rows == 0) {
            return;
        }
        int rb = (int) type.bytes(x.cols());
        QuantizedActivations a = x.prepared(type);
        if (type == GgmlType.Q4_K) {
            Parallel.forRange(0, rows, GRAIN, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    y[r] = k.rowQ4_K(w, r * rb, a);
                }
            });
            return;
        }
        boolean q8 = type == GgmlType.Q8_0;
        Parallel.forRange(0, rows, GRAIN, (lo, hi) -> {
            // Row r runs beside row r + half: two memory streams per thread, one activation load for both rows.
            int half = (hi - lo + 1) / 2;
            for (int r = lo; r < lo + half; r++) {
                int s = r + half < hi ? r + half : r; // an odd count leaves the last row of the first half alone
                if (q8) {
                    k.rowsQ8_0(w, r * rb, s * rb, a, y, r, s);
                } else {
                    k.rowsQ4_0(w, r * rb, s * rb, a, y, r, s);
                }
            }
        });
    }

    private static void checkX(float[] x, int cols) {
        if (x.length != cols) {
            throw new IllegalArgumentException("x.length must equal cols " + cols + ", got " + x.length);
        }
    }

    private static void checkY(float[] y, int rows) {
        if (y.length < rows) {
            throw new IllegalArgumentException("y must hold at least rows = " + rows + " values, got " + y.length);
        }
    }

    private static void checkW(GgmlType type, byte[] w, int rows, int cols) {
        if (type != GgmlType.Q8_0 && type != GgmlType.Q4_0 && type != GgmlType.Q4_K) {
            throw new IllegalArgumentException("type must be Q8_0, Q4_0 or Q4_K, got " + type);
        }
        int block = type == GgmlType.Q4_K ? 256 : 32;
        if (cols < 0 || cols % block != 0) {
            throw new IllegalArgumentException(
                    "cols must be a non-negative multiple of " + block + " for " + type + ", got " + cols);
        }
        long rowBytes = type.bytes(cols);
        if (rows < 0 || rowBytes * rows != w.length) {
            throw new IllegalArgumentException("w must hold " + rows + " rows of " + rowBytes + " bytes ("
                    + rowBytes * Math.max(rows, 0) + "), got " + w.length);
        }
    }
}
