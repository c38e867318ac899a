package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.llm4e.testsupport.Golden;

/**
 * The matrix-vector row kernels (activations decoded once per product) against the scalar reference
 * ({@link GgmlDot}, bit-exact to ggml): exactly equal where every scale is 1 so that all the arithmetic is integer
 * (and every partial sum stays below 2²⁴, where float32 holds integers exactly); otherwise within 10⁻⁵ of
 * Σ|terms| (the two paths round their float sums in different orders, and block terms may cancel); and the golden
 * ggml dot products of {@code quantization_ggml.json} through the fast matrix-vector product.
 */
class GgmlRowKernelsProperties {
    private static final short ONE = Fp16.encode(1f);
    private final GgmlDotKernels scalar = new ScalarGgmlDotKernels();
    private final GgmlDotKernels simd = new PanamaGgmlDotKernels();

    @Property(tries = 120)
    void rowKernelsAgreeWithTheReferenceOnArbitraryBlocks(
            @ForAll @IntRange(min = 0, max = 40) int blocks,
            @ForAll @IntRange(min = 0, max = 40) int wOff,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // Arbitrary bytes: every code including −128, random finite fp16 scales (normal and subnormal).
        byte[] w8 = randomBlocks(r, wOff, blocks, 34, false);
        byte[] w4 = randomBlocks(r, wOff, blocks, 18, false);
        byte[] y = randomBlocks(r, 0, blocks, 34, false);
        QuantizedActivations a = new QuantizedActivations().setQ8_0(y, 0, blocks);
        assertClose(
                q80Bound(w8, wOff, 34, y, blocks, true),
                scalar.rowQ8_0(w8, wOff, a),
                simd.rowQ8_0(w8, wOff, a),
                "Q8_0");
        assertClose(
                q80Bound(w4, wOff, 18, y, blocks, false),
                scalar.rowQ4_0(w4, wOff, a),
                simd.rowQ4_0(w4, wOff, a),
                "Q4_0");
        int kBlocks = blocks % 5;
        byte[] w4k = randomQ4K(r, wOff, kBlocks, false);
        byte[] y8k = randomQ8K(r, kBlocks, 128, false);
        QuantizedActivations k = new QuantizedActivations().setQ8_K(y8k, 0, kBlocks);
        assertClose(
                q4kBound(w4k, wOff, y8k, kBlocks), scalar.rowQ4_K(w4k, wOff, k), simd.rowQ4_K(w4k, wOff, k), "Q4_K");
    }

    @Property(tries = 80)
    void integerArithmeticIsExact(
            @ForAll @IntRange(min = 0, max = 16) int blocks,
            @ForAll @IntRange(min = 0, max = 20) int wOff,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // All scales 1: every term is an integer and |partial sums| ≤ 16 · 32 · 2¹⁴ < 2²⁴, so both paths are exact.
        byte[] w8 = randomBlocks(r, wOff, blocks, 34, true);
        byte[] w4 = randomBlocks(r, wOff, blocks, 18, true);
        byte[] y = randomBlocks(r, 0, blocks, 34, true);
        QuantizedActivations a = new QuantizedActivations().setQ8_0(y, 0, blocks);
        assertEquals(scalar.rowQ8_0(w8, wOff, a), simd.rowQ8_0(w8, wOff, a), 0f, "Q8_0");
        assertEquals(scalar.rowQ4_0(w4, wOff, a), simd.rowQ4_0(w4, wOff, a), 0f, "Q4_0");
        // Q4_K with d = dmin = d8 = 1 and codes in [−8, 8]: |Σ| ≤ 4 · 256 · 63 · 15 · 8 < 2²⁴.
        int kBlocks = blocks % 5;
        byte[] w4k = randomQ4K(r, wOff, kBlocks, true);
        byte[] y8k = randomQ8K(r, kBlocks, 8, true);
        QuantizedActivations k = new QuantizedActivations().setQ8_K(y8k, 0, kBlocks);
        assertEquals(scalar.rowQ4_K(w4k, wOff, k), simd.rowQ4_K(w4k, wOff, k), 0f, "Q4_K");
    }

