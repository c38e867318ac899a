package org.llm4e.quantization.internal.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.quantization.Fp16;
import org.llm4e.quantization.internal.GgmlDotKernels;

/**
 * Vector API dot products on Q8_0 and Q4_0 blocks with Q8_0 activations, llama3.java's scheme adapted to integer
 * activations: per block, read the two fp16 scales with scalar code (a table lookup), widen the int8 (or the unpacked
 * int4) codes to 16-bit lanes, multiply exactly, widen the products to 32-bit lanes and add them (exact integer sums),
 * convert to float and accumulate {@code sumi · (dx·dy)} with one FMA per block into a float vector; one horizontal
 * reduction at the very end.
 *
 * <p>With L float lanes (16 on AVX-512, 8 on AVX2) a chunk of L codes is a {@code ByteVector} of 8L bits, a
 * {@code ShortVector} of 16L bits and an {@code IntVector} of 32L bits, all with L lanes, so each widening is a
 * single lane-preserving {@code castShape}. Products of two int8 codes fit in 16 bits (|−128·−128| = 2¹⁴), so Q8_0
 * multiplies in 16-bit lanes before widening; Q4_0 widens its packed bytes straight to 32-bit lanes and unpacks the
 * nibbles there.
 *
 * <p>The integer part is exact; the float part differs from ggml's generic order (one accumulator per lane, scales
 * multiplied first, FMA), so results agree with {@link org.llm4e.quantization.GgmlDot} to float rounding, not bit for
 * bit: the same trade ggml's own AVX kernels make. Needs at least 8 float lanes; the constructor refuses narrower
 * machines so that {@code Simd.load} falls back to the scalar kernels.
 */
public final class PanamaGgmlDotKernels implements GgmlDotKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            L >= 8 ? ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(16 * L)) : null;
    private static final VectorSpecies<Byte> B =
            L >= 8 ? ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(8 * L)) : null;
    /** fp16 bit pattern → float: the scales are read with scalar code, as ggml's {@code GGML_FP16_TO_FP32} table. */
    private static final float[] HALF = new float[1 << 16];

    static {
        for (int h = 0; h < HALF.length; h++) {
            HALF[h] = Fp16.decode((short) h);
        }
    }

    /**
     * Creates the Vector API kernels.
     *
     * @throws UnsupportedOperationException if the preferred vector holds fewer than 8 floats
     */
    public PanamaGgmlDotKernels() {
        if (L < 8 || L > 16) {
            throw new UnsupportedOperationException("needs 8 or 16 float lanes, this machine has " + L);
        }
    }

    private static float half(byte[] b, int off) {
        return HALF[(b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8];
    }

    @Override
    public float dotQ8_0(byte[] x, int xOff, byte[] y, int yOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        int xb = xOff;
        int yb = yOff;
        for (int b = 0; b < blocks; b++, xb += 34, yb += 34) {
            float d = half(x, xb) * half(y, yb);
            IntVector sumi = IntVector.zero(I);
            for (int c = 0; c < 32; c += L) {
                ShortVector xs =
                        (ShortVector) ByteVector.fromArray(B, x, xb + 2 + c).castShape(S, 0);
                ShortVector ys =
                        (ShortVector) ByteVector.fromArray(B, y, yb + 2 + c).castShape(S, 0);
                sumi = sumi.add((IntVector) xs.mul(ys).castShape(I, 0));
            }
            // One accumulator, updated unconditionally: a vector that flows through an if/else (alternating
            // accumulators) makes C2 box it, which costs a hundredfold; the FMA latency hides behind the block's loads.
            acc = ((FloatVector) sumi.castShape(F, 0)).fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dotQ4_0Q8_0(byte[] x, int xOff, byte[] y, int yOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        int xb = xOff;
        int yb = yOff;
        for (int b = 0; b < blocks; b++, xb += 18, yb += 34) {
            float d = half(x, xb) * half(y, yb);
            IntVector sumi = IntVector.zero(I);
            // Byte j of qs holds element j (low nibble) and element j + 16 (high nibble), as ggml packs Q4_0. The
            // packed bytes widen straight to int lanes (sign-extended, hence the mask after the shift): measured
            // faster here than unpacking in byte lanes and multiplying in 16 bits.
            for (int c = 0; c < 16; c += L) {
                IntVector q = (IntVector) ByteVector.fromArray(B, x, xb + 2 + c).castShape(I, 0);
                IntVector lo = q.and(0x0F).sub(8);
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(8);
                IntVector ylo =
                        (IntVector) ByteVector.fromArray(B, y, yb + 2 + c).castShape(I, 0);
                IntVector yhi =
                        (IntVector) ByteVector.fromArray(B, y, yb + 18 + c).castShape(I, 0);
                sumi = sumi.add(lo.mul(ylo)).add(hi.mul(yhi));
            }
            acc = ((FloatVector) sumi.castShape(F, 0)).fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n) {
        // Same widening as Q8_0: int8 → int16 lanes, exact 16-bit products, widened to int32 lanes and added.
        IntVector acc = IntVector.zero(I);
        int i = 0;
        for (; i <= n - L; i += L) {
            ShortVector as = (ShortVector) ByteVector.fromArray(B, a, aOff + i).castShape(S, 0);
            ShortVector bs = (ShortVector) ByteVector.fromArray(B, b, bOff + i).castShape(S, 0);
            acc = acc.add((IntVector) as.mul(bs).castShape(I, 0));
        }
        int sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }
}
