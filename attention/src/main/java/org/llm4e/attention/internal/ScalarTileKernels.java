package org.llm4e.attention.internal;

/**
 * The scalar reference of {@link TileKernels}: the loops as the formulas read, products summed left to right with
 * separate multiply and add, exponentials from {@link Math#exp}.
 */
public final class ScalarTileKernels implements TileKernels {
    /** Creates the scalar kernels. */
    public ScalarTileKernels() {}

    @Override
    public void gemm(
            boolean transA,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        int rowStride = transA ? 1 : lda;
        int pStride = transA ? lda : 1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc += a[aOff + i * rowStride + p * pStride] * b[bOff + p * ldb + j];
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * acc : alpha * acc + beta * c[ci];
            }
        }
    }

    @Override
    public void expShifted(
            boolean perRow, int rows, int cols, float[] s, int sOff, int lds, float[] shift, int shiftOff) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float sh = shift[shiftOff + (perRow ? i : j)];
                int at = sOff + i * lds + j;
                s[at] = sh == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s[at] - sh);
            }
        }
    }

    @Override
    public void softmaxStepColumns(
            int keys, int queries, float[] s, int sOff, int lds, float[] m, float[] l, float[] rescale) {
        for (int q = 0; q < queries; q++) {
            float mNew = m[q];
            for (int key = 0; key < keys; key++) {
                mNew = Math.max(mNew, s[sOff + key * lds + q]);
            }
            float sum = 0f;
            for (int key = 0; key < keys; key++) {
                int at = sOff + key * lds + q;
                float e = mNew == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s[at] - mNew);
                s[at] = e;
                sum += e;
            }
            float alpha = m[q] == mNew ? 1f : (float) Math.exp(m[q] - mNew); // e^{−∞} = 0 on the first visit
            l[q] = l[q] * alpha + sum;
            m[q] = mNew;
            rescale[q] = alpha;
        }
    }
}
