package org.llm4e.tour;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llm4e bench [JMH args]}: builds {@code benchmarks/target/benchmarks.jar} when it is missing or older than
 * the sources, then runs it with the given JMH arguments.
 *
 * <p>The tour never links against the benchmarks (they pull in ND4J, EJML and friends, 130 MB of jars); it starts the
 * benchmark jar as a separate JVM, the same JDK as this one, with {@code --add-modules jdk.incubator.vector}. With no
 * arguments it runs a quick profile: the memory-bandwidth and dot-product roofs and matrix multiplication at n = 512,
 * one fork, one warm-up and two measurement iterations of one second, which finishes in a few minutes; the JSON goes to
 * {@code llm4e-bench/quick.json} and a Markdown table of it is printed. Short runs on a busy machine are noisy: the
 * figures worth keeping come from full runs (see {@code benchmarks/results/}).
 *
 * <p>{@code llm4e bench --summary} runs the curated set of {@link BenchSummary} (SGEMM against ND4J and EJML, the triad
 * and dot roofs, an Adam step against ND4J's, FlashAttention v2 against naive attention and ND4J, tiktoken against
 * jtokkit, Q8_0/Q4_0 mat-vec against fp32 and EJML) with short iterations, measures the FMA roof in this JVM
 * ({@link ComputeRoof}), and writes {@code summary.json} (JMH), {@code summary.md} (llm4e next to its peers and the
 * roofs, with the machine, the JDK and the command) and {@code summary.png} into {@code --out}. With {@code --readme}
 * the files go to {@code benchmarks/results/summary-jdkNN.*} and the README's marked block is rewritten with the table.
 * {@code --smoke} uses tiny iteration counts, to check the pipeline only.
 */
@Command(
        name = "bench",
        description = {
            "Build the JMH benchmark jar if needed and run it with the given JMH arguments.",
            "With no arguments: a quick profile (Triad, Dot, MatMul at size 512) of a few minutes.",
            "Examples: llm4e bench -l | llm4e bench MatMul -p size=1024 | llm4e bench -h"
        })
public final class BenchCommand implements Callable<Integer> {
    /** JMH arguments of the quick profile, before the output options. */
    static final List<String> QUICK = List.of(
            "-f", "1", "-wi", "1", "-w", "1s", "-i", "2", "-r", "1s", "-p", "size=512", "(Triad|Dot|MatMul)Benchmark");

    static final String MARKDOWN_MAIN = "org.llm4e.benchmarks.support.JmhMarkdown";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dry-run", description = "print the commands instead of running them")
    boolean dryRun;

    @Option(
            names = "--summary",
            description = "run the curated benchmarks behind the README's table (a few minutes) and write JSON,"
                    + " Markdown and a chart")
    boolean summary;

    @Option(names = "--smoke", description = "with --summary: tiny iteration counts, figures not worth quoting")
    boolean smoke;

    @Option(
            names = "--readme",
            description = "with --summary: write to benchmarks/results/summary-jdkNN.* and rewrite README.md's table")
    boolean readme;

