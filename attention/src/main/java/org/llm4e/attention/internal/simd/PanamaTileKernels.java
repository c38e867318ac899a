package org.llm4e.attention.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.attention.internal.TileKernels;
import org.llm4e.core.internal.simd.VectorMath;

/**
 * The Vector API tile kernels ({@code jdk.incubator.vector}), loaded by {@code Simd.load}; nothing references this
 * class directly.
 *
 * <h2>Tile products: a 6 × 2L register tile</h2>
 *
 * <p>{@code C ← alpha·op(A)·B + beta·C} keeps 6 rows × 2 vectors of C ({@code L} lanes each; 6×32 floats with
 * AVX-512) in 12 vector registers; each step p of the inner dimension loads two vectors of row p of B, broadcasts
 * {@code op(A)[i][p]} for the six rows and issues 12 FMAs, so 8 loads feed 12 FMAs and 12 independent chains hide the
 * FMA latency (the scheme of core's SGEMM micro-kernel). The tiles are small (64×64 for FlashAttention), so nothing is
 * packed: B is read in place (row-major, as V, K and the packed Qᵀ, Kᵀ, Vᵀ, dOᵀ tiles are), and A is read in place
 * either way round, {@code a[i·lda + p]} or, transposed, {@code a[p·lda + i]}; both are scalar broadcasts. A row
 * block shorter than 6 repeats its last row in the spare registers (computed, never stored); columns beyond the last
 * full pair of vectors use a one-vector tile, and the last few columns scalar code.
 *
 * <p>Every element of C gets the same operations wherever it lies: {@code acc = 0; acc = fma(op(A)[i][p], B[p][j],
 * acc)} for p ascending, then {@code alpha·acc} ({@code beta = 0}) or {@code fma(alpha, acc, beta·c)}; the scalar
 * columns use {@link Math#fma}, which rounds as the vector FMA does. So a result does not depend on where a tile
 * boundary falls or on which thread computes it, and it agrees with {@code ScalarTileKernels} (separate multiply and
 * add, one rounding more per step) to float32 rounding.
 *
 * <p>The accumulators are parked in a per-thread scratch tile and written back by a separate method: a single method
 * holding the loop, the write-back and the edge cases exceeds C2's inlining budget (NodeCountInliningCutoff), and a
 * Vector API call left out of line allocates a boxed vector per step. As written, warm calls allocate nothing.
 *
 * <h2>Exponentials</h2>
 *
 * <p>The same range reduction and Cephes polynomial as core's {@code VectorMath.exp} (at most 1.011 ulps from
 * {@code e^x}, only {@code +, −, ×, fma}, min/max and bit operations, so the same bits in the interpreter and in
 * compiled code, on JDK 17 and 25), written out in {@code expVector} and taken from {@code VectorMath.exp(float)} for
 * the tails. The online-softmax step runs on a
 * <em>transposed</em> score tile, {@code sᵀ[key][query]}, so that its row maxima and row sums are lane-wise maxima
 * and sums over the vectors of a column block: no horizontal reduction anywhere.
 */
