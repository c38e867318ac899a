package org.llm4e.tour;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.llm4e.activations.Activation;
import org.llm4e.activations.Activations;
import org.llm4e.activations.Softmax;
import org.llm4e.activations.norm.BatchNorm;
import org.llm4e.activations.norm.LayerNorm;
import org.llm4e.activations.norm.RMSNorm;
import org.llm4e.core.Tensor;

/**
 * Chapter {@code activations}: every activation function of the library with its derivative, the articles' figures
 * (ELU for α ∈ {0.1, 0.2, 0.3, 1}, Swish for β ∈ {0.1, 1, 10}, GELU against ReLU and ELU), the vanishing gradient as
 * a chain of derivatives, naive against stable softmax on large logits, and the LayerNorm-vs-BatchNorm article's 3×4
 * batch through BatchNorm, LayerNorm and RMSNorm.
 *
 * <pre>
 *   vanishing gradient:  ∂y/∂x through n sigmoid layers ≤ σ′(0)ⁿ = 0.25ⁿ     (0.25¹⁰ = 9.54·10⁻⁷)
 *   stable softmax:      pᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z)             (the naive form gives NaN at z = 1000)
 * </pre>
 *
 * <p>Everything is computed by the {@code activations} module's public API ({@link Activations}, {@link Softmax},
 * {@code org.llm4e.activations.norm}); the charts are {@code activations-grid.png}, {@code activations-elu.png},
 * {@code activations-swish.png}, {@code activations-gelu-relu-elu.png} and {@code activations-vanishing.png}.
 */
public final class ActivationsChapter implements Chapter {
    /** The article's batch (LayerNorm-vs-BatchNorm article, catalog check 27): 3 samples × 4 features. */
    static final float[][] BATCH = {{1, 3, 5, 7}, {3, 4, 6, 2}, {8, 3, 2, 1}};

    /** The softmax examples of the articles (catalog check 17). */
    static final double[][] LOGITS = {{2.0, 1.0, 0.1}, {35.4, 38.1, -5.0}, {1000, 1001, 1002}};

    @Override
    public String name() {
        return "activations";
    }

