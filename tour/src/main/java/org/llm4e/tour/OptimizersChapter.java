package org.llm4e.tour;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.AdamW;
import org.llm4e.optimizers.Objective;
import org.llm4e.optimizers.OptimizationRun;
import org.llm4e.optimizers.OptimizationRun.Trajectory;
import org.llm4e.optimizers.Optimizer;
import org.llm4e.optimizers.Optimizers;
import org.llm4e.optimizers.TestFunctions;
import org.llm4e.optimizers.WarmupCosineLR;

/**
 * Chapter {@code optimizers}: the overview article's optimizer race, run by the library's optimizers on Beale's
 * function and on the saddle x² − y², with trajectories over contour plots, loss-against-step curves, a table of the
 * steps each one needs to reach a tolerance, and the linear-warmup + cosine schedule of LLM pre-training.
 *
 * <pre>
 *   Beale:   f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²,   minimum 0 at (3, 0.5)
 *   saddle:  f = x² − y²: from (1, 0) plain SGD converges to the saddle (0, 0), since ∂f/∂y = −2y stays 0;
 *            from (1, 10⁻³) every optimizer escapes down the y direction, the adaptive ones within a few steps
 * </pre>
 *
 * <p>Every run is {@link OptimizationRun#run} over {@link TestFunctions} with an optimizer made by
 * {@link Optimizers#create} (torch's names and keyword arguments); the hyperparameters are listed in the table, each
 * chosen by hand as a reasonable setting for the race (they are not tuned to make any optimizer win). The schedule is
 * {@link WarmupCosineLR} driving an {@link AdamW}.
 */
public final class OptimizersChapter implements Chapter {
    /** The start of the Beale race, up and left of the minimum as in the animation. */
    static final double[] BEALE_START = {0.7, 1.4};

    static final double BEALE_TOLERANCE = 1e-3;
    static final double SADDLE_ESCAPE = -1.0;

    private final int bealeSteps;
    private final int saddleSteps;

    /** The chapter with 1000 steps on Beale's function and 200 on the saddle. */
    public OptimizersChapter() {
        this(1000, 200);
    }

    /**
     * The chapter with other step counts.
     *
     * @param bealeSteps steps of the Beale race, ≥ 1
     * @param saddleSteps steps of the saddle race, ≥ 1
     */
    public OptimizersChapter(int bealeSteps, int saddleSteps) {
        if (bealeSteps < 1 || saddleSteps < 1) {
            throw new IllegalArgumentException(
                    "step counts must be >= 1, got bealeSteps=" + bealeSteps + ", saddleSteps=" + saddleSteps);
        }
        this.bealeSteps = bealeSteps;
        this.saddleSteps = saddleSteps;
    }

    @Override
    public String name() {
        return "optimizers";
    }

    @Override
    public String description() {
        return "the optimizer race on Beale's function and the saddle x² − y², and the warmup + cosine schedule";
    }

    /** One racer: a label, torch's optimizer name and its keyword arguments. */
    record Racer(String label, String optimizer, Map<String, Object> hyper) {}

    /** The racers of the Beale race. */
    static List<Racer> bealeRacers() {
        return racers(0.01);
    }

    /** The racers of the saddle race (SGD's learning rate fits the saddle's curvature). */
    static List<Racer> saddleRacers() {
        return racers(0.05);
    }

