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
     * One row of a Q8_0 matrix-vector product: the row's blocks against prepared Q8_0 activations.
     *
     * @param w Q8_0 weight blocks
     * @param wOff first byte of the row
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @return the dot product
     */
    float rowQ8_0(byte[] w, int wOff, QuantizedActivations x);

    /**
     * One row of a Q4_0 matrix-vector product: the row's blocks against prepared Q8_0 activations.
     *
     * @param w Q4_0 weight blocks
     * @param wOff first byte of the row
     * @param x the activations, {@link QuantizedActivations#blocks} blocks
     * @return the dot product
     */
    float rowQ4_0(byte[] w, int wOff, QuantizedActivations x);

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
