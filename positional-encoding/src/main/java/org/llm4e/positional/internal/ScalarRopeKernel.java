package org.llm4e.positional.internal;

/** The scalar RoPE inner loop: plain Java, always available, the reference the SIMD kernel is tested against. */
public final class ScalarRopeKernel implements RopeKernel {
    /** The shared instance (the kernel is stateless). */
    public static final ScalarRopeKernel INSTANCE = new ScalarRopeKernel();

    /** Creates a kernel; prefer {@link #INSTANCE}. */
    public ScalarRopeKernel() {}

    @Override
    public void rotate(
            float[] src,
            int srcOff,
            float[] dst,
            int dstOff,
            int half,
            boolean interleaved,
            float[] cos,
            float[] sin,
            int csOff,
            boolean inverse) {
        for (int j = 0; j < half; j++) {
            int ia = interleaved ? 2 * j : j;
            int ib = interleaved ? 2 * j + 1 : j + half;
            float a = src[srcOff + ia];
            float b = src[srcOff + ib];
            float c = cos[csOff + j];
            float s = inverse ? -sin[csOff + j] : sin[csOff + j];
            dst[dstOff + ia] = a * c - b * s;
            dst[dstOff + ib] = a * s + b * c;
        }
    }
}
