package org.llm4e.tour;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for the terminal: a header, rows, columns padded to their widest cell, numbers right-aligned.
 *
 * <pre>
 *   size | rung        | GFLOP/s
 *   -----+-------------+--------
 *    256 | NAIVE_IJK   |    1.20
 * </pre>
 */
public final class TextTable {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * A table with these column titles.
     *
     * @param header the column titles, at least one
     */
    public TextTable(String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("header must have at least one column, got 0");
        }
        this.header = header.clone();
    }

    /**
     * Appends a row.
     *
     * @param cells one cell per column
     * @return this table
     */
    public TextTable row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException(
                    "row must have " + header.length + " cells, got " + cells.length + ": " + Arrays.toString(cells));
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = String.valueOf(cells[i]);
        }
        rows.add(row);
        return this;
    }

    /**
     * The number of rows added.
     *
     * @return the row count, without the header
     */
    public int rowCount() {
        return rows.size();
    }

    /**
     * Renders the table, one line per row, lines separated by {@code \n}.
     *
     * @return the text, ending with a newline
     */
    public String render() {
        int[] width = new int[header.length];
        boolean[] numeric = new boolean[header.length];
        Arrays.fill(numeric, !rows.isEmpty());
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
        }
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
                numeric[c] &= isNumber(row[c]);
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width, new boolean[header.length]);
        for (int c = 0; c < header.length; c++) {
            sb.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
        }
        sb.append('\n');
        for (String[] row : rows) {
            line(sb, row, width, numeric);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            line.append(c == 0 ? "" : " | ").append(right[c] ? pad + cells[c] : cells[c] + pad);
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s.replace(",", "").replace("%", "").replace("×", ""));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return render();
    }
}
