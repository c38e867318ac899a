package org.llm4e.tour;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tour's table of contents: every chapter, in the order {@code llm4e tour} runs them.
 *
 * <p>A module adds its chapter by adding one line to {@link #all()}.
 */
public final class Chapters {
    private Chapters() {}

    /**
     * All chapters, in running order.
     *
     * @return a new, modifiable list of fresh chapter instances
     */
    public static List<Chapter> all() {
        List<Chapter> chapters = new ArrayList<>();
        chapters.add(new MatMulChapter());
        chapters.add(new ActivationsChapter());
        chapters.add(new PositionalChapter());
        chapters.add(new AttentionChapter());
        chapters.add(new OptimizersChapter());
        chapters.add(new TransformerChapter());
        chapters.add(new TokenizersChapter());
        chapters.add(new QuantizationChapter());
        return chapters;
    }

    /**
     * Finds a chapter by name, ignoring case.
     *
     * @param name the chapter's name
     * @return the chapter, or empty when there is none of that name
     */
    public static Optional<Chapter> find(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        return all().stream().filter(c -> c.name().equals(key)).findFirst();
    }

    /**
     * The names of all chapters, comma-separated, for error messages.
     *
     * @return the names in running order
     */
    public static String names() {
        return all().stream().map(Chapter::name).collect(Collectors.joining(", "));
    }
}
