package org.llm4e.tour;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a piece of work with a known number of steps, shown as a bar on the terminal.
 *
 * <p>{@link #console(String, long, PrintStream)} draws a bar (ASCII, so logs stay readable) on the given stream,
 * normally standard error so that the table on standard output stays clean; {@link #none()} shows nothing (tests,
 * {@code --no-progress}).
 */
public interface Progress extends AutoCloseable {

    /** Marks one step done. */
    void step();

    /**
     * Shows what is being worked on now, beside the bar.
     *
     * @param message a few words, e.g. {@code "512 SIMD_PACKED"}
     */
    void show(String message);

    /** Finishes the bar. */
    @Override
    void close();

    /**
     * A progress report that shows nothing.
     *
     * @return a no-op progress
     */
    static Progress none() {
        return new Progress() {
            @Override
            public void step() {}

            @Override
            public void show(String message) {}

            @Override
            public void close() {}
        };
    }

    /**
     * A progress bar on a console stream.
     *
     * @param task the label in front of the bar
     * @param steps the number of steps, ≥ 1
     * @param stream where to draw, normally {@code System.err}
     * @return the running bar; close it when the work is done
     */
    static Progress console(String task, long steps, PrintStream stream) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setMaxRenderedLength(100)
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .build();
        return new Progress() {
            @Override
            public void step() {
                bar.step();
            }

            @Override
            public void show(String message) {
                bar.setExtraMessage(" " + message);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
