package org.llm4e.tour;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * What a {@link Chapter} gets to work with: the terminal, the output folder and progress bars.
 *
 * <p>Charts are saved as PNG through XChart's bitmap encoder (headless AWT: the tour sets
 * {@code java.awt.headless=true}, so it runs on servers without a display).
 */
public final class TourContext {
    private final Path outDir;
    private final PrintWriter out;
    private final PrintStream progressStream;
    private final List<Path> written = new ArrayList<>();

    /**
     * A context writing into {@code outDir}.
     *
     * @param outDir the folder for charts; created when missing
     * @param out where tables go
     * @param progressStream where progress bars go, or null for none
     */
    public TourContext(Path outDir, PrintWriter out, PrintStream progressStream) {
        this.outDir = outDir;
        this.out = out;
        this.progressStream = progressStream;
    }

    /**
     * The output folder.
     *
     * @return the folder charts go to
     */
    public Path outDir() {
        return outDir;
    }

    /**
     * The terminal.
     *
     * @return where tables and remarks go
     */
    public PrintWriter out() {
        return out;
    }

    /**
     * Starts a progress bar for work of {@code steps} steps.
     *
     * @param task the label in front of the bar
     * @param steps how many steps the work has, ≥ 1
     * @return the bar (a silent one when progress is disabled); close it when done
     */
    public Progress progress(String task, long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        out.flush();
        return progressStream == null ? Progress.none() : Progress.console(task, steps, progressStream);
    }

    /**
     * Saves a chart as {@code <name>.png} in the output folder.
     *
     * @param chart an XChart chart
     * @param name the file name without extension
     * @return the written file
     * @throws IOException when the folder or the file cannot be written
     */
    public Path saveChart(Chart<?, ?> chart, String name) throws IOException {
        Files.createDirectories(outDir);
        Path file = outDir.resolve(name + ".png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        written.add(file);
        return file;
    }

    /**
     * Saves an image (for example a grid of several charts, see {@link Charts#grid}) as {@code <name>.png} in the
     * output folder.
     *
     * @param image the picture
     * @param name the file name without extension
     * @return the written file
     * @throws IOException when the folder or the file cannot be written
     */
    public Path saveImage(BufferedImage image, String name) throws IOException {
        Files.createDirectories(outDir);
        Path file = outDir.resolve(name + ".png");
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
        written.add(file);
        return file;
    }

    /**
     * The files written so far.
     *
     * @return an unmodifiable view, in writing order
     */
    public List<Path> written() {
        return Collections.unmodifiableList(written);
    }
}
