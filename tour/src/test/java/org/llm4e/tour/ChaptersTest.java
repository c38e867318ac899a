package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChaptersTest {

    @Test
    void namesAreUniqueLowerCaseCommandWords() {
        List<Chapter> all = Chapters.all();
        assertFalse(all.isEmpty());
        Set<String> seen = new HashSet<>();
        for (Chapter c : all) {
            assertTrue(c.name().matches("[a-z0-9]+(-[a-z0-9]+)*"), "bad chapter name: " + c.name());
            assertTrue(seen.add(c.name()), "duplicate chapter name: " + c.name());
            assertFalse(c.description().isBlank(), c.name() + " has no description");
        }
    }

    @Test
    void findIgnoresCaseAndReportsMissingChapters() {
        assertEquals("matmul", Chapters.find("MatMul").orElseThrow().name());
        assertTrue(Chapters.find("no-such-chapter").isEmpty());
        assertTrue(Chapters.names().contains("matmul"));
    }
}