    @Property(tries = 80)
    void rowPairsEqualTheirRowsAlone(
            @ForAll @IntRange(min = 0, max = 24) int blocks,
            @ForAll @IntRange(min = 0, max = 40) int gap,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // Two rows in one array, the second after an arbitrary gap: the pair kernel reads two places at once.
        byte[] w8 = randomBlocks(r, 0, 2 * blocks + gap, 34, false);
        byte[] w4 = randomBlocks(r, 0, 2 * blocks + gap, 18, false);
        byte[] y = randomBlocks(r, 0, blocks, 34, false);
        QuantizedActivations a = new QuantizedActivations().setQ8_0(y, 0, blocks);
        int second8 = 34 * (blocks + gap);
        int second4 = 18 * (blocks + gap);
        // Each row of a pair must be that row's dot product: equal for the scalar kernels, within float rounding of
        // the reference for the vector ones (on JDK 25 a lane reduction may add in another order once compiled, so
        // two calls of the same code are not compared bit for bit).
        float[] ref = {
            scalar.rowQ8_0(w8, 0, a),
            scalar.rowQ8_0(w8, second8, a),
            scalar.rowQ4_0(w4, second4, a),
            scalar.rowQ4_0(w4, 0, a)
        };
        double[] bounds = {
            q80Bound(w8, 0, 34, y, blocks, true),
            q80Bound(w8, second8, 34, y, blocks, true),
            q80Bound(w4, second4, 18, y, blocks, false),
            q80Bound(w4, 0, 18, y, blocks, false)
        };
        for (GgmlDotKernels k : new GgmlDotKernels[] {scalar, simd}) {
            double scale = k == scalar ? 0 : 1; // the scalar kernels are the reference: equal to the bit
            float[] out = new float[3];
            k.rowsQ8_0(w8, 0, second8, a, out, 2, 0);
            assertClose(scale * bounds[0], ref[0], out[2], "Q8_0 first row");
            assertClose(scale * bounds[1], ref[1], out[0], "Q8_0 second row");
            k.rowsQ4_0(w4, second4, 0, a, out, 1, 2);
            assertClose(scale * bounds[2], ref[2], out[1], "Q4_0 first row");
            assertClose(scale * bounds[3], ref[3], out[2], "Q4_0 second row");
        }
    }

    @Test
    void goldenDotsThroughTheFastMatVec() {
        JsonNode root = Golden.load("quantization_ggml.json");
        int checked = 0;
        for (JsonNode v : root.get("vec_dot")) {
            float[] x = Golden.floats(v.get("x"));
            float[] y = Golden.floats(v.get("y"));
            int n = v.get("n").asInt();
            byte[] yq = GgmlDot.quantizeActivations(y);
            GgmlMatVec.Activations acts = new GgmlMatVec.Activations(n).set(y);
            assertArrayEquals(yq, acts.q8_0(), "the activations are ggml's Q8_0 bytes");
            QuantizedActivations a = new QuantizedActivations().setQ8_0(yq, 0, n / 32);
            byte[] x8 = Q8_0.quantize(x);
            byte[] x4 = Q4_0.quantize(x);
            float g8 = (float) v.get("q8_0_q8_0").get("result").asDouble();
            float g4 = (float) v.get("q4_0_q8_0").get("result").asDouble();
            String name = v.get("name").asText();
            assertEquals(g8, scalar.rowQ8_0(x8, 0, a), 0f, name + " Q8_0 reference row");
            assertEquals(g4, scalar.rowQ4_0(x4, 0, a), 0f, name + " Q4_0 reference row");
            assertClose(q80Bound(x8, 0, 34, yq, n / 32, true), g8, simd.rowQ8_0(x8, 0, a), name + " Q8_0");
            assertClose(q80Bound(x4, 0, 18, yq, n / 32, false), g4, simd.rowQ4_0(x4, 0, a), name + " Q4_0");
            float[] out = new float[1];
            GgmlMatVec.multiply(GgmlType.Q8_0, x8, 1, n, acts, out);
            assertClose(q80Bound(x8, 0, 34, yq, n / 32, true), g8, out[0], name + " Q8_0 mat-vec");
            GgmlMatVec.multiply(GgmlType.Q4_0, x4, 1, n, acts, out);
            assertClose(q80Bound(x4, 0, 18, yq, n / 32, false), g4, out[0], name + " Q4_0 mat-vec");
            // the repacked layout keeps ggml's float order: ggml's own result to the bit
            assertEquals(g4, RepackedQ4_0.pack(x4, 1, n).multiply(y)[0], 0f, name + " Q4_0 repacked");
            checked++;
        }
        assertTrue(checked > 0, "the golden file has vec_dot cases");
    }

