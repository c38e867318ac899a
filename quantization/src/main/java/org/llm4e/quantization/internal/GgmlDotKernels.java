package org.llm4e.quantization.internal;

/**
 * The dot products on ggml blocks that the matrix-vector product runs once per row, behind one interface so that a
 * scalar and a Vector API implementation can be swapped ({@code org.llm4e.core.Simd#load}). Arguments are trusted:
 * callers check ranges once per product, not once per row.
 */
public interface GgmlDotKernels {
    /**
     * Dot product of two Q8_0 block runs.
     *
     * @param x Q8_0 blocks
     * @param xOff first byte of x
     * @param y Q8_0 blocks
     * @param yOff first byte of y
     * @param blocks number of 32-element blocks
     * @return the dot product
     */
    float dotQ8_0(byte[] x, int xOff, byte[] y, int yOff, int blocks);

    /**
     * Dot product of Q4_0 weights with Q8_0 activations.
     *
     * @param x Q4_0 blocks
     * @param xOff first byte of x
     * @param y Q8_0 blocks
     * @param yOff first byte of y
     * @param blocks number of 32-element blocks
     * @return the dot product
     */
    float dotQ4_0Q8_0(byte[] x, int xOff, byte[] y, int yOff, int blocks);

    /**
     * Exact integer dot product of two int8 runs (the W8A8 matrix-vector product's inner loop).
     *
     * @param a int8 codes
     * @param aOff first code of a
     * @param b int8 codes
     * @param bOff first code of b
     * @param n number of codes (|sum| must fit in an int: n ≤ 2¹⁷ always does)
     * @return Σ a[i]·b[i]
     */
    int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n);

    /**
     * Two rows of a Q8_0 matrix-vector product in one pass: {@code y[y0] = row at wOff0 · x}, {@code y[y1] = row at
     * wOff1 · x}. The matrix-vector product pairs rows far apart, so each thread reads two memory streams at once
     * (the hardware prefetchers follow each; one stream per core leaves memory bandwidth unused) and every activation
     * load serves two rows. The same row twice ({@code wOff0 == wOff1}, {@code y0 == y1}) is allowed: an odd row out.
     *
     * @param w Q8_0 weight blocks
     * @param wOff0 first byte of the first row
     * @param wOff1 first byte of the second row
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @param y the outputs
     * @param y0 where the first row's dot product goes
     * @param y1 where the second row's dot product goes
     */
    void rowsQ8_0(byte[] w, int wOff0, int wOff1, QuantizedActivations x, float[] y, int y0, int y1);

    /**
     * Two rows of a Q4_0 matrix-vector product in one pass, as {@link #rowsQ8_0}.
     *
     * @param w Q4_0 weight blocks
     * @param wOff0 first byte of the first row
     * @param wOff1 first byte of the second row
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @param y the outputs
     * @param y0 where the first row's dot product goes
     * @param y1 where the second row's dot product goes
     */
    void rowsQ4_0(byte[] w, int wOff0, int wOff1, QuantizedActivations x, float[] y, int y0, int y1);

    /**
     * Four tiles of a repacked Q4_0 matrix-vector product ({@link org.llm4e.quantization.RepackedQ4_0}'s layout) in one
     * pass, against prepared Q8_0 activations: rows {@code 32 · t …} for each tile t given (at most 32 rows each, fewer
     * in a matrix's last tile), each row in ggml's float order ({@code sumf += (sumi · d_w) · d_y} per block, sumi
     * exact), so every implementation returns the same bits as {@link org.llm4e.quantization.GgmlDot#dotQ4_0Q8_0} on
     * the unpacked row. Four tiles far apart are four memory streams for one thread (see {@link #rowsQ8_0}); a tile
     * may repeat. The caller must not pass activations with a block of 32 codes all −128
     * ({@link QuantizedActivations#tileSafe}) and must have called {@link QuantizedActivations#prepareTiles}.
     *
     * @param q the repacked codes: per tile and block, 8 pairs of byte positions × 32 rows, one 16-bit code each
     * @param d the weight scales: per tile and block, 32 rows (even rows first, then odd ones)
     * @param tiles four tile numbers
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @param acc scratch of at least 128 floats for the kernel's running sums (its contents on entry do not matter)
     * @param y the outputs, indexed by row
     * @param rows the matrix's row count (the last tile writes only its real rows)
     */
    void tilesQ4_0(short[] q, float[] d, int[] tiles, QuantizedActivations x, float[] acc, float[] y, int rows);

    /**
     * Where a row's scale sits among its repacked tile's 32 scales of a block: the even rows first, then the odd ones,
     * the order in which the vector kernel's 16-bit block sums come out of a 32-bit view of them.
     *
     * @param row the row within its tile, 0 … 31
     * @return its slot, 0 … 31
     */
    static int tileScaleSlot(int row) {
        return row % 2 == 0 ? row / 2 : 16 + row / 2;
    }

    /**
     * One row of a Q8_0 matrix-vector product: the row's blocks against prepared Q8_0 activations ({@link #rowsQ8_0}
     * with the row twice).
     *
     * @param w Q8_0 weight blocks
     * @param wOff first byte of the row
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @return the dot product
     */
    default float rowQ8_0(byte[] w, int wOff, QuantizedActivations x) {
        float[] y = new float[1];
        rowsQ8_0(w, wOff, wOff, x, y, 0, 0);
        return y[0];
    }

    /**
     * One row of a Q4_0 matrix-vector product: the row's blocks against prepared Q8_0 activations ({@link #rowsQ4_0}
     * with the row twice).
     *
     * @param w Q4_0 weight blocks
     * @param wOff first byte of the row
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @return the dot product
     */
    default float rowQ4_0(byte[] w, int wOff, QuantizedActivations x) {
        float[] y = new float[1];
        rowsQ4_0(w, wOff, wOff, x, y, 0, 0);
        return y[0];
    }

    /**
     * One row of a Q4_K matrix-vector product: the row's blocks against prepared Q8_K activations.
     *
     * @param w Q4_K weight blocks
     * @param wOff first byte of the row
     * @param x the activations, {@link QuantizedActivations#kBlocks} blocks
     * @return the dot product
     */
    float rowQ4_K(byte[] w, int wOff, QuantizedActivations x);
}
