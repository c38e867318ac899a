package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.llm4e.core.Tensor;

/** Bad shapes and arguments give an IllegalArgumentException naming the parameter, the value and the expectation. */
class AttentionBadInputTest {
    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" lacks \"" + part + "\"");
        }
    }

    @Test
    void headsNotDivisibleByKvHeads() {
        Tensor q = Tensor.zeros(1, 6, 3, 4);
        Tensor k = Tensor.zeros(1, 4, 3, 4);
        assertMessage(
                () -> ScaledDotProductAttention.forward(q, k, k, AttentionMask.none()),
                "[1, 6, 3, 4]",
                "[1, 4, 3, 4]",
                "kvHeads");
    }

    @Test
    void headDimMismatch() {
        assertMessage(
                () -> ScaledDotProductAttention.forward(
                        Tensor.zeros(1, 2, 3, 8),
                        Tensor.zeros(1, 2, 3, 4),
                        Tensor.zeros(1, 2, 3, 4),
                        AttentionMask.none()),
                "headDim",
                "[1, 2, 3, 8]",
                "[1, 2, 3, 4]");
    }

    @Test
    void kAndVDisagreeOrBatchDiffersOrWrongRank() {
        Tensor q = Tensor.zeros(2, 2, 3, 4);
        assertMessage(
                () -> ScaledDotProductAttention.forward(
                        q, Tensor.zeros(2, 2, 3, 4), Tensor.zeros(2, 2, 5, 4), AttentionMask.none()),
                "[2, 2, 3, 4]",
                "[2, 2, 5, 4]");
        assertMessage(
                () -> ScaledDotProductAttention.forward(
                        q, Tensor.zeros(1, 2, 3, 4), Tensor.zeros(1, 2, 3, 4), AttentionMask.none()),
                "batch",
                "[2, 2, 3, 4]",
                "[1, 2, 3, 4]");
        assertMessage(
                () -> ScaledDotProductAttention.forward(Tensor.zeros(2, 3, 4), q, q, AttentionMask.none()),
                "q must be",
                "[2, 3, 4]");
    }

    @Test
    void maskOfTheWrongSize() {
        Tensor q = Tensor.zeros(2, 1, 3, 4);
        Tensor k = Tensor.zeros(2, 1, 5, 4);
        AttentionMask padding = AttentionMask.keyPadding(new boolean[2][4]);
        assertMessage(() -> ScaledDotProductAttention.forward(q, k, k, padding), "[2, 4]", "[2, 5]");
        assertMessage(
                () -> ScaledDotProductAttention.forward(
                        q, k, k, AttentionMask.causal().and(padding)),
                "[2, 4]",
                "[2, 5]");
        assertMessage(
                () -> AttentionMask.keyPadding(new boolean[2][4]).and(AttentionMask.keyPadding(new boolean[3][4])),
                "[2, 4]",
                "[3, 4]");
        assertMessage(() -> AttentionMask.keyPadding(new boolean[][] {{true}, {true, false}}), "allowed[1]", "1");
        assertMessage(() -> AttentionMask.keyLengths(new int[] {3, 6}, 5), "keyLengths[1]", "6", "[0, 5]");
        assertMessage(() -> ScaledDotProductAttention.forward(q, k, k, null), "mask");
    }

    @Test
    void badScaleBiasAndGradient() {
        Tensor q = Tensor.zeros(1, 1, 2, 4);
        assertMessage(
                () -> ScaledDotProductAttention.forward(q, q, q, AttentionMask.none(), Double.NaN), "scale", "NaN");
        assertMessage(
                () -> ScaledDotProductAttention.forward(
                        q, q, q, AttentionMask.none(), (org.llm4e.positional.AttentionBias) null),
                "bias");
        assertMessage(
                () -> ScaledDotProductAttention.backward(
                        q, q, q, AttentionMask.none(), null, 0.5, Tensor.zeros(1, 1, 3, 4)),
                "dO",
                "[1, 1, 3, 4]",
                "[1, 1, 2, 4]");
    }

    @Test
    void kvCacheShapes() {
        KvCache cache = new KvCache(1, 2, 4, 3);
        assertMessage(
                () -> cache.append(Tensor.zeros(1, 3, 1, 4), Tensor.zeros(1, 3, 1, 4)), "[1, 3, 1, 4]", "[1, 2, s, 4]");
        assertMessage(() -> cache.append(Tensor.zeros(1, 2, 4, 4), Tensor.zeros(1, 2, 4, 4)), "4 tokens", "capacity 3");
        assertMessage(() -> new KvCache(1, 0, 4, 3), "kvHeads", "0");
        assertMessage(() -> cache.truncate(1), "newLength", "[0, 0]", "1");
        assertMessage(
                () -> cache.attend(Tensor.zeros(1, 3, 1, 4), Tensor.zeros(1, 2, 1, 4), Tensor.zeros(1, 2, 1, 4)),
                "[1, 3, 1, 4]",
                "multiple of 2");
    }

    @Test
    void softmaxRoadArguments() {
        double[][] k = {{1, 2}, {3, 4}};
        assertMessage(() -> TiledOnlineAttention.row(new double[] {1, 2}, k, k, 1, 0, null), "blockSize", "0");
        assertMessage(() -> OnlineAttention.row(new double[] {1, 2, 3}, k, k, 1, null), "k[0]", "3");
        assertMessage(() -> OnlineAttention.row(new double[] {1, 2}, k, new double[][] {{1}}, 1, null), "v has 1");
    }
}
