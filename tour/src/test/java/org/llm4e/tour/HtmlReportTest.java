package org.llm4e.tour;

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
    void escapeLeavesPlainTextAlone() {
        assertEquals("n×n GFLOP/s 100 %", HtmlReport.escape("n×n GFLOP/s 100 %"));
        assertEquals("&lt;&gt;&amp;&quot;", HtmlReport.escape("<>&\""));
    }
}
