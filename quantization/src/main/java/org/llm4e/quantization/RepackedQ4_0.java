package org.llm4e.quantization;

import org.llm4e.core.Parallel;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.QuantizedActivations;

/**
 * A {@link Q4_0} matrix repacked for the CPU's vector units, as ggml's CPU backend repacks Q4_0 tensors when it loads
 * them ({@code block_q4_0x8}, the "Q4_0_8_8" layout of its {@code repack} buffer type): the same codes and the same
 * scales, in an order where one vector instruction works on 32 rows at once.
 *
 * <pre>
 *   GGUF Q4_0, row after row:   row r: [d fp16 | qs[16]] [d | qs[16]] …                            (18 bytes per block)
 *   repacked, tiles of 32 rows: tile t, block b: for k = 0…7, r = 0…31: one 16-bit code
 *                                 c = qs_r[2k] | (qs_r[2k+1] ^ 0x80) &lt;&lt; 8                    (512 bytes)
 *                               d_r as float32 for the even rows, then the odd rows                (128 bytes)
 * </pre>
 *
 * <p>Why it is faster. The direct kernel ({@link GgmlMatVec#multiply}) follows one row at a time: per block it widens
 * 16 packed bytes, unpacks 32 nibbles, multiplies them by 32 activation codes and then has to sum the block across
 * vector lanes, convert the sum to float and scale it, before the next block. Here a 16-bit vector lane is a row and
 * holds four of its weights, the nibbles n₀ … n₃ of positions 2k, 2k + 16, 2k + 1, 2k + 17 (the last one with its top
 * bit flipped, so that the lane read as a signed number is n₀ + 16n₁ + 256n₂ + 4096(n₃ − 8)). Arithmetic shifts peel
 * the nibbles off one by one, and a telescoping sum needs no masks:
 *
 * <pre>
 *   c·y₀ + (c ≫ 4)·(y₁ − 16y₀) + (c ≫ 8)·(y₂ − 16y₁) + (c ≫ 12)·(y₃ − 16y₂)  =  n₀y₀ + n₁y₁ + n₂y₂ + (n₃ − 8)·y₃
 * </pre>
 *
 * with the same four activation coefficients for all 32 rows (broadcast once, prepared once per product), and the
 * other nibbles' −8 one start value per block, −8·Σ y. So four weights of 32 rows cost one load, three shifts, four
 * multiplies and four adds, with no conversion. The 32 products of a block are summed in 16-bit lanes (exact: the
 * arithmetic is modulo 2¹⁶ and the true sum fits, |Σ| ≤ 32 · 8 · 127), and the conversion and scaling happen once
 * per block for 32 rows, not once per row. A thread runs four tiles far apart in one pass: four memory streams (the
 * hardware prefetchers follow each; one stream per core leaves bandwidth unused) and one load of each activation
 * coefficient for 128 rows. The point of 大模型量化认知的三重境界.md about Q4_0 — 4.5 bits per weight instead of 32 — only
 * pays off on a CPU if the unpacking keeps up with memory; this layout is how ggml makes it keep up. The article
 * describes Q4_0's blocks, not a repacked layout: this class goes beyond it, and matches ggml's
 * {@code ggml_vec_dot_q4_0_q8_0} bit for bit.
 *
 * <p>Exactness. Each output equals {@link GgmlDot#dotQ4_0Q8_0} of the original row with the Q8_0 activations, bit for
 * bit (integer block sums, then {@code sumf += (sumi · d_w) · d_y} in ggml's float order, which the vector kernel keeps
 * lane by lane): faster and still the reference. One input is outside the 16-bit bound — an activation block whose
 * 32 codes are all −128 (ggml's quantizer never writes −128; hand-made blocks can) against 32 codes of −8 — so
 * activations with such a block run on the scalar tile kernel, which sums in 32 bits.
 *
 * <p>Size. Scales are stored decoded, as float32, so a block costs 16 + 4 = 20 bytes instead of 18 (5 bits per
 * weight); the benchmarks count these 20 bytes. Rows are padded to a multiple of 32 with zero scales.
 *
 * <p>Warm-up. The vector kernel is one large method: C2 compiles it after a few products and takes a few tenths of a
 * second to do so, several seconds in a JVM whose compile queue is busy with other hot code; until then a product
 * runs in C1's code, 10–100 times slower. Run it early (the tour runs it for a second at the start of its chapter)
 * and time it after a warm-up, as the benchmarks do.
 *
 * <p>Departure from ggml: ggml interleaves 8 rows with 8-byte chunks to suit {@code vpmaddubsw}/{@code vpdpbusd}
 * (byte multiply-add instructions Java's Vector API does not offer); 32 rows of 16-bit codes suit the 16-bit
 * multiplies the Vector API has (a 512-bit vector of shorts is 32 rows, a 256-bit one half a tile). Immutable after
 * {@link #pack}; thread-safe.
 */
public final class RepackedQ4_0 {
    /** Rows per tile: the lanes of one 512-bit vector of shorts (two 256-bit ones on AVX2). */
    public static final int TILE_ROWS = 32;

    private final int rows;
    private final int cols;
    private final int tiles;
    private final short[] codes;
    private final float[] scales;

    private RepackedQ4_0(int rows, int cols, short[] codes, float[] scales) {
        this.rows = rows;
        this.cols = cols;
        this.tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        this.codes = codes;
        this.scales = scales;
    }

