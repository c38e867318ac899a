package org.llm4e.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

class GoldenTest {

    @Test
    void readsTensorObjectsWithNonFiniteStrings() {
        JsonNode root = Golden.load("sample.json");
        assertSame(root, Golden.load("sample.json"), "parsed once and cached");
        JsonNode x = root.get("x");
        assertArrayEquals(new int[] {2, 3}, Golden.shape(x));
        double[] d = Golden.doubles(x);
        assertEquals(0.10000000149011612, d[0]);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(d[1]));
        assertEquals(Double.POSITIVE_INFINITY, d[2]);
        assertEquals(Double.NEGATIVE_INFINITY, d[3]);
        assertTrue(Double.isNaN(d[4]));
        Tensor t = Golden.tensor(x);
        assertEquals(0.1f, t.get(0, 0), "float64 text of a float32 value recovers the exact float");
        assertEquals(3f, t.get(1, 2));
        assertArrayEquals(new boolean[] {true, false}, Golden.booleans(root.get("mask")));
        assertArrayEquals(new int[] {1, 2, 300}, Golden.ints(root.get("ids")));
        assertArrayEquals(new long[] {1, 2, 300}, Golden.longs(root.get("ids")));
        assertEquals(0.001, Golden.number(root.get("lr")));
    }

    @Test
    void missingFilesAndWrongNodesAreExplained() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Golden.load("nope.json"));
        assertTrue(e.getMessage().contains("/golden/nope.json"), e.getMessage());
        JsonNode root = Golden.load("sample.json");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Golden.shape(root));
        assertTrue(bad.getMessage().contains("no shape"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Golden.doubles(root.get("lr")));
    }
}
