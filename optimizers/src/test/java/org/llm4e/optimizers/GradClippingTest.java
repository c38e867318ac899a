package org.llm4e.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;

/** clip_grad_norm_ and clip_grad_value_ semantics, with hand-computed norms. */
class GradClippingTest {
    private static List<Parameter> grads(float[]... gs) {
        Parameter[] ps = new Parameter[gs.length];
        for (int i = 0; i < gs.length; i++) {
            ps[i] = new Parameter("p" + i, new float[gs[i].length], gs[i].clone());
        }
        return List.of(ps);
    }

    @Test
    void clipsByTheGlobalL2NormAndReturnsIt() {
        List<Parameter> ps = grads(new float[] {3f, 0f}, new float[] {4f}); // ‖g‖ = 5 over both tensors
        double norm = GradClipping.clipGradNorm(ps, 1.0);
        assertEquals(5.0, norm, 1e-12);
        float c = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[] {3f * c, 0f}, ps.get(0).grad());
        assertArrayEquals(new float[] {4f * c}, ps.get(1).grad());
        assertEquals(1.0, GradClipping.totalNorm(ps, 2), 1e-6);
    }

    @Test
    void leavesSmallGradientsAlone() {
        List<Parameter> ps = grads(new float[] {0.3f, -0.4f});
        assertEquals(0.5, GradClipping.clipGradNorm(ps, 1.0), 1e-7);
        assertArrayEquals(new float[] {0.3f, -0.4f}, ps.get(0).grad(), "coefficient clamped to 1");
    }

    @Test
    void otherNormTypes() {
        List<Parameter> ps = grads(new float[] {1f, -2f}, new float[] {-3f});
        assertEquals(3.0, GradClipping.totalNorm(ps, Double.POSITIVE_INFINITY));
        assertEquals(6.0, GradClipping.totalNorm(ps, 1), 1e-12);
        assertEquals(Math.cbrt(1 + 8 + 27), GradClipping.totalNorm(ps, 3), 1e-12);
        double norm = GradClipping.clipGradNorm(ps, 1.5, Double.POSITIVE_INFINITY, false);
        assertEquals(3.0, norm);
        assertEquals(-1.5f, ps.get(1).grad()[0], 1e-6);
    }

    @Test
    void nonFiniteNormsPropagateOrFail() {
        List<Parameter> nan = grads(new float[] {1f, Float.NaN});
        assertTrue(Double.isNaN(GradClipping.clipGradNorm(nan, 1.0)));
        assertTrue(Float.isNaN(nan.get(0).grad()[0]), "NaN propagates to every gradient, as in torch");
        List<Parameter> inf = grads(new float[] {1f, Float.POSITIVE_INFINITY});
        ArithmeticException ex =
                assertThrows(ArithmeticException.class, () -> GradClipping.clipGradNorm(inf, 1.0, 2.0, true));
        assertTrue(ex.getMessage().contains("Infinity"), ex.getMessage());
        assertArrayEquals(new float[] {1f, Float.POSITIVE_INFINITY}, inf.get(0).grad(), "unchanged when refused");
    }

    @Test
    void clipsByValue() {
        List<Parameter> ps = grads(new float[] {-3f, -0.5f, 0f, 0.5f, 3f, Float.NaN});
        GradClipping.clipGradValue(ps, 1.0);
        assertArrayEquals(
                new float[] {-1f, -0.5f, 0f, 0.5f, 1f, Float.NaN}, ps.get(0).grad());
    }

    @Test
    void badArguments() {
        List<Parameter> ps = grads(new float[] {1f});
        IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradNorm(ps, -1));
        assertEquals("max_norm must be >= 0, got -1.0", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradNorm(ps, 1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradValue(ps, Double.NaN));
    }
}
