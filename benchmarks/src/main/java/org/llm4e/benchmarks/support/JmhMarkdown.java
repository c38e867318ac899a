package org.llm4e.benchmarks.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns JMH's JSON results ({@code -rf json -rff results.json}) into a Markdown table for {@code benchmarks/results/}
 * and the README.
 *
 * <p>One row per benchmark and parameter set: the class and method, the parameters, the JDK and the harness threads
 * of that run, the primary score with its 99.9 % error, and the physical units from the auxiliary counters (the
 * convention of this project: a counter named {@code gflops} is GFLOP/s, {@code gbs} GB/s, {@code mbs} MB/s). A header
 * names the JDK, the machine (the CPU model and core count of the machine that renders the table, unless given) and
 * the command that produced the JSON.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar org.llm4e.benchmarks.support.JmhMarkdown results.json \
 *        [--title T] [--machine M] [--command C] [--out results.md]
 * </pre>
 */
public final class JmhMarkdown {
    // The project's counter names, plus two older spellings still used by some benchmarks (same units).
    private static final Map<String, String> UNITS =
            Map.of("gflops", "GFLOP/s", "gbs", "GB/s", "mbs", "MB/s", "megabytes", "MB/s", "kvGBs", "GB/s");
    private static final List<String> COUNTERS = List.of("gflops", "gbs", "mbs", "megabytes", "kvGBs");

    private JmhMarkdown() {}

    /**
     * Command-line entry point.
     *
     * @param args the JSON file, then {@code --title}, {@code --machine}, {@code --command}, {@code --out} options
     * @throws IOException when the JSON cannot be read or the Markdown written
     */
    public static void main(String... args) throws IOException {
        Path json = null;
        String title = null;
        String machine = null;
        String command = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            switch (a) {
                case "--title":
                    title = args[++i];
                    break;
                case "--machine":
                    machine = args[++i];
                    break;
                case "--command":
                    command = args[++i];
                    break;
                case "--out":
                    out = Path.of(args[++i]);
                    break;
                default:
                    if (json != null) {
                        throw new IllegalArgumentException("one JSON file expected, got " + json + " and " + a);
                    }
                    json = Path.of(a);
            }
        }
        if (json == null) {
            throw new IllegalArgumentException(
                    "usage: JmhMarkdown results.json [--title T] [--machine M]" + " [--command C] [--out results.md]");
        }
        String markdown = render(
                new ObjectMapper().readTree(json.toFile()),
                title == null ? json.getFileName().toString() : title,
                machine == null ? thisMachine() : machine,
                command);
        if (out == null) {
            System.out.print(markdown);
        } else {
            Files.writeString(out, markdown);
        }
    }

    /**
     * Renders JMH results as Markdown.
     *
     * @param results the parsed JSON: an array of JMH result objects
     * @param title the heading
     * @param machine a description of the machine
     * @param command the command that produced the results, or null
     * @return the Markdown text
     */
    public static String render(JsonNode results, String title, String machine, String command) {
        if (!results.isArray()) {
            throw new IllegalArgumentException(
                    "results must be a JSON array of JMH results, got " + results.getNodeType());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(title).append("\n\n");
        Set<String> jdks = new LinkedHashSet<>();
        for (JsonNode r : results) {
            jdks.add(jdk(r));
        }
        sb.append("- JDK: ").append(String.join("; ", jdks)).append('\n');
        sb.append("- machine: ").append(machine).append('\n');
        if (command != null) {
            sb.append("- command: `").append(command).append("`\n");
        }
        sb.append('\n');
        sb.append("| benchmark | parameters | JDK | threads | score | ± error | unit | physical |\n");
        sb.append("|---|---|---|---:|---:|---:|---|---|\n");
        for (JsonNode r : results) {
            JsonNode primary = r.path("primaryMetric");
            sb.append("| ")
                    .append(shortName(r.path("benchmark").asText()))
                    .append(" | ")
                    .append(params(r.path("params")))
                    .append(" | ")
                    .append(r.path("jdkVersion").asText("?"))
                    .append(" | ")
                    .append(r.path("threads").asInt(1))
                    .append(" | ")
                    .append(number(primary.path("score").asDouble(Double.NaN)))
                    .append(" | ")
                    .append(number(primary.path("scoreError").asDouble(Double.NaN)))
                    .append(" | ")
                    .append(primary.path("scoreUnit").asText(""))
                    .append(" | ")
                    .append(physical(r.path("secondaryMetrics")))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** {@code org.llm4e.benchmarks.support.DotBenchmark.llm4eSimd} → {@code DotBenchmark.llm4eSimd}. */
    static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    private static String params(JsonNode params) {
        List<String> kv = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            kv.add(e.getKey() + "=" + e.getValue().asText());
        }
        return kv.isEmpty() ? "" : String.join(", ", kv);
    }

    private static String physical(JsonNode secondary) {
        List<String> parts = new ArrayList<>();
        for (String counter : COUNTERS) {
            JsonNode m = secondary.get(counter);
            if (m != null) {
                double error = m.path("scoreError").asDouble(Double.NaN);
                parts.add(number(m.path("score").asDouble(Double.NaN))
                        + (Double.isNaN(error) ? "" : " ± " + number(error))
                        + " "
                        + UNITS.get(counter));
            }
        }
        return String.join(", ", parts);
    }

    private static String jdk(JsonNode r) {
        return r.path("vmName").asText("?") + " "
                + r.path("vmVersion").asText(r.path("jdkVersion").asText("?"));
    }

    /** Three significant digits at least, no exponent: 0.00123, 1.23, 123, 12345. */
    static String number(double x) {
        if (Double.isNaN(x)) {
            return "–";
        }
        double ax = Math.abs(x);
        if (ax >= 100 || ax == 0) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        int decimals = Math.min(9, 2 - (int) Math.floor(Math.log10(ax)));
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    /** The CPU model and core count of this machine, from /proc/cpuinfo when readable. */
    static String thisMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        Optional<String> model = Optional.empty();
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo)) {
                model = lines.filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst();
            } catch (IOException | java.io.UncheckedIOException e) {
                model = Optional.empty();
            }
        }
        return model.orElse(System.getProperty("os.arch")) + ", " + cores + " cores available to the JVM";
    }
}