    @Test
    void q4kMatVecAgreesWithTheReferenceAndTheThreadCount() {
        int rows = 45;
        int cols = 512;
        SplittableRandom r = new SplittableRandom(11);
        float[] w = GgufSamples.gaussian(r, rows * cols);
        float[] x = GgufSamples.gaussian(r, cols);
        byte[] wq = Q4_K.quantize(w);
        byte[] xk = Q8_K.quantize(x);
        float[] ref = GgmlMatVec.multiplyReference(GgmlType.Q4_K, wq, rows, cols, x);
        float[] fast = GgmlMatVec.multiply(GgmlType.Q4_K, wq, rows, cols, x);
        float[] single = Parallel.withParallelism(1, () -> GgmlMatVec.multiply(GgmlType.Q4_K, wq, rows, cols, x));
        assertArrayEquals(fast, single, 1e-6f, "independent of the thread count (within 1e-6: see GgmlMatVecTest)");
        GgmlMatVec.Activations acts = new GgmlMatVec.Activations(cols);
        float[] reused = new float[rows];
        for (int round = 0; round < 2; round++) {
            // A reused Activations is re-quantized by set: the second vector's product must not see the first's Q8_K.
            float[] v = round == 0 ? GgufSamples.gaussian(r, cols) : x;
            GgmlMatVec.multiply(GgmlType.Q4_K, wq, rows, cols, acts.set(v), reused);
        }
        assertArrayEquals(fast, reused, 1e-6f, "reused activations");
        QuantizedActivations k = new QuantizedActivations().setQ8_K(xk, 0, cols / 256);
        for (int i = 0; i < rows; i++) {
            int off = i * (int) GgmlType.Q4_K.bytes(cols);
            assertEquals(GgmlDot.dotQ4_KQ8_K(wq, off, xk, 0, cols), ref[i], 0f, "reference row " + i);
            double bound = q4kBound(wq, off, xk, cols / 256);
            assertClose(bound, ref[i], fast[i], "row " + i);
            // and the value the blocks define, computed in double
            double def = Q4KDotTest.definition(java.util.Arrays.copyOfRange(wq, off, off + 288), xk, cols);
            assertEquals(def, fast[i], 1e-5 * bound, "definition row " + i);
        }
    }