public final class PanamaTileKernels implements TileKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of the register tile. */
    private static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    private static final int NR = 2 * L;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    /** Creates the Vector API kernels. */
    public PanamaTileKernels() {}

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
        int rs = transA ? 1 : lda;
        int ps = transA ? lda : 1;
        float[] tile = TILE.get();
        for (int i0 = 0; i0 < m; i0 += MR) {
            int rows = Math.min(MR, m - i0);
            int a0 = aOff + i0 * rs;
            int cRow = cOff + i0 * ldc;
            int j = 0;
            for (; j + NR <= n; j += NR) {
                tile2(k, a, a0, rs, ps, rows, b, bOff + j, ldb, tile);
                store(tile, 2, rows, alpha, beta, c, cRow + j, ldc);
            }
            if (j + L <= n) {
                tile1(k, a, a0, rs, ps, rows, b, bOff + j, ldb, tile);
                store(tile, 1, rows, alpha, beta, c, cRow + j, ldc);
                j += L;
            }
            for (; j < n; j++) {
                for (int r = 0; r < rows; r++) {
                    float acc = 0f;
                    int ai = a0 + r * rs;
                    int bi = bOff + j;
                    for (int p = 0; p < k; p++) {
                        acc = Math.fma(a[ai + p * ps], b[bi + p * ldb], acc);
                    }
                    int ci = cRow + r * ldc + j;
                    c[ci] = beta == 0f ? alpha * acc : Math.fma(alpha, acc, beta * c[ci]);
                }
            }
        }
    }

    /** 6 rows × 2 vectors of {@code Σ_p op(A)[i][p]·B[p][j]}, parked in {@code tile} (row stride NR). */
    private static void tile2(
            int k, float[] a, int a0, int rs, int ps, int rows, float[] b, int b0, int ldb, float[] tile) {
        int last = rows - 1;
        int x0 = a0;
        int x1 = a0 + Math.min(1, last) * rs;
        int x2 = a0 + Math.min(2, last) * rs;
        int x3 = a0 + Math.min(3, last) * rs;
        int x4 = a0 + Math.min(4, last) * rs;
        int x5 = a0 + Math.min(5, last) * rs;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int bi = b0 + p * ldb;
            int ap = p * ps;
            FloatVector b0v = FloatVector.fromArray(S, b, bi);
            FloatVector b1v = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[x0 + ap]);
            c00 = av.fma(b0v, c00);
            c01 = av.fma(b1v, c01);
            av = FloatVector.broadcast(S, a[x1 + ap]);
            c10 = av.fma(b0v, c10);
            c11 = av.fma(b1v, c11);
            av = FloatVector.broadcast(S, a[x2 + ap]);
            c20 = av.fma(b0v, c20);
            c21 = av.fma(b1v, c21);
            av = FloatVector.broadcast(S, a[x3 + ap]);
            c30 = av.fma(b0v, c30);
            c31 = av.fma(b1v, c31);
            av = FloatVector.broadcast(S, a[x4 + ap]);
            c40 = av.fma(b0v, c40);
            c41 = av.fma(b1v, c41);
            av = FloatVector.broadcast(S, a[x5 + ap]);
            c50 = av.fma(b0v, c50);
            c51 = av.fma(b1v, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /** 6 rows × 1 vector, as {@link #tile2}. */
    private static void tile1(
            int k, float[] a, int a0, int rs, int ps, int rows, float[] b, int b0, int ldb, float[] tile) {
        int last = rows - 1;
        int x0 = a0;
        int x1 = a0 + Math.min(1, last) * rs;
        int x2 = a0 + Math.min(2, last) * rs;
        int x3 = a0 + Math.min(3, last) * rs;
        int x4 = a0 + Math.min(4, last) * rs;
        int x5 = a0 + Math.min(5, last) * rs;
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int ap = p * ps;
            FloatVector bv = FloatVector.fromArray(S, b, b0 + p * ldb);
            c0 = FloatVector.broadcast(S, a[x0 + ap]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[x1 + ap]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[x2 + ap]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[x3 + ap]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, a[x4 + ap]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, a[x5 + ap]).fma(bv, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR);
        c5.intoArray(tile, 5 * NR);
    }

    /** Writes {@code rows × vectors·L} parked sums to C: {@code alpha·acc} or {@code fma(alpha, acc, beta·c)}. */
    private static void store(
            float[] tile, int vectors, int rows, float alpha, float beta, float[] c, int c0, int ldc) {
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < vectors; v++) {
                int ci = c0 + r * ldc + v * L;
                FloatVector acc = FloatVector.fromArray(S, tile, r * NR + v * L);
                FloatVector out = beta == 0f
                        ? acc.mul(alpha)
                        : FloatVector.broadcast(S, alpha)
                                .fma(acc, FloatVector.fromArray(S, c, ci).mul(beta));
                out.intoArray(c, ci);
            }
        }
    }

    @Override
    public void expShifted(
            boolean perRow, int rows, int cols, float[] s, int sOff, int lds, float[] shift, int shiftOff) {
        for (int i = 0; i < rows; i++) {
            int row = sOff + i * lds;
            if (perRow && shift[shiftOff + i] == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(s, row, row + cols, 0f); // a query with no allowed key
                continue;
            }
            int j = 0;
            for (; j + L <= cols; j += L) {
                expVector(s, row + j, shift, shiftOff + (perRow ? i : j), perRow);
            }
            for (; j < cols; j++) {
                float sh = shift[shiftOff + (perRow ? i : j)];
                s[row + j] = sh == Float.NEGATIVE_INFINITY ? 0f : VectorMath.exp(s[row + j] - sh);
            }
        }
    }

    @Override
    public void softmaxStepColumns(
            int keys, int queries, float[] s, int sOff, int lds, float[] m, float[] l, float[] rescale) {
        int q = 0;
        // Two small methods per block of L queries rather than one: with two inlined exponentials and the loops in
        // one method, C2 boxed vectors (hundreds of bytes per call).
        for (; q + L <= queries; q += L) {
            newMaxima(keys, s, sOff, lds, q, m, l, rescale);
            exponentiate(keys, s, sOff, lds, q, m, l);
        }
        for (; q < queries; q++) {
            float mNew = m[q];
            for (int key = 0; key < keys; key++) {
                mNew = Math.max(mNew, s[sOff + key * lds + q]);
            }
            float sum = 0f;
            for (int key = 0; key < keys; key++) {
                int at = sOff + key * lds + q;
                float e = mNew == Float.NEGATIVE_INFINITY ? 0f : VectorMath.exp(s[at] - mNew);
                s[at] = e;
                sum += e;
            }
            float alpha = m[q] == mNew ? 1f : VectorMath.exp(m[q] - mNew);
            l[q] = l[q] * alpha + sum;
            m[q] = mNew;
            rescale[q] = alpha;
        }
    }

    /**
     * For queries {@code q .. q+L}: {@code m' = max(m, max_key sᵀ)}, {@code rescale = e^{m − m'}} (1 where
     * {@code m' = m}), {@code l ← rescale·l} and {@code m ← m'}. The L rescaling factors use the scalar exponential
     * (the same bits as the vector one): L exponentials per tile do not need vectors.
     */
    private static void newMaxima(
            int keys, float[] s, int sOff, int lds, int q, float[] m, float[] l, float[] rescale) {
        FloatVector mNew = FloatVector.fromArray(S, m, q);
        for (int key = 0; key < keys; key++) {
            mNew = mNew.max(FloatVector.fromArray(S, s, sOff + key * lds + q));
        }
        mNew.intoArray(rescale, q);
        for (int j = q; j < q + L; j++) {
            float mj = rescale[j];
            float alpha = m[j] == mj ? 1f : VectorMath.exp(m[j] - mj);
            l[j] *= alpha;
            m[j] = mj;
            rescale[j] = alpha;
        }
    }

    /** For queries {@code q .. q+L}: {@code sᵀ ← exp(sᵀ − m)} (0 where m = −∞) and {@code l += Σ_key sᵀ}. */
    private static void exponentiate(int keys, float[] s, int sOff, int lds, int q, float[] m, float[] l) {
        FloatVector sum = FloatVector.zero(S);
        for (int key = 0; key < keys; key++) {
            int at = sOff + key * lds + q;
            expVector(s, at, m, q, false);
            sum = sum.add(FloatVector.fromArray(S, s, at));
        }
        FloatVector.fromArray(S, l, q).add(sum).intoArray(l, q);
    }

    /**
     * {@code x[at .. at+L) ← exp(x − shift)}, the shift being {@code shift[shiftAt]} for every lane (broadcast) or
     * {@code shift[shiftAt .. shiftAt+L)}; lanes whose shift is {@code −∞} become 0.
     *
     * <p>Arrays in, arrays out, and the exponential written out here rather than called: a {@code FloatVector} passed
     * to or returned from a method that C2 does not inline (it may compile a popular helper on its own first, and
     * code coverage agents enlarge methods) is boxed, some hundred bytes per call.
     */
    private static void expVector(float[] x, int at, float[] shift, int shiftAt, boolean broadcast) {
        FloatVector sh =
                broadcast ? FloatVector.broadcast(S, shift[shiftAt]) : FloatVector.fromArray(S, shift, shiftAt);
        FloatVector v = FloatVector.fromArray(S, x, at).sub(sh);
        // e^v: clamp, v = n·ln2 + r, e^r ≈ 1 + r + r²·P(r), times 2^⌊n/2⌋·2^(n−⌊n/2⌋) (as core's VectorMath.exp).
        FloatVector xc = v.max(LO).min(HI);
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
        FloatVector negN = n.neg();
        FloatVector r = negN.fma(v.broadcast(LN2_HI), xc);
        r = negN.fma(v.broadcast(LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, v.broadcast(P2));
        p = p.fma(r, v.broadcast(P3));
        p = p.fma(r, v.broadcast(P4));
        p = p.fma(r, v.broadcast(P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        y.mul(s1)
                .mul(s2)
                .blend(0f, sh.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY))
                .intoArray(x, at);
    }

    // ---- e^x: core's VectorMath constants (Cephes expf), copied for the inlined vector code of expVector; the scalar
    // tails call VectorMath.exp(float), which gives the same bits ----

    private static final float LO = -104f;
    private static final float HI = 89f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float MAGIC = 12582912f; // 1.5·2²³: adding it rounds to an integer
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
}
