package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.TensorAssert;

class RotaryEmbeddingTest {

    @Test
    void a131072PositionCacheEqualsTheOnTheFlyComputation() {
        RotaryEmbedding cached = RotaryEmbedding.builder(16)
                .base(500000)
                .scaling(RopeScaling.llama3(8, 1, 4, 8192))
                .maxPosition(140_000)
                .build();
        RotaryEmbedding onTheFly = RotaryEmbedding.builder(16)
                .base(500000)
                .scaling(RopeScaling.llama3(8, 1, 4, 8192))
                .maxPosition(0)
                .build();
        int[] positions = {0, 8191, 131_071, 131_072, 139_999, 140_000, 1 << 24};
        Tensor x = Tensor.randn(5, positions.length, 3, 16);
        TensorAssert.assertIdentical(
                onTheFly.apply(x, positions).data(), cached.apply(x, positions).data(), "[seq, heads, d]");
        Tensor heads = Tensor.randn(6, 2, 3, positions.length, 16);
        TensorAssert.assertIdentical(
                onTheFly.applyToHeads(heads, positions).data(),
                cached.applyToHeads(heads, positions).data(),
                "[batch, heads, seq, d]");
    }

    @Test
    void inPlaceAndOffsetOverloadsAgreeWithTheCopyingOnes() {
        RotaryEmbedding rope = RotaryEmbedding.builder(32)
                .layout(RopeLayout.INTERLEAVED)
                .maxPosition(10)
                .build();
        int[] positions = {7, 8, 9, 10, 11};
        Tensor x = Tensor.randn(1, 5, 4, 32);
        Tensor copy = x.copy();
        rope.applyInPlace(copy, positions);
        TensorAssert.assertIdentical(rope.apply(x, positions).data(), copy.data(), "applyInPlace");

        Tensor h = Tensor.randn(2, 2, 4, 5, 32);
        Tensor hCopy = h.copy();
        rope.applyToHeadsInPlace(hCopy, positions);
        TensorAssert.assertIdentical(rope.applyToHeads(h, positions).data(), hCopy.data(), "applyToHeadsInPlace");
        TensorAssert.assertIdentical(rope.applyToHeads(h, 7).data(), hCopy.data(), "applyToHeads(x, start)");
        TensorAssert.assertClose(h, rope.backwardToHeads(hCopy, positions), 1e-5, 1e-5, "backward inverts");

        // one head vector at a time, in place inside a bigger array
        float[] flat = x.data().clone();
        for (int t = 0; t < 5; t++) {
            for (int hd = 0; hd < 4; hd++) {
                rope.apply(flat, (t * 4 + hd) * 32, positions[t]);
            }
        }
        TensorAssert.assertIdentical(copy.data(), flat, "apply(float[], offset, position)");
        for (int t = 0; t < 5; t++) {
            for (int hd = 0; hd < 4; hd++) {
                rope.backward(flat, (t * 4 + hd) * 32, positions[t]);
            }
        }
        TensorAssert.assertClose(x.data(), flat, 1e-5, 1e-5, "backward(float[], offset, position)");
    }

    @Test
    void theVectorKernelIsLoadedWhenTheModuleIsPresent() {
        assertEquals(
                "ScalarRopeKernel",
                RotaryEmbedding.builder(8).simd(false).build().kernelName());
        boolean vector =
                org.llm4e.core.Simd.vectorModulePresent() && org.llm4e.core.Simd.mode() != org.llm4e.core.Simd.Mode.OFF;
        // surefire runs with --add-modules jdk.incubator.vector, so the SIMD == scalar properties compare two kernels
        assertEquals(
                vector ? "PanamaRopeKernel" : "ScalarRopeKernel",
                RotaryEmbedding.builder(8).build().kernelName());
    }

    @Test
    void accessorsAndInverseFrequenciesAreCopies() {
        RotaryEmbedding rope = RotaryEmbedding.builder(8).base(1e6).build();
        assertEquals(8, rope.headDim());
        assertEquals(1e6, rope.base(), 0.0);
        assertEquals(RopeLayout.HALF, rope.layout());
        assertEquals(4096, rope.maxPosition());
        double[] inv = rope.inverseFrequencies();
        inv[0] = 42;
        assertEquals(1.0, rope.inverseFrequencies()[0], 0.0);
        assertEquals(3 * rope.inverseFrequencies()[2], rope.angle(3, 2), 0.0);
    }
}
