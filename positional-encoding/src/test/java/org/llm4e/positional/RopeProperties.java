package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.TensorAssert;

/** jqwik properties of RoPE and the sinusoidal encoding (catalog checks 14 and 16). */
class RopeProperties {

    @Provide
    Arbitrary<Integer> headDims() {
        return Arbitraries.integers().between(1, 80).map(h -> 2 * h);
    }

    @Provide
    Arbitrary<Double> bases() {
        return Arbitraries.of(10000.0, 500000.0, 1e6, 100.0);
    }

    @Provide
    Arbitrary<RopeScaling> normPreservingScalings() {
        return Arbitraries.oneOf(
                Arbitraries.just(RopeScaling.none()),
                Arbitraries.doubles().between(1, 16).map(RopeScaling::linear),
                Arbitraries.doubles().between(1, 16).map(RopeScaling::ntkAware),
                Combinators.combine(
                                Arbitraries.doubles().between(1, 16),
                                Arbitraries.integers().between(16, 9000),
                                Arbitraries.integers().between(1, 200_000))
                        .as((f, l, n) -> RopeScaling.dynamicNtk(f, l).forSequenceLength(n)),
                Combinators.combine(
                                Arbitraries.doubles().between(1, 32),
                                Arbitraries.doubles().between(0.5, 2),
                                Arbitraries.doubles().between(2.5, 8),
                                Arbitraries.integers().between(64, 16384))
                        .as(RopeScaling::llama3));
    }