    /**
     * Repacks a row-major Q4_0 matrix ({@link Q4_0#quantize}'s bytes, as a GGUF tensor stores them).
     *
     * @param w the Q4_0 blocks, {@code rows · cols / 32 · 18} bytes
     * @param rows number of rows
     * @param cols number of columns, a multiple of 32
     * @return the repacked matrix
     * @throws IllegalArgumentException if the sizes do not match
     */
    public static RepackedQ4_0 pack(byte[] w, int rows, int cols) {
        if (cols < 0 || cols % 32 != 0) {
            throw new IllegalArgumentException("cols must be a non-negative multiple of 32 for Q4_0, got " + cols);
        }
        long rowBytes = GgmlType.Q4_0.bytes(cols);
        if (rows < 0 || rowBytes * rows != w.length) {
            throw new IllegalArgumentException("w must hold " + rows + " rows of " + rowBytes + " bytes ("
                    + rowBytes * Math.max(rows, 0) + "), got " + w.length);
        }
        int blocks = cols / 32;
        int tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        short[] codes = new short[Math.multiplyExact(Math.multiplyExact(tiles, blocks), 8 * TILE_ROWS)];
        float[] scales = new float[tiles * blocks * TILE_ROWS];
        for (int r = 0; r < rows; r++) {
            int t = r / TILE_ROWS;
            int lane = r % TILE_ROWS;
            for (int b = 0; b < blocks; b++) {
                int src = (int) (r * rowBytes) + 18 * b;
                int tb = t * blocks + b;
                scales[TILE_ROWS * tb + GgmlDotKernels.tileScaleSlot(lane)] = GgmlBlocks.getHalf(w, src);
                for (int k = 0; k < 8; k++) {
                    int low = w[src + 2 + 2 * k] & 0xFF;
                    int high = (w[src + 3 + 2 * k] ^ 0x80) & 0xFF;
                    codes[8 * TILE_ROWS * tb + TILE_ROWS * k + lane] = (short) (low | high << 8);
                }
            }
        }
        return new RepackedQ4_0(rows, cols, codes, scales);
    }

    /**
     * Number of rows (outputs).
     *
     * @return rows
     */
    public int rows() {
        return rows;
    }

    /**
     * Number of columns (inputs).
     *
     * @return cols
     */
    public int cols() {
        return cols;
    }

    /**
     * Bytes a product streams: the repacked codes and the float scales, padding rows included.
     *
     * @return {@code 20 · tiles · 32 · cols / 32}
     */
    public long bytes() {
        return 2L * codes.length + 4L * scales.length;
    }

    /**
     * Computes {@code y = W x} for prepared activations with the fastest kernels this JVM has, without allocating per
     * row or per tile.
     *
     * @param x the activations, set to a vector of {@link #cols()} values
     * @param y the output, at least {@link #rows()} long
     * @throws IllegalArgumentException if the sizes do not match
     * @throws IllegalStateException if no vector was set in x
     */
    public void multiply(GgmlMatVec.Activations x, float[] y) {
        run(GgmlMatVec.KERNELS, x, y);
    }

    /**
     * Computes {@code W x} with the fastest kernels this JVM has (quantizing x to Q8_0 first, as ggml does).
     *
     * @param x the input, {@link #cols()} values
     * @return the output, {@link #rows()} values
     * @throws IllegalArgumentException if the length differs
     */
    public float[] multiply(float[] x) {
        float[] y = new float[rows];
        run(GgmlMatVec.KERNELS, new GgmlMatVec.Activations(cols).set(x), y);
        return y;
    }

    /**
     * Computes {@code W x} with the readable scalar tile kernel: the same bits as {@link #multiply(float[])} and as
     * {@link GgmlMatVec#multiplyReference} on the original Q4_0 bytes.
     *
     * @param x the input, {@link #cols()} values
     * @return the output, {@link #rows()} values
     * @throws IllegalArgumentException if the length differs
     */
    public float[] multiplyReference(float[] x) {
        float[] y = new float[rows];
        run(GgmlMatVec.SCALAR, new GgmlMatVec.Activations(cols).set(x), y);
        return y;
    }

    /** The repacked codes, shared (tests drive the kernels with them). */
    short[] codes() {
        return codes;
    }

    /** The float scales, shared. */
    float[] scales() {
        return scales;
    }

    private void run(GgmlDotKernels k, GgmlMatVec.Activations x, float[] y) {
        if (x.cols() != cols) {
            throw new IllegalArgumentException("x must hold cols = " + cols + " activations, got " + x.cols());
        }
        if (y.length < rows) {
            throw new IllegalArgumentException("y must hold at least rows = " + rows + " values, got " + y.length);
        }
        if (rows == 0 || cols == 0) {
            java.util.Arrays.fill(y, 0, rows, 0f);
            return;
        }
        QuantizedActivations a = x.prepared(GgmlType.Q4_0);
        a.prepareTiles(); // once, before the threads read it
        GgmlDotKernels kernels = a.tileSafe ? k : GgmlMatVec.SCALAR;
        Parallel.forRange(0, tiles, 1, (lo, hi) -> {
            // Tiles t, t + q, t + 2q, t + 3q run together: four memory streams per thread (measured: more
            // concurrent streams, more bandwidth on a core), one activation load for four tiles. A short range
            // repeats its last tile rather than reading past it.
            int q = (hi - lo + 3) / 4;
            int[] group = new int[4];
            float[] acc = new float[4 * TILE_ROWS];
            for (int t = lo; t < lo + q; t++) {
                for (int s = 0; s < 4; s++) {
                    group[s] = Math.min(t + s * q, hi - 1);
                }
                kernels.tilesQ4_0(codes, scales, group, a, acc, y, rows);
            }
        });
    }
}