    private static byte[] randomBlocks(SplittableRandom r, int off, int blocks, int bytesPerBlock, boolean unit) {
        byte[] b = new byte[off + blocks * bytesPerBlock + r.nextInt(3)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        for (int k = 0; k < blocks; k++) {
            short h = unit
                    ? ONE
                    : Fp16.encode((float) Math.scalb(r.nextDouble(), -r.nextInt(20)) * (r.nextBoolean() ? 1 : -1));
            b[off + k * bytesPerBlock] = (byte) h;
            b[off + k * bytesPerBlock + 1] = (byte) (h >>> 8);
        }
        return b;
    }

    private static byte[] randomQ4K(SplittableRandom r, int off, int blocks, boolean unit) {
        byte[] b = randomBlocks(r, off, blocks, Q4_K.BYTES_PER_BLOCK, unit);
        for (int k = 0; k < blocks; k++) {
            short h = unit ? ONE : Fp16.encode((float) Math.scalb(r.nextDouble(), -r.nextInt(10)));
            b[off + k * Q4_K.BYTES_PER_BLOCK + 2] = (byte) h;
            b[off + k * Q4_K.BYTES_PER_BLOCK + 3] = (byte) (h >>> 8);
        }
        return b;
    }

    /** Q8_K blocks with codes in [−range, range) (all of int8 for 128), their true bsums and a float32 scale. */
    private static byte[] randomQ8K(SplittableRandom r, int blocks, int range, boolean unit) {
        byte[] b = new byte[blocks * Q8_K.BYTES_PER_BLOCK];
        for (int k = 0; k < blocks; k++) {
            int o = k * Q8_K.BYTES_PER_BLOCK;
            int d = Float.floatToRawIntBits(unit ? 1f : (float) (r.nextDouble() * 0.1));
            for (int i = 0; i < 4; i++) {
                b[o + i] = (byte) (d >>> (8 * i));
            }
            for (int j = 0; j < 256; j++) {
                b[o + 4 + j] = (byte) (r.nextInt(2 * range) - range);
            }
            for (int s = 0; s < 16; s++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    sum += b[o + 4 + 16 * s + i];
                }
                b[o + 260 + 2 * s] = (byte) sum;
                b[o + 261 + 2 * s] = (byte) (sum >> 8);
            }
        }
        return b;
    }

    /** Σ_b |dx_b · dy_b| · Σ_j |x_j · y_j| for Q8_0 or Q4_0 weights against Q8_0 activations, in double. */
    static double q80Bound(byte[] x, int xOff, int xbb, byte[] y, int blocks, boolean q8) {
        double s = 0;
        for (int k = 0; k < blocks; k++) {
            int xb = xOff + k * xbb;
            int yb = k * 34;
            long sumi = 0;
            for (int j = 0; j < 32; j++) {
                int xv =
                        q8 ? x[xb + 2 + j] : (j < 16 ? (x[xb + 2 + j] & 0xF) : ((x[xb + 2 + j - 16] & 0xFF) >>> 4)) - 8;
                sumi += Math.abs((long) xv * y[yb + 2 + j]);
            }
            s += Math.abs(sumi * (double) GgmlBlocks.getHalf(x, xb) * GgmlBlocks.getHalf(y, yb));
        }
        return s;
    }

    /** Σ_b |d · d8| · Σ_j scale_j · Σ |q4 · q8| + |dmin · d8| · Σ_k |bsum_k · min_(k/2)|, in double. */
    static double q4kBound(byte[] x, int xOff, byte[] y, int blocks) {
        double s = 0;
        byte[] sc = new byte[12];
        for (int b = 0; b < blocks; b++) {
            int xb = xOff + b * Q4_K.BYTES_PER_BLOCK;
            int yb = b * Q8_K.BYTES_PER_BLOCK;
            System.arraycopy(x, xb + 4, sc, 0, 12);
            double d8 = Math.abs(Q8_K.scale(y, yb));
            long main = 0;
            for (int j = 0; j < 8; j++) {
                int q4 = xb + 16 + 32 * (j / 2);
                for (int l = 0; l < 32; l++) {
                    int a = ((x[q4 + l] & 0xFF) >>> ((j & 1) * 4)) & 0xF;
                    main += (long) Q4_K.scale(sc, j) * Math.abs(a * y[yb + 4 + 32 * j + l]);
                }
            }
            long mins = 0;
            for (int k = 0; k < 16; k++) {
                mins += Math.abs((long) Q8_K.bsum(y, yb, k) * Q4_K.min(sc, k / 2));
            }
            s += Math.abs(GgmlBlocks.getHalf(x, xb)) * d8 * main + Math.abs(GgmlBlocks.getHalf(x, xb + 2)) * d8 * mins;
        }
        return s;
    }

    private static void assertClose(double magnitude, float expected, float actual, String what) {
        double tol = 1e-5 * magnitude + 1e-30;
        assertEquals(expected, actual, tol, what + ": reference " + expected + " vs SIMD " + actual);
    }
}