    private static List<Racer> racers(double sgdLr) {
        List<Racer> r = new ArrayList<>();
        r.add(new Racer("SGD", "sgd", Map.of("lr", sgdLr)));
        r.add(new Racer("Momentum", "sgd", ordered("lr", sgdLr, "momentum", 0.9)));
        r.add(new Racer("Nesterov", "sgd", ordered("lr", sgdLr, "momentum", 0.9, "nesterov", true)));
        r.add(new Racer("Adagrad", "adagrad", Map.of("lr", 0.5)));
        r.add(new Racer("Adadelta", "adadelta", Map.of("lr", 1.0)));
        r.add(new Racer("RMSprop", "rmsprop", Map.of("lr", 0.01)));
        r.add(new Racer("Adam", "adam", Map.of("lr", 0.05)));
        r.add(new Racer("AdamW", "adamw", ordered("lr", 0.05, "weight_decay", 0.01)));
        r.add(new Racer("NAdam", "nadam", Map.of("lr", 0.05)));
        r.add(new Racer("RAdam", "radam", Map.of("lr", 0.02)));
        r.add(new Racer("Lion", "lion", Map.of("lr", 0.005)));
        return r;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Trajectory race(Objective f, double[] start, Racer racer, int steps) {
        return OptimizationRun.run(f, start, ps -> Optimizers.create(racer.optimizer(), ps, racer.hyper()), steps);
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        List<Racer> beale = bealeRacers();
        List<Racer> saddle = saddleRacers();
        Map<String, Trajectory> bealeRuns = new LinkedHashMap<>();
        Map<String, Trajectory> saddleRuns = new LinkedHashMap<>();
        Objective bf = TestFunctions.beale();
        Objective sf = TestFunctions.saddle();
        double[] saddleStart = {1, 1e-3};
        Trajectory stuck;
        Trajectory nudged;
        try (Progress progress = context.progress("optimizers", beale.size() + saddle.size() + 5L)) {
            for (Racer r : beale) {
                progress.show("beale " + r.label());
                bealeRuns.put(r.label(), race(bf, BEALE_START, r, bealeSteps));
                progress.step();
            }
            for (Racer r : saddle) {
                progress.show("saddle " + r.label());
                saddleRuns.put(r.label(), race(sf, saddleStart, r, saddleSteps));
                progress.step();
            }
            Racer sgd = saddle.get(0);
            stuck = race(sf, new double[] {1, 0}, sgd, saddleSteps);
            nudged = race(sf, new double[] {1, 1e-6}, sgd, saddleSteps);

            out.printf(
                    Locale.ROOT,
                    "Race on Beale's function from (%.1f, %.1f), %d steps; minimum 0 at (3, 0.5)%n",
                    BEALE_START[0],
                    BEALE_START[1],
                    bealeSteps);
            out.print(bealeTable(beale, bealeRuns).render());
            progress.show("charts");
            out.println("wrote " + context.saveChart(bealeContour(bealeRuns), "optimizers-beale"));
            progress.step();
            out.println("wrote " + context.saveChart(bealeLoss(bealeRuns), "optimizers-beale-loss"));
            progress.step();

            out.println();
            out.printf(
                    Locale.ROOT,
                    "Race on the saddle x² − y² from (1, 1e-3), %d steps; escaped = f ≤ %.0f%n",
                    saddleSteps,
                    SADDLE_ESCAPE);
            out.print(saddleTable(saddle, saddleRuns, stuck, nudged).render());
            out.println("Plain SGD from exactly (1, 0) never leaves the x axis (∂f/∂y = −2y = 0) and converges to the"
                    + " saddle point; a nudge of 1e-6 in y lets it escape.");
            out.println("wrote " + context.saveChart(saddleContour(saddleRuns, stuck, nudged), "optimizers-saddle"));
            progress.step();
            out.println("wrote " + context.saveChart(saddleLoss(saddleRuns, stuck, nudged), "optimizers-saddle-loss"));
            progress.step();

            out.println();
            out.println("Linear warmup + cosine decay (AdamW, base lr 3e-4, 100 warmup steps, 1000 steps in all)");
            double[][] schedules = schedules(3e-4, 100, 1000);
            out.print(scheduleTable(schedules).render());
            out.println("wrote " + context.saveChart(scheduleChart(schedules), "optimizers-schedule"));
            progress.step();
        }
        out.flush();
    }

    static TextTable bealeTable(List<Racer> racers, Map<String, Trajectory> runs) {
        TextTable t = new TextTable(
                "optimizer",
                "torch name and arguments",
                "steps to f ≤ 1e-3",
                "final f",
                "final (x, y)",
                "distance to (3, 0.5)");
        for (Racer r : racers) {
            Trajectory tr = runs.get(r.label());
            double[] p = tr.last();
            int reach = tr.stepsToReach(BEALE_TOLERANCE);
            t.row(
                    r.label(),
                    r.optimizer() + " " + r.hyper(),
                    reach < 0 ? "not reached" : String.valueOf(reach),
                    sci(tr.losses()[tr.losses().length - 1]),
                    point(p),
                    String.format(Locale.ROOT, "%.4f", Math.hypot(p[0] - 3, p[1] - 0.5)));
        }
        return t;
    }

    static TextTable saddleTable(
            List<Racer> racers, Map<String, Trajectory> runs, Trajectory stuck, Trajectory nudged) {
        TextTable t = new TextTable("optimizer", "start", "steps to escape (f ≤ −1)", "point after the race");
        for (Racer r : racers) {
            Trajectory tr = runs.get(r.label());
            t.row(r.label(), "(1, 1e-3)", escape(tr), point(tr.last()));
        }
        t.row("SGD", "(1, 0)", escape(stuck), point(stuck.last()));
        t.row("SGD", "(1, 1e-6)", escape(nudged), point(nudged.last()));
        return t;
    }

    private static String escape(Trajectory tr) {
        int s = tr.stepsToReach(SADDLE_ESCAPE);
        return s < 0 ? "never (stuck)" : String.valueOf(s);
    }

    private static XYChart bealeContour(Map<String, Trajectory> runs) {
        XYChart c = Charts.xy("Optimizer race on Beale's function (log-spaced contours)", "x", "y", 1000, 750);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double[] levels = new double[13];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = Math.pow(10, -1.5 + 0.375 * i);
        }
        Contours.add(c, TestFunctions.beale()::value, -0.5, 4.5, -1.5, 2.5, levels);
        for (var e : runs.entrySet()) {
            trajectory(c, e.getKey(), e.getValue(), -0.5, 4.5, -1.5, 2.5);
        }
        marker(c, "minimum (3, 0.5)", 3, 0.5, SeriesMarkers.DIAMOND, Color.BLACK);
        marker(c, "start", BEALE_START[0], BEALE_START[1], SeriesMarkers.SQUARE, Color.DARK_GRAY);
        c.getStyler().setXAxisMin(-0.5).setXAxisMax(4.5).setYAxisMin(-1.5).setYAxisMax(2.5);
        return c;
    }

