package org.llm4e.tour;

import java.util.List;

/**
 * One chapter of the tour: a demo of one module that prints a table to the terminal and writes PNG charts into the
 * output folder.
 *
 * <p>Adding a chapter takes one class implementing this interface and one line in {@link Chapters#all()}. A chapter
 * reports work that takes longer than a second through {@link TourContext#progress(String, long)}, prints through
 * {@link TourContext#out()} and saves charts with {@link TourContext#saveChart}; it never calls
 * {@code System.exit} and lets exceptions propagate (the command reports them and fails).
 */
public interface Chapter {

    /**
     * The name typed on the command line ({@code llm4e tour matmul}): lower case, letters, digits and dashes.
     *
     * @return the chapter's name
     */
    String name();

    /**
     * One line for {@code llm4e tour --list}.
     *
     * @return what the chapter shows
     */
    String description();

    /**
     * Runs the demo.
     *
     * @param context where to print, where to write charts, how to report progress
     * @throws Exception when the demo fails (a wrong result, an unwritable folder)
     */
    void run(TourContext context) throws Exception;

    /**
     * Two or three sentences for the HTML report: what to look at in this chapter's charts and tables. The default
     * comes from {@link ChapterGuide} (keyed by {@link #name()}); a chapter may override it.
     *
     * @return the text, plain (the report escapes it)
     */
    default String lookFor() {
        return ChapterGuide.of(name()).lookFor();
    }

    /**
     * The classes and tests to read after this chapter, as paths from the project's root (for example
     * {@code core/src/main/java/org/llm4e/core/MatMulLadder.java}). The default comes from {@link ChapterGuide}.
     *
     * @return the paths, classes first, then tests
     */
    default List<String> readNext() {
        return ChapterGuide.of(name()).readNext();
    }
}
