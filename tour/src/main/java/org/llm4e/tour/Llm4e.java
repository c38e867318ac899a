package org.llm4e.tour;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code llm4e} command, the front door of the project: {@code info} describes the machine as the library sees
 * it, {@code tour} runs the chapters (a demo per module: a table on the terminal, PNG charts in a folder),
 * {@code tokenize} encodes standard input with a tiktoken encoding ({@code echo "hello world" | ./llm4e tokenize
 * --encoding o200k_base}), {@code gguf} prints the header, metadata and tensor table of a GGUF file
 * ({@code ./llm4e gguf model.gguf}), {@code bench} builds and runs the JMH benchmark jar ({@code bench --summary}: the
 * curated set behind the README's table) and {@code estimate} is the inference calculator (memory, TTFT, TPOT of a
 * model on an accelerator).
 *
 * <p>Run it through the {@code ./llm4e} launcher at the root of the project, which builds this jar when it is
 * missing or older than the sources and starts the JVM with {@code --add-modules jdk.incubator.vector}.
 */
@Command(
        name = "llm4e",
        mixinStandardHelpOptions = true,
        versionProvider = Llm4e.Version.class,
        description = "LLMs for everybody, in Java: machine info, the tour of the library, the benchmarks.",
        subcommands = {
            InfoCommand.class,
            TourCommand.class,
            TokenizeCommand.class,
            GgufCommand.class,
            BenchCommand.class,
            EstimateCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Llm4e implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String... args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line without exiting.
     *
     * @param args the arguments
     * @return the exit status: 0 on success
     */
    public static int execute(String... args) {
        // charts are rendered off-screen: no display needed
        System.setProperty("java.awt.headless", "true");
        CommandLine cl = new CommandLine(new Llm4e());
        // everything after "bench" goes to JMH as is, options included
        cl.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Llm4e.class.getPackage().getImplementationVersion();
            return new String[] {"llm4e " + (v == null ? "(development build)" : v)};
        }
    }
}
