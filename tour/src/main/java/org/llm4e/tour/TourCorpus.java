package org.llm4e.tour;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The tour's built-in text: the project's README files and main sources, packaged with the tour under
 * {@code org/llm4e/tour/corpus/} by the build (see {@code tour/pom.xml}); read from the classes folder or from inside
 * the jar alike, in path order so that every run sees the same text.
 */
final class TourCorpus {
    private TourCorpus() {}

    static final String ROOT = "org/llm4e/tour/corpus";

    /**
     * The packaged files joined by newlines.
     *
     * @return the corpus text
     * @throws IOException when the resources are missing or unreadable
     */
    static String load() throws IOException {
        URL readme = TourCorpus.class.getClassLoader().getResource(ROOT + "/README.md");
        if (readme == null) {
            throw new IOException(
                    "the tour's corpus (" + ROOT + "/README.md) is not on the classpath; rebuild the tour");
        }
        URI uri;
        try {
            uri = readme.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("bad corpus location " + readme, e);
        }
        if ("jar".equals(uri.getScheme())) {
            FileSystem fs;
            boolean opened = false;
            try {
                fs = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            } catch (FileSystemAlreadyExistsException e) {
                fs = FileSystems.getFileSystem(uri);
            }
            try {
                return read(fs.getPath("/" + ROOT));
            } finally {
                if (opened) {
                    fs.close();
                }
            }
        }
        return read(Path.of(uri).getParent());
    }

    private static String read(Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .sorted((a, b) -> root.relativize(a)
                            .toString()
                            .compareTo(root.relativize(b).toString()))
                    .collect(Collectors.toList());
        }
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            sb.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString();
    }
}