    private static XYChart saddleContour(Map<String, Trajectory> runs, Trajectory stuck, Trajectory nudged) {
        XYChart c = Charts.xy("Optimizer race on the saddle f = x² − y² (contours every 0.5)", "x", "y", 1000, 750);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double[] levels = new double[17];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = -4 + 0.5 * i;
        }
        Contours.add(c, TestFunctions.saddle()::value, -1.5, 1.5, -2, 2, levels);
        for (var e : runs.entrySet()) {
            trajectory(c, e.getKey(), e.getValue(), -1.5, 1.5, -2, 2);
        }
        XYSeries s = trajectory(c, "SGD from (1, 0): stuck", stuck, -1.5, 1.5, -2, 2);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(Color.BLACK);
        s.setMarkerColor(Color.BLACK);
        trajectory(c, "SGD from (1, 1e-6)", nudged, -1.5, 1.5, -2, 2).setLineColor(new Color(0x8b4513));
        marker(c, "saddle point (0, 0)", 0, 0, SeriesMarkers.DIAMOND, Color.BLACK);
        c.getStyler().setXAxisMin(-1.5).setXAxisMax(1.5).setYAxisMin(-2.0).setYAxisMax(2.0);
        return c;
    }

    /** Adds a trajectory; stretches outside the window become gaps (diverging runs would stretch the axes). */
    private static XYSeries trajectory(
            XYChart c, String name, Trajectory tr, double x0, double x1, double y0, double y1) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        boolean gap = false;
        for (double[] p : tr.points()) {
            if (p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1) {
                xs.add(p[0]);
                ys.add(p[1]);
                gap = false;
            } else if (!gap && !xs.isEmpty()) {
                xs.add(Double.NaN);
                ys.add(Double.NaN);
                gap = true;
            }
        }
        XYSeries s = c.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(2f));
        return s;
    }

    private static void marker(
            XYChart c, String name, double x, double y, org.knowm.xchart.style.markers.Marker m, Color color) {
        XYSeries s = c.addSeries(name, new double[] {x}, new double[] {y});
        s.setMarker(m);
        s.setMarkerColor(color);
        s.setLineColor(color);
    }

    private static XYChart bealeLoss(Map<String, Trajectory> runs) {
        XYChart c = Charts.xy("Beale's function: loss against step", "step", "f (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (var e : runs.entrySet()) {
            double[] l = e.getValue().losses();
            double[] steps = new double[l.length];
            double[] y = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                steps[i] = i;
                // log axis: clamp at 1e-14 (the float32 point cannot get closer) and keep NaN out
                y[i] = Double.isFinite(l[i]) ? Math.max(l[i], 1e-14) : 1e6;
            }
            Charts.line(c, e.getKey(), steps, y);
        }
        return c;
    }

    private static XYChart saddleLoss(Map<String, Trajectory> runs, Trajectory stuck, Trajectory nudged) {
        XYChart c = Charts.xy("Saddle x² − y²: loss against step (until f < −4)", "step", "f");
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        Map<String, Trajectory> all = new LinkedHashMap<>(runs);
        all.put("SGD from (1, 0): stuck", stuck);
        all.put("SGD from (1, 1e-6)", nudged);
        for (var e : all.entrySet()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            double[] l = e.getValue().losses();
            for (int i = 0; i < l.length && l[i] >= -4; i++) {
                xs.add((double) i);
                ys.add(l[i]);
            }
            XYSeries s = c.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /** lr at epochs 0 … total of warmup + cosine to 10 % of the base lr ([0]) and to 0 as transformers ([1]). */
    static double[][] schedules(double baseLr, int warmup, int total) {
        double[][] lr = new double[2][total + 1];
        double[] floors = {0.1, 0.0};
        for (int k = 0; k < 2; k++) {
            Parameter p = new Parameter("w", new float[1]);
            Optimizer opt = AdamW.builder().lr(baseLr).build(List.of(p));
            WarmupCosineLR sched = new WarmupCosineLR(opt, warmup, total, floors[k]);
            for (int t = 0; t <= total; t++) {
                lr[k][t] = opt.lr();
                sched.step();
            }
        }
        return lr;
    }

    static TextTable scheduleTable(double[][] lr) {
        TextTable t = new TextTable("step", "lr (floor 10 %)", "lr (to 0, transformers)");
        int total = lr[0].length - 1;
        for (int step : new int[] {0, 1, 50, 100, 325, 550, 775, total}) {
            t.row(step, sci(lr[0][step]), sci(lr[1][step]));
        }
        return t;
    }

    private static XYChart scheduleChart(double[][] lr) {
        XYChart c = Charts.xy("Linear warmup + cosine decay (base lr 3e-4, warmup 100, 1000 steps)", "step", "lr");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double[] steps = new double[lr[0].length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
        }
        Charts.line(c, "floor 10 % of base (nanoGPT, Llama)", steps, lr[0]);
        Charts.dashed(c, "to 0 (transformers' get_cosine_schedule_with_warmup)", steps, lr[1]);
        return c;
    }

    private static String point(double[] p) {
        return String.format(Locale.ROOT, "(%.4g, %.4g)", p[0], p[1]);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.3e", v);
    }
}
