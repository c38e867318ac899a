package org.llm4e.tour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The tour's HTML report: {@code index.html} in the output folder, one section per chapter with the text it printed
 * and the charts it wrote, so a whole tour can be read (or shared) in a browser.
 */
public final class HtmlReport {
    private final List<String> sections = new ArrayList<>();

    /**
     * Adds a chapter's section.
     *
     * @param chapter the chapter
     * @param text what it printed
     * @param charts the files it wrote, in the report's folder
     * @param error the failure message, or null when it succeeded
     */
    public void add(Chapter chapter, String text, List<Path> charts, String error) {
        StringBuilder sb = new StringBuilder();
        sb.append("<section id=\"").append(escape(chapter.name())).append("\">\n");
        sb.append("<h2>").append(escape(chapter.name())).append("</h2>\n");
        sb.append("<p>").append(escape(chapter.description())).append("</p>\n");
        if (error != null) {
            sb.append("<p class=\"error\">failed: ").append(escape(error)).append("</p>\n");
        }
        sb.append("<pre>").append(escape(text)).append("</pre>\n");
        for (Path chart : charts) {
            String name = escape(chart.getFileName().toString());
            sb.append("<p><img src=\"")
                    .append(name)
                    .append("\" alt=\"")
                    .append(name)
                    .append("\"></p>\n");
        }
        sb.append("</section>\n");
        sections.add(sb.toString());
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
        sb.append("<title>llm4e tour</title>\n<style>\n");
        sb.append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}\n");
        sb.append("pre{background:#f6f8fa;padding:1em;overflow-x:auto}\n.error{color:#b00}\n");
        sb.append("img{max-width:100%}\n</style>\n</head>\n<body>\n<h1>llm4e tour</h1>\n");
        sb.append("<p>")
                .append(escape(environment))
                .append(" — ")
                .append(escape(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)))
                .append("</p>\n");
        sections.forEach(sb::append);
        sb.append("</body>\n</html>\n");
        Path file = dir.resolve("index.html");
        Files.writeString(file, sb.toString());
        return file;
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
