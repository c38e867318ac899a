package org.llm4e.tour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tour's HTML report: {@code index.html} in the output folder, one page that a newcomer opens in a browser.
 *
 * <p>One section per chapter: its description, what to look at ({@link Chapter#lookFor()}), its charts (the PNG files
 * beside the page, referenced by relative name, so the folder can be moved or shared as a whole), its tables (what the
 * chapter printed: every {@link TextTable} becomes an HTML table, the other lines stay preformatted text) and the
 * classes and tests to read next ({@link Chapter#readNext()}). The page is self-contained: no network, no external
 * script, style or font.
 *
 * <p>A small inline script checks the page where it is opened: it records script errors ({@code onerror}, also for
 * images that fail to load) and {@code console.error} calls, and after the {@code load} event checks that every
 * {@code <img>} has loaded ({@code naturalWidth > 0}); it writes the result into the element {@code #llm4e-check}
 * ({@code data-status="ok"} or {@code "fail"}), where a headless browser's {@code --dump-dom} shows it
 * ({@code .ci/browser-check}).
 */
public final class HtmlReport {
    private final List<String> sections = new ArrayList<>();
    private final List<String[]> contents = new ArrayList<>();
    private double totalSeconds;

    /**
     * Adds a chapter's section.
     *
     * @param chapter the chapter
     * @param text what it printed
     * @param charts the files it wrote, in the report's folder
     * @param error the failure message, or null when it succeeded
     */
    public void add(Chapter chapter, String text, List<Path> charts, String error) {
        add(chapter, text, charts, error, Double.NaN);
    }

    /**
     * Adds a chapter's section with its running time.
     *
     * @param chapter the chapter
     * @param text what it printed
     * @param charts the files it wrote, in the report's folder
     * @param error the failure message, or null when it succeeded
     * @param seconds how long the chapter ran, or NaN when unknown
     */
    public void add(Chapter chapter, String text, List<Path> charts, String error, double seconds) {
        String id = escape(chapter.name());
        StringBuilder sb = new StringBuilder();
        sb.append("<section id=\"").append(id).append("\">\n");
        sb.append("<h2>").append(id).append("</h2>\n");
        sb.append("<p class=\"description\">").append(escape(chapter.description()));
        if (!Double.isNaN(seconds)) {
            sb.append(String.format(Locale.ROOT, " <span class=\"time\">(%.1f s)</span>", seconds));
            totalSeconds += seconds;
        }
        sb.append("</p>\n");
        if (error != null) {
            sb.append("<p class=\"error\">failed: ").append(escape(error)).append("</p>\n");
        }
        sb.append("<div class=\"look\"><h3>What to look at</h3>\n<p>")
                .append(escape(chapter.lookFor()))
                .append("</p></div>\n");
        for (Path chart : charts) {
            String name = escape(chart.getFileName().toString());
            sb.append("<figure><img src=\"")
                    .append(name)
                    .append("\" alt=\"")
                    .append(name)
                    .append("\"><figcaption>")
                    .append(name)
                    .append("</figcaption></figure>\n");
        }
        sb.append(renderText(text));
        List<String> next = chapter.readNext();
        if (!next.isEmpty()) {
            sb.append("<div class=\"next\"><h3>Read next</h3>\n<ul>\n");
            for (String path : next) {
                String file = path.substring(path.lastIndexOf('/') + 1);
                String kind = path.contains("/src/test/") ? "test" : "class";
                sb.append("<li><span class=\"kind\">")
                        .append(kind)
                        .append("</span> <code>")
                        .append(escape(file.replace(".java", "")))
                        .append("</code> — <code class=\"path\">")
                        .append(escape(path))
                        .append("</code></li>\n");
            }
            sb.append("</ul></div>\n");
        }
        sb.append("</section>\n");
        sections.add(sb.toString());
        contents.add(new String[] {chapter.name(), error == null ? "" : " (failed)"});
    }

    /**
     * Writes {@code index.html}.
     *
     * @param dir the output folder
     * @param environment a line describing the JDK and machine
     * @return the written file
     * @throws IOException when the file cannot be written
     */
    public Path write(Path dir, String environment) throws IOException {
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.append("<title>llm4e tour</title>\n<style>\n").append(STYLE).append("</style>\n");
        sb.append("<script>\n").append(CHECK_SCRIPT).append("</script>\n");
        sb.append("</head>\n<body>\n<h1>llm4e tour</h1>\n");
        sb.append("<p class=\"env\">")
                .append(escape(environment))
                .append(" — ")
                .append(escape(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)));
        if (totalSeconds > 0) {
            sb.append(String.format(Locale.ROOT, " — chapters ran in %.1f s", totalSeconds));
        }
        sb.append("</p>\n");
        sb.append("<p>Each section is one chapter of <code>./llm4e tour</code>: what to look at, the charts, the"
                + " tables the chapter printed, and the classes and tests to read next (paths from the project's"
                + " root).</p>\n");
        if (!contents.isEmpty()) {
            sb.append("<nav><ul>\n");
            for (String[] c : contents) {
                String id = escape(c[0]);
                sb.append("<li><a href=\"#")
                        .append(id)
                        .append("\">")
                        .append(id)
                        .append("</a>")
                        .append(c[1])
                        .append("</li>\n");
            }
            sb.append("</ul></nav>\n");
        }
        sections.forEach(sb::append);
        sb.append("<footer><p id=\"llm4e-check\" data-status=\"pending\">page check: pending</p></footer>\n");
        sb.append("</body>\n</html>\n");
        Path file = dir.resolve("index.html");
        Files.writeString(file, sb.toString());
        return file;
    }

    private static final String STYLE = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
            + "color:#222;line-height:1.45}\n"
            + "h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2.5em}\n"
            + "nav ul{display:flex;flex-wrap:wrap;gap:.4em 1.2em;padding:0;list-style:none}\n"
            + "pre{background:#f6f8fa;padding:.8em;overflow-x:auto;font-size:90%}\n"
            + "table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:90%}\n"
            + "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}\n"
            + "th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
            + ".look{background:#fffbe6;border-left:4px solid #e6b800;padding:.2em 1em;margin:1em 0}\n"
            + ".next{background:#eef7ee;border-left:4px solid #3a3;padding:.2em 1em;margin:1em 0}\n"
            + ".kind{display:inline-block;min-width:3.5em;color:#555}.path{color:#666;font-size:85%}\n"
            + "figure{margin:1em 0}figcaption{color:#666;font-size:85%}\n"
            + ".error{color:#b00}.time,.env{color:#666}\nimg{max-width:100%;height:auto}\n"
            + "footer{margin-top:3em;color:#888;font-size:85%}\n";

    /**
     * Records errors and checks the images once the page has loaded (see the class comment). Errors of images are
     * caught in the capture phase, since an image's error event does not bubble.
     */
    private static final String CHECK_SCRIPT = "window.llm4eErrors = [];\n"
            + "window.addEventListener('error', function (e) {\n"
            + "  var t = e.target;\n"
            + "  window.llm4eErrors.push(t && t.tagName ? 'could not load ' + t.tagName.toLowerCase() + ' '"
            + " + (t.getAttribute('src') || '') : 'error: ' + e.message);\n"
            + "}, true);\n"
            + "(function () {\n"
            + "  var original = console.error;\n"
            + "  console.error = function () {\n"
            + "    window.llm4eErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));\n"
            + "    return original.apply(console, arguments);\n"
            + "  };\n"
            + "})();\n"
            + "window.addEventListener('load', function () {\n"
            + "  var images = document.images, missing = [];\n"
            + "  for (var i = 0; i < images.length; i++) {\n"
            + "    if (!images[i].complete || !(images[i].naturalWidth > 0)) missing.push(images[i].getAttribute('src'));\n"
            + "  }\n"
            + "  var ok = missing.length === 0 && window.llm4eErrors.length === 0;\n"
            + "  var p = document.getElementById('llm4e-check');\n"
            + "  p.setAttribute('data-status', ok ? 'ok' : 'fail');\n"
            + "  p.setAttribute('data-images', String(images.length));\n"
            + "  p.setAttribute('data-missing', missing.join(' '));\n"
            + "  p.setAttribute('data-errors', window.llm4eErrors.join(' | '));\n"
            + "  p.textContent = 'page check: ' + images.length + ' image(s), ' + missing.length + ' missing, '\n"
            + "      + window.llm4eErrors.length + ' error(s)' + (ok ? '' : ': ' + missing.concat(window.llm4eErrors)"
            + ".join('; '));\n"
            + "});\n";

    /**
     * Renders what a chapter printed: each {@link TextTable} (a header line, a line of dashes with {@code -+-} at the
     * column boundaries, then the rows) as an HTML table, runs of other lines as preformatted text; lines that only
     * announce a written chart ({@code wrote …png}) are left out, since the charts are shown as images.
     *
     * @param text the captured terminal output
     * @return HTML
     */
    static String renderText(String text) {
        List<String> lines = text.lines().toList();
        StringBuilder sb = new StringBuilder();
        List<String> plain = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            int[] bounds = i + 1 < lines.size() ? separator(lines.get(i + 1)) : null;
            if (bounds != null && isRow(lines.get(i), bounds)) {
                flushPlain(sb, plain);
                int end = i + 2;
                while (end < lines.size() && isRow(lines.get(end), bounds)) {
                    end++;
                }
                sb.append(table(lines.get(i), lines.subList(i + 2, end), bounds));
                i = end;
            } else {
                String line = lines.get(i);
                if (!(line.startsWith("wrote ") && line.endsWith(".png"))) {
                    plain.add(line);
                }
                i++;
            }
        }
        flushPlain(sb, plain);
        return sb.toString();
    }

    private static void flushPlain(StringBuilder sb, List<String> plain) {
        while (!plain.isEmpty() && plain.get(plain.size() - 1).isBlank()) {
            plain.remove(plain.size() - 1);
        }
        while (!plain.isEmpty() && plain.get(0).isBlank()) {
            plain.remove(0);
        }
        if (!plain.isEmpty()) {
            sb.append("<pre>");
            for (String l : plain) {
                sb.append(escape(l)).append('\n');
            }
            sb.append("</pre>\n");
        }
        plain.clear();
    }

    /** The column boundaries of a {@link TextTable} separator line ({@code ---+----+--}), or null if it is not one. */
    static int[] separator(String line) {
        if (line.length() < 3 || !line.matches("-+(-\\+-+)*")) {
            return null;
        }
        List<Integer> plus = new ArrayList<>();
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '+') {
                plus.add(i);
            }
        }
        int[] b = new int[plus.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = plus.get(i);
        }
        return b;
    }

    private static boolean isRow(String line, int[] bounds) {
        if (line.isBlank()) {
            return false;
        }
        for (int b : bounds) {
            if (b >= line.length() || line.charAt(b) != '|') {
                return false;
            }
        }
        return true;
    }

    private static List<String> cells(String line, int[] bounds) {
        List<String> cells = new ArrayList<>();
        int from = 0;
        for (int b : bounds) {
            cells.add(line.substring(from, b).trim());
            from = b + 1;
        }
        cells.add(from < line.length() ? line.substring(from).trim() : "");
        return cells;
    }

    private static String table(String header, List<String> rows, int[] bounds) {
        StringBuilder sb = new StringBuilder("<table>\n<thead><tr>");
        for (String h : cells(header, bounds)) {
            sb.append("<th>").append(escape(h)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (String row : rows) {
            sb.append("<tr>");
            for (String c : cells(row, bounds)) {
                sb.append(isNumeric(c) ? "<td class=\"num\">" : "<td>")
                        .append(escape(c))
                        .append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        return sb.toString();
    }

    private static boolean isNumeric(String s) {
        return !s.isEmpty() && s.matches("[-+−]?[0-9.,]+(e[-+]?[0-9]+)?\\s*[%×]?");
    }

    /**
     * Escapes text for HTML element content and attribute values.
     *
     * @param s the text
     * @return the text with {@code & < > "} escaped
     */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }
}
