package org.llm4e.tour;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.llm4e.core.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llm4e tour [chapter…] [--chapter NAME]… [--out DIR]}: runs the named chapters, or all of them, each printing
 * its tables and writing its charts into the output folder (default {@code llm4e-tour}), and writes
 * {@code index.html} there: the HTML report of the run ({@link HtmlReport}: per chapter what to look at, the charts,
 * the tables as HTML tables, the classes and tests to read next).
 */
@Command(
        name = "tour",
        mixinStandardHelpOptions = true,
        description = "Run tour chapters (all when none is named): a table on the terminal, PNG charts in --out.")
public final class TourCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CHAPTER", arity = "0..*", description = "chapters to run; see --list")
    List<String> names = new ArrayList<>();

    @Option(
            names = {"-c", "--chapter"},
            paramLabel = "NAME",
            description = "a chapter to run (repeatable; same as naming it as a parameter)")
    List<String> chapterOptions = new ArrayList<>();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "llm4e-tour",
            description = "folder for index.html and the charts (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--corpus",
            paramLabel = "FILE",
            description = "a UTF-8 text for the tokenizers chapter to train on (default: the project's own sources)")
    Path corpus;

    @Option(names = "--list", description = "list the chapters and exit")
    boolean list;

    @Option(
            names = "--progress",
            negatable = true,
            description = "draw progress bars on standard error (default: when running on a terminal)")
    Boolean progress;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if (list) {
            TextTable t = new TextTable("chapter", "what it shows");
            for (Chapter c : Chapters.all()) {
                t.row(c.name(), c.description());
            }
            stdout.print(t.render());
            stdout.flush();
            return 0;
        }
        List<Chapter> chapters = new ArrayList<>();
        List<String> wanted = new ArrayList<>(names);
        wanted.addAll(chapterOptions);
        if (wanted.isEmpty()) {
            chapters.addAll(Chapters.all());
        } else {
            for (String name : wanted) {
                chapters.add(Chapters.find(name)
                        .orElseThrow(() -> new CommandLine.ParameterException(
                                spec.commandLine(),
                                "unknown chapter '" + name + "'; chapters are: " + Chapters.names())));
            }
        }
        if (corpus != null) {
            if (!java.nio.file.Files.isRegularFile(corpus) || !java.nio.file.Files.isReadable(corpus)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--corpus must be a readable text file, got '" + corpus + "'");
            }
            // the one chapter option: the tokenizers chapter trains on this file
            chapters.replaceAll(c -> c instanceof TokenizersChapter ? new TokenizersChapter(corpus) : c);
        }
        boolean bars = progress != null ? progress : System.console() != null;
        Path dir = out.toAbsolutePath();
        HtmlReport report = new HtmlReport();
        int failures = 0;
        int files = 0;
        long start = System.nanoTime();
        for (Chapter chapter : chapters) {
            stdout.println("== " + chapter.name() + ": " + chapter.description());
            stdout.flush();
            // the chapter prints to the terminal and, through the tee, into the HTML report
            StringWriter captured = new StringWriter();
            PrintWriter tee = new PrintWriter(new TeeWriter(stdout, captured), true);
            TourContext context = new TourContext(dir, tee, bars ? System.err : null);
            String error = null;
            long t0 = System.nanoTime();
            try {
                chapter.run(context);
            } catch (Exception e) {
                failures++;
                error = e.toString();
                PrintWriter err = spec.commandLine().getErr();
                err.println("chapter " + chapter.name() + " failed: " + e);
                e.printStackTrace(err);
                err.flush();
            }
            tee.flush();
            double seconds = (System.nanoTime() - t0) * 1e-9;
            report.add(chapter, captured.toString(), context.written(), error, seconds);
            files += context.written().size();
            stdout.printf(java.util.Locale.ROOT, "(%s: %.1f s)%n%n", chapter.name(), seconds);
        }
        try {
            Path index = report.write(
                    dir,
                    "JDK " + System.getProperty("java.runtime.version") + ", "
                            + Runtime.getRuntime().availableProcessors() + " cores, "
                            + (Kernels.vectorized() ? "Vector API kernels" : "scalar kernels"));
            stdout.printf(
                    java.util.Locale.ROOT,
                    "%d chapter(s) in %.1f s; %d chart(s) and the report %s%n",
                    chapters.size(),
                    (System.nanoTime() - start) * 1e-9,
                    files,
                    index);
        } catch (IOException e) {
            spec.commandLine().getErr().println("could not write the HTML report: " + e);
            failures++;
        }
        stdout.flush();
        return failures == 0 ? 0 : 1;
    }

    /** Writes everything to two writers. */
    private static final class TeeWriter extends Writer {
        private final Writer first;
        private final Writer second;

        TeeWriter(Writer first, Writer second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            first.write(cbuf, off, len);
            second.write(cbuf, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
