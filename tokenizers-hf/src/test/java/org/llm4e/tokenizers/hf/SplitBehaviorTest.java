package org.llm4e.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The five split behaviors on the example of HF's {@code SplitDelimiterBehavior} documentation. */
class SplitBehaviorTest {
    private static List<String> split(SplitBehavior b, String text, boolean invert) {
        List<Piece> out = new ArrayList<>();
        b.apply(new Piece(text, true), PreTokenizers.regexBounds(Pattern.compile("-"), text, invert), out);
        List<String> texts = new ArrayList<>();
        for (Piece p : out) {
            texts.add(p.text());
        }
        return texts;
    }

    @Test
    void documentedExample() {
        String t = "the-final--countdown";
        assertEquals(List.of("the", "final", "countdown"), split(SplitBehavior.REMOVED, t, false));
        assertEquals(List.of("the", "-", "final", "-", "-", "countdown"), split(SplitBehavior.ISOLATED, t, false));
        assertEquals(List.of("the-", "final-", "-", "countdown"), split(SplitBehavior.MERGED_WITH_PREVIOUS, t, false));
        assertEquals(List.of("the", "-final", "-", "-countdown"), split(SplitBehavior.MERGED_WITH_NEXT, t, false));
        assertEquals(List.of("the", "-", "final", "--", "countdown"), split(SplitBehavior.CONTIGUOUS, t, false));
    }

    @Test
    void invertSwapsDelimitersAndContent() {
        // each match is its own range, as in HF: inverted, the three dashes are kept as three pieces
        assertEquals(List.of("-", "-", "-"), split(SplitBehavior.REMOVED, "the-final--countdown", true));
    }

    @Test
    void onlyTheFirstPieceKeepsTheStartFlag() {
        List<Piece> out = new ArrayList<>();
        String t = "a-b";
        SplitBehavior.ISOLATED.apply(
                new Piece(t, true), PreTokenizers.regexBounds(Pattern.compile("-"), t, false), out);
        assertEquals(
                List.of(true, false, false), out.stream().map(Piece::atStart).toList());
    }
}
