/**
 * The {@code llm4e} command: {@code info}, {@code tour}, {@code tokenize} and {@code bench}.
 *
 * <p><b>Adding a tour chapter</b> (one per module): write one class implementing {@link org.llm4e.tour.Chapter} in
 * this package — a {@code name()} to type on the command line, a one-line {@code description()}, and
 * {@code run(TourContext)} that prints a {@link org.llm4e.tour.TextTable} to {@code context.out()}, wraps work longer
 * than a second in {@code context.progress(task, steps)}, and saves XChart charts with {@code context.saveChart(chart,
 * name)} (several small charts go into one picture with {@code Charts.grid} and {@code context.saveImage}) — then
 * add one line to {@link org.llm4e.tour.Chapters#all()}. If the chapter needs a library module the tour
 * does not depend on yet, add it to {@code tour/pom.xml}; the tour depends on library modules only, never on the
 * benchmarks or a peer library. A test that runs the chapter on a small problem into a temporary folder and checks its
 * table and PNGs belongs in {@code tour/src/test}, as {@code MatMulChapterTest} does.
 */
package org.llm4e.tour;
