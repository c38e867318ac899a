package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Warm kernels allocate nothing per call that grows with the problem: {@code dot} allocates nothing at all, and
 * SGEMM's packing panels and edge tiles are per-thread scratch, so a call allocates only a few fixed objects (its
 * lambda) whatever its shape. Callers such as the tiled attention kernels rely on this to keep their own allocation
 * linear in the sequence length.
 */
class KernelAllocationTest {
    private static final com.sun.management.ThreadMXBean BEAN =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void warmDotAllocatesNothing() {
        if (!BEAN.isThreadAllocatedMemorySupported()) {
            return; // nothing to measure on this JVM
        }
        float[] a = random(128, 1);
        float[] b = random(128, 2);
        float sink = 0;
        long best = Long.MAX_VALUE;
        // Minimum over rounds: early rounds also count code that the JIT has not compiled yet.
        for (int round = 0; round < 30 && best > 0; round++) {
            long before = BEAN.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 20_000; i++) {
                sink += Kernels.dot(a, i & 7, b, 0, 64 + (i & 31));
            }
            best = Math.min(
                    best, BEAN.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        assertTrue(Float.isFinite(sink));
        assertTrue(best < 20_000, "20 000 warm dot calls allocated " + best + " bytes");
    }

    @Test
    void warmSgemmAllocationDoesNotGrowWithTheShape() {
        if (!BEAN.isThreadAllocatedMemorySupported()) {
            return;
        }
        long small = perCall(13, 37, 70);
        long large = perCall(203, 517, 300);
        // Fresh panels would be KC·NC·4 = 512 KiB for the large shape alone.
        assertTrue(large < 4096, "a warm 203×517×300 sgemm allocated " + large + " bytes");
        assertTrue(large <= small + 1024, "allocation grew with the shape: " + small + " → " + large + " bytes");
    }

    private static long perCall(int m, int n, int k) {
        float[] a = random(m * k, 3);
        float[] b = random(k * n, 4);
        float[] c = new float[m * n];
        return Parallel.withParallelism(1, () -> {
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 40; round++) {
                long before =
                        BEAN.getThreadAllocatedBytes(Thread.currentThread().getId());
                Kernels.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
                best = Math.min(
                        best,
                        BEAN.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
            }
            return best;
        });
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
