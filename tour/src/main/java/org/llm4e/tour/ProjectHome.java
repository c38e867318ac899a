package org.llm4e.tour;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The project's source tree, for commands that build part of it ({@code llm4e bench}).
 *
 * <p>The {@code ./llm4e} launcher passes {@code -Dllm4e.home}; otherwise the tree is found by walking up from the
 * working folder to the first one holding {@code mvnw} and {@code pom.xml}.
 */
public final class ProjectHome {
    private ProjectHome() {}

    /**
     * Finds the project root.
     *
     * @return the folder with {@code mvnw} and the parent {@code pom.xml}, or empty outside a checkout
     */
    public static Optional<Path> find() {
        String home = System.getProperty("llm4e.home");
        if (home != null && !home.isBlank() && isRoot(Path.of(home))) {
            return Optional.of(Path.of(home).toAbsolutePath());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (isRoot(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("pom.xml"));
    }

    /**
     * Whether {@code artifact} is missing or older than a source it is built from: the parent pom, a module's pom or
     * a file under a module's {@code src/main}.
     *
     * @param root the project root
     * @param artifact the built file
     * @param skipModules module folders whose sources do not go into {@code artifact}
     * @return true when the artifact should be rebuilt
     */
    public static boolean stale(Path root, Path artifact, Set<String> skipModules) {
        if (!Files.isRegularFile(artifact)) {
            return true;
        }
        try {
            FileTime built = Files.getLastModifiedTime(artifact);
            if (newer(root.resolve("pom.xml"), built)) {
                return true;
            }
            List<Path> modules;
            try (Stream<Path> s = Files.list(root)) {
                modules = s.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                        .filter(d -> !skipModules.contains(d.getFileName().toString()))
                        .toList();
            }
            for (Path module : modules) {
                if (newer(module.resolve("pom.xml"), built)) {
                    return true;
                }
                Path main = module.resolve("src/main");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> files = Files.walk(main)) {
                        if (files.anyMatch(f -> Files.isRegularFile(f) && newer(f, built))) {
                            return true;
                        }
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean newer(Path file, FileTime than) {
        try {
            return Files.exists(file) && Files.getLastModifiedTime(file).compareTo(than) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
