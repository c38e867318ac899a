package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSummaryTest {

    /** A JMH result in JMH's JSON shape for one curated line, with the line's parameters. */
    static String result(BenchSummary.Line line, double score) {
        String pkg = "org.llm4e.benchmarks.x.";
        StringBuilder params = new StringBuilder();
        for (var e : line.params().entrySet()) {
            params.append(params.length() == 0 ? "" : ", ")
                    .append('"')
                    .append(e.getKey())
                    .append("\": \"")
                    .append(e.getValue())
                    .append('"');
        }
        return String.format(
                Locale.ROOT,
                "{\"benchmark\": \"%s%s\", \"threads\": 1, \"jdkVersion\": \"17.0.15\", \"params\": {%s},"
                        + " \"primaryMetric\": {\"score\": 3.5, \"scoreError\": \"NaN\", \"scoreUnit\": \"ops/s\"},"
                        + " \"secondaryMetrics\": {\"%s\": {\"score\": %s, \"scoreError\": 0.25}}}",
                pkg,
                line.benchmark(),
                params,
                line.counter(),
                Double.toString(score));
    }

    @Test
    void everyCuratedLineIsSelectedByTheIncludesAndParams() {
        for (BenchSummary.Line line : BenchSummary.LINES) {
            String name = "org.llm4e.benchmarks.x." + line.benchmark();
            assertTrue(
                    BenchSummary.INCLUDES.stream()
                            .anyMatch(p -> Pattern.compile(p).matcher(name).find()),
                    line + " is not run by the includes");
            for (var e : line.params().entrySet()) {
                String fixed = BenchSummary.PARAMS.get(e.getKey());
                assertTrue(fixed != null && List.of(fixed.split(",")).contains(e.getValue()), line + ": " + e);
            }
        }
        List<String> args = BenchSummary.jmhArgs(false);
        assertTrue(args.containsAll(BenchSummary.TIMING) && args.containsAll(BenchSummary.INCLUDES), args.toString());
        assertTrue(
                args.contains("size=512") && args.contains("format=fp32,fp32_ejml,q8_0,q4_0,q4_0_repacked"),
                args.toString());
        assertTrue(BenchSummary.jmhArgs(true).containsAll(BenchSummary.SMOKE_TIMING));
    }

    @Test
    void writesTheTableTheChartAndTheReadmeBlock(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<String> results = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (BenchSummary.Line line : BenchSummary.LINES) {
            double score = 1 + 100 * random.nextDouble();
            scores.add(score);
            results.add(result(line, score));
        }
        // a result that is not curated is ignored
        results.add(result(
                new BenchSummary.Line(
                        "x", BenchSummary.Role.PEER, "x", "MatMulBenchmark.llm4eScalar", java.util.Map.of(), "gflops"),
                1e6));
        Path json = dir.resolve("s.json");
        Files.writeString(json, "[" + String.join(",\n", results) + "]");
        Path readme = dir.resolve("README.md");
        Files.writeString(
                readme, "# x\n\nbefore\n" + BenchSummary.BEGIN + "\nold table\n" + BenchSummary.END + "\nafter\n");
        Path md = dir.resolve("s.md");
        Path png = dir.resolve("results/s.png");
        Files.createDirectories(png.getParent());
        String text = BenchSummary.write(json, md, png, new double[] {80, 160}, "./llm4e bench --summary", readme);

        assertEquals(text, Files.readString(md));
        assertTrue(
                text.contains("- machine: ") && text.contains("- JDK: ") && text.contains("`./llm4e bench --summary`"),
                text);
        for (int i = 0; i < BenchSummary.LINES.size(); i++) {
            BenchSummary.Line line = BenchSummary.LINES.get(i);
            String row = "| " + line.role().label + " | " + line.label() + " | " + BenchSummary.number(scores.get(i))
                    + " | 0.250 | " + BenchSummary.unit(line.counter()) + " |";
            assertTrue(text.contains(row), row + " missing in\n" + text);
        }
        assertTrue(
                text.contains("| roof | FMA peak, 1 thread (ComputeRoof) | " + BenchSummary.number(80) + " |"), text);
        assertTrue(text.contains("| roof | FMA peak, all cores (ComputeRoof) | 160 |"), text);
        assertTrue(!text.contains("1000000"), "a result outside the curated set leaked into the table");
        // % of roof: the Adam step against the triad of the same bytes
        int adam = 10;
        assertEquals(
                "OptimizerStepBenchmark.llm4eSimd", BenchSummary.LINES.get(adam).benchmark());
        String pct = String.format(Locale.ROOT, "%.0f %%", 100 * scores.get(adam) / scores.get(adam + 2));
        assertTrue(text.contains("| GB/s | " + pct + " |"), pct + " in\n" + text);

        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image.getWidth() >= 1000 && image.getHeight() >= 1000, image.getWidth() + "x" + image.getHeight());
        String newReadme = Files.readString(readme);
        assertTrue(newReadme.startsWith("# x\n\nbefore\n" + BenchSummary.BEGIN + "\n- machine: "), newReadme);
        assertTrue(newReadme.endsWith("](results/s.png)\n" + BenchSummary.END + "\nafter\n"), newReadme);
        assertTrue(!newReadme.contains("old table"), newReadme);
    }

    @Test
    void readmeWithoutMarkersIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BenchSummary.replaceBlock("# no markers\n", "x"));
        assertTrue(e.getMessage().contains(BenchSummary.BEGIN), e.getMessage());
    }

    @Test
    void summaryDryRunShowsTheCuratedJmhCommand() {
        String[] r = CommandsTest.run("bench", "--dry-run", "--summary", "--smoke", "--out", "/tmp/x");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains(BenchCommand.shellLine(BenchSummary.jmhArgs(true))), r[1]);
        assertTrue(r[1].contains(" 'TriadBenchmark\\.triad$' "), "regexes quoted for the shell: " + r[1]);
        assertTrue(r[1].contains("-rf json -rff /tmp/x/summary.json"), r[1]);
    }

    @Test
    void jsonReaderHandlesJmhsShapes() {
        Object v =
                Json.parse("[{\"a\": [1, 2.5e3, -0.5], \"b\": \"NaN\", \"c\": null, \"d\": true, \"e\": \"\\u00e9\"}]");
        Object o = ((List<?>) v).get(0);
        List<Double> numbers = new java.util.ArrayList<>();
        for (Object n : (List<?>) Json.get(o, "a")) {
            numbers.add(Json.number(n));
        }
        assertEquals(List.of(1.0, 2500.0, -0.5), numbers);
        assertTrue(Double.isNaN(Json.number(Json.get(o, "b"))));
        assertEquals(Boolean.TRUE, Json.get(o, "d"));
        assertEquals("é", Json.get(o, "e"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertTrue(e.getMessage().contains("line 1, column"), e.getMessage());
    }
}
