package org.llm4e.quantization;

/** Shared pieces of the ggml block formats: little-endian fp16 fields, ggml's rounding helpers, argument checks. */
final class GgmlBlocks {
    private GgmlBlocks() {}

    /** Writes {@code GGML_FP32_TO_FP16(v)} little-endian at {@code off}. */
    static void putHalf(byte[] b, int off, float v) {
        short h = Fp16.encode(v);
        b[off] = (byte) h;
        b[off + 1] = (byte) (h >>> 8);
    }

    /** Reads the fp16 at {@code off} as a float ({@code GGML_FP16_TO_FP32}). */
    static float getHalf(byte[] b, int off) {
        return Fp16.decode((short) ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8));
    }

    /**
     * ggml's {@code nearest_int}: adds 1.5·2²³ in float32 and reads the mantissa, which is round half to even for
     * |v| ≤ 2²² − 1 (the range ggml asserts); that is {@link Math#rint(double)} of the float.
     */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    static void checkQuantize(
            String format, float[] x, int xOff, int n, int blockSize, byte[] out, int outOff, int bytesPerBlock) {
        if (n < 0 || n % blockSize != 0) {
            throw new IllegalArgumentException(
                    "n must be a non-negative multiple of the " + format + " block size " + blockSize + ", got " + n);
        }
        if (xOff < 0 || xOff + (long) n > x.length) {
            throw new IllegalArgumentException(
                    "x[" + xOff + ", " + (xOff + (long) n) + ") must lie inside x of length " + x.length);
        }
        long bytes = (long) n / blockSize * bytesPerBlock;
        if (outOff < 0 || outOff + bytes > out.length) {
            throw new IllegalArgumentException(
                    "out needs " + bytes + " bytes from offset " + outOff + ", has " + out.length);
        }
    }

    static void checkDequantize(
            String format, byte[] blocks, int inOff, int n, int blockSize, float[] out, int outOff, int bytesPerBlock) {
        if (n < 0 || n % blockSize != 0) {
            throw new IllegalArgumentException(
                    "n must be a non-negative multiple of the " + format + " block size " + blockSize + ", got " + n);
        }
        long bytes = (long) n / blockSize * bytesPerBlock;
        if (inOff < 0 || inOff + bytes > blocks.length) {
            throw new IllegalArgumentException(format + " blocks for " + n + " values need " + bytes
                    + " bytes from offset " + inOff + ", got " + blocks.length);
        }
        if (outOff < 0 || outOff + (long) n > out.length) {
            throw new IllegalArgumentException(
                    "out[" + outOff + ", " + (outOff + (long) n) + ") must lie inside out of length " + out.length);
        }
    }
}
