package org.llm4e.benchmarks.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders a real JMH 1.37 JSON file (a one-iteration smoke run of Dot and Triad) and checks the table against it. */
class JmhMarkdownTest {

    static JsonNode smoke() throws Exception {
        try (InputStream in = JmhMarkdownTest.class.getResourceAsStream("/jmh-smoke.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void oneRowPerResultWithParamsJdkThreadsAndPhysicalUnits() throws Exception {
        JsonNode results = smoke();
        String md = JmhMarkdown.render(results, "smoke", "test machine", "java -jar benchmarks.jar Dot");
        List<String> rows = md.lines()
                .filter(l -> l.startsWith("| ") && !l.startsWith("| benchmark"))
                .collect(Collectors.toList());
        assertEquals(results.size(), rows.size(), md);
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            String row = rows.get(i);
            assertTrue(
                    row.startsWith(
                            "| " + JmhMarkdown.shortName(r.get("benchmark").asText()) + " |"),
                    row);
            assertTrue(row.contains("| " + r.get("jdkVersion").asText() + " |"), row);
            assertTrue(
                    row.contains(JmhMarkdown.number(r.at("/primaryMetric/score").asDouble())), row);
            r.get("params")
                    .fields()
                    .forEachRemaining(e -> assertTrue(
                            row.contains(e.getKey() + "=" + e.getValue().asText()), row));
            if (r.at("/secondaryMetrics/gflops").isObject()) {
                String gflops = JmhMarkdown.number(
                        r.at("/secondaryMetrics/gflops/score").asDouble());
                assertTrue(row.contains(gflops + " GFLOP/s"), row);
            }
            if (r.at("/secondaryMetrics/gbs").isObject()) {
                String gbs =
                        JmhMarkdown.number(r.at("/secondaryMetrics/gbs/score").asDouble());
                assertTrue(row.contains(gbs + " GB/s"), row);
            }
        }
        assertTrue(md.contains("- machine: test machine"), md);
        assertTrue(md.contains("- command: `java -jar benchmarks.jar Dot`"), md);
        assertTrue(md.contains(results.get(0).get("vmVersion").asText()), md);
    }

    @Test
    void numbersKeepThreeSignificantDigitsWithoutExponent() {
        assertEquals("0.00123", JmhMarkdown.number(0.0012345));
        assertEquals("1.23", JmhMarkdown.number(1.2345));
        assertEquals("12.3", JmhMarkdown.number(12.345));
        assertEquals("123", JmhMarkdown.number(123.45));
        assertEquals("123457", JmhMarkdown.number(123456.7));
        assertEquals("0", JmhMarkdown.number(0));
        assertEquals("–", JmhMarkdown.number(Double.NaN));
        assertEquals("-4.50", JmhMarkdown.number(-4.5).toLowerCase(Locale.ROOT));
    }

    @Test
    void mainWritesTheFileAndRejectsBadArguments(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        try (InputStream in = JmhMarkdownTest.class.getResourceAsStream("/jmh-smoke.json")) {
            Files.copy(in, json);
        }
        Path md = dir.resolve("r.md");
        JmhMarkdown.main(json.toString(), "--title", "T", "--machine", "M", "--out", md.toString());
        String text = Files.readString(md);
        assertTrue(text.startsWith("## T\n"), text);
        assertTrue(text.contains("TriadBenchmark.triad"), text);

        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> JmhMarkdown.main("--title"));
        assertTrue(missing.getMessage().contains("--title"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, JmhMarkdown::main);
        IllegalArgumentException notArray = assertThrows(
                IllegalArgumentException.class,
                () -> JmhMarkdown.render(new ObjectMapper().readTree("{}"), "t", "m", null));
        assertTrue(notArray.getMessage().contains("OBJECT"), notArray.getMessage());
    }
}