    @Option(
            names = "--from-json",
            paramLabel = "FILE",
            description = "with --summary: render an existing JMH JSON of the curated set instead of running it")
    Path fromJson;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "llm4e-bench",
            description = "with --summary: the folder for summary.json, .md and .png (default: ${DEFAULT-VALUE})")
    Path out;

    @Parameters(paramLabel = "JMH_ARG", arity = "0..*", description = "passed to JMH unchanged")
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path root = ProjectHome.find()
                .orElseThrow(() -> new CommandLine.ParameterException(
                        spec.commandLine(),
                        "llm4e bench needs the project's source tree (mvnw and pom.xml) in this folder or above it,"
                                + " or -Dllm4e.home"));
        Path jar = root.resolve("benchmarks/target/benchmarks.jar");
        if (ProjectHome.stale(root, jar, Set.of("tour"))) {
            int rc = run(out, root, buildCommand(root));
            if (rc != 0) {
                spec.commandLine().getErr().println("building the benchmark jar failed (exit " + rc + ")");
                return rc;
            }
        }
        if (summary) {
            return summary(out, root, jar);
        }
        boolean quick = jmhArgs.isEmpty();
        List<String> args = new ArrayList<>(quick ? QUICK : jmhArgs);
        Path json = Path.of("llm4e-bench", "quick.json").toAbsolutePath();
        if (quick) {
            if (!dryRun) {
                Files.createDirectories(json.getParent());
            }
            args.addAll(List.of("-rf", "json", "-rff", json.toString()));
        }
        List<String> command = javaCommand();
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        int rc = run(out, root, command);
        if (rc == 0 && quick) {
            List<String> md = javaCommand();
            md.addAll(List.of("-cp", jar.toString(), MARKDOWN_MAIN, json.toString()));
            rc = run(out, root, md);
        }
        return rc;
    }

    private int summary(PrintWriter stdout, Path root, Path jar) throws IOException, InterruptedException {
        if (!jmhArgs.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--summary takes no JMH arguments, got " + String.join(" ", jmhArgs));
        }
        Path dir;
        String base;
        if (readme) {
            dir = root.resolve("benchmarks/results");
            base = "summary-jdk" + Runtime.version().feature();
        } else {
            dir = this.out.toAbsolutePath();
            base = "summary";
        }
        Path json = dir.resolve(base + ".json");
        Path md = dir.resolve(base + ".md");
        Path png = dir.resolve(base + ".png");
        String command = "./llm4e bench --summary" + (smoke ? " --smoke" : "") + (readme ? " --readme" : "");
        List<String> jmh = javaCommand();
        jmh.addAll(List.of("-jar", jar.toString()));
        jmh.addAll(BenchSummary.jmhArgs(smoke));
        jmh.addAll(List.of("-rf", "json", "-rff", json.toString()));
        if (dryRun) {
            return run(stdout, root, jmh);
        }
        Files.createDirectories(dir);
        if (fromJson != null) {
            Files.copy(fromJson, json, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            command = "java -jar benchmarks/target/benchmarks.jar " + String.join(" ", BenchSummary.jmhArgs(smoke))
                    + " (rendered by ./llm4e bench --summary --from-json)";
        }
        stdout.println("measuring the FMA roof in this JVM (1 thread, then all cores)...");
        stdout.flush();
        double[] roof = {ComputeRoof.gflops(1, 0.5), ComputeRoof.gflops(org.llm4e.core.Parallel.threads(), 0.5)};
        int rc = fromJson != null ? 0 : run(stdout, root, jmh);
        if (rc != 0) {
            spec.commandLine().getErr().println("the benchmarks failed (exit " + rc + ")");
            return rc;
        }
        String text = BenchSummary.write(json, md, png, roof, command, readme ? root.resolve("README.md") : null);
        stdout.println();
        stdout.print(text);
        stdout.println();
        stdout.println("wrote " + md + ", " + png + (readme ? " and README.md's table" : ""));
        stdout.flush();
        return 0;
    }

    /** The command as a shell would take it: arguments with characters other than safe ones in single quotes. */
    static String shellLine(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (String a : command) {
            sb.append(sb.length() == 0 ? "" : " ")
                    .append(a.matches("[A-Za-z0-9_./=,:+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    /** The Maven command that builds the benchmark jar and only what it needs. */
    static List<String> buildCommand(Path root) {
        boolean windows =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return new ArrayList<>(List.of(
                root.resolve(windows ? "mvnw.cmd" : "mvnw").toString(),
                "-B",
                "-q",
                "-Dmaven.test.skip=true",
                "-Dmaven.javadoc.skip=true",
                "-pl",
                "benchmarks",
                "-am",
                "package"));
    }

    /** This JVM's java executable with the flags the benchmarks need (the JMH forks inherit them). */
    static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules=jdk.incubator.vector");
        if (Runtime.version().feature() >= 24) {
            // ND4J loads native code (JEP 472) and JMH uses sun.misc.Unsafe (JEP 498): silence the warnings
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        return command;
    }

    private int run(PrintWriter out, Path dir, List<String> command) throws IOException, InterruptedException {
        out.println("$ " + shellLine(command));
        out.flush();
        if (dryRun) {
            return 0;
        }
        Process p =
                new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        return p.waitFor();
    }
}
