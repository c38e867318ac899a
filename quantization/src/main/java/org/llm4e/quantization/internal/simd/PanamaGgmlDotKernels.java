package org.llm4e.quantization.internal.simd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.QuantizedActivations;

/**
 * Vector API dot products on ggml blocks, llama3.java's scheme adapted to integer activations: per block, read the
 * fp16 scale with scalar code (a table lookup, as ggml's {@code GGML_FP16_TO_FP32}), widen the int8 (or unpacked
 * int4) codes to 16-bit lanes, multiply exactly, add into 32-bit lanes (exact integer sums), convert to float and
 * accumulate {@code sumi · (dx·dy)} with one FMA per block into a float vector; one horizontal reduction per row.
 *
 * <p>Two kinds of entry point. The {@code dot*} methods take both operands as ggml bytes (any offsets); the
 * {@code row*} methods, which the matrix-vector product runs once per row, take activations prepared once per product
 * ({@link QuantizedActivations}: codes already widened to 16 bits, scales already floats), so a row's work is its own
 * weights only: per Q8_0 block one widening cast, one 16-bit multiply, three shifts and two adds to fold the products
 * into 32-bit lanes, one conversion and one FMA (with L = 16 lanes); per Q4_0 block one widening cast, five nibble
 * operations, two multiplies, one add, one widening, one conversion and one FMA. Integer sums are kept in 16-bit lanes
 * only where the bound is proven (stated at each kernel), so the integer part is exact for every byte pattern.
 *
 * <p>With L float lanes (16 on AVX-512, 8 on AVX2) a chunk of L codes is a {@code ByteVector} of 8L bits, a
 * {@code ShortVector} of 16L bits and an {@code IntVector} of 32L bits, all with L lanes, so each widening is a
 * single lane-preserving {@code castShape} (casts that split lanes across vectors, {@code part ≠ 0}, are avoided:
 * they compile poorly on JDK 17). No vector crosses a method boundary: C2 on JDK 25 boxes vectors passed to helper
 * methods it does not inline, which costs a hundredfold.
 *
 * <p>The float part differs from ggml's generic order (one accumulator per lane, scales multiplied first, FMA), so
 * results agree with {@link org.llm4e.quantization.GgmlDot} to float rounding, not bit for bit: the same trade ggml's
 * own AVX kernels make. Needs at least 8 float lanes; the constructor refuses narrower machines so that
 * {@code Simd.load} falls back to the scalar kernels.
 */
