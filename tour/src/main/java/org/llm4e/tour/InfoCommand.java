package org.llm4e.tour;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Simd;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code llm4e info}: the JDK, the cores, the SIMD provider and its vector width, and the library modules present.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Show the JDK, cores, SIMD provider and vector width, and the modules present.")
public final class InfoCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        kv(
                out,
                "JDK",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vendor") + ")");
        kv(out, "java.home", System.getProperty("java.home"));
        kv(
                out,
                "OS",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        cpuModel().ifPresent(cpu -> kv(out, "CPU", cpu));
        kv(out, "cores", rt.availableProcessors() + " available to the JVM");
        kv(out, "library threads", Parallel.threads() + " (-Dllm4e.threads)");
        kv(out, "max heap", String.format(Locale.ROOT, "%.1f GiB", rt.maxMemory() / (1024.0 * 1024 * 1024)));
        kv(
                out,
                "Vector API module",
                Simd.vectorModulePresent() ? "present" : "absent (--add-modules jdk.incubator.vector)");
        kv(out, "SIMD mode", Simd.mode().name().toLowerCase(Locale.ROOT) + " (-Dllm4e.simd=auto|off|on)");
        int bits = Simd.vectorBitSize();
        kv(
                out,
                "kernel provider",
                Kernels.provider().getClass().getSimpleName() + (Kernels.vectorized() ? " (Vector API)" : " (scalar)"));
        kv(out, "vector width", bits == 0 ? "n/a (scalar)" : bits + " bit = " + (bits / 32) + " float lanes");
        out.println();

        TextTable modules = new TextTable("module", "jar", "implemented", "probe class");
        for (LibraryModules.Module m : LibraryModules.probe()) {
            modules.row(
                    m.folder(),
                    m.present() ? (m.version() == null ? "classes" : m.version()) : "absent",
                    m.implemented() ? "yes" : "not yet",
                    m.entryClass());
        }
        out.print(modules.render());
        out.println();
        out.println("tour chapters: " + Chapters.names());
        out.flush();
    }

    private static void kv(PrintWriter out, String key, String value) {
        out.printf(Locale.ROOT, "  %-18s %s%n", key, value);
    }

    /** The CPU model from /proc/cpuinfo (Linux), when readable. */
    static Optional<String> cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
