package org.llm4e.tokenizers.hf;

import java.util.ArrayList;
import java.util.List;

/**
 * What a split does with the pieces a pattern matches (the delimiters), as HF's {@code SplitDelimiterBehavior} in
 * {@code tokenizer/normalizer.rs} ({@code NormalizedString::split}). For {@code "the-final--countdown"} split on
 * {@code '-'}:
 *
 * <pre>
 *   REMOVED              the | final | countdown
 *   ISOLATED             the | - | final | - | - | countdown
 *   MERGED_WITH_PREVIOUS the- | final- | - | countdown
 *   MERGED_WITH_NEXT     the | -final | - | -countdown
 *   CONTIGUOUS           the | - | final | -- | countdown
 * </pre>
 */
enum SplitBehavior {
    REMOVED,
    ISOLATED,
    MERGED_WITH_PREVIOUS,
    MERGED_WITH_NEXT,
    CONTIGUOUS;

    static SplitBehavior parse(Json j) throws HfFormatException {
        String s = j.string();
        switch (s) {
            case "Removed":
                return REMOVED;
            case "Isolated":
                return ISOLATED;
            case "MergedWithPrevious":
                return MERGED_WITH_PREVIOUS;
            case "MergedWithNext":
                return MERGED_WITH_NEXT;
            case "Contiguous":
                return CONTIGUOUS;
            default:
                throw new HfFormatException(
                        j.path,
                        "unknown split behavior \"" + s
                                + "\" (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
        }
    }

    /** As {@link #apply(Piece, int[], int, List)} with the range count in the array's last slot. */
    void apply(Piece piece, int[] boundsAndCount, List<Piece> out) {
        apply(piece, boundsAndCount, boundsAndCount[boundsAndCount.length - 1], out);
    }

    /**
     * Splits a piece given the pattern's matches, and appends the non-empty results.
     *
     * @param piece the piece
     * @param bounds {@code [s0, e0, m0, s1, e1, m1, …]}: consecutive ranges covering the text, {@code m = 1} for a
     *     match (a delimiter)
     * @param n the number of ranges
     * @param out receives the pieces
     */
    void apply(Piece piece, int[] bounds, int n, List<Piece> out) {
        List<int[]> ranges = new ArrayList<>(n);
        switch (this) {
            case REMOVED:
                for (int i = 0; i < n; i++) {
                    if (bounds[3 * i + 2] == 0) {
                        ranges.add(new int[] {bounds[3 * i], bounds[3 * i + 1]});
                    }
                }
                break;
            case ISOLATED:
                for (int i = 0; i < n; i++) {
                    ranges.add(new int[] {bounds[3 * i], bounds[3 * i + 1]});
                }
                break;
            case MERGED_WITH_PREVIOUS: {
                boolean previousMatch = false;
                for (int i = 0; i < n; i++) {
                    boolean match = bounds[3 * i + 2] != 0;
                    if (match && !previousMatch && !ranges.isEmpty()) {
                        ranges.get(ranges.size() - 1)[1] = bounds[3 * i + 1];
                    } else {
                        ranges.add(new int[] {bounds[3 * i], bounds[3 * i + 1]});
                    }
                    previousMatch = match;
                }
                break;
            }
            case MERGED_WITH_NEXT: {
                // HF folds from the right: a match joins the piece after it unless that piece is a match too
                boolean previousMatch = false;
                List<int[]> reversed = new ArrayList<>(n);
                for (int i = n - 1; i >= 0; i--) {
                    boolean match = bounds[3 * i + 2] != 0;
                    if (match && !previousMatch && !reversed.isEmpty()) {
                        reversed.get(reversed.size() - 1)[0] = bounds[3 * i];
                    } else {
                        reversed.add(new int[] {bounds[3 * i], bounds[3 * i + 1]});
                    }
                    previousMatch = match;
                }
                for (int i = reversed.size() - 1; i >= 0; i--) {
                    ranges.add(reversed.get(i));
                }
                break;
            }
            case CONTIGUOUS: {
                boolean previousMatch = false;
                for (int i = 0; i < n; i++) {
                    boolean match = bounds[3 * i + 2] != 0;
                    if (match == previousMatch && !ranges.isEmpty()) {
                        ranges.get(ranges.size() - 1)[1] = bounds[3 * i + 1];
                    } else {
                        ranges.add(new int[] {bounds[3 * i], bounds[3 * i + 1]});
                    }
                    previousMatch = match;
                }
                break;
            }
            default:
                throw new AssertionError(this);
        }
        String text = piece.text();
        for (int[] r : ranges) {
            if (r[0] < r[1]) {
                out.add(new Piece(text.substring(r[0], r[1]), piece.atStart() && r[0] == 0));
            }
        }
    }
}
