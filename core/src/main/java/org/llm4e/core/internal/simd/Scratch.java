package org.llm4e.core.internal.simd;

/**
 * Per-thread scratch arrays for the Vector API kernels, so that a warm kernel allocates nothing per call (packing
 * panels, edge tiles, gathered rows). Each buffer belongs to one thread and one use; the kernels never call
 * themselves re-entrantly on the same thread (the library pool runs nested calls single-threaded, one after the
 * other), so a thread never uses the same buffer twice at once. Contents are stale between calls: every kernel
 * writes each element it reads. A buffer only grows, to the largest size its thread has needed (for SGEMM at most
 * {@code KC·NC + KC·MC} floats, about 600 KiB per thread).
 */
final class Scratch {
    private final ThreadLocal<float[]> buffers = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * A float array of at least {@code n} elements owned by the calling thread.
     *
     * @param n the needed length
     * @return the thread's buffer, grown when too short
     */
    float[] floats(int n) {
        float[] b = buffers.get();
        if (b.length < n) {
            b = new float[n];
            buffers.set(b);
        }
        return b;
    }
}
