package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandsTest {

    /** Runs the command line as main would, capturing standard output and error. */
    static String[] run(String... args) {
        System.setProperty("java.awt.headless", "true");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Llm4e());
        cl.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    @Test
    void infoNamesJdkCoresSimdAndModules() {
        String[] r = run("info");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertTrue(out.contains("JDK"), out);
        assertTrue(out.contains(Runtime.getRuntime().availableProcessors() + " available"), out);
        assertTrue(out.contains("kernel provider"), out);
        assertTrue(out.contains("vector width"), out);
        // core is a dependency of the tour, so it is always present and implemented
        assertTrue(out.lines().anyMatch(l -> l.startsWith("core ") && l.contains("yes")), out);
        assertTrue(out.contains("tour chapters: matmul"), out);
    }

    @Test
    void tourListShowsChapters() {
        String[] r = run("tour", "--list");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("matmul"), r[1]);
    }

    @Test
    void chapterOptionWritesTheReportWithTablesGuideAndCharts(@TempDir Path dir) throws Exception {
        String[] r = run("tour", "--chapter", "positional", "--out", dir.toString(), "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("1 chapter(s) in"), r[1]);
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("<section id=\"positional\">"), html);
        assertTrue(!html.contains("<section id=\"matmul\">"), "only the chapter asked for");
        assertTrue(html.contains("<th>pos</th><th>PE(pos, 0)</th>"), "the sinusoidal table as an HTML table");
        assertTrue(html.contains("What to look at") && html.contains("Read next"), html);
        try (var pngs = Files.list(dir)) {
            long n = pngs.filter(p -> p.toString().endsWith(".png"))
                    .peek(p -> assertTrue(html.contains("<img src=\"" + p.getFileName() + "\""), p.toString()))
                    .count();
            assertTrue(n >= 4, n + " charts");
        }
    }

    @Test
    void unknownChapterIsAUsageErrorNamingTheChapters(@TempDir Path dir) {
        String[] r = run("tour", "nope", "--out", dir.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown chapter 'nope'") && r[2].contains("matmul"), r[2]);
        r = run("tour", "--chapter", "nope2", "--out", dir.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown chapter 'nope2'"), r[2]);
    }

    @Test
    void benchDryRunPassesJmhOptionsThroughInOrder() {
        String[] r = run("bench", "--dry-run", "MatMul", "-p", "size=1024", "-f", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("-jar") && r[1].contains("MatMul -p size=1024 -f 1"), r[1]);
        assertTrue(r[1].contains("--add-modules=jdk.incubator.vector"), r[1]);
    }

    @Test
    void benchWithoutArgumentsRunsTheQuickProfileAndRendersMarkdown() {
        String[] r = run("bench", "--dry-run");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains(BenchCommand.shellLine(BenchCommand.QUICK)), r[1]);
        assertTrue(r[1].contains("-rf json -rff"), r[1]);
        assertTrue(r[1].contains(BenchCommand.MARKDOWN_MAIN), r[1]);
    }

    @Test
    void staleWhenMissingOrOlderThanASource(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("mvnw"), "#!/bin/sh");
        Path src = root.resolve("core/src/main/java/A.java");
        Files.createDirectories(src.getParent());
        Files.writeString(root.resolve("core/pom.xml"), "<project/>");
        Files.writeString(src, "class A {}");
        Path skipped = root.resolve("tour/src/main/java/B.java");
        Files.createDirectories(skipped.getParent());
        Files.writeString(root.resolve("tour/pom.xml"), "<project/>");
        Files.writeString(skipped, "class B {}");
        Path jar = root.resolve("benchmarks/target/benchmarks.jar");
        assertTrue(ProjectHome.isRoot(root));
        assertTrue(ProjectHome.stale(root, jar, Set.of("tour")), "a missing jar is stale");

        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar");
        Instant t = Instant.now();
        for (Path p : new Path[] {root.resolve("pom.xml"), root.resolve("core/pom.xml"), src}) {
            Files.setLastModifiedTime(p, FileTime.from(t.minusSeconds(60)));
        }
        Files.setLastModifiedTime(jar, FileTime.from(t));
        Files.setLastModifiedTime(skipped, FileTime.from(t.plusSeconds(60)));
        assertTrue(!ProjectHome.stale(root, jar, Set.of("tour")), "a newer file in a skipped module does not count");

        Files.setLastModifiedTime(src, FileTime.from(t.plusSeconds(60)));
        assertTrue(ProjectHome.stale(root, jar, Set.of("tour")), "a newer source makes the jar stale");
    }
}
