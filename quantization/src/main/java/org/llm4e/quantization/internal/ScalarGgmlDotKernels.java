package org.llm4e.quantization.internal;

import org.llm4e.quantization.GgmlDot;
import org.llm4e.quantization.Int8MatVec;

/**
 * The scalar implementation: ggml's generic kernels, as {@link GgmlDot} writes them (bit-exact to ggml), and
 * {@link Int8MatVec}'s integer dot. The row methods read the activations' ggml bytes, so they are the reference
 * itself.
 */
public final class ScalarGgmlDotKernels implements GgmlDotKernels {
    /** Creates the scalar kernels. */
    public ScalarGgmlDotKernels() {}

    @Override
    public float dotQ8_0(byte[] x, int xOff, byte[] y, int yOff, int blocks) {
        return GgmlDot.dotQ8_0(x, xOff, y, yOff, blocks * 32);
    }

    @Override
    public float dotQ4_0Q8_0(byte[] x, int xOff, byte[] y, int yOff, int blocks) {
        return GgmlDot.dotQ4_0Q8_0(x, xOff, y, yOff, blocks * 32);
    }

    @Override
    public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n) {
        return Int8MatVec.dot(a, aOff, b, bOff, n);
    }

    @Override
    public float rowQ8_0(byte[] w, int wOff, QuantizedActivations x) {
        return GgmlDot.dotQ8_0(w, wOff, x.q8_0, 0, x.blocks * 32);
    }

    @Override
    public float rowQ4_0(byte[] w, int wOff, QuantizedActivations x) {
        return GgmlDot.dotQ4_0Q8_0(w, wOff, x.q8_0, 0, x.blocks * 32);
    }

    @Override
    public float rowQ4_K(byte[] w, int wOff, QuantizedActivations x) {
        return GgmlDot.dotQ4_KQ8_K(w, wOff, x.q8_K, 0, x.kBlocks * 256);
    }
}
