package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

class AttentionMaskTest {

    @Test
    void causalIsBottomRightAligned() {
        AttentionMask causal = AttentionMask.causal();
        // qSeq = kvSeq: the lower triangle j ≤ i.
        assertTrue(causal.allowed(0, 2, 2, 4, 4));
        assertFalse(causal.allowed(0, 2, 3, 4, 4));
        // Two new queries over five keys: they are tokens 3 and 4, so query 0 sees keys 0..3 and query 1 all five.
        assertTrue(causal.allowed(0, 0, 3, 2, 5));
        assertFalse(causal.allowed(0, 0, 4, 2, 5));
        assertTrue(causal.allowed(0, 1, 4, 2, 5));
        // One decode query sees the whole cache (torch 2.x's top-left is_causal would let it see key 0 only).
        for (int j = 0; j < 7; j++) {
            assertTrue(causal.allowed(0, 0, j, 1, 7));
        }
        // More queries than keys: the first qSeq − kvSeq rows see nothing.
        assertEquals(0, causal.keyLimit(0, 5, 3));
        assertEquals(0, causal.keyLimit(1, 5, 3));
        assertEquals(1, causal.keyLimit(2, 5, 3));
        assertEquals(3, causal.keyLimit(4, 5, 3));
        assertEquals(6, AttentionMask.none().keyLimit(0, 5, 6));
    }

    @Test
    void combinedMasksIntersect() {
        AttentionMask m = AttentionMask.causal().and(AttentionMask.keyPadding(new boolean[][] {{true, false, true}}));
        assertTrue(m.isCausal());
        assertTrue(m.hasKeyPadding());
        assertTrue(m.allowed(0, 2, 0, 3, 3));
        assertFalse(m.allowed(0, 2, 1, 3, 3)); // padded
        assertFalse(m.allowed(0, 0, 2, 3, 3)); // future
        AttentionMask twoPads = AttentionMask.keyLengths(new int[] {2}, 3).and(m);
        assertFalse(twoPads.allowed(0, 2, 2, 3, 3));
        assertTrue(twoPads.allowed(0, 2, 0, 3, 3));
        assertEquals("AttentionMask.none()", AttentionMask.none().toString());
    }

    @Test
    void paddingArrayIsCopied() {
        boolean[][] allowed = {{true, true}};
        AttentionMask m = AttentionMask.keyPadding(allowed);
        allowed[0][1] = false;
        assertTrue(m.allowed(0, 0, 1, 2, 2));
    }

    /** A query row before any allowed key gives output 0 and log-sum-exp −∞; torch would give NaN. */
    @Test
    void fullyMaskedRowsGiveZeroAndMinusInfinity() {
        Tensor q = Tensor.randn(1, 2, 2, 4, 3);
        Tensor k = Tensor.randn(2, 2, 2, 4, 3);
        AttentionMask mask = AttentionMask.keyPadding(new boolean[][] {{true, true, true, true}, new boolean[4]});
        AttentionResult r = ScaledDotProductAttention.forwardWithStats(q, k, k, mask, null, 0.5, true);
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(Float.NEGATIVE_INFINITY, r.logSumExp().get(1, h, i));
                assertTrue(Float.isFinite(r.logSumExp().get(0, h, i)));
                for (int c = 0; c < 3; c++) {
                    assertEquals(0f, r.output().get(1, h, i, c));
                    assertEquals(0f, r.weights().get(1, h, i, c));
                }
            }
        }
        AttentionGradients g =
                ScaledDotProductAttention.backward(q, k, k, mask, null, 0.5, Tensor.randn(3, 2, 2, 4, 3));
        for (int i = 24; i < 48; i++) {
            assertEquals(0f, g.dQ().data()[i]); // nothing flows back through a fully masked row
        }
    }
}