    private static double[] randomVector(long seed, int d) {
        float[] f = Tensor.randn(seed, d).data();
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = f[i];
        }
        return x;
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Property(tries = 100)
    void normIsPreservedWhenAttentionScalingIsOne(
            @ForAll("headDims") int d,
            @ForAll("bases") double base,
            @ForAll("normPreservingScalings") RopeScaling scaling,
            @ForAll RopeLayout layout,
            @ForAll @IntRange(min = 0, max = 300_000) int position,
            @ForAll long seed) {
        RotaryEmbedding rope = RotaryEmbedding.builder(d)
                .base(base)
                .layout(layout)
                .scaling(scaling)
                .maxPosition(64)
                .build();
        assertEquals(1.0, rope.attentionScaling(), 0.0);
        double[] x = randomVector(seed, d);
        double[] y = x.clone();
        rope.rotate(y, 0, position);
        assertEquals(norm(x), norm(y), 1e-12 * (1 + norm(x)));
        float[] xf = Tensor.randn(seed, d).data();
        float[] yf = xf.clone();
        rope.apply(yf, 0, position);
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < d; i++) {
            nx += (double) xf[i] * xf[i];
            ny += (double) yf[i] * yf[i];
        }
        assertEquals(Math.sqrt(nx), Math.sqrt(ny), 1e-5 * (1 + Math.sqrt(nx)));
    }

    @Property(tries = 50)
    void yarnScalesNormsByItsAttentionScaling(
            @ForAll("headDims") int d,
            @ForAll @IntRange(min = 2, max = 64) int factor,
            @ForAll @IntRange(min = 0, max = 200_000) int position,
            @ForAll long seed) {
        RotaryEmbedding rope = RotaryEmbedding.builder(d)
                .base(10000)
                .scaling(RopeScaling.yarn(factor, 4096))
                .maxPosition(0)
                .build();
        assertEquals(0.1 * Math.log(factor) + 1, rope.attentionScaling(), 1e-15);
        double[] x = randomVector(seed, d);
        double[] y = x.clone();
        rope.rotate(y, 0, position);
        assertEquals(norm(x) * rope.attentionScaling(), norm(y), 1e-12 * (1 + norm(x)));
    }

    @Property(tries = 100)
    void positionZeroIsTheIdentity(
            @ForAll("headDims") int d, @ForAll("bases") double base, @ForAll RopeLayout layout, @ForAll long seed) {
        RotaryEmbedding rope = RotaryEmbedding.builder(d)
                .base(base)
                .layout(layout)
                .maxPosition(4)
                .build();
        float[] x = Tensor.randn(seed, d).data();
        float[] y = x.clone();
        rope.apply(y, 0, 0);
        TensorAssert.assertIdentical(x, y, "RoPE(x, 0)");
        double[] xd = randomVector(seed, d);
        double[] yd = xd.clone();
        rope.rotate(yd, 0, 0);
        TensorAssert.assertClose(xd, yd, 0, 0, "double RoPE(x, 0)");
    }

    @Property(tries = 100)
    void scoreDependsOnlyOnTheDistance(
            @ForAll("relativeDims") int d,
            @ForAll("relativeBases") double base,
            @ForAll RopeLayout layout,
            @ForAll @IntRange(min = 0, max = 20_000) int m,
            @ForAll @IntRange(min = 0, max = 20_000) int n,
            @ForAll @IntRange(min = 0, max = 100_000) int t,
            @ForAll long seed) {
        RotaryEmbedding rope = RotaryEmbedding.builder(d)
                .base(base)
                .layout(layout)
                .maxPosition(0)
                .build();
        double[] q = randomVector(seed, d);
        double[] k = randomVector(seed + 1, d);
        double[] qm = q.clone();
        double[] kn = k.clone();
        rope.rotate(qm, 0, m);
        rope.rotate(kn, 0, n);
        double[] qmt = q.clone();
        double[] knt = k.clone();
        rope.rotate(qmt, 0, m + t);
        rope.rotate(knt, 0, n + t);
        // angle rounding grows with the position: |pos|·ulp per pair
        double tol = 1e-13 * (1 + m + n + 2.0 * t) * norm(q) * norm(k) + 1e-12;
        assertEquals(dot(qm, kn), dot(qmt, knt), tol);
    }

    @Provide
    Arbitrary<Integer> relativeDims() {
        return Arbitraries.of(2, 64, 128);
    }

    @Provide
    Arbitrary<Double> relativeBases() {
        return Arbitraries.of(10000.0, 1e6);
    }

    @Property(tries = 100)
    void layoutsAgreeUpToTheirPermutation(
            @ForAll("headDims") int d,
            @ForAll("bases") double base,
            @ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll long seed) {
        RotaryEmbedding half =
                RotaryEmbedding.builder(d).base(base).maxPosition(128).build();
        RotaryEmbedding inter = RotaryEmbedding.builder(d)
                .base(base)
                .layout(RopeLayout.INTERLEAVED)
                .maxPosition(128)
                .build();
        int[] toInterleaved = RopeLayout.HALF.permutationToOther(d);
        int[] toHalf = RopeLayout.INTERLEAVED.permutationToOther(d);
        float[] x = Tensor.randn(seed, d).data();
        float[] xi = new float[d];
        for (int i = 0; i < d; i++) {
            xi[i] = x[toInterleaved[i]];
        }
        half.apply(x, 0, position);
        inter.apply(xi, 0, position);
        float[] back = new float[d];
        for (int i = 0; i < d; i++) {
            back[i] = xi[toHalf[i]];
        }
        TensorAssert.assertIdentical(x, back, "HALF vs permuted INTERLEAVED");
    }

    @Property(tries = 60)
    void threeComputationsAgree(
            @ForAll("headDims") int d,
            @ForAll("bases") double base,
            @ForAll RopeLayout layout,
            @ForAll("normPreservingScalings") RopeScaling scaling,
            @ForAll @IntRange(min = 0, max = 200_000) int position,
            @ForAll long seed) {
        RotaryEmbedding rope = RotaryEmbedding.builder(d)
                .base(base)
                .layout(layout)
                .scaling(scaling)
                .maxPosition(0)
                .build();
        double[] x = randomVector(seed, d);
        double[] fast = x.clone();
        rope.rotate(fast, 0, position);
        TensorAssert.assertClose(fast, RotaryForms.rotateComplex(rope, x, position), 0, 1e-12, "complex");
        TensorAssert.assertClose(fast, RotaryForms.rotateMatrix(rope, x, position), 0, 1e-12, "matrix");
        TensorAssert.assertClose(fast, RotaryForms.rotateElementwise(rope, x, position), 0, 1e-12, "elementwise");
        float[] xf = new float[d];
        for (int i = 0; i < d; i++) {
            xf[i] = (float) x[i];
        }
        rope.apply(xf, 0, position);
        TensorAssert.assertClose(fast, xf, 1e-5, 1e-5, "float32 cached path");
    }

    @Property(tries = 50)
    void simdKernelEqualsScalarKernelBitForBit(
            @ForAll @IntRange(min = 1, max = 9) int seq,
            @ForAll @IntRange(min = 1, max = 4) int heads,
            @ForAll("headDims") int d,
            @ForAll RopeLayout layout,
            @ForAll @IntRange(min = 0, max = 100) int start,
            @ForAll long seed) {
        RotaryEmbedding scalar = RotaryEmbedding.builder(d)
                .layout(layout)
                .maxPosition(50)
                .simd(false)
                .build();
        RotaryEmbedding simd = RotaryEmbedding.builder(d)
                .layout(layout)
                .maxPosition(50)
                .simd(true)
                .build();
        Tensor x = Tensor.randn(seed, seq, heads, d);
        int[] positions = new int[seq];
        for (int t = 0; t < seq; t++) {
            positions[t] = start + 7 * t;
        }
        TensorAssert.assertIdentical(
                scalar.apply(x, positions).data(), simd.apply(x, positions).data(), "forward");
        TensorAssert.assertIdentical(
                scalar.backward(x, positions).data(),
                simd.backward(x, positions).data(),
                "backward");
        Tensor bhsd = x.reshape(1, seq, heads, d); // any [b, h, s, d] view works for the comparison
        Tensor asHeads = Tensor.of(bhsd.data().clone(), heads, 1, seq, d);
        TensorAssert.assertIdentical(
                scalar.applyToHeads(asHeads, positions).data(),
                simd.applyToHeads(asHeads, positions).data(),
                "applyToHeads");
    }

    @Property(tries = 50)
    void backwardIsTheAdjointAndInverseOfTheForward(
            @ForAll("headDims") int d,
            @ForAll RopeLayout layout,
            @ForAll @IntRange(min = 1, max = 6) int seq,
            @ForAll @IntRange(min = 0, max = 200_000) int start,
            @ForAll boolean yarn,
            @ForAll long seed) {
        RotaryEmbedding rope = RotaryEmbedding.builder(d)
                .layout(layout)
                .scaling(yarn ? RopeScaling.yarn(8, 2048) : RopeScaling.none())
                .maxPosition(1000)
                .build();
        int[] positions = new int[seq];
        for (int t = 0; t < seq; t++) {
            positions[t] = start + 3 * t;
        }
        Tensor x = Tensor.randn(seed, seq, 2, d);
        Tensor g = Tensor.randn(seed + 1, seq, 2, d);
        Tensor y = rope.apply(x, positions);
        Tensor dx = rope.backward(g, positions);
        // ⟨R x, g⟩ = ⟨x, Rᵀ g⟩
        double lhs = 0;
        double rhs = 0;
        for (int i = 0; i < x.size(); i++) {
            lhs += (double) y.data()[i] * g.data()[i];
            rhs += (double) x.data()[i] * dx.data()[i];
        }
        assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)));
        // Rᵀ R x = s² x
        double s2 = rope.attentionScaling() * rope.attentionScaling();
        Tensor back = rope.backward(y, positions);
        for (int i = 0; i < x.size(); i++) {
            assertEquals(s2 * x.data()[i], back.data()[i], 1e-5 * (1 + Math.abs(x.data()[i])));
        }
    }

    @Property(tries = 30)
    void resultsDoNotDependOnTheThreadCount(
            @ForAll @IntRange(min = 1, max = 40) int seq, @ForAll RopeLayout layout, @ForAll long seed) {
        RotaryEmbedding rope =
                RotaryEmbedding.builder(64).layout(layout).maxPosition(30).build();
        Tensor x = Tensor.randn(seed, 2, 3, seq, 64);
        int[] positions = new int[seq];
        for (int t = 0; t < seq; t++) {
            positions[t] = 5 * t;
        }
        Tensor one = Parallel.withParallelism(1, () -> rope.applyToHeads(x, positions));
        Tensor four = Parallel.withParallelism(4, () -> rope.applyToHeads(x, positions));
        TensorAssert.assertIdentical(one.data(), four.data(), "1 vs 4 chunks");
        Tensor seqFirst = Tensor.randn(seed, seq, 8, 64);
        TensorAssert.assertIdentical(
                Parallel.withParallelism(1, () -> rope.apply(seqFirst, positions))
                        .data(),
                Parallel.withParallelism(3, () -> rope.apply(seqFirst, positions))
                        .data(),
                "1 vs 3 chunks");
    }

    @Property(tries = 50)
    void positionsBeyondTheCacheEqualTheCachedComputation(
            @ForAll @IntRange(min = 0, max = 2_000_000) int position, @ForAll RopeLayout layout, @ForAll long seed) {
        // a cache ending exactly after `position` vs no cache at all: identical bits
        RotaryEmbedding onTheFly =
                RotaryEmbedding.builder(8).layout(layout).maxPosition(0).build();
        float[] x = Tensor.randn(seed, 8).data();
        float[] a = x.clone();
        onTheFly.apply(a, 0, position);
        RotaryEmbedding small =
                RotaryEmbedding.builder(8).layout(layout).maxPosition(16).build();
        float[] b = x.clone();
        small.apply(b, 0, position);
        TensorAssert.assertIdentical(a, b, "maxPosition 0 vs 16");
        double[] ref = new double[8];
        for (int i = 0; i < 8; i++) {
            ref[i] = x[i];
        }
        small.rotate(ref, 0, position);
        TensorAssert.assertClose(ref, a, 1e-5, 1e-5, "vs double reference");
    }

    @Property(tries = 100)
    void sinusoidalDotProductDependsOnlyOnTheOffset(
            @ForAll @IntRange(min = 1, max = 256) int halfDim,
            @ForAll("bases") double base,
            @ForAll @IntRange(min = 0, max = 50_000) int pos,
            @ForAll @IntRange(min = 0, max = 50_000) int pos2,
            @ForAll @IntRange(min = 0, max = 2_000) int k) {
        int d = 2 * halfDim;
        double a = dot(SinusoidalEncoding.encode(pos, d, base), SinusoidalEncoding.encode(pos + k, d, base));
        double b = dot(SinusoidalEncoding.encode(pos2, d, base), SinusoidalEncoding.encode(pos2 + k, d, base));
        double expected = 0;
        for (double w : SinusoidalEncoding.frequencies(d, base)) {
            expected += Math.cos(k * w);
        }
        assertEquals(expected, a, 1e-9 * d);
        assertEquals(a, b, 1e-9 * d);
    }
}
