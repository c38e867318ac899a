package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChapterGuideTest {

    /** The project's root: the tests run in the tour module's folder. */
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isRegularFile(here.resolve("mvnw")) ? here : here.getParent();
    }

    @Test
    void everyChapterHasAGuideWhosePathsExist() {
        for (Chapter c : Chapters.all()) {
            assertTrue(ChapterGuide.names().contains(c.name()), "no guide for chapter " + c.name());
            assertFalse(c.lookFor().isBlank(), c.name());
            assertFalse(c.readNext().isEmpty(), c.name());
        }
        for (String name : ChapterGuide.names()) {
            ChapterGuide g = ChapterGuide.of(name);
            int sentences = g.lookFor().split("[.:;] ").length;
            assertTrue(sentences >= 2 && g.lookFor().length() < 700, name + ": two or three sentences expected");
            assertTrue(g.readNext().stream().anyMatch(p -> p.contains("/src/test/")), name + " names no test");
            for (String p : g.readNext()) {
                assertTrue(Files.isRegularFile(root().resolve(p)), name + ": " + p + " does not exist");
            }
        }
    }

    @Test
    void aChapterWithoutAnEntryGetsAGenericGuide() {
        ChapterGuide g = ChapterGuide.of("no-such-chapter");
        assertFalse(g.lookFor().isBlank());
        assertTrue(g.readNext().isEmpty());
    }
}
