package org.llm4e.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;
import org.opentest4j.AssertionFailedError;

class TensorAssertTest {

    @Test
    void reportsFirstMismatchWithIndexValuesAndTolerance() {
        Tensor expected = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor actual = Tensor.of(new float[] {1, 2, 3, 4, 5.5f, 7}, 2, 3);
        AssertionFailedError e = assertThrows(
                AssertionFailedError.class, () -> TensorAssert.assertClose(expected, actual, 0, 0.1, "block"));
        String m = e.getMessage();
        assertTrue(m.startsWith("block: first mismatch at index 4 [1, 1]"), m);
        assertTrue(m.contains("expected 5.0, got 5.5") && m.contains("tolerance = 0.1"), m);
    }

    @Test
    void shapeAndLengthMismatchesAreReported() {
        AssertionFailedError e = assertThrows(
                AssertionFailedError.class,
                () -> TensorAssert.assertClose(Tensor.zeros(2, 3), Tensor.zeros(3, 2), 0, 0));
        assertTrue(e.getMessage().contains("expected [2, 3], got [3, 2]"), e.getMessage());
        assertThrows(AssertionFailedError.class, () -> TensorAssert.assertClose(new float[2], new float[3], 0, 0, "x"));
    }

    @Test
    void nanMatchesNanAndInfinitiesMatchThemselves() {
        TensorAssert.assertClose(
                new float[] {Float.NaN, Float.NEGATIVE_INFINITY},
                new float[] {Float.NaN, Float.NEGATIVE_INFINITY},
                0,
                0,
                "");
        assertFalse(TensorAssert.close(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, 1));
        assertThrows(
                AssertionFailedError.class,
                () -> TensorAssert.assertIdentical(new float[] {0f}, new float[] {-0f}, "signed zero"));
    }

    @Property(tries = 50)
    void unicodeStringsAreWellFormed(@ForAll("strings") String s) {
        assertTrue(LlmArbitraries.wellFormed(s));
        assertTrue(s.length() <= 64);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> strings() {
        return LlmArbitraries.unicodeStrings(64);
    }

    @Property(tries = 20)
    void tensorsHaveTheRequestedRank(@ForAll("tensors") Tensor t) {
        assertTrue(t.rank() == 3 && t.size() >= 1);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Tensor> tensors() {
        return LlmArbitraries.tensors(3, 5);
    }
}