public final class PanamaGgmlDotKernels implements GgmlDotKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            L >= 8 ? ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(16 * L)) : null;
    private static final VectorSpecies<Byte> B =
            L >= 8 ? ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(8 * L)) : null;
    /** 2L shorts (a full vector) and 2L bytes: the Q8_0 row kernel widens 2L codes in one cast. */
    private static final VectorSpecies<Short> S2 =
            L >= 8 ? ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(32 * L)) : null;

    private static final VectorSpecies<Byte> B2 =
            L >= 8 ? ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(16 * L)) : null;
    /** Little-endian 16-bit reads of the fp16 scales: one load instead of two byte loads and a shift. */
    private static final VarHandle LE_SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

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
        return QuantizedActivations.half(b, off);
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

    private static float scaleAt(byte[] w, int off) {
        return QuantizedActivations.half((short) LE_SHORT.get(w, off));
    }

    /**
     * Q8_0 row. Per chunk of 2L codes: the weights widen to 16-bit lanes in one cast, the activations come already
     * widened, one 16-bit multiply gives 2L exact products (|−128 · −128| = 2¹⁴ fits), and the pairs of products are
     * added into L 32-bit lanes by viewing the 16-bit lanes as 32-bit ones (an arithmetic shift right by 16 gives the
     * upper product, a shift left then right the lower one): exact for every code, fewer instructions than two
     * widening casts. Then one int→float conversion and one FMA with the block's scale product per block.
     */
    @Override
    public float rowQ8_0(byte[] w, int wOff, QuantizedActivations x) {
        short[] yc = x.codes;
        float[] ys = x.scales;
        FloatVector acc = FloatVector.zero(F);
        int xb = wOff;
        for (int b = 0; b < x.blocks; b++, xb += 34) {
            IntVector sumi = IntVector.zero(I);
            for (int c = 0; c < 32; c += 2 * L) {
                ShortVector p = ((ShortVector)
                                ByteVector.fromArray(B2, w, xb + 2 + c).castShape(S2, 0))
                        .mul(ShortVector.fromArray(S2, yc, b * 32 + c));
                IntVector pairs = p.reinterpretAsInts();
                sumi = sumi.add(pairs.lanewise(VectorOperators.ASHR, 16))
                        .add(pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            }
            acc = ((FloatVector) sumi.castShape(F, 0)).fma(FloatVector.broadcast(F, scaleAt(w, xb) * ys[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_0 row. Per chunk of L packed bytes: widen once to 16-bit lanes, unpack both nibbles there (mask, shift, minus
     * 8), multiply by the already widened activations, add the two products in 16 bits (|sum| ≤ 2 · 8 · 128 fits) and
     * widen the sums to 32 bits once; one int→float conversion and one FMA per block.
     */
    @Override
    public float rowQ4_0(byte[] w, int wOff, QuantizedActivations x) {
        short[] yc = x.codes;
        float[] ys = x.scales;
        FloatVector acc = FloatVector.zero(F);
        int xb = wOff;
        for (int b = 0; b < x.blocks; b++, xb += 18) {
            IntVector sumi = IntVector.zero(I);
            for (int c = 0; c < 16; c += L) {
                ShortVector q =
                        (ShortVector) ByteVector.fromArray(B, w, xb + 2 + c).castShape(S, 0);
                ShortVector lo = q.and((short) 0x0F).sub((short) 8);
                // The cast sign-extends, so the high nibble needs the mask after the logical shift too.
                ShortVector hi =
                        q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).sub((short) 8);
                ShortVector p = lo.mul(ShortVector.fromArray(S, yc, b * 32 + c))
                        .add(hi.mul(ShortVector.fromArray(S, yc, b * 32 + 16 + c)));
                sumi = sumi.add((IntVector) p.castShape(I, 0));
            }
            acc = ((FloatVector) sumi.castShape(F, 0)).fma(FloatVector.broadcast(F, scaleAt(w, xb) * ys[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_K row against Q8_K. Per pair of 32-element sub-blocks (one 32-byte run of packed nibbles: low nibbles are
     * sub-block 2p, high nibbles 2p + 1), L bytes at a time: widen to 16-bit lanes, multiply the unsigned nibbles by
     * the widened activations (|15 · 128| fits in 16 bits), widen the products and multiply them by the sub-block's
     * 6-bit scale in 32-bit lanes: the block's Σ scale·q4·q8 is exact (|Σ| ≤ 256 · 63 · 15 · 128 &lt; 2³¹). The float part
     * is one FMA per block with d · d8; the mins, which never meet a weight, are Σ bsums · min in scalar code once
     * per block, subtracted at the end.
     */
    @Override
    public float rowQ4_K(byte[] w, int wOff, QuantizedActivations x) {
        short[] yc = x.kCodes;
        float[] ys = x.kScales;
        int[] sums = x.kSums;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0f;
        int xb = wOff;
        for (int b = 0; b < x.kBlocks; b++, xb += 144) {
            int sc = xb + 4;
            IntVector blk = IntVector.zero(I);
            // One flat loop over the 128 packed bytes, L at a time (nested loops carrying vectors compile to boxed
            // code on JDK 25); chunk t covers bytes 32·p + c of sub-blocks 2p (low nibbles) and 2p + 1 (high).
            for (int t = 0; t < 128; t += L) {
                int p = t >> 5;
                ShortVector q =
                        (ShortVector) ByteVector.fromArray(B, w, xb + 16 + t).castShape(S, 0);
                int yo = b * 256 + t + (t & ~31);
                ShortVector lo = q.and((short) 0x0F).mul(ShortVector.fromArray(S, yc, yo));
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4)
                        .and((short) 0x0F)
                        .mul(ShortVector.fromArray(S, yc, yo + 32));
                blk = blk.add(((IntVector) lo.castShape(I, 0)).mul(k4Scale(w, sc, 2 * p)))
                        .add(((IntVector) hi.castShape(I, 0)).mul(k4Scale(w, sc, 2 * p + 1)));
            }
            float d8 = ys[b];
            acc = ((FloatVector) blk.castShape(F, 0)).fma(FloatVector.broadcast(F, scaleAt(w, xb) * d8), acc);
            int sumi = 0;
            for (int k = 0; k < 16; k++) {
                sumi += sums[b * 16 + k] * k4Min(w, sc, k >> 1);
            }
            mins += (scaleAt(w, xb + 2) * d8) * sumi;
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    /** ggml's {@code get_scale_min_k4}, the scale half, on the 12 scale bytes at {@code q}. */
    private static int k4Scale(byte[] w, int q, int j) {
        return j < 4 ? w[q + j] & 63 : (w[q + j + 4] & 0xF) | ((w[q + j - 4] & 0xFF) >> 6) << 4;
    }

    /** ggml's {@code get_scale_min_k4}, the min half. */
    private static int k4Min(byte[] w, int q, int j) {
        return j < 4 ? w[q + j + 4] & 63 : ((w[q + j + 4] & 0xFF) >> 4) | ((w[q + j] & 0xFF) >> 6) << 4;
    }
}
