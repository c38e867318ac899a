package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parallel;
import org.llm4e.quantization.internal.GgmlDotKernels;
import org.llm4e.quantization.internal.QuantizedActivations;
import org.llm4e.quantization.internal.ScalarGgmlDotKernels;
import org.llm4e.quantization.internal.simd.PanamaGgmlDotKernels;

/**
 * {@link RepackedQ4_0}: the repacked product is ggml's reference product, bit for bit — the Vector API tile kernel, the
 * scalar tile kernel and {@link GgmlDot#dotQ4_0Q8_0} on the original rows return the same floats for every row count
 * (partial last tiles included), every code and every finite fp16 scale; the one activation pattern outside the
 * 16-bit bound falls back and stays exact; bad sizes are refused.
 */
class RepackedQ4_0Test {
    private final GgmlDotKernels scalar = new ScalarGgmlDotKernels();
    private final GgmlDotKernels simd = new PanamaGgmlDotKernels();

    @Test
    void gaussianLayersEqualTheReferenceBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        for (int rows : new int[] {1, 15, 31, 32, 33, 100, 130}) {
            for (int cols : new int[] {32, 96, 1024}) {
                byte[] w = Q4_0.quantize(GgufSamples.gaussian(r, rows * cols));
                float[] x = GgufSamples.gaussian(r, cols);
                RepackedQ4_0 p = RepackedQ4_0.pack(w, rows, cols);
                float[] ref = GgmlMatVec.multiplyReference(GgmlType.Q4_0, w, rows, cols, x);
                String at = rows + "×" + cols;
                assertArrayEquals(ref, p.multiplyReference(x), "scalar tiles " + at);
                assertArrayEquals(ref, p.multiply(x), "fast tiles " + at);
                float[] single = Parallel.withParallelism(1, () -> p.multiply(x));
                assertArrayEquals(ref, single, "one thread " + at);
                assertEquals(20L * 32 * ((rows + 31) / 32) * (cols / 32), p.bytes(), "bytes " + at);
            }
        }
    }

    @Test
    void reusedActivationsAndOutputs() {
        SplittableRandom r = new SplittableRandom(9);
        int rows = 40;
        int cols = 256;
        byte[] w = Q4_0.quantize(GgufSamples.gaussian(r, rows * cols));
        RepackedQ4_0 p = RepackedQ4_0.pack(w, rows, cols);
        GgmlMatVec.Activations acts = new GgmlMatVec.Activations(cols);
        float[] y = new float[rows + 3];
        y[rows] = 42f;
        for (int round = 0; round < 3; round++) {
            float[] x = GgufSamples.gaussian(r, cols);
            p.multiply(acts.set(x), y);
            float[] ref = GgmlMatVec.multiplyReference(GgmlType.Q4_0, w, rows, cols, x);
            assertArrayEquals(ref, java.util.Arrays.copyOf(y, rows), "round " + round);
            assertEquals(42f, y[rows], "nothing written past rows");
        }
    }

    @Property(tries = 150)
    void tileKernelsEqualGgmlsDotOnArbitraryBlocks(
            @ForAll @IntRange(min = 1, max = 140) int rows,
            @ForAll @IntRange(min = 0, max = 12) int blocks,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int cols = 32 * blocks;
        // Every byte pattern for the codes, random finite fp16 scales (normal, subnormal, ±0).
        byte[] w = new byte[rows * blocks * 18];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) r.nextInt(256);
        }
        for (int k = 0; k < rows * blocks; k++) {
            putHalf(w, 18 * k, randomScale(r));
        }
        // Activations with every int8 code, −128 included (but no block of 32 × −128: see the next test).
        byte[] yq = new byte[blocks * 34];
        for (int b = 0; b < blocks; b++) {
            putHalf(yq, 34 * b, randomScale(r));
            for (int j = 0; j < 32; j++) {
                yq[34 * b + 2 + j] = (byte) (r.nextInt(8) == 0 ? -128 : r.nextInt(256) - 128);
            }
            yq[34 * b + 2 + r.nextInt(32)] = (byte) (r.nextInt(255) - 127);
        }
        QuantizedActivations a = new QuantizedActivations().setQ8_0(yq, 0, blocks);
        assertTrue(a.tileSafe);
        RepackedQ4_0 p = RepackedQ4_0.pack(w, rows, cols);
        float[] ys = tiles(simd, p, a, rows);
        float[] yr = tiles(scalar, p, a, rows);
        for (int i = 0; i < rows; i++) {
            float ref = GgmlDot.dotQ4_0Q8_0(w, i * blocks * 18, yq, 0, cols);
            assertEquals(Float.floatToIntBits(ref), Float.floatToIntBits(yr[i]), "scalar tile, row " + i);
            assertEquals(Float.floatToIntBits(ref), Float.floatToIntBits(ys[i]), "vector tile, row " + i);
        }
    }

    @Test
    void theOneSumBeyondSixteenBitsFallsBackAndStaysExact() {
        // Weights all code 0 (q − 8 = −8) against activations all −128: the block sum is 32 · 1024 = 32768 = 2¹⁵.
        int rows = 3;
        int cols = 64;
        byte[] w = new byte[rows * 2 * 18];
        for (int k = 0; k < rows * 2; k++) {
            putHalf(w, 18 * k, Fp16.encode(1f));
        }
        byte[] yq = new byte[2 * 34];
        for (int b = 0; b < 2; b++) {
            putHalf(yq, 34 * b, Fp16.encode(0.5f));
            java.util.Arrays.fill(yq, 34 * b + 2, 34 * b + 34, (byte) -128);
        }
        float expected = GgmlDot.dotQ4_0Q8_0(w, 0, yq, 0, cols);
        assertEquals(2 * 32768 * 0.5f, expected, 0f);
        float[] y = new float[rows];
        GgmlMatVec.multiplyQuantized(GgmlType.Q4_0, w, rows, cols, yq, y);
        assertEquals(expected, y[0], 0f, "the direct kernels sum in 32 bits");
        GgmlMatVec.Activations acts = GgmlMatVec.Activations.ofQ8_0(yq, cols);
        RepackedQ4_0.pack(w, rows, cols).multiply(acts, y);
        for (float v : y) {
            assertEquals(expected, v, 0f, "repacked product falls back to 32-bit sums");
        }
    }

    @Test
    void aGgufQ4_0TensorRepacksAndMultipliesAsItsRows() throws java.io.IOException {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 20;
        int cols = 64;
        float[] w = GgufSamples.gaussian(r, rows * cols);
        GgufWriter writer = new GgufWriter();
        writer.addTensor("blk.0.ffn_up.weight", GgmlType.Q4_0, new long[] {cols, rows}, w);
        writer.addTensor("norm", GgmlType.F32, new long[] {cols}, new float[cols]);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        writer.write(out);
        GgufFile f = GgufFile.read(out.toByteArray(), "model");
        RepackedQ4_0 p = f.repackQ4_0("blk.0.ffn_up.weight");
        assertEquals(rows, p.rows());
        assertEquals(cols, p.cols());
        float[] x = GgufSamples.gaussian(r, cols);
        assertArrayEquals(GgmlMatVec.multiplyReference(GgmlType.Q4_0, Q4_0.quantize(w), rows, cols, x), p.multiply(x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.repackQ4_0("norm"));
        assertTrue(e.getMessage().contains("F32") && e.getMessage().contains("[64]"), e.getMessage());
    }

    @Test
    void badInputIsRefusedWithTheValues() {
        byte[] w = new byte[2 * 18];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepackedQ4_0.pack(w, 2, 48));
        assertTrue(e.getMessage().contains("48"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RepackedQ4_0.pack(w, 3, 32));
        assertTrue(e.getMessage().contains("36"), e.getMessage());
        RepackedQ4_0 p = RepackedQ4_0.pack(w, 2, 32);
        e = assertThrows(IllegalArgumentException.class, () -> p.multiply(new float[64]));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> p.multiply(new GgmlMatVec.Activations(32).set(new float[32]), new float[1]));
        assertTrue(e.getMessage().contains("rows = 2"), e.getMessage());
    }

    private static float[] tiles(GgmlDotKernels k, RepackedQ4_0 p, QuantizedActivations a, int rows) {
        float[] y = new float[rows];
        a.prepareTiles();
        int tiles = (rows + RepackedQ4_0.TILE_ROWS - 1) / RepackedQ4_0.TILE_ROWS;
        float[] scratch = new float[128];
        Arrays.fill(scratch, Float.NaN); // what the scratch holds on entry must not matter
        for (int t = 0; t < tiles; t += 4) {
            // in reverse order, with repeats at the end: the kernels must not depend on the tiles' order
            int[] group = {Math.min(t + 3, tiles - 1), Math.min(t + 2, tiles - 1), Math.min(t + 1, tiles - 1), t};
            k.tilesQ4_0(p.codes(), p.scales(), group, a, scratch, y, rows);
        }
        return y;
    }

    private static short randomScale(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0:
                return (short) (r.nextInt(0x3FF) + 1 | (r.nextBoolean() ? 0x8000 : 0)); // subnormal
            case 1:
                return (short) (r.nextBoolean() ? 0x8000 : 0); // ±0
            default:
                return Fp16.encode((float) Math.scalb(r.nextDouble(), -r.nextInt(20)) * (r.nextBoolean() ? 1 : -1));
        }
    }

    private static void putHalf(byte[] b, int off, short h) {
        b[off] = (byte) h;
        b[off + 1] = (byte) (h >>> 8);
    }
}
