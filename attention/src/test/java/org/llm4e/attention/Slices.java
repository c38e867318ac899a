package org.llm4e.attention;

import org.llm4e.core.Tensor;

/** Test helpers that cut and paste sequence ranges of [batch, heads, seq, dim] tensors. */
final class Slices {
    private Slices() {}

    /** Rows {@code start .. start+len−1} of dimension 2. */
    static Tensor seq(Tensor t, int start, int len) {
        int bh = t.dim(0) * t.dim(1);
        int s = t.dim(2);
        int w = t.dim(3);
        Tensor r = Tensor.zeros(t.dim(0), t.dim(1), len, w);
        for (int i = 0; i < bh; i++) {
            System.arraycopy(t.data(), (i * s + start) * w, r.data(), i * len * w, len * w);
        }
        return r;
    }

    /** Writes {@code part} [B, H, len, w] into {@code dst} (a [B, H, total, w] array) at sequence row {@code start}. */
    static void putSeq(Tensor part, float[] dst, int total, int start) {
        int bh = part.dim(0) * part.dim(1);
        int len = part.dim(2);
        int w = part.dim(3);
        for (int i = 0; i < bh; i++) {
            System.arraycopy(part.data(), i * len * w, dst, (i * total + start) * w, len * w);
        }
    }

    /** Repeats each kv head {@code group} times along dimension 1 (Llama's repeat_kv). */
    static Tensor repeatKv(Tensor t, int group) {
        int b = t.dim(0);
        int kvh = t.dim(1);
        int block = t.dim(2) * t.dim(3);
        Tensor r = Tensor.zeros(b, kvh * group, t.dim(2), t.dim(3));
        for (int i = 0; i < b; i++) {
            for (int h = 0; h < kvh * group; h++) {
                System.arraycopy(
                        t.data(), (i * kvh + h / group) * block, r.data(), (i * kvh * group + h) * block, block);
            }
        }
        return r;
    }
}
