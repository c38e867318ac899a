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
    public void rowsQ8_0(byte[] w, int wOff0, int wOff1, QuantizedActivations x, float[] y, int y0, int y1) {
        y[y0] = GgmlDot.dotQ8_0(w, wOff0, x.q8_0, 0, x.blocks * 32);
        y[y1] = GgmlDot.dotQ8_0(w, wOff1, x.q8_0, 0, x.blocks * 32);
    }

    @Override
    public void rowsQ4_0(byte[] w, int wOff0, int wOff1, QuantizedActivations x, float[] y, int y0, int y1) {
        y[y0] = GgmlDot.dotQ4_0Q8_0(w, wOff0, x.q8_0, 0, x.blocks * 32);
        y[y1] = GgmlDot.dotQ4_0Q8_0(w, wOff1, x.q8_0, 0, x.blocks * 32);
    }

    /**
     * The repacked tiles, row by row in ggml's order: the nibbles of byte positions 2k and 2k + 1 of row r in block b
     * sit in the 16-bit code {@code q[256 · (tile · blocks + b) + 32 · k + r]} (bits 0–3: weight 2k, 4–7: weight
     * 2k + 16, 8–11: weight 2k + 1, 12–15: weight 2k + 17 with its top bit flipped, undone here with {@code ^ 8}).
     */
    @Override
    public void tilesQ4_0(short[] q, float[] d, int[] tiles, QuantizedActivations x, float[] acc, float[] y, int rows) {
        for (int t : tiles) {
            tileQ4_0(q, d, t, x, y, rows);
        }
    }

    private static void tileQ4_0(short[] q, float[] d, int tile, QuantizedActivations x, float[] y, int rows) {
        for (int r = 0; r < Math.min(32, rows - 32 * tile); r++) {
            float sumf = 0f;
            for (int b = 0; b < x.blocks; b++) {
                int tb = tile * x.blocks + b;
                int sumi = 0;
                for (int k = 0; k < 8; k++) {
                    int c = q[256 * tb + 32 * k + r];
                    int y0 = 32 * b + 2 * k;
                    sumi += ((c & 0xF) - 8) * x.codes[y0];
                    sumi += ((c >> 4 & 0xF) - 8) * x.codes[y0 + 16];
                    sumi += ((c >> 8 & 0xF) - 8) * x.codes[y0 + 1];
                    sumi += (((c >> 12 & 0xF) ^ 8) - 8) * x.codes[y0 + 17];
                }
                sumf += (sumi * d[32 * tb + GgmlDotKernels.tileScaleSlot(r)]) * x.scales[b];
            }
            y[32 * tile + r] = sumf;
        }
    }

    @Override
    public float rowQ4_K(byte[] w, int wOff, QuantizedActivations x) {
        return GgmlDot.dotQ4_KQ8_K(w, wOff, x.q8_K, 0, x.kBlocks * 256);
    }
}
