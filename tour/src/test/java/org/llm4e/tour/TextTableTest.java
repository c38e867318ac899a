package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void padsColumnsAndRightAlignsNumbers() {
        String text = new TextTable("n", "rung", "GFLOP/s")
                .row(128, "naive", "1.50")
                .row(1024, "simd_packed", "123.25")
                .render();
        assertEquals(
                "n    | rung        | GFLOP/s\n"
                        + "-----+-------------+--------\n"
                        + " 128 | naive       |    1.50\n"
                        + "1024 | simd_packed |  123.25\n",
                text);
    }

    @Test
    void headerOnlyTableRendersHeaderAndRule() {
        TextTable t = new TextTable("a", "bb");
        assertEquals(0, t.rowCount());
        assertEquals("a | bb\n--+---\n", t.render());
    }

    @Test
    void wrongCellCountIsRejectedNamingBothCounts() {
        TextTable t = new TextTable("a", "b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
        assertTrue(e.getMessage().contains("2 cells, got 1"), e.getMessage());
    }

    @Test
    void emptyHeaderIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, TextTable::new);
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }
}
