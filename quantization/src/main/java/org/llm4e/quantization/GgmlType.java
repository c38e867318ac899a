package org.llm4e.quantization;

/**
 * The ggml tensor types this library reads and writes, tying each block format to its GGUF type id, block size,
 * bytes per block and bits per weight, with offset-based quantize/dequantize kernels over whole rows.
 *
 * <pre>
 *   type   id  block  bytes  bits/weight
 *   F32     0      1      4  32
 *   F16     1      1      2  16
 *   Q4_0    2     32     18  4.5
 *   Q4_1    3     32     20  5
 *   Q5_0    6     32     22  5.5
 *   Q5_1    7     32     24  6
 *   Q8_0    8     32     34  8.5
 *   Q4_K   12    256    144  4.5
 *   Q6_K   14    256    210  6.5625
 *   BF16   30      1      2  16
 * </pre>
 *
 * <p>Ids are ggml's {@code enum ggml_type} values, which GGUF stores in its tensor infos; layouts from
 * {@code ggml-common.h}. Bits per weight = 8 · bytes / block size, the scales included (which is why Q4_0 is 4.5,
 * not 4). {@link #dot} runs ggml's Q8_0 and Q4_0 dot kernels against Q8_0 activations. F16 and BF16 use this library's round-to-nearest-even encoders ({@link Fp16}, {@link Bf16}), as ggml.
 */
public enum GgmlType {
    /** IEEE float32. */
    F32(0, 1, 4),
    /** IEEE binary16. */
    F16(1, 1, 2),
    /** {@link Q4_0}. */
    Q4_0(2, 32, 18),
    /** {@link Q4_1}. */
    Q4_1(3, 32, 20),
    /** {@link Q5_0}. */
    Q5_0(6, 32, 22),
    /** {@link Q5_1}. */
    Q5_1(7, 32, 24),
    /** {@link Q8_0}. */
    Q8_0(8, 32, 34),
    /** {@link Q4_K}. */
    Q4_K(12, 256, 144),
    /** {@link Q6_K}. */
    Q6_K(14, 256, 210),
    /** bfloat16. */
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /**
     * ggml's type id, as stored in GGUF tensor infos.
     *
     * @return the {@code ggml_type} value
     */
    public int id() {
        return id;
    }

    /**
     * Elements per block.
     *
     * @return 1, 32 or 256
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Bytes per block.
     *
     * @return the size of one block struct
     */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /**
     * Storage per weight, scales included.
     *
     * @return 8 · bytesPerBlock / blockSize
     */
    public double bitsPerWeight() {
        return 8.0 * bytesPerBlock / blockSize;
    }

    /**
     * The bytes of {@code n} elements.
     *
     * @param n a multiple of the block size
     * @return n / blockSize · bytesPerBlock
     * @throws IllegalArgumentException if n is negative or not a multiple of the block size
     */
    public long bytes(long n) {
        if (n < 0 || n % blockSize != 0) {
            throw new IllegalArgumentException(
                    "n must be a non-negative multiple of the " + this + " block size " + blockSize + ", got " + n);
        }
        return n / blockSize * bytesPerBlock;
    }

