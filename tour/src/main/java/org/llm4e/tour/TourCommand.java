package org.llm4e.tour;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llm4e tour [chapter…] [--out DIR]}: runs the named chapters, or all of them, each printing its table and
 * writing its charts into the output folder.
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
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "llm4e-tour",
            description = "folder for the charts (default: ${DEFAULT-VALUE})")
    Path out;

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
        if (names.isEmpty()) {
            chapters.addAll(Chapters.all());
        } else {
            for (String name : names) {
                chapters.add(Chapters.find(name)
                        .orElseThrow(() -> new CommandLine.ParameterException(
                                spec.commandLine(),
                                "unknown chapter '" + name + "'; chapters are: " + Chapters.names())));
            }
        }
        boolean bars = progress != null ? progress : System.console() != null;
        TourContext context = new TourContext(out.toAbsolutePath(), stdout, bars ? System.err : null);
        int failures = 0;
        for (Chapter chapter : chapters) {
            stdout.println("== " + chapter.name() + ": " + chapter.description());
            stdout.flush();
            try {
                chapter.run(context);
            } catch (Exception e) {
                failures++;
                PrintWriter err = spec.commandLine().getErr();
                err.println("chapter " + chapter.name() + " failed: " + e);
                e.printStackTrace(err);
                err.flush();
            }
            stdout.println();
        }
        stdout.println(context.written().size() + " file(s) in " + context.outDir());
        stdout.flush();
        return failures == 0 ? 0 : 1;
    }
}
