package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.llm4e.core.Tensor;

/** Bad input gets an IllegalArgumentException naming the parameter, the value and what was expected. */
class BadInputTest {

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void rotaryEmbeddingConfiguration() {
        rejects(() -> RotaryEmbedding.builder(7), "headDim", "even", "7");
        rejects(() -> RotaryEmbedding.builder(0), "headDim", "0");
        rejects(() -> RotaryEmbedding.builder(-4), "headDim", "-4");
        rejects(() -> RotaryEmbedding.builder(8).base(1.0), "base", "> 1", "1.0");
        rejects(() -> RotaryEmbedding.builder(8).base(Double.NaN), "base", "NaN");
        rejects(() -> RotaryEmbedding.builder(8).maxPosition(-1), "maxPosition", "-1");
        rejects(() -> RotaryEmbedding.builder(8).layout(null), "layout");
        rejects(() -> RotaryEmbedding.builder(8).scaling(null), "scaling");
    }

    @Test
    void rotaryEmbeddingCalls() {
        RotaryEmbedding rope = RotaryEmbedding.builder(8).maxPosition(16).build();
        rejects(() -> rope.apply(new float[8], 0, -1), "position", "-1");
        rejects(() -> rope.backward(new float[8], 0, -3), "position", "-3");
        rejects(() -> rope.rotate(new double[8], 0, -2), "position", "-2");
        rejects(() -> rope.apply(new float[8], 1, 0), "offset", "1");
        rejects(() -> rope.apply(Tensor.zeros(2, 3, 8), new int[] {0, -5}), "positions[1]", "-5");
        rejects(() -> rope.apply(Tensor.zeros(2, 3, 8), new int[] {0}), "positions.length", "2", "1");
        rejects(() -> rope.apply(Tensor.zeros(2, 3, 6), new int[] {0, 1}), "shape", "[2, 3, 6]", "headDim=8");
        rejects(() -> rope.applyToHeads(Tensor.zeros(2, 3, 8), new int[] {0, 1, 2}), "[batch, heads, seq, headDim]");
        rejects(() -> rope.applyToHeads(Tensor.zeros(1, 1, 2, 8), -1), "start", "-1");
        rejects(() -> rope.angle(3, 4), "pair", "4");
        rejects(() -> rope.forSequenceLength(0), "seqLen", "0");
        rejects(() -> RotaryForms.rotateComplex(new double[3], 0, new double[1], RopeLayout.HALF), "headDim", "3");
        rejects(
                () -> RotaryForms.rotateMatrix(new double[4], 0, new double[1], RopeLayout.HALF),
                "invFreq.length",
                "2");
        rejects(() -> RopeLayout.HALF.permutationToOther(5), "headDim", "5");
    }

    @Test
    void scalings() {
        rejects(() -> RopeScaling.linear(0.5), "factor", "0.5", ">= 1");
        rejects(() -> RopeScaling.ntkAware(Double.POSITIVE_INFINITY), "factor", "Infinity");
        rejects(() -> RopeScaling.dynamicNtk(2, 0), "originalMaxPosition", "0");
        rejects(() -> RopeScaling.yarn(4, 4096, -1, 1), "betaFast", "-1");
        rejects(() -> RopeScaling.yarn(4, 4096, 32, 0), "betaSlow", "0");
        rejects(() -> RopeScaling.llama3(8, 4, 4, 8192), "highFreqFactor", "4.0", "lowFreqFactor");
        rejects(() -> RopeScaling.llama3(8, 0, 4, 8192), "lowFreqFactor", "0.0");
        rejects(() -> RopeScaling.llama3(8, 1, 4, -1), "originalMaxPosition", "-1");
        rejects(() -> RopeScaling.none().inverseFrequencies(10000, 9), "headDim", "9");
        rejects(() -> RopeScaling.none().inverseFrequencies(0.5, 8), "base", "0.5");
    }

    @Test
    void absoluteAndRelativeEncodings() {
        rejects(() -> SinusoidalEncoding.table(4, 7), "dim", "7");
        rejects(() -> SinusoidalEncoding.table(-1, 8), "positions", "-1");
        rejects(() -> SinusoidalEncoding.table(4, 8, 1.0), "base", "1.0");
        rejects(() -> SinusoidalEncoding.encode(-1, 8, 10000), "position", "-1");
        rejects(() -> Alibi.slopes(0), "heads", "0");
        rejects(() -> Alibi.bias(new double[] {0.5, Double.NaN}), "slopes[1]", "NaN");
        rejects(() -> Alibi.bias(2).bias(2, 0, 0), "head", "2");
        rejects(() -> T5RelativeBias.bucket(3, true, 3, 128), "numBuckets", "3");
        rejects(() -> T5RelativeBias.bucket(3, true, 32, 8), "maxDistance", "8");
        rejects(() -> new T5RelativeBias(2, 32, 128, true, new float[10]), "weight.length", "64", "10");
        rejects(() -> T5RelativeBias.random(2, 32, 128, true, 1, 1).backward(Tensor.zeros(3, 4, 4)), "heads=2");
        rejects(() -> ShawRelativePosition.clip(1, -1), "k", "-1");
        rejects(() -> new ShawRelativePosition(1, 3, new float[6]), "weight.length", "7", "6");
        rejects(() -> ShawRelativePosition.random(2, 3, 1, 1).bias(-1, 0, 0), "head", "-1");
        rejects(() -> AttentionBias.none().shifted(-2), "queryOffset", "-2");
        rejects(() -> AttentionBias.none().plus(null), "other");
    }
}
