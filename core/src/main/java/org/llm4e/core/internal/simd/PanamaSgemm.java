package org.llm4e.core.internal.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.core.Parallel;

/**
 * SGEMM with the Vector API, organised as in GotoBLAS/BLIS: {@code C ← alpha·op(A)·op(B) + beta·C}.
 *
 * <h2>The micro-kernel: 6 rows × 2 vectors of C in registers</h2>
 *
 * <p>The innermost routine keeps a tile of {@value #MR} rows × {@code NR = 2·L} columns of C in {@code 2·MR = 12}
 * vector registers ({@code L} = 16 float lanes with AVX-512, so the tile is 6×32). For each step {@code p} of the
 * inner dimension it
 *
 * <pre>
 *   loads      b₀ = B[p][j .. j+L),  b₁ = B[p][j+L .. j+2L)          2 vector loads
 *   broadcasts aᵣ = A[i+r][p] for r = 0..5                             6 scalar broadcasts
 *   updates    cᵣₛ ← fma(aᵣ, bₛ, cᵣₛ) for r = 0..5, s = 0, 1           12 vector FMAs = 12·2·L = 384 flops
 * </pre>
 *
 * <p>so 8 loads feed 12 FMAs (0.67 loads per FMA; the naive i-k-j loop needs a load of B, a load of C and a store of C
 * per FMA). Registers: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 32 AVX-512 registers, leaving the JIT
 * room for addresses and the next step's loads. Twelve independent accumulators also hide the FMA latency: an FMA
 * takes 4 cycles and the core starts one or two per cycle, so at least 4–8 independent chains must be in flight.
 *
 * <h2>Packing</h2>
 *
 * <p>The micro-kernel reads A and B from copies laid out in exactly the order it consumes them ("packing"): a block of
 * op(B) becomes micro-panels of {@code kc × NR} floats ({@code B[p][j..j+NR)} contiguous for p = 0, 1, …) and a block
 * of op(A) becomes micro-panels of {@code kc × MR} floats ({@code A[i..i+MR)[p]} contiguous for p = 0, 1, …). Packing
 * turns the four transpose combinations into one kernel, makes every load unit-stride, and pads the ragged edges with
 * zeros so the micro-kernel always runs the full tile: an edge tile costs the same per flop as an interior one (no
 * scalar cliff); its final write-back of 6×32 sums per KC block goes through a scratch tile. (Masked
 * vector loads and stores would be the obvious alternative, but on JDK 17 they compile to slow code and made a
 * 1024³ product four times slower.)
 *
 * <h2>Cache blocking for a 32 KiB L1, 1 MiB L2 and 32 MiB L3</h2>
 *
 * <pre>
 *   for jc in steps of NC = 512 columns                       (B panel: KC×NC floats = 512 KiB → stays in L2)
 *     for pc in steps of KC = 256 of the inner dimension
 *       pack op(B)[pc:pc+KC, jc:jc+NC]
 *       for ic in steps of MC = 96 rows (this thread's share)  (A block: MC×KC floats = 96 KiB, read once per panel)
 *         pack op(A)[ic:ic+MC, pc:pc+KC]
 *         for ir in steps of MR = 6                            (A micro-panel: 6×256 floats = 6 KiB → stays in L1)
 *           for jr in steps of NR = 32                         (B micro-panel: 256×32 floats = 32 KiB, from L2)
 *             micro-kernel: C[ir:ir+6, jr:jr+32] += alpha · A-micro-panel · B-micro-panel
 * </pre>
 *
 * <p>The A micro-panel is reused by every jr step, so it stays in L1; the B panel (512 KiB) is swept once per A
 * micro-panel and stays in the 1 MiB L2, where it is read at 2 vector loads per 12 FMAs, well below L2 bandwidth; the
 * A block and C are small enough that the 32 MiB L3 holds them with room for the second core's share. KC = 256
 * amortises each tile's load and store of C over 256 FMA steps.
 *
 * <h2>Threads: a fixed split, so results do not depend on the thread count</h2>
 *
 * <p>The work units are the blocks of MC rows (fewer when C has under 8·MC rows, so 2–8 threads still get a share
 * each) × NC columns of C, a grid that depends only on the shape. The library
 * pool ({@link Parallel#forRange}) hands each thread a contiguous run of units; each thread packs into its own panels (per-thread
 * scratch, allocated once and reused, so a warm call allocates nothing that grows with the shape). Every
 * element of C is computed by the same sequence of operations whichever thread or tile it lands in: for each KC block
 * in order, {@code acc = 0; acc = fma(a[i][p], b[p][j], acc)} for p ascending, then {@code c = fma(alpha, acc, c)}
 * (after C was scaled by beta). Zero padding only ever touches rows and columns that are not stored. So the result is
 * bit-for-bit the same with 1, 2 or 64 threads.
 */
