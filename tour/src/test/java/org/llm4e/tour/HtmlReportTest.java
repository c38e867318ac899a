package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    static Chapter chapter(String name) {
        return new Chapter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "a <demo> & more";
            }

            @Override
            public void run(TourContext context) {}
        };
    }

    @Test
    void oneSectionPerChapterWithEscapedTextAndRelativeImages(@TempDir Path dir) throws Exception {
        HtmlReport report = new HtmlReport();
        report.add(chapter("one"), "a < b & c > d\n", List.of(dir.resolve("one.png")), null);
        report.add(chapter("two"), "", List.of(), "java.lang.IllegalStateException: \"bad\"");
        Path index = report.write(dir, "JDK x");
        assertEquals(dir.resolve("index.html"), index);
        String html = Files.readString(index);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<section id=\"one\">") && html.contains("<section id=\"two\">"), html);
        assertTrue(html.contains("<pre>a &lt; b &amp; c &gt; d\n</pre>"), html);
        assertTrue(html.contains("<img src=\"one.png\""), html);
        assertTrue(html.contains("a &lt;demo&gt; &amp; more"), html);
        assertTrue(html.contains("failed: java.lang.IllegalStateException: &quot;bad&quot;"), html);
    }

    @Test
    void textTablesBecomeHtmlTablesAndOtherLinesStayPreformatted() {
        TextTable t = new TextTable("size", "rung", "GFLOP/s");
        t.row(256, "NAIVE_IJK", "1.20");
        t.row(512, "SIMD <packed>", "83.5");
        String text = "before the table\n" + t.render() + "wrote /tmp/x/matmul.png\nafter | it\n";
        String html = HtmlReport.renderText(text);
        assertTrue(html.startsWith("<pre>before the table\n</pre>\n<table>"), html);
        assertTrue(html.contains("<th>size</th><th>rung</th><th>GFLOP/s</th>"), html);
        assertTrue(
                html.contains(
                        "<tr><td class=\"num\">512</td><td>SIMD &lt;packed&gt;</td><td class=\"num\">83.5</td></tr>"),
                html);
        assertTrue(html.endsWith("</table>\n<pre>after | it\n</pre>\n"), html);
        assertTrue(!html.contains("matmul.png"), "chart announcements are left out: " + html);
    }

    @Test
    void separatorLinesAreRecognisedOnlyWithColumnBoundaries() {
        assertArrayEquals(new int[] {5, 11}, HtmlReport.separator("-----+-----+---"));
        assertEquals(null, HtmlReport.separator("== not a table"));
        assertEquals(null, HtmlReport.separator("--+"));
    }

    @Test
    void sectionsCarryTheGuideAndThePageCheck(@TempDir Path dir) throws Exception {
        HtmlReport report = new HtmlReport();
        report.add(new PositionalChapter(), "", List.of(dir.resolve("p.png")), null, 1.5);
        String html = Files.readString(report.write(dir, "JDK x"));
        assertTrue(html.contains("What to look at"), html);
        assertTrue(html.contains(HtmlReport.escape(new PositionalChapter().lookFor())), html);
        assertTrue(html.contains("<h3>Read next</h3>"), html);
        assertTrue(html.contains("positional-encoding/src/main/java/org/llm4e/positional/RotaryEmbedding.java"), html);
        assertTrue(html.contains("<a href=\"#positional\">"), html);
        assertTrue(html.contains("id=\"llm4e-check\" data-status=\"pending\""), html);
        assertTrue(html.contains("naturalWidth"), html);
        assertTrue(!html.contains("http://") && !html.contains("https://"), "no network resources: " + html);
    }

    @Test
    void escapeLeavesPlainTextAlone() {
        assertEquals("n×n GFLOP/s 100 %", HtmlReport.escape("n×n GFLOP/s 100 %"));
        assertEquals("&lt;&gt;&amp;&quot;", HtmlReport.escape("<>&\""));
    }
}
