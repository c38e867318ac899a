package org.llm4e.core;

/**
 * Matrix multiplication, one rung at a time: the same product {@code C = A·B} computed the way a learner would first
 * write it, then with each optimisation that a fast SGEMM adds, so the tour and the benchmarks can show what each
 * step buys.
 *
 * <p>All rungs compute {@code C[i][j] = Σ_p A[i][p]·B[p][j]} for row-major, contiguous {@code A (m×k)},
 * {@code B (k×n)} and {@code C (m×n)}, overwriting C. They differ only in loop order, blocking, vectorisation and
 * threading:
 *
 * <ol>
 *   <li>{@link Rung#NAIVE_IJK}: the definition; the inner loop strides down a column of B, one cache miss per step
 *       once B outgrows the cache.
 *   <li>{@link Rung#LOOP_IKJ}: the same arithmetic reordered so the inner loop walks a row of B and a row of C
 *       contiguously; the JIT can now auto-vectorise it.
 *   <li>{@link Rung#BLOCKED_SCALAR}: the scalar reference provider on one thread (panels of B packed into cache-sized
 *       blocks).
 *   <li>{@link Rung#SIMD_UNPACKED}: the i-k-j loop with an explicit Vector API {@code axpy} per row of B, no packing.
 *   <li>{@link Rung#SIMD_PACKED}: the Vector API provider's packed, register-blocked kernel on one thread.
 *   <li>{@link Rung#SIMD_PACKED_PARALLEL}: the same on every thread of the library pool.
 * </ol>
 *
 * <p>The SIMD rungs use the provider chosen by {@link Simd}; without {@code --add-modules jdk.incubator.vector} they
 * run the scalar provider and say so through {@link Kernels#vectorized()}.
 */
public final class MatMulLadder {
    private MatMulLadder() {}

    /** The rungs, slowest first. */
    public enum Rung {
        /** Triple loop in i-j-k order. */
        NAIVE_IJK,
        /** Triple loop in i-k-j order. */
        LOOP_IKJ,
        /** Packed, blocked scalar kernel, one thread. */
        BLOCKED_SCALAR,
        /** Vector API axpy per (i, p), no packing, one thread. */
        SIMD_UNPACKED,
        /** Packed, register-blocked Vector API kernel, one thread. */
        SIMD_PACKED,
        /** Packed, register-blocked Vector API kernel on the library pool. */
        SIMD_PACKED_PARALLEL
    }

    /**
     * Computes {@code C = A·B} with the given rung.
     *
     * @param rung which implementation
     * @param m rows of A and C
     * @param n columns of B and C
     * @param k columns of A, rows of B
     * @param a A, row-major, length ≥ m·k
     * @param b B, row-major, length ≥ k·n
     * @param c C, row-major, length ≥ m·n; overwritten
     */
    public static void multiply(Rung rung, int m, int n, int k, float[] a, float[] b, float[] c) {
        Kernels.checkMatrix("a", a, 0, "k", Math.max(1, k), m, k);
        Kernels.checkMatrix("b", b, 0, "n", Math.max(1, n), k, n);
        Kernels.checkMatrix("c", c, 0, "n", Math.max(1, n), m, n);
        switch (rung) {
            case NAIVE_IJK:
                naiveIjk(m, n, k, a, b, c);
                break;
            case LOOP_IKJ:
                loopIkj(m, n, k, a, b, c);
                break;
            case BLOCKED_SCALAR:
                Parallel.withParallelism(1, () -> {
                    new ScalarKernels().sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    return null;
                });
                break;
            case SIMD_UNPACKED:
                simdUnpacked(m, n, k, a, b, c);
                break;
            case SIMD_PACKED:
                Parallel.withParallelism(1, () -> {
                    Kernels.provider().sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    return null;
                });
                break;
            case SIMD_PACKED_PARALLEL:
                Kernels.provider().sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                break;
            default:
                throw new IllegalArgumentException("unknown rung " + rung);
        }
    }

    private static void naiveIjk(int m, int n, int k, float[] a, float[] b, float[] c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = acc;
            }
        }
    }

    private static void loopIkj(int m, int n, int k, float[] a, float[] b, float[] c) {
        java.util.Arrays.fill(c, 0, m * n, 0f);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                float aip = a[i * k + p];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aip * b[p * n + j];
                }
            }
        }
    }

    private static void simdUnpacked(int m, int n, int k, float[] a, float[] b, float[] c) {
        java.util.Arrays.fill(c, 0, m * n, 0f);
        KernelProvider kernels = Kernels.provider();
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                kernels.axpy(a[i * k + p], b, p * n, c, i * n, n);
            }
        }
    }
}
