package org.llm4e.tour;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The curated benchmark summary behind {@code llm4e bench --summary} and the README's table: which JMH benchmarks run
 * ({@link #INCLUDES}, {@link #PARAMS}), and how their JSON becomes one Markdown table of llm4e's figures next to the
 * peers' (ND4J, EJML, jtokkit) and the roofs (the triad's GB/s, the FMA peak's GFLOP/s), plus a chart.
 *
 * <p>Each {@link Line} picks one JMH result (class, method, parameters) and one unit: the auxiliary counter with a
 * physical limit ({@code gflops} GFLOP/s, {@code gbs} GB/s, {@code megabytes}/{@code mbs} MB/s), never ops/s. A
 * group's "% of roof" divides by the largest roof of the group.
 */
public final class BenchSummary {
    private BenchSummary() {}

    /** Who a row is: llm4e's code, a peer library, a plain baseline, or a physical limit. */
    enum Role {
        LLM4E("llm4e"),
        PEER("peer"),
        BASELINE("baseline"),
        ROOF("roof");

        final String label;

        Role(String label) {
            this.label = label;
        }
    }

    /**
     * One row of the table: a group (a line of the README's table), who, a label, and which JMH result.
     *
     * @param group the comparison it belongs to
     * @param role who
     * @param label what runs
     * @param benchmark {@code Class.method} of the JMH benchmark
     * @param params parameters the result must have (a subset of its parameters)
     * @param counter the auxiliary counter to show
     */
    record Line(String group, Role role, String label, String benchmark, Map<String, String> params, String counter) {}

    /** A row with its figure. */
    record Row(Line line, double score, double error, String jdk, int threads) {}

    static final String SGEMM_1 = "SGEMM 512×512, 1 thread";
    static final String SGEMM_N = "SGEMM 512×512, all cores";

    /** The curated rows, in table order. */
    static final List<Line> LINES = List.of(
            new Line(
                    SGEMM_1,
                    Role.LLM4E,
                    "Vector API packed kernel",
                    "MatMulBenchmark.llm4eSimd1Thread",
                    Map.of(),
                    "gflops"),
            new Line(SGEMM_1, Role.PEER, "ND4J (OpenBLAS sgemm)", "MatMulBenchmark.nd4j1Thread", Map.of(), "gflops"),
            new Line(SGEMM_1, Role.PEER, "EJML CommonOps_FDRM.mult", "MatMulBenchmark.ejml", Map.of(), "gflops"),
            new Line(
                    SGEMM_N,
                    Role.LLM4E,
                    "Vector API kernel on the pool",
                    "MatMulBenchmark.llm4eSimdAllCores",
                    Map.of(),
                    "gflops"),
            new Line(
                    SGEMM_N,
                    Role.PEER,
                    "ND4J (OpenBLAS), 2 threads",
                    "MatMulBenchmark.nd4j2Threads",
                    Map.of(),
                    "gflops"),
            new Line(SGEMM_N, Role.PEER, "EJML concurrent", "MatMulBenchmark.ejmlConcurrent", Map.of(), "gflops"),
            new Line(
                    "memory: triad and dot",
                    Role.LLM4E,
                    "dot, Vector API, 1 MiB vectors (cache)",
                    "DotBenchmark.llm4eSimd",
                    Map.of(),
                    "gbs"),
            new Line(
                    "memory: triad and dot",
                    Role.BASELINE,
                    "dot, plain Java loop",
                    "DotBenchmark.plainLoop",
                    Map.of(),
                    "gbs"),
            new Line(
                    "memory: triad and dot",
                    Role.ROOF,
                    "triad a = b + s·c, 1 thread",
                    "TriadBenchmark.triad",
                    Map.of("threads", "1"),
                    "gbs"),
            new Line(
                    "memory: triad and dot",
                    Role.ROOF,
                    "triad a = b + s·c, 2 threads",
                    "TriadBenchmark.triad",
                    Map.of("threads", "2"),
                    "gbs"),
            new Line(
                    "Adam step, 16 M parameters",
                    Role.LLM4E,
                    "Adam, Vector API",
                    "OptimizerStepBenchmark.llm4eSimd",
                    Map.of("optimizer", "adam"),
                    "gbs"),
            new Line(
                    "Adam step, 16 M parameters",
                    Role.PEER,
                    "ND4J Adam updater",
                    "OptimizerStepBenchmark.nd4jAdam",
                    Map.of(),
                    "gbs"),
            new Line(
                    "Adam step, 16 M parameters",
                    Role.ROOF,
                    "triad, same bytes",
                    "OptimizerStepBenchmark.triad",
                    Map.of(),
                    "gbs"),
            new Line(
                    "attention T = 1024, d = 64, causal",
                    Role.LLM4E,
                    "FlashAttention v2",
                    "FlashAttentionBenchmark.flashV2",
                    Map.of(),
                    "gflops"),
            new Line(
                    "attention T = 1024, d = 64, causal",
                    Role.LLM4E,
                    "naive SDPA (T×T scores)",
                    "FlashAttentionBenchmark.sdpa",
                    Map.of(),
                    "gflops"),
            new Line(
                    "attention T = 1024, d = 64, causal",
                    Role.PEER,
                    "ND4J (matmul + softmax)",
                    "FlashAttentionBenchmark.nd4j",
                    Map.of(),
                    "gflops"),
            new Line(
                    "tiktoken cl100k_base encode",
                    Role.LLM4E,
                    "Tiktoken.encodeOrdinary",
                    "TiktokenEncodeBenchmark.llm4e",
                    Map.of(),
                    "megabytes"),
            new Line(
                    "tiktoken cl100k_base encode",
                    Role.PEER,
                    "jtokkit encodeOrdinary",
                    "TiktokenEncodeBenchmark.jtokkit",
                    Map.of(),
                    "megabytes"),
            new Line(
                    "mat-vec 4096×4096 (weight bytes)",
                    Role.LLM4E,
                    "Q4_0 repacked (RepackedQ4_0)",
                    "QuantizedMatVecBenchmark.matvec",
                    Map.of("format", "q4_0_repacked"),
                    "gbs"),
            new Line(
                    "mat-vec 4096×4096 (weight bytes)",
                    Role.LLM4E,
                    "Q4_0 on its GGUF bytes",
                    "QuantizedMatVecBenchmark.matvec",
                    Map.of("format", "q4_0"),
                    "gbs"),
            new Line(
                    "mat-vec 4096×4096 (weight bytes)",
                    Role.LLM4E,
                    "Q8_0",
                    "QuantizedMatVecBenchmark.matvec",
                    Map.of("format", "q8_0"),
                    "gbs"),
            new Line(
                    "mat-vec 4096×4096 (weight bytes)",
                    Role.LLM4E,
                    "fp32 sgemv",
                    "QuantizedMatVecBenchmark.matvec",
                    Map.of("format", "fp32"),
                    "gbs"),
            new Line(
                    "mat-vec 4096×4096 (weight bytes)",
                    Role.PEER,
                    "EJML fp32",
                    "QuantizedMatVecBenchmark.matvec",
                    Map.of("format", "fp32_ejml"),
                    "gbs"),
            new Line(
                    "mat-vec 4096×4096 (weight bytes)",
                    Role.ROOF,
                    "triad",
                    "QuantizedMatVecBenchmark.triad",
                    Map.of(),
                    "gbs"));

    /** The JMH include patterns: exactly the benchmarks {@link #LINES} read. */
    static final List<String> INCLUDES = List.of(
            "MatMulBenchmark\\.(llm4eSimd1Thread|llm4eSimdAllCores|ejml|ejmlConcurrent|nd4j1Thread|nd4j2Threads)$",
            "TriadBenchmark\\.triad$",
            "DotBenchmark\\.(plainLoop|llm4eSimd)$",
            "OptimizerStepBenchmark\\.(llm4eSimd|nd4jAdam|triad)$",
            "FlashAttentionBenchmark\\.(sdpa|flashV2|nd4j)$",
            "TiktokenEncodeBenchmark\\.(llm4e|jtokkit)$",
            "QuantizedMatVecBenchmark\\.(matvec|triad)$");

    /** The parameters the summary fixes (JMH {@code -p}); each name belongs to one benchmark class only. */
    static final Map<String, String> PARAMS = new LinkedHashMap<>();

    static {
        PARAMS.put("size", "512");
        PARAMS.put("threads", "1,2");
        PARAMS.put("n", "262144");
        PARAMS.put("optimizer", "adam");
        PARAMS.put("seq", "1024");
        PARAMS.put("headDim", "64");
        PARAMS.put("causal", "true");
        PARAMS.put("encoding", "cl100k_base");
        PARAMS.put("chunking", "whole");
        PARAMS.put("format", "fp32,fp32_ejml,q8_0,q4_0,q4_0_repacked");
    }

    /** Iterations of the summary: one fork, a warm-up and two measurements of a second each. */
    static final List<String> TIMING = List.of("-f", "1", "-wi", "1", "-w", "1s", "-i", "2", "-r", "1s");

    /** Iterations of a smoke run: enough to check the pipeline, not to quote. */
    static final List<String> SMOKE_TIMING = List.of("-f", "1", "-wi", "0", "-i", "1", "-r", "100ms");

    /**
     * The JMH arguments of the summary, without the output options.
     *
     * @param smoke tiny iteration counts
     * @return the arguments
     */
    static List<String> jmhArgs(boolean smoke) {
        List<String> args = new ArrayList<>(smoke ? SMOKE_TIMING : TIMING);
        for (var e : PARAMS.entrySet()) {
            args.add("-p");
            args.add(e.getKey() + "=" + e.getValue());
        }
        args.addAll(INCLUDES);
        return args;
    }

    /**
     * Picks the curated rows out of JMH's JSON results.
     *
     * @param results the parsed JSON (an array of JMH results)
     * @param computeRoof the FMA peak measured by the tour as {1 thread, all threads} GFLOP/s, or null
     * @return the rows in table order (rows whose benchmark is missing are left out)
     */
    static List<Row> rows(Object results, double[] computeRoof) {
        if (!(results instanceof List)) {
            throw new IllegalArgumentException("results must be a JSON array of JMH results");
        }
        List<Row> rows = new ArrayList<>();
        String lastGroup = null;
        for (Line line : LINES) {
            if (computeRoof != null && lastGroup != null && !lastGroup.equals(line.group())) {
                addComputeRoof(rows, lastGroup, computeRoof);
            }
            lastGroup = line.group();
            for (Object r : (List<?>) results) {
                if (matches(r, line)) {
                    Object metric = Json.get(Json.get(r, "secondaryMetrics"), line.counter());
                    if (metric == null) {
                        continue;
                    }
                    rows.add(new Row(
                            line,
                            Json.number(Json.get(metric, "score")),
                            Json.number(Json.get(metric, "scoreError")),
                            String.valueOf(Json.get(r, "jdkVersion")),
                            (int) Json.number(Json.get(r, "threads"))));
                    break;
                }
            }
        }
        return rows;
    }

    private static void addComputeRoof(List<Row> rows, String group, double[] roof) {
        if (group.equals(SGEMM_1)) {
            rows.add(new Row(
                    new Line(group, Role.ROOF, "FMA peak, 1 thread (ComputeRoof)", "", Map.of(), "gflops"),
                    roof[0],
                    Double.NaN,
                    Runtime.version().toString(),
                    1));
        } else if (group.equals(SGEMM_N)) {
            rows.add(new Row(
                    new Line(group, Role.ROOF, "FMA peak, all cores (ComputeRoof)", "", Map.of(), "gflops"),
                    roof[1],
                    Double.NaN,
                    Runtime.version().toString(),
                    1));
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Object result, Line line) {
        Object name = Json.get(result, "benchmark");
        if (!(name instanceof String) || !((String) name).endsWith("." + line.benchmark())) {
            return false;
        }
        Object params = Json.get(result, "params");
        for (var e : line.params().entrySet()) {
            if (!(params instanceof Map) || !e.getValue().equals(((Map<String, Object>) params).get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    static String unit(String counter) {
        switch (counter) {
            case "gflops":
                return "GFLOP/s";
            case "gbs":
                return "GB/s";
            case "megabytes":
            case "mbs":
                return "MB/s";
            default:
                return counter;
        }
    }

    /**
     * The Markdown of the summary: a header naming the machine, the JDK and the command, then the table.
     *
     * @param rows the rows
     * @param machine the machine
     * @param jdk the JDK
     * @param command the command that produced the figures
     * @param chart the chart's file name relative to the Markdown, or null
     * @return Markdown
     */
    static String markdown(List<Row> rows, String machine, String jdk, String command, String chart) {
        StringBuilder sb = new StringBuilder();
        sb.append("- machine: ").append(machine).append('\n');
        sb.append("- JDK: ").append(jdk).append('\n');
        sb.append("- command: `").append(command).append("`\n");
        boolean smoke = command.contains("--smoke") || command.contains(String.join(" ", SMOKE_TIMING));
        sb.append(
                smoke
                        ? "- smoke run (no warm-up, one 100 ms measurement): checks the pipeline, the figures mean"
                                + " nothing\n\n"
                        : "- short runs (one fork, 1 × 1 s warm-up, 2 × 1 s measurement): indicative figures; the full"
                                + " runs are in `benchmarks/results/`\n\n");
        sb.append("| benchmark | who | implementation | figure | ± error | unit | % of roof |\n");
        sb.append("|---|---|---|---:|---:|---|---:|\n");
        Map<String, Double> roofs = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.line().role() == Role.ROOF) {
                roofs.merge(r.line().group(), r.score(), Math::max);
            }
        }
        String group = null;
        for (Row r : rows) {
            boolean first = !r.line().group().equals(group);
            group = r.line().group();
            Double roof = roofs.get(group);
            String pct = roof == null || r.line().role() == Role.ROOF || !(roof > 0)
                    ? ""
                    : String.format(Locale.ROOT, "%.0f %%", 100 * r.score() / roof);
            sb.append("| ")
                    .append(first ? "**" + group + "**" : "")
                    .append(" | ")
                    .append(r.line().role().label)
                    .append(" | ")
                    .append(r.line().label())
                    .append(" | ")
                    .append(number(r.score()))
                    .append(" | ")
                    .append(number(r.error()))
                    .append(" | ")
                    .append(unit(r.line().counter()))
                    .append(" | ")
                    .append(pct)
                    .append(" |\n");
        }
        if (chart != null) {
            sb.append("\n![llm4e next to its peers and the roofs](")
                    .append(chart)
                    .append(")\n");
        }
        return sb.toString();
    }

    /**
     * One bar chart per group (its own unit on its own axis), llm4e, peers, baselines and roofs in their own colours.
     *
     * @param rows the rows
     * @return the picture
     */
    static BufferedImage chart(List<Row> rows) {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.line().group(), g -> new ArrayList<>()).add(r);
        }
        List<CategoryChart> charts = new ArrayList<>();
        Color[] colours = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x7f7f7f), new Color(0x2ca02c)};
        for (var e : groups.entrySet()) {
            CategoryChart c = new CategoryChartBuilder()
                    .width(560)
                    .height(360)
                    .title(e.getKey())
                    .yAxisTitle(unit(e.getValue().get(0).line().counter()))
                    .build();
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            c.getStyler().setOverlapped(true);
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setXAxisLabelRotation(20);
            c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(13f));
            List<String> labels = new ArrayList<>();
            for (Row r : e.getValue()) {
                labels.add(r.line().label());
            }
            for (Role role : Role.values()) {
                List<Double> ys = new ArrayList<>();
                boolean any = false;
                for (Row r : e.getValue()) {
                    boolean mine = r.line().role() == role;
                    any |= mine;
                    ys.add(mine && Double.isFinite(r.score()) ? r.score() : 0.0);
                }
                if (any) {
                    c.addSeries(role.label, labels, ys).setFillColor(colours[role.ordinal()]);
                }
            }
            charts.add(c);
        }
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("no rows to chart: none of the curated benchmarks is in the results");
        }
        return Charts.grid(charts, 2);
    }

    /**
     * Reads JMH's JSON and writes the summary's Markdown and chart, and optionally the README's block.
     *
     * @param json JMH's results
     * @param md the Markdown file to write
     * @param png the chart to write
     * @param computeRoof the FMA peak {1 thread, all threads} in GFLOP/s, or null
     * @param command the command line that produced the figures
     * @param readme the README to rewrite between its markers, or null
     * @return the Markdown
     * @throws IOException when a file cannot be read or written
     */
    static String write(Path json, Path md, Path png, double[] computeRoof, String command, Path readme)
            throws IOException {
        List<Row> rows = rows(Json.parse(Files.readString(json)), computeRoof);
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        String chart = readme != null
                ? readme.getParent().relativize(png).toString().replace('\\', '/')
                : png.getFileName().toString();
        String text = markdown(rows, machine(), jdk, command, chart);
        Files.writeString(md, text);
        if (!ImageIO.write(chart(rows), "png", png.toFile())) {
            throw new IOException("no PNG writer for " + png);
        }
        if (readme != null) {
            Files.writeString(readme, replaceBlock(Files.readString(readme), text));
        }
        return text;
    }

    /** The CPU model (from /proc/cpuinfo where there is one) and the cores available to the JVM. */
    static String machine() {
        String model = System.getProperty("os.arch");
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String l : Files.readAllLines(cpuinfo)) {
                    if (l.startsWith("model name")) {
                        model = l.substring(l.indexOf(':') + 1).trim();
                        break;
                    }
                }
            } catch (IOException e) {
                // keep the architecture
            }
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores available to the JVM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /** Markers of the README's generated block. */
    static final String BEGIN = "<!-- llm4e bench --summary: begin (generated by ./llm4e bench --summary --readme) -->";

    static final String END = "<!-- llm4e bench --summary: end -->";

    /**
     * Replaces the text between the README's markers.
     *
     * @param readme the README's text
     * @param block the new content
     * @return the new README text
     * @throws IllegalArgumentException when the markers are missing or out of order
     */
    static String replaceBlock(String readme, String block) {
        int b = readme.indexOf(BEGIN);
        int e = readme.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException(
                    "README.md must contain the lines '" + BEGIN + "' and then '" + END + "'");
        }
        return readme.substring(0, b + BEGIN.length()) + "\n" + block + readme.substring(e);
    }

    /** Three significant digits, no exponent; a dash for NaN. */
    static String number(double x) {
        if (Double.isNaN(x)) {
            return "–";
        }
        double ax = Math.abs(x);
        if (ax >= 100 || ax == 0) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        int decimals = Math.min(6, 2 - (int) Math.floor(Math.log10(ax)));
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }
}