    /**
     * The type with a ggml id.
     *
     * @param id a {@code ggml_type} value
     * @return the type
     * @throws IllegalArgumentException if this library does not support the id
     */
    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "ggml type id " + id + " is not supported; supported: " + java.util.Arrays.toString(values()));
    }

    /**
     * Quantizes {@code n} floats from {@code x[xOff]} into {@code out[outOff]}.
     *
     * @param x source
     * @param xOff first value
     * @param n number of values, a multiple of the block size
     * @param out destination, {@link #bytes(long) bytes(n)} bytes from outOff
     * @param outOff first byte
     * @throws IllegalArgumentException if n is not a multiple of the block size or a range falls outside its array
     */
    public void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        switch (this) {
            case Q4_0:
                org.llm4e.quantization.Q4_0.quantize(x, xOff, n, out, outOff);
                return;
            case Q4_1:
                org.llm4e.quantization.Q4_1.quantize(x, xOff, n, out, outOff);
                return;
            case Q5_0:
                org.llm4e.quantization.Q5_0.quantize(x, xOff, n, out, outOff);
                return;
            case Q5_1:
                org.llm4e.quantization.Q5_1.quantize(x, xOff, n, out, outOff);
                return;
            case Q8_0:
                org.llm4e.quantization.Q8_0.quantize(x, xOff, n, out, outOff);
                return;
            case Q4_K:
                org.llm4e.quantization.Q4_K.quantize(x, xOff, n, out, outOff);
                return;
            case Q6_K:
                org.llm4e.quantization.Q6_K.quantize(x, xOff, n, out, outOff);
                return;
            default:
                GgmlBlocks.checkQuantize(name(), x, xOff, n, 1, out, outOff, bytesPerBlock);
                for (int i = 0; i < n; i++) {
                    int o = outOff + i * bytesPerBlock;
                    if (this == F32) {
                        int bits = Float.floatToRawIntBits(x[xOff + i]);
                        for (int k = 0; k < 4; k++) {
                            out[o + k] = (byte) (bits >>> (8 * k));
                        }
                    } else {
                        short h = this == F16 ? Fp16.encode(x[xOff + i]) : Bf16.encode(x[xOff + i]);
                        out[o] = (byte) h;
                        out[o + 1] = (byte) (h >>> 8);
                    }
                }
        }
    }

    /**
     * Dequantizes {@code n} values from {@code in[inOff]} into {@code out[outOff]}.
     *
     * @param in source bytes
     * @param inOff first byte
     * @param n number of values, a multiple of the block size
     * @param out destination
     * @param outOff first value
     * @throws IllegalArgumentException if n is not a multiple of the block size or a range falls outside its array
     */
    public void dequantize(byte[] in, int inOff, int n, float[] out, int outOff) {
        switch (this) {
            case Q4_0:
                org.llm4e.quantization.Q4_0.dequantize(in, inOff, n, out, outOff);
                return;
            case Q4_1:
                org.llm4e.quantization.Q4_1.dequantize(in, inOff, n, out, outOff);
                return;
            case Q5_0:
                org.llm4e.quantization.Q5_0.dequantize(in, inOff, n, out, outOff);
                return;
            case Q5_1:
                org.llm4e.quantization.Q5_1.dequantize(in, inOff, n, out, outOff);
                return;
            case Q8_0:
                org.llm4e.quantization.Q8_0.dequantize(in, inOff, n, out, outOff);
                return;
            case Q4_K:
                org.llm4e.quantization.Q4_K.dequantize(in, inOff, n, out, outOff);
                return;
            case Q6_K:
                org.llm4e.quantization.Q6_K.dequantize(in, inOff, n, out, outOff);
                return;
            default:
                GgmlBlocks.checkDequantize(name(), in, inOff, n, 1, out, outOff, bytesPerBlock);
                for (int i = 0; i < n; i++) {
                    int o = inOff + i * bytesPerBlock;
                    if (this == F32) {
                        int bits = (in[o] & 0xFF)
                                | (in[o + 1] & 0xFF) << 8
                                | (in[o + 2] & 0xFF) << 16
                                | (in[o + 3] & 0xFF) << 24;
                        out[outOff + i] = Float.intBitsToFloat(bits);
                    } else {
                        short h = (short) ((in[o] & 0xFF) | (in[o + 1] & 0xFF) << 8);
                        out[outOff + i] = this == F16 ? Fp16.decode(h) : Bf16.decode(h);
                    }
                }
        }
    }

    /**
     * Dot product of {@code n} weights of this type with activations quantized to {@link Q8_0}
     * ({@link GgmlDot#quantizeActivations}), in ggml's scalar order ({@link GgmlDot}).
     *
     * @param w weight blocks of this type
     * @param wOff first byte of the weights
     * @param xq Q8_0 activation blocks
     * @param xqOff first byte of the activations
     * @param n number of elements, a multiple of 32
     * @return the float32 dot product
     * @throws IllegalArgumentException if this type has no dot kernel (only Q8_0 and Q4_0 have), n is not a multiple
     *     of 32, or a range falls outside its array
     */
    public float dot(byte[] w, int wOff, byte[] xq, int xqOff, int n) {
        switch (this) {
            case Q8_0:
                return GgmlDot.dotQ8_0(w, wOff, xq, xqOff, n);
            case Q4_0:
                return GgmlDot.dotQ4_0Q8_0(w, wOff, xq, xqOff, n);
            default:
                throw new IllegalArgumentException("type must be Q8_0 or Q4_0 for a dot product, got " + this);
        }
    }
}
