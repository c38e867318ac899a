package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

class LearnedPositionalEmbeddingTest {

    @Test
    void lookupAddAndScatterGradient() {
        LearnedPositionalEmbedding pe = LearnedPositionalEmbedding.random(10, 4, 1);
        float[] w = pe.parameters().get(0).data();
        int[] positions = {3, 0, 3, 9};
        Tensor y = pe.forward(positions);
        for (int t = 0; t < positions.length; t++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(w[positions[t] * 4 + i], y.get(t, i), 0f);
            }
        }
        Tensor x = Tensor.randn(2, 2, 3, 4);
        Tensor before = x.copy();
        pe.addTo(x, 5);
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 3; t++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(before.get(b, t, i) + w[(5 + t) * 4 + i], x.get(b, t, i), 0f);
                }
            }
        }
        Tensor g = Tensor.randn(4, 4, 4);
        pe.backward(positions, g);
        float[] dw = pe.parameters().get(0).grad();
        for (int i = 0; i < 4; i++) {
            assertEquals(g.get(0, i) + g.get(2, i), dw[3 * 4 + i], 1e-6f, "position 3 is looked up twice");
            assertEquals(g.get(1, i), dw[i], 0f);
            assertEquals(g.get(3, i), dw[9 * 4 + i], 0f);
            assertEquals(0f, dw[5 * 4 + i], 0f, "rows not looked up get no gradient");
        }
        double sd = 0;
        for (float v : w) {
            sd += v * v;
        }
        assertTrue(Math.sqrt(sd / w.length) < 0.05, "GPT-2 initialisation, std 0.02");
    }

    @Test
    void cannotExtrapolate() {
        LearnedPositionalEmbedding pe = LearnedPositionalEmbedding.random(10, 4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pe.forward(new int[] {2, 10}));
        assertTrue(e.getMessage().contains("positions[1]") && e.getMessage().contains("10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pe.addTo(Tensor.zeros(3, 4), 8));
        assertThrows(IllegalArgumentException.class, () -> pe.backward(new int[] {1}, Tensor.zeros(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> new LearnedPositionalEmbedding(2, 2, new float[3]));
    }
}