    @Override
    public String description() {
        return "activation functions and derivatives, the vanishing gradient, stable softmax, LayerNorm vs BatchNorm";
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        List<String> names = new ArrayList<>(Activations.names());
        try (Progress progress = context.progress("activations", names.size() + 5L)) {
            // 1. the grid: each function (solid) with its derivative (dashed), from the double-precision reference
            List<XYChart> small = new ArrayList<>();
            double[] x = Charts.linspace(-4, 4, 321);
            for (String name : names) {
                progress.show(name);
                Activation f = Activations.create(name);
                XYChart c = Charts.xy(name, "x", "", 360, 270);
                c.getStyler().setLegendVisible(false);
                c.getStyler().setXAxisDecimalPattern("#0");
                c.getStyler().setYAxisDecimalPattern("#0.##");
                c.getStyler()
                        .setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(13f));
                Charts.line(c, name, x, Charts.map(x, f::apply));
                Charts.dashed(c, name + "′", x, Charts.map(x, f::derivative));
                small.add(c);
                progress.step();
            }
            out.println("activations: " + names.size() + " functions, each with its derivative (dashed) on [−4, 4]");
            out.println("wrote " + context.saveImage(Charts.grid(small, 5), "activations-grid"));

            progress.show("article figures");
            out.println("wrote " + context.saveChart(eluChart(), "activations-elu"));
            out.println("wrote " + context.saveChart(swishChart(), "activations-swish"));
            out.println("wrote " + context.saveChart(geluReluEluChart(), "activations-gelu-relu-elu"));
            progress.step();

            progress.show("vanishing gradient");
            out.println();
            out.println("The vanishing gradient: the derivative through n layers is the product of n local derivatives."
                    + " σ′ is at most σ′(0) = 0.25,");
            out.println(
                    "so n sigmoid layers shrink it by at least 0.25ⁿ; tanh′(0) = 1 and ReLU′ = 1 for x > 0 do not.");
            out.print(vanishingTable(10).render());
            out.println("wrote " + context.saveChart(vanishingChart(20), "activations-vanishing"));
            progress.step();

            progress.show("softmax");
            out.println();
            out.println("Softmax: the articles' naive e^z / Σe^z against the stable form that subtracts max z first");
            out.print(softmaxTable().render());
            progress.step();

            progress.show("normalization");
            out.println();
            out.println("The LayerNorm-vs-BatchNorm article's batch: 3 samples × 4 features (ε = 1e-5, no affine;"
                    + " RMSNorm with ε = 0)");
            out.print(featureStatsTable().render());
            out.println();
            out.print(normTable().render());
            BatchNorm bn = new BatchNorm(4, 1e-5, 0.1, false);
            bn.forward(batch());
            out.println("BatchNorm running stats after one training step (momentum 0.1): running_mean "
                    + vector(toDouble(bn.runningMean()), 5) + ", running_var (unbiased) "
                    + vector(toDouble(bn.runningVar()), 5));
            out.println("BatchNorm normalizes each feature across the samples, LayerNorm and RMSNorm each sample across"
                    + " its features: changing sample 3 changes BN's rows 1 and 2, never LN's.");
            progress.step();
        }
        out.flush();
    }

    private static XYChart eluChart() {
        XYChart c = Charts.xy("ELU(x) = x for x > 0, α(eˣ − 1) otherwise", "x", "ELU(x)");
        double[] x = Charts.linspace(-3, 3, 241);
        for (double alpha : new double[] {0.1, 0.2, 0.3, 1.0}) {
            Activation f = Activations.create("elu", Map.of("alpha", alpha));
            Charts.line(c, "α = " + alpha, x, Charts.map(x, f::apply));
        }
        return c;
    }

    private static XYChart swishChart() {
        XYChart c = Charts.xy("Swish(x) = x·σ(βx): β → 0 gives x/2, β → ∞ gives ReLU", "x", "Swish(x)");
        double[] x = Charts.linspace(-5, 3, 321);
        for (double beta : new double[] {0.1, 1.0, 10.0}) {
            Activation f = Activations.create("swish", Map.of("beta", beta));
            Charts.line(c, "β = " + beta, x, Charts.map(x, f::apply));
        }
        return c;
    }

    private static XYChart geluReluEluChart() {
        XYChart c = Charts.xy("GELU against ReLU and ELU", "x", "f(x)");
        double[] x = Charts.linspace(-4, 3, 281);
        Charts.line(c, "GELU (exact, erf)", x, Charts.map(x, Activations.create("gelu")::apply));
        Charts.dashed(
                c,
                "GELU (tanh approximation)",
                x,
                Charts.map(x, Activations.create("gelu", Map.of("approximate", "tanh"))::apply));
        Charts.line(c, "ReLU", x, Charts.map(x, Activations.create("relu")::apply));
        Charts.line(c, "ELU (α = 1)", x, Charts.map(x, Activations.create("elu")::apply));
        return c;
    }

    /** Products of n local derivatives: the best case for sigmoid (x = 0), sigmoid at x = 2, tanh at 0, ReLU. */
    static TextTable vanishingTable(int layers) {
        Activation sigmoid = Activations.create("sigmoid");
        Activation tanh = Activations.create("tanh");
        Activation relu = Activations.create("relu");
        double s0 = sigmoid.derivative(0);
        double s2 = sigmoid.derivative(2);
        double t0 = tanh.derivative(0);
        double r1 = relu.derivative(1);
        TextTable t = new TextTable("layers n", "σ′(0)ⁿ = 0.25ⁿ", "σ′(2)ⁿ", "tanh′(0)ⁿ", "ReLU′(1)ⁿ");
        for (int n = 1; n <= layers; n++) {
            t.row(n, sci(Math.pow(s0, n)), sci(Math.pow(s2, n)), sci(Math.pow(t0, n)), sci(Math.pow(r1, n)));
        }
        return t;
    }

    private static XYChart vanishingChart(int layers) {
        XYChart c = Charts.xy("The vanishing gradient: product of n local derivatives", "layers n", "gradient factor");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        double[] n = new double[layers];
        for (int i = 0; i < layers; i++) {
            n[i] = i + 1;
        }
        Activation sigmoid = Activations.create("sigmoid");
        Activation tanh = Activations.create("tanh");
        double s0 = sigmoid.derivative(0);
        double s2 = sigmoid.derivative(2);
        double t1 = tanh.derivative(1);
        Charts.line(c, "sigmoid, best case σ′(0) = 0.25", n, Charts.map(n, k -> Math.pow(s0, k)));
        Charts.line(
                c,
                String.format(Locale.ROOT, "sigmoid at x = 2, σ′ = %.4f", s2),
                n,
                Charts.map(n, k -> Math.pow(s2, k)));
        Charts.line(
                c,
                String.format(Locale.ROOT, "tanh at x = 1, tanh′ = %.4f", t1),
                n,
                Charts.map(n, k -> Math.pow(t1, k)));
        Charts.line(c, "ReLU for x > 0, ReLU′ = 1", n, Charts.map(n, k -> 1.0));
        return c;
    }

    /** The articles' logits through the naive and the stable softmax. */
    static TextTable softmaxTable() {
        TextTable t = new TextTable("logits z", "naive e^z/Σe^z", "stable softmax");
        for (double[] z : LOGITS) {
            t.row(vector(z, 1), vector(Softmax.naiveSoftmax(z), 8), vector(Softmax.softmax(z), 8));
        }
        return t;
    }

    private static TextTable featureStatsTable() {
        TextTable t = new TextTable("feature", "values (samples)", "mean", "population std");
        for (int f = 0; f < 4; f++) {
            double[] col = new double[BATCH.length];
            double mean = 0;
            for (int s = 0; s < BATCH.length; s++) {
                col[s] = BATCH[s][f];
                mean += col[s];
            }
            mean /= col.length;
            double var = 0;
            for (double v : col) {
                var += (v - mean) * (v - mean);
            }
            var /= col.length;
            t.row("x_" + (f + 1), vector(col, 0), fmt(mean, 4), fmt(Math.sqrt(var), 4));
        }
        return t;
    }

    /** Each sample's row after BatchNorm (training mode), LayerNorm and RMSNorm. */
    static TextTable normTable() {
        Tensor x = batch();
        Tensor bn = new BatchNorm(4, 1e-5, 0.1, false).forward(x);
        Tensor ln = new LayerNorm(4, 1e-5, false).forward(x);
        RMSNorm rmsNorm = new RMSNorm(4, 0.0);
        Tensor rms = rmsNorm.forward(x);
        TextTable t = new TextTable("sample", "input", "BatchNorm", "LayerNorm", "RMSNorm");
        for (int s = 0; s < BATCH.length; s++) {
            t.row(s + 1, vector(toDouble(BATCH[s]), 0), row(bn, s), row(ln, s), row(rms, s));
        }
        return t;
    }

    private static Tensor batch() {
        float[] data = new float[12];
        for (int s = 0; s < 3; s++) {
            System.arraycopy(BATCH[s], 0, data, 4 * s, 4);
        }
        return Tensor.of(data, 3, 4);
    }

    private static String row(Tensor t, int r) {
        double[] v = new double[t.dim(1)];
        for (int j = 0; j < v.length; j++) {
            v[j] = t.get(r, j);
        }
        return vector(v, 4);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** {@code [a, b, c]} with {@code digits} decimals, tiny non-zero values in scientific notation. */
    static String vector(double[] v, int digits) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(fmt(v[i], digits));
        }
        return sb.append(']').toString();
    }

    static String fmt(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        if (v != 0 && Math.abs(v) < Math.pow(10, -Math.min(digits, 4))) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, "%." + digits + "f", v);
        return s.equals("-0") || s.matches("-0\\.0+") ? s.substring(1) : s;
    }

    private static String sci(double v) {
        return v >= 1e-3 ? String.format(Locale.ROOT, "%.6f", v) : String.format(Locale.ROOT, "%.3e", v);
    }
}