final class PanamaSgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Rows of C per micro-kernel tile. */
    static final int MR = 6;
    /** Columns of C per micro-kernel tile: two vectors. */
    static final int NR = 2 * L;
    /** Inner-dimension block. */
    static final int KC = 256;
    /** Rows of C per work unit (a multiple of MR). */
    static final int MC = 16 * MR;
    /** Columns of C per work unit (a multiple of NR). */
    static final int NC = Math.max(NR, 512 / NR * NR);

    // Per-thread scratch (see Scratch): a warm call allocates nothing but its lambda, whatever its shape.
    private static final Scratch B_PACK = new Scratch();
    private static final Scratch A_PACK = new Scratch();
    private static final Scratch EDGE_TILE = new Scratch();
    private static final Scratch GATHERED_ROW = new Scratch();
    /** The mat-vec kernel a single row of C is handed to (stateless). */
    private static final PanamaKernels GEMV = new PanamaKernels();

    private PanamaSgemm() {}

    static void sgemm(
            boolean transA,
            boolean transB,
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
        if (m == 1 && n > 0 && k > 0 && alpha != 0f) {
            rowTimesMatrix(transA, transB, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff);
            return;
        }
        scaleMatrix(m, n, beta, c, cOff, ldc);
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) {
            return;
        }
        // Rows per unit: MC, or fewer for short matrices so there are at least 8 row blocks to share between threads
        // (256 rows: 8 blocks of 36, not 3 of 96). A shape-only choice, and block sizes do not change any element's
        // arithmetic anyway.
        int mcBlock = Math.min(MC, roundUp((m + 7) / 8, MR));
        int rowBlocks = (m + mcBlock - 1) / mcBlock;
        int colBlocks = (n + NC - 1) / NC;
        // Enough units per chunk that a chunk does at least ~4 M multiply-adds, so tiny products stay on one thread.
        long unitWork = (long) Math.min(m, mcBlock) * Math.min(n, NC) * k;
        int grain = (int) Math.max(1, (1L << 22) / Math.max(1, unitWork));
        Parallel.forRange(0, rowBlocks * colBlocks, grain, (lo, hi) -> {
            int kcMax = Math.min(KC, k);
            // Each thread packs into its own reusable panels; packA/packB write every element the kernel reads.
            float[] bPack = B_PACK.floats(kcMax * roundUp(Math.min(NC, n), NR));
            float[] aPack = A_PACK.floats(kcMax * roundUp(Math.min(mcBlock, m), MR));
            float[] tile = EDGE_TILE.floats(MR * NR);
            // Units are numbered column-block-major, so a run of units shares B panels.
            int unit = lo;
            while (unit < hi) {
                int jb = unit / rowBlocks;
                int ibFirst = unit % rowBlocks;
                int ibEnd = Math.min(rowBlocks, ibFirst + (hi - unit));
                int jc = jb * NC;
                int nc = Math.min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, bPack);
                    for (int ib = ibFirst; ib < ibEnd; ib++) {
                        int ic = ib * mcBlock;
                        int mc = Math.min(mcBlock, m - ic);
                        packA(transA, a, aOff, lda, ic, mc, pc, kc, aPack);
                        macroKernel(mc, nc, kc, alpha, aPack, bPack, c, cOff + ic * ldc + jc, ldc, tile);
                    }
                }
                unit += ibEnd - ibFirst;
            }
        });
    }

    /**
     * A single row of C (decoding one token: {@code q·Kᵀ}, {@code x·Wᵀ}) is a matrix-vector product: packing B would
     * copy as many floats as the product multiplies, so hand it to {@code sgemv}, which streams B once. The choice
     * depends only on the shape, so results still do not depend on the thread count.
     */
    private static void rowTimesMatrix(
            boolean transA,
            boolean transB,
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
            int cOff) {
        float[] row = a;
        int rowOff = aOff;
        if (transA) {
            // op(A) is 1×k stored as a k×1 column with stride lda: gather it.
            row = GATHERED_ROW.floats(k);
            rowOff = 0;
            for (int p = 0; p < k; p++) {
                row[p] = a[aOff + p * lda];
            }
        }
        // c = alpha·row·op(B) + beta·c, i.e. cᵀ = alpha·op(B)ᵀ·rowᵀ + beta·cᵀ; op(B)ᵀ is the stored B when transB.
        if (transB) {
            GEMV.sgemv(false, n, k, alpha, b, bOff, ldb, row, rowOff, beta, c, cOff);
        } else {
            GEMV.sgemv(true, k, n, alpha, b, bOff, ldb, row, rowOff, beta, c, cOff);
        }
    }

    /** Runs the micro-kernel over one packed {@code mc × kc} block of A and {@code kc × nc} panel of B. */
    private static void macroKernel(
            int mc,
            int nc,
            int kc,
            float alpha,
            float[] aPack,
            float[] bPack,
            float[] c,
            int cBase,
            int ldc,
            float[] tile) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int aBase = ir * kc;
            for (int jr = 0; jr < nc; jr += NR) {
                microKernel(
                        kc, aPack, aBase, bPack, jr * kc, alpha, c, cBase + ir * ldc + jr, ldc, rows, nc - jr, tile);
            }
        }
    }

    /**
     * {@code C[0:rows, 0:cols] += alpha · Σₚ A[0:MR][p] ⊗ B[p][0:NR]}: the 6×32 register tile described in the class
     * Javadoc. {@code rows ≤ MR} and {@code cols} (≥ NR means the full width) say how much of the tile is stored;
     * {@code tile} ({@code MR·NR} floats, the calling thread's) parks an edge tile.
     */
    private static void microKernel(
            int kc,
            float[] aPack,
            int aBase,
            float[] bPack,
            int bBase,
            float alpha,
            float[] c,
            int cBase,
            int ldc,
            int rows,
            int cols,
            float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * NR;
            int ai = aBase + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bPack, bi);
            FloatVector b1 = FloatVector.fromArray(S, bPack, bi + L);
            FloatVector av = FloatVector.broadcast(S, aPack[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, aPack[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, aPack[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, aPack[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, aPack[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, aPack[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        // Park the accumulators and add them to C in a separate method. Writing C back here as well (12 loads, FMAs
        // and stores, plus an edge path) makes this method too large for C2's inlining budget
        // (NodeCountInliningCutoff):
        // the last Vector API calls were then left out-of-line and boxed a vector per step of p, 80 bytes each.
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
        if (rows == MR && cols >= NR) {
            storeFull(tile, alpha, c, cBase, ldc);
        } else {
            storeEdge(tile, alpha, c, cBase, ldc, rows, Math.min(cols, NR));
        }
    }

    /** {@code c ← fma(alpha, acc, c)} for a full parked tile, two vectors per row. */
    private static void storeFull(float[] tile, float alpha, float[] c, int cBase, int ldc) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (int r = 0; r < MR; r++) {
            int off = cBase + r * ldc;
            va.fma(FloatVector.fromArray(S, tile, r * NR), FloatVector.fromArray(S, c, off))
                    .intoArray(c, off);
            va.fma(FloatVector.fromArray(S, tile, r * NR + L), FloatVector.fromArray(S, c, off + L))
                    .intoArray(c, off + L);
        }
    }

    /** Adds the {@code rows × cols} corner of a parked tile to C. */
    private static void storeEdge(float[] tile, float alpha, float[] c, int cBase, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int ci = cBase + r * ldc + j;
                c[ci] = Math.fma(alpha, tile[r * NR + j], c[ci]); // rounds as the vector fma does
            }
        }
    }

    /**
     * Packs {@code op(A)[ic:ic+mc, pc:pc+kc]} into micro-panels of MR rows: element (r, p) of panel q goes to {@code
     * out[q·MR·kc + p·MR + r]}; rows past mc are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] out) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int base = ir * kc;
            if (transA) {
                // op(A)[i][p] = A[p][i]: row p of the stored A holds the MR values contiguously.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir;
                    int dst = base + p * MR;
                    System.arraycopy(a, src, out, dst, rows);
                    for (int r = rows; r < MR; r++) {
                        out[dst + r] = 0f;
                    }
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (ic + ir + r) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + r] = a[src + p];
                    }
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into micro-panels of NR columns: element (p, j) of panel q goes to {@code
     * out[q·NR·kc + p·NR + j]}; columns past nc are zero.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] out) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = jr * kc;
            if (!transB) {
                // A row of the stored B holds NR consecutive columns: one copy per p.
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * NR;
                    System.arraycopy(b, src, out, dst, cols);
                    if (cols < NR) {
                        Arrays.fill(out, dst + cols, dst + NR, 0f);
                    }
                }
            } else {
                // op(B)[p][j] = B[j][p]: walk each stored row (contiguous in p) and scatter with stride NR.
                for (int j = 0; j < cols; j++) {
                    int src = bOff + (jc + jr + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + j] = b[src + p];
                    }
                }
                for (int j = cols; j < NR; j++) {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** {@code C ← beta·C}; with {@code beta == 0} C is overwritten with zeros without being read (BLAS semantics). */
    static void scaleMatrix(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else {
                int j = 0;
                for (; j + L <= n; j += L) {
                    FloatVector.fromArray(S, c, row + j).mul(beta).intoArray(c, row + j);
                }
                for (; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
