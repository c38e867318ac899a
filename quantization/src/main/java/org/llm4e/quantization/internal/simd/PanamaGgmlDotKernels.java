package org.llm4e.quantization.internal.simd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
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
 * <p>Three kinds of entry point. The {@code dot*} methods take both operands as ggml bytes (any offsets); the
 * {@code rows*} methods, which the matrix-vector product runs once per pair of rows, take activations prepared once per
 * product ({@link QuantizedActivations}: codes already widened to 16 bits, scales already floats), so a row's work is
 * its own weights only: per Q8_0 block one widening cast, one 16-bit multiply, three shifts and two adds to fold the
 * products into 32-bit lanes, one conversion and one FMA (with L = 16 lanes); per Q4_0 block one widening cast, five
 * nibble operations, two multiplies, one add, one widening, one conversion and one FMA. Integer sums are kept in 16-bit
 * lanes only where the bound is proven (stated at each kernel), so the integer part is exact for every byte pattern.
 * {@link #tilesQ4_0} works on {@link org.llm4e.quantization.RepackedQ4_0}'s layout, where lanes are rows.
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
    /** 2L shorts: the repacked Q4_0 kernel's 16-bit codes of 2L rows. */
    private static final VectorSpecies<Short> SH = L >= 8 ? ShortVector.SPECIES_PREFERRED : null;
    /** 1.5 · 2²³: its bits plus an int n with |n| &lt; 2²², read as a float, are 1.5 · 2²³ + n exactly. */
    private static final float FLOAT_MAGIC = 12582912f;

    private static final int FLOAT_MAGIC_BITS = Float.floatToRawIntBits(FLOAT_MAGIC);
    /** Chunks of 2L codes per Q8_0 block (1 with 16 float lanes, 2 with 8). */
    private static final int Q8_CHUNKS = L >= 8 ? 32 / (2 * L) : 1;
    /** Chunks of L packed bytes per Q4_0 block (1 with 16 float lanes, 2 with 8). */
    private static final int Q4_CHUNKS = L >= 8 ? 16 / L : 1;

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
     * Two Q8_0 rows. Per chunk of 2L codes: the weights widen to 16-bit lanes in one cast, the activations come already
     * widened (one load serves both rows), one 16-bit multiply gives 2L exact products (|−128 · −128| = 2¹⁴ fits), and
     * the pairs of products are added into L 32-bit lanes by viewing the 16-bit lanes as 32-bit ones (an arithmetic
     * shift right by 16 gives the upper product, a shift left then right the lower one): exact for every code, fewer
     * instructions than two widening casts. Then one int→float conversion and one FMA with the block's scale product.
     * The loop runs over chunks with every index linear in the chunk number, so C2 hoists the range checks.
     */
    @Override
    public void rowsQ8_0(byte[] w, int wOff0, int wOff1, QuantizedActivations x, float[] y, int y0, int y1) {
        short[] yc = x.codes;
        float[] ys = x.scales;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int chunks = x.blocks * Q8_CHUNKS;
        for (int t = 0; t < chunks; t++) {
            int b = t / Q8_CHUNKS;
            int in = 2 + 2 * L * (t % Q8_CHUNKS) + 34 * b; // the chunk's first code within the row
            ShortVector yv = ShortVector.fromArray(S2, yc, 2 * L * t);
            float dy = ys[b];
            IntVector p0 = ((ShortVector)
                            ByteVector.fromArray(B2, w, wOff0 + in).castShape(S2, 0))
                    .mul(yv)
                    .reinterpretAsInts();
            IntVector s0 = p0.lanewise(VectorOperators.ASHR, 16)
                    .add(p0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            acc0 = ((FloatVector) s0.castShape(F, 0))
                    .fma(FloatVector.broadcast(F, scaleAt(w, wOff0 + 34 * b) * dy), acc0);
            IntVector p1 = ((ShortVector)
                            ByteVector.fromArray(B2, w, wOff1 + in).castShape(S2, 0))
                    .mul(yv)
                    .reinterpretAsInts();
            IntVector s1 = p1.lanewise(VectorOperators.ASHR, 16)
                    .add(p1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            acc1 = ((FloatVector) s1.castShape(F, 0))
                    .fma(FloatVector.broadcast(F, scaleAt(w, wOff1 + 34 * b) * dy), acc1);
        }
        y[y0] = acc0.reduceLanes(VectorOperators.ADD);
        y[y1] = acc1.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Two Q4_0 rows. Per chunk of L packed bytes: widen once to 16-bit lanes, unpack both nibbles there (mask, shift,
     * minus 8), multiply by the already widened activations (loaded once for both rows), add the two products in 16
     * bits (|sum| ≤ 2 · 8 · 128 fits) and widen the sums to 32 bits once; one int→float conversion and one FMA per
     * chunk. Indices are linear in the chunk number, as in {@link #rowsQ8_0}.
     */
    @Override
    public void rowsQ4_0(byte[] w, int wOff0, int wOff1, QuantizedActivations x, float[] y, int y0, int y1) {
        short[] yc = x.codes;
        float[] ys = x.scales;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int chunks = x.blocks * Q4_CHUNKS;
        for (int t = 0; t < chunks; t++) {
            int b = t / Q4_CHUNKS;
            int c = L * (t % Q4_CHUNKS); // the chunk's first packed byte within its block
            int in = 2 + c + 18 * b;
            // Byte j of a block holds element j (low nibble) and element j + 16 (high nibble), as ggml packs Q4_0.
            ShortVector ylo = ShortVector.fromArray(S, yc, 32 * b + c);
            ShortVector yhi = ShortVector.fromArray(S, yc, 32 * b + 16 + c);
            float dy = ys[b];
            ShortVector q0 =
                    (ShortVector) ByteVector.fromArray(B, w, wOff0 + in).castShape(S, 0);
            // The cast sign-extends, so the high nibble needs the mask after the logical shift too.
            ShortVector p0 = q0.and((short) 0x0F)
                    .sub((short) 8)
                    .mul(ylo)
                    .add(q0.lanewise(VectorOperators.LSHR, 4)
                            .and((short) 0x0F)
                            .sub((short) 8)
                            .mul(yhi));
            acc0 = ((FloatVector) ((IntVector) p0.castShape(I, 0)).castShape(F, 0))
                    .fma(FloatVector.broadcast(F, scaleAt(w, wOff0 + 18 * b) * dy), acc0);
            ShortVector q1 =
                    (ShortVector) ByteVector.fromArray(B, w, wOff1 + in).castShape(S, 0);
            ShortVector p1 = q1.and((short) 0x0F)
                    .sub((short) 8)
                    .mul(ylo)
                    .add(q1.lanewise(VectorOperators.LSHR, 4)
                            .and((short) 0x0F)
                            .sub((short) 8)
                            .mul(yhi));
            acc1 = ((FloatVector) ((IntVector) p1.castShape(I, 0)).castShape(F, 0))
                    .fma(FloatVector.broadcast(F, scaleAt(w, wOff1 + 18 * b) * dy), acc1);
        }
        y[y0] = acc0.reduceLanes(VectorOperators.ADD);
        y[y1] = acc1.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Repacked Q4_0 tiles: the lanes are rows, so a block needs no horizontal sum across elements, and every code is
     * already 16 bits wide, so nothing is converted: a tile's block is 8 loads of 2L rows' codes, each holding four
     * nibbles that three arithmetic shifts and a telescoping sum take apart,
     *
     * <pre>
     *   c·y₀ + (c ≫ 4)·(y₁ − 16y₀) + (c ≫ 8)·(y₂ − 16y₁) + (c ≫ 12)·(y₃ − 16y₂)  =  n₀y₀ + n₁y₁ + n₂y₂ + (n₃ − 8)·y₃
     * </pre>
     *
     * with the four coefficients prepared once per product ({@link QuantizedActivations#prepareTiles}) and broadcast,
     * and the other nibbles' −8 folded in by starting the block's sum at −8·Σ y. The 16-bit sums wrap freely (the
     * arithmetic is modulo 2¹⁶) and are exact at the end because the true block sum fits: |Σ| ≤ 32 · 8 · 127 = 32512
     * (the one sum that would not fit, 32 codes −128 against 32 weights −8, is excluded by the caller). At the block's
     * end a 32-bit view of the sums splits them into even rows (shift left 16, arithmetic shift right 16) and odd rows
     * (arithmetic shift right 16), which become floats exactly through the float 1.5·2²³ (its bits plus an integer
     * below 2²² in magnitude are the float 1.5·2²³ plus that integer), and are scaled as
     * {@code acc + (sumi · d_w) · d_y}, ggml's order, so each lane equals the reference. Per 2L rows and four weights:
     * one load, three shifts, four multiplies and four adds.
     */
    @Override
    public void tilesQ4_0(short[] q, float[] d, int[] tiles, QuantizedActivations x, float[] acc, float[] y, int rows) {
        Arrays.fill(acc, 0, 128, 0f);
        for (int h = 0; h < 32; h += 2 * L) {
            for (int b = 0; b < x.blocks; b += TILE_CHUNK) {
                chunkQ4_0(
                        q, d, tiles[0], tiles[1], tiles[2], tiles[3], h, b, Math.min(b + TILE_CHUNK, x.blocks), x, acc);
            }
        }
        for (int s = 0; s < 4; s++) {
            int t = tiles[s];
            for (int r = 0; r < Math.min(32, rows - 32 * t); r++) {
                y[32 * t + r] = acc[32 * s + GgmlDotKernels.tileScaleSlot(r)];
            }
        }
    }

    /** Blocks per call of {@link #chunkQ4_0}. */
    private static final int TILE_CHUNK = 16;

    /**
     * Blocks {@code from … to − 1} of rows {@code h … h + 2L − 1} of four tiles, added into {@code acc} (tile s's even
     * rows at {@code 32 · s + h / 2}, its odd rows 16 further, as the scales are stored).
     *
     * <p>Written for the JIT as much as for the CPU; each rule below was measured in a JVM that had run the other
     * kernels first, where breaking it made the product 5 to 300 times slower:
     *
     * <ul>
     *   <li>Chunks of {@value #TILE_CHUNK} blocks, the running sums passing through {@code acc} between calls: a call
     *       over all blocks is rare (a few dozen per product), and C1's code, which boxes every vector, kept running
     *       for seconds before C2 saw the few hundred invocations it waits for.
     *   <li>No conversion ({@code castShape}, {@code convert}): in C2 their kind of conversion is a run-time value
     *       when the JVM has used other shapes, and the cast was compiled into boxed code. The codes are loaded as
     *       shorts, and the sums become floats through the float 1.5·2²³ and reinterpretations.
     *   <li>Every receiver of a vector call has been through {@code check(species)}, and sums carried around a loop
     *       appear only as arguments: C2 (JDK 17) knows a load's, a reinterpretation's or a loop merge's result only
     *       by its declared type, so calls on it would dispatch on type profiles shared with every vector of the JVM;
     *       the class check tells it the exact class, and costs nothing once compiled.
     *   <li>Four tiles written out, no vector helper methods, no vectors in arrays: a vector that crosses a call C2
     *       does not inline, or sits in an array, is boxed.
     * </ul>
     */
    private static void chunkQ4_0(
            short[] q,
            float[] d,
            int t0,
            int t1,
            int t2,
            int t3,
            int h,
            int from,
            int to,
            QuantizedActivations x,
            float[] acc) {
        short[] coef = x.tileCoefficients;
        int blocks = x.blocks;
        int h2 = h / 2;
        FloatVector e0 = FloatVector.fromArray(F, acc, h2);
        FloatVector o0 = FloatVector.fromArray(F, acc, 16 + h2);
        FloatVector e1 = FloatVector.fromArray(F, acc, 32 + h2);
        FloatVector o1 = FloatVector.fromArray(F, acc, 48 + h2);
        FloatVector e2 = FloatVector.fromArray(F, acc, 64 + h2);
        FloatVector o2 = FloatVector.fromArray(F, acc, 80 + h2);
        FloatVector e3 = FloatVector.fromArray(F, acc, 96 + h2);
        FloatVector o3 = FloatVector.fromArray(F, acc, 112 + h2);
        for (int b = from; b < to; b++) {
            int base0 = 256 * (t0 * blocks + b) + h;
            int base1 = 256 * (t1 * blocks + b) + h;
            int base2 = 256 * (t2 * blocks + b) + h;
            int base3 = 256 * (t3 * blocks + b) + h;
            ShortVector sum0 = ShortVector.broadcast(SH, x.tileInit[b]);
            ShortVector sum1 = sum0;
            ShortVector sum2 = sum0;
            ShortVector sum3 = sum0;
            for (int k = 0; k < 8; k++) {
                ShortVector y0 = ShortVector.broadcast(SH, coef[32 * b + 4 * k]);
                ShortVector y1 = ShortVector.broadcast(SH, coef[32 * b + 4 * k + 1]);
                ShortVector y2 = ShortVector.broadcast(SH, coef[32 * b + 4 * k + 2]);
                ShortVector y3 = ShortVector.broadcast(SH, coef[32 * b + 4 * k + 3]);
                ShortVector c0 = (ShortVector)
                        ShortVector.fromArray(SH, q, base0 + 32 * k).check(SH);
                sum0 = c0.mul(y0)
                        .add(c0.lanewise(VectorOperators.ASHR, 4).mul(y1))
                        .add(c0.lanewise(VectorOperators.ASHR, 8).mul(y2))
                        .add(c0.lanewise(VectorOperators.ASHR, 12).mul(y3))
                        .add(sum0);
                ShortVector c1 = (ShortVector)
                        ShortVector.fromArray(SH, q, base1 + 32 * k).check(SH);
                sum1 = c1.mul(y0)
                        .add(c1.lanewise(VectorOperators.ASHR, 4).mul(y1))
                        .add(c1.lanewise(VectorOperators.ASHR, 8).mul(y2))
                        .add(c1.lanewise(VectorOperators.ASHR, 12).mul(y3))
                        .add(sum1);
                ShortVector c2 = (ShortVector)
                        ShortVector.fromArray(SH, q, base2 + 32 * k).check(SH);
                sum2 = c2.mul(y0)
                        .add(c2.lanewise(VectorOperators.ASHR, 4).mul(y1))
                        .add(c2.lanewise(VectorOperators.ASHR, 8).mul(y2))
                        .add(c2.lanewise(VectorOperators.ASHR, 12).mul(y3))
                        .add(sum2);
                ShortVector c3 = (ShortVector)
                        ShortVector.fromArray(SH, q, base3 + 32 * k).check(SH);
                sum3 = c3.mul(y0)
                        .add(c3.lanewise(VectorOperators.ASHR, 4).mul(y1))
                        .add(c3.lanewise(VectorOperators.ASHR, 8).mul(y2))
                        .add(c3.lanewise(VectorOperators.ASHR, 12).mul(y3))
                        .add(sum3);
            }
            FloatVector dy = FloatVector.broadcast(F, x.scales[b]);
            FloatVector magic =
                    (FloatVector) FloatVector.broadcast(F, -FLOAT_MAGIC).check(F);
            IntVector s0 = (IntVector)
                    ((ShortVector) sum0.check(SH)).reinterpretAsInts().check(I);
            IntVector s1 = (IntVector)
                    ((ShortVector) sum1.check(SH)).reinterpretAsInts().check(I);
            IntVector s2 = (IntVector)
                    ((ShortVector) sum2.check(SH)).reinterpretAsInts().check(I);
            IntVector s3 = (IntVector)
                    ((ShortVector) sum3.check(SH)).reinterpretAsInts().check(I);
            int d0 = 32 * (t0 * blocks + b) + h2;
            int d1 = 32 * (t1 * blocks + b) + h2;
            int d2 = 32 * (t2 * blocks + b) + h2;
            int d3 = 32 * (t3 * blocks + b) + h2;
            // even rows: the low 16 bits of each 32-bit lane, sign-extended; odd rows: the high 16 bits
            e0 = magic.add(s0.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d0))
                    .mul(dy)
                    .add(e0);
            o0 = magic.add(s0.lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d0 + 16))
                    .mul(dy)
                    .add(o0);
            e1 = magic.add(s1.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d1))
                    .mul(dy)
                    .add(e1);
            o1 = magic.add(s1.lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d1 + 16))
                    .mul(dy)
                    .add(o1);
            e2 = magic.add(s2.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d2))
                    .mul(dy)
                    .add(e2);
            o2 = magic.add(s2.lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d2 + 16))
                    .mul(dy)
                    .add(o2);
            e3 = magic.add(s3.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d3))
                    .mul(dy)
                    .add(e3);
            o3 = magic.add(s3.lanewise(VectorOperators.ASHR, 16)
                            .add(FLOAT_MAGIC_BITS)
                            .reinterpretAsFloats())
                    .mul(FloatVector.fromArray(F, d, d3 + 16))
                    .mul(dy)
                    .add(o3);
        }
        ((FloatVector) e0.check(F)).intoArray(acc, h2);
        ((FloatVector) o0.check(F)).intoArray(acc, 16 + h2);
        ((FloatVector) e1.check(F)).intoArray(acc, 32 + h2);
        ((FloatVector) o1.check(F)).intoArray(acc, 48 + h2);
        ((FloatVector) e2.check(F)).intoArray(acc, 64 + h2);
        ((FloatVector) o2.check(F)).intoArray(acc, 80 + h2);
        ((FloatVector) e3.check(F)).intoArray(acc, 96 + h2);
        ((FloatVector) o3.check(F)).intoArray(acc, 112 + h2);
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
