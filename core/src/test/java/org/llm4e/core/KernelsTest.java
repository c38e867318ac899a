package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The checked front door: agreement with EJML, Tensor sugar, and clear errors for bad arguments. */
class KernelsTest {

    @Property(tries = 60)
    void sgemmEqualsEjml(
            @ForAll @IntRange(min = 1, max = 300) int m,
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 1, max = 300) int k,
            @ForAll boolean transA,
            @ForAll boolean transB,
            @ForAll long seed) {
        Tensor a = Tensor.randn(seed, transA ? k : m, transA ? m : k);
        Tensor b = Tensor.randn(seed + 1, transB ? n : k, transB ? k : n);
        FMatrixRMaj ea = new FMatrixRMaj(a.dim(0), a.dim(1), true, a.data());
        FMatrixRMaj eb = new FMatrixRMaj(b.dim(0), b.dim(1), true, b.data());
        FMatrixRMaj ec = new FMatrixRMaj(m, n);
        if (transA && transB) {
            CommonOps_FDRM.multTransAB(ea, eb, ec);
        } else if (transA) {
            CommonOps_FDRM.multTransA(ea, eb, ec);
        } else if (transB) {
            CommonOps_FDRM.multTransB(ea, eb, ec);
        } else {
            CommonOps_FDRM.mult(ea, eb, ec);
        }
        Tensor c = Kernels.matmul(a, transA, b, transB);
        assertArrayEquals(new int[] {m, n}, c.shape());
        // both sum k products of standard normals in float32: agree to a few ulps of √k
        Asserts.assertClose(ec.data, c.data(), 1e-4, 2e-5 * Math.sqrt(k), "m=" + m + " n=" + n + " k=" + k);
    }

    @Test
    void sliceOfALargerMatrix() {
        // C[1:3, 1:3] = A[0:2, :] · B  inside padded arrays
        float[] a = {1, 2, 3, 4, 99}; // 2×2 at offset 0, lda 2
        float[] b = {-1, 5, 6, 0, 7, 8}; // 2×2 at offset 1, ldb 3 → rows {5,6} and {7,8}
        float[] c = new float[12]; // 3×4, write at offset 5 (row 1, col 1), ldc 4
        Kernels.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 1, 3, 0f, c, 5, 4);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 19, 22, 0, 0, 43, 50, 0}, c);
    }

    @Test
    void vectorOpsThroughTheFrontDoor() {
        float[] x = {1, 2, 3, 4};
        float[] y = {1, 1, 1, 1};
        assertEquals(10f, Kernels.sum(x, 0, 4));
        assertEquals(4f, Kernels.max(x, 0, 4));
        assertEquals(9f, Kernels.dot(x, 1, y, 0, 3));
        assertEquals(30f, Kernels.dot(x, x));
        Kernels.axpy(2f, x, 0, y, 0, 4);
        assertArrayEquals(new float[] {3, 5, 7, 9}, y);
        Kernels.scale(0.5f, y, 2, 2);
        assertArrayEquals(new float[] {3, 5, 3.5f, 4.5f}, y);
        float[] e = new float[4];
        float z = Kernels.expAndSum(x, 0, e, 0, 4, 4f);
        assertEquals(1f, e[3]);
        assertEquals(Math.exp(-3) + Math.exp(-2) + Math.exp(-1) + 1, z, 1e-6);
        float[] yv = new float[2];
        Kernels.sgemv(false, 2, 2, 1f, x, 0, 2, new float[] {1, -1}, 0, 0f, yv, 0);
        assertArrayEquals(new float[] {-1, -1}, yv);
        Kernels.sgemv(true, 2, 2, 1f, x, 0, 2, new float[] {1, -1}, 0, 0f, yv, 0);
        assertArrayEquals(new float[] {-2, -2}, yv);
    }

    @Test
    void badSizesAndOffsetsAreNamed() {
        float[] a = new float[6];
        expect(
                () -> Kernels.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, a, 0, 2, 0f, a, 0, 2),
                "m must be >= 0, got -1");
        expect(
                () -> Kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, a, 0, 2, 0f, a, 0, 2),
                "lda must be >= max(1, 3)");
        expect(() -> Kernels.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, a, 0, 2, 0f, a, 0, 2), "needs 7 elements");
        expect(() -> Kernels.sgemm(false, false, 2, 2, 3, 1f, a, -1, 3, a, 0, 2, 0f, a, 0, 2), "a offset");
        expect(
                () -> Kernels.sgemm(true, false, 2, 2, 3, 1f, a, 0, 1, a, 0, 2, 0f, a, 0, 2),
                "lda must be >= max(1, 2)");
        expect(
                () -> Kernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, a, 0, 2, 0f, a, 0, 1),
                "ldc must be >= max(1, 2)");
        expect(() -> Kernels.sgemm(false, false, 2, 2, 3, 1f, null, 0, 3, a, 0, 2, 0f, a, 0, 2), "a must not be null");
        expect(() -> Kernels.sgemv(false, 2, 3, 1f, a, 0, 3, a, 4, 0f, a, 0), "x slice [4, 7)");
        expect(() -> Kernels.dot(a, 0, a, 2, 5), "b slice [2, 7)");
        expect(() -> Kernels.dot(a, new float[2]), "a.length (6) must equal b.length (2)");
        expect(() -> Kernels.axpy(1f, a, 0, a, 0, -2), "x length must be >= 0, got -2");
        expect(() -> Kernels.sum(a, 7, 0), "x slice [7, 7)");
        expect(
                () -> Kernels.matmul(Tensor.zeros(2, 3), Tensor.zeros(2, 3)),
                "inner dimensions differ: a [2, 3] and b [2, 3]");
        expect(() -> Kernels.matmul(Tensor.zeros(2), Tensor.zeros(2, 3)), "rank-2");
    }

    @Test
    void emptyProblemsAreFine() {
        float[] c = {5f};
        Kernels.sgemm(false, false, 1, 1, 0, 1f, new float[0], 0, 1, new float[0], 0, 1, 2f, c, 0, 1);
        assertEquals(10f, c[0]);
        Kernels.sgemm(false, false, 0, 0, 0, 1f, new float[0], 0, 1, new float[0], 0, 1, 0f, new float[0], 0, 1);
    }

    @Test
    void providerChoiceFollowsTheJvm() {
        // surefire runs with --add-modules jdk.incubator.vector, so auto mode picks the Vector API kernels
        assertEquals(Simd.vectorModulePresent() && Simd.mode() != Simd.Mode.OFF, Kernels.vectorized());
        if (Kernels.vectorized()) {
            assertTrue(Simd.vectorBitSize() >= 128);
        }
    }

    @Test
    void simdModeRejectsUnknownValues() {
        String old = System.getProperty("llm4e.simd");
        try {
            System.setProperty("llm4e.simd", "sometimes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Simd::mode);
            assertTrue(e.getMessage().contains("auto, off or on, got sometimes"), e.getMessage());
            System.setProperty("llm4e.simd", "off");
            assertTrue(Simd.load(KernelProvider.class, "no.such.Class", new ScalarKernels()) instanceof ScalarKernels);
            System.setProperty("llm4e.simd", "on");
            assertThrows(
                    IllegalStateException.class,
                    () -> Simd.load(KernelProvider.class, "no.such.Class", new ScalarKernels()));
        } finally {
            if (old == null) {
                System.clearProperty("llm4e.simd");
            } else {
                System.setProperty("llm4e.simd", old);
            }
        }
    }

    private static void expect(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
