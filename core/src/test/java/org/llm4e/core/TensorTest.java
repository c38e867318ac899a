package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void rowMajorLayoutMatchesTorchContiguous() {
        float[] data = new float[24];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        Tensor t = Tensor.of(data, 2, 3, 4);
        // element [i][j][k] of [A,B,C] lives at (i*B + j)*C + k
        assertEquals((1 * 3 + 2) * 4 + 3, t.get(1, 2, 3));
        assertEquals(t.get(1, 2, 3), t.get(new int[] {1, 2, 3}));
        assertEquals(23, t.offset(1, 2, 3));
        assertSame(data, t.data());
        assertEquals(3, t.rank());
        assertEquals(24, t.size());
        assertEquals(4, t.dim(-1));
        assertEquals(2, t.dim(0));
    }

    @Test
    void fixedAritySettersAgreeWithVarargs() {
        Tensor t2 = Tensor.zeros(2, 3);
        t2.set(1, 2, 5f);
        assertEquals(5f, t2.get(new int[] {1, 2}));
        Tensor t4 = Tensor.zeros(2, 2, 2, 2);
        t4.set(1, 0, 1, 1, 7f);
        assertEquals(7f, t4.get(1, 0, 1, 1));
        assertEquals(7f, t4.data()[t4.offset(1, 0, 1, 1)]);
        t4.set(3f, 0, 0, 0, 1);
        assertEquals(3f, t4.get(0, 0, 0, 1));
        Tensor t1 = Tensor.zeros(3);
        t1.set(2, 4f);
        assertEquals(4f, t1.get(2));
        Tensor t3 = Tensor.zeros(2, 2, 2);
        t3.set(1, 1, 0, 9f);
        assertEquals(9f, t3.get(1, 1, 0));
    }

    @Test
    void reshapeSharesDataAndInfersOneDimension() {
        Tensor t = Tensor.randn(1, 2, 6);
        Tensor r = t.reshape(3, -1);
        assertArrayEquals(new int[] {3, 4}, r.shape());
        assertSame(t.data(), r.data());
        r.set(0, 0, 42f);
        assertEquals(42f, t.get(0, 0));
    }

    @Test
    void copyIsDeep() {
        Tensor t = Tensor.randn(3, 4);
        Tensor c = t.copy();
        assertNotSame(t.data(), c.data());
        assertArrayEquals(t.data(), c.data());
        c.data()[0] += 1;
        assertFalse(Tensor.allClose(t, c, 0, 0));
    }

    @Test
    void randnIsSeededAndStandardNormal() {
        Tensor a = Tensor.randn(42, 100_000);
        Tensor b = Tensor.randn(42, 100_000);
        assertArrayEquals(a.data(), b.data());
        double mean = 0;
        double sq = 0;
        for (float v : a.data()) {
            mean += v;
            sq += (double) v * v;
        }
        mean /= a.size();
        double var = sq / a.size() - mean * mean;
        assertEquals(0, mean, 0.02);
        assertEquals(1, var, 0.02);
        assertFalse(Tensor.allClose(a, Tensor.randn(43, 100_000), 0, 0));
        // odd sizes fill the last element too
        assertEquals(3, Tensor.randn(7, 3).size());
    }

    @Test
    void allCloseFollowsTorchRule() {
        Tensor a = Tensor.of(new float[] {1f, Float.POSITIVE_INFINITY}, 2);
        Tensor b = Tensor.of(new float[] {1.0001f, Float.POSITIVE_INFINITY}, 2);
        assertTrue(Tensor.allClose(a, b, 1e-3, 0));
        assertFalse(Tensor.allClose(a, b, 1e-6, 1e-6));
        assertFalse(Tensor.allClose(a, Tensor.of(new float[] {1f, 1f, 1f}, 3), 1, 1));
        assertFalse(Tensor.isClose(Float.NaN, Float.NaN, 1, 1));
    }

    @Test
    void badShapesNameTheDimension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -3));
        assertTrue(e.getMessage().contains("dimension 1") && e.getMessage().contains("-3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1 << 16, 1 << 16));
        assertTrue(e.getMessage().contains("more elements"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Tensor.randn(1, 6).reshape(4, -1));
        assertTrue(e.getMessage().contains("[4, -1]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Tensor.randn(1, 6).reshape(-1, -1));
        assertTrue(e.getMessage().contains("only one"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(null, 1));
    }

    @Test
    void badIndicesNameTheDimensionAndSize() {
        Tensor t = Tensor.zeros(2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.get(1, 3));
        assertTrue(e.getMessage().contains("dimension 1") && e.getMessage().contains("size 3"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(-1, 0));
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> t.get(1, 1, 1));
        assertTrue(rank.getMessage().contains("expected 2 indices"), rank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.dim(2));
    }

    @Test
    void parameterWrapsAndZeroes() {
        float[] data = {1, 2, 3};
        Parameter p = new Parameter("w", data);
        assertSame(data, p.data());
        assertEquals(3, p.grad().length);
        p.grad()[1] = 5;
        p.zeroGrad();
        assertArrayEquals(new float[3], p.grad());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Parameter("w", data, new float[2]));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("2"), e.getMessage());
        Tensor t = Tensor.zeros(2, 2);
        assertSame(t.data(), Parameter.of("t", t).data());
    }
}
