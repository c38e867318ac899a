package org.llm4e.positional.internal;

/**
 * The inner loop of the fast RoPE path: rotate one head vector with precomputed cos/sin values. Not API: the scalar
 * implementation is {@link ScalarRopeKernel}, the Vector API one lives in {@code internal.simd} and is loaded through
 * {@code org.llm4e.core.Simd}.
 */
public interface RopeKernel {

    /**
     * Writes the rotation of {@code src[srcOff .. srcOff + 2·half)} to {@code dst[dstOff ..]}; {@code src == dst}
     * with equal offsets (in place) is allowed.
     *
     * <pre>
     *   (a, b) = (x[first(j)], x[second(j)]),   c = cos[csOff + j],  s = sin[csOff + j]
     *   forward:  (a·c − b·s,  a·s + b·c)
     *   inverse:  (a·c + b·s, −a·s + b·c)
     * </pre>
     *
     * @param src the input array
     * @param srcOff where the head vector starts in {@code src}
     * @param dst the output array
     * @param dstOff where the output starts in {@code dst}
     * @param half d/2, the number of pairs
     * @param interleaved true for pairs (2j, 2j+1), false for pairs (j, j + d/2)
     * @param cos the cos table
     * @param sin the sin table
     * @param csOff where this position's d/2 values start in the tables
     * @param inverse true to rotate by −mθ (the transpose, used by the backward pass)
     */
    void rotate(
            float[] src,
            int srcOff,
            float[] dst,
            int dstOff,
            int half,
            boolean interleaved,
            float[] cos,
            float[] sin,
            int csOff,
            boolean inverse);
}
