package org.llm4e.tour;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.core.Tensor;
import org.llm4e.positional.Complex;
import org.llm4e.positional.RopeLayout;
import org.llm4e.positional.RopeScaling;
import org.llm4e.positional.RotaryEmbedding;
import org.llm4e.positional.RotaryForms;
import org.llm4e.positional.SinusoidalEncoding;

/**
 * Chapter {@code positional}: the sinusoidal table as a heatmap, one RoPE pair rotating over positions 1..6 (the
 * RoFormer figure), RoPE's long-term decay (from RoFormer §3.4.3, not from the articles) and the per-dimension
 * wavelengths {@code λⱼ = 2π / θ'ⱼ} before and after each scaling method of the library.
 *
 * <pre>
 *   PE(pos, 2i) = sin(pos·ωᵢ),  PE(pos, 2i+1) = cos(pos·ωᵢ),  ωᵢ = 10000^(−2i/d)      PE(1, 0) = sin 1 = 0.841471
 *   RoPE:  ⟨R(mθ)q, R(nθ)k⟩ = Re[q·k̄·e^{i(m−n)θ}]      q = (0.3, −1.2), k = (0.7, 0.5), θ = 0.37, m = 5, n = 2 → 0.713324
 *   decay bound (RoFormer):  (1/(d/2))·Σⱼ |Sⱼ|,  Sⱼ = Σ_{k&lt;j} e^{i(m−n)θₖ}
 * </pre>
 *
 * <p>Everything is computed by the {@code positional-encoding} module's public API ({@link SinusoidalEncoding},
 * {@link RotaryEmbedding}, {@link RotaryForms}, {@link RopeScaling}). The scalings are compared on one head of 128
 * dimensions with base 10000, factor 4 and a training context of 2048 (Llama 2's shape) so that their curves share
 * axes; Llama 3.1 itself uses base 500000, factor 8 and 8192.
 */
public final class PositionalChapter implements Chapter {
    /** The tokens of the RoFormer figure at positions 1..6. */
    static final String[] ROFORMER_TOKENS = {"Enhanced", "Transformer", "with", "Rotary", "Position", "Embedding"};

    static final int HEAD_DIM = 128;
    static final double BASE = 10000;
    static final double FACTOR = 4;
    static final int ORIGINAL_CONTEXT = 2048;

    @Override
    public String name() {
        return "positional";
    }

    @Override
    public String description() {
        return "sinusoidal heatmap, a RoPE pair rotating, RoPE's long-term decay, wavelengths under each scaling";
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        try (Progress progress = context.progress("positional", 4)) {
            progress.show("sinusoidal");
            out.println("Sinusoidal encoding, base 10000 (spot values of the article's checks)");
            out.print(sinusoidalTable().render());
            out.println("wrote " + context.saveChart(heatmap(64, 64), "positional-sinusoidal"));
            progress.step();

            progress.show("rotation");
            out.println();
            out.println("RoPE on the RoFormer figure's tokens (d = 8, interleaved pairs): pair j turns by m·θⱼ, the"
                    + " norm stays");
            out.print(rotationTable().render());
            out.println("The relative property on the articles' example, by three computations of the library:");
            out.print(relativeTable().render());
            out.println(
                    "(the articles' printed matrix R((m−n)θ) would give −1.060160: a sign erratum, see the catalog)");
            out.println("wrote " + context.saveChart(rotationChart(), "positional-rope-rotation"));
            progress.step();

            progress.show("decay");
            out.println();
            double[] bound = decayBound(HEAD_DIM, BASE, 256);
            out.printf(
                    Locale.ROOT,
                    "Long-term decay (from RoFormer §3.4.3, d = %d, base %.0f): bound %.3f at m−n = 0, %.3f at 16,"
                            + " %.3f at 64, %.3f at 256%n",
                    HEAD_DIM,
                    BASE,
                    bound[0],
                    bound[16],
                    bound[64],
                    bound[256]);
            out.println("wrote " + context.saveChart(decayChart(bound), "positional-rope-decay"));
            progress.step();

            progress.show("scaling");
            out.println();
            out.printf(
                    Locale.ROOT,
                    "Wavelengths λⱼ = 2π/θ'ⱼ (d = %d, base %.0f, factor %.0f, training context %d): pairs with"
                            + " λ > %d never complete a turn in training%n",
                    HEAD_DIM,
                    BASE,
                    FACTOR,
                    ORIGINAL_CONTEXT,
                    ORIGINAL_CONTEXT);
            Map<String, RotaryEmbedding> ropes = scalings();
            out.print(wavelengthTable(ropes).render());
            out.println("wrote " + context.saveChart(wavelengthChart(ropes), "positional-rope-scaling"));
            progress.step();
        }
        out.flush();
    }

    /** PE values at a few positions and dimensions: PE(1, 0) = sin 1, PE(1, 1) = cos 1, PE(0) = [0, 1, 0, 1, …]. */
    static TextTable sinusoidalTable() {
        Tensor pe = SinusoidalEncoding.table(101, 512);
        TextTable t = new TextTable("pos", "PE(pos, 0)", "PE(pos, 1)", "PE(pos, 2)", "PE(pos, 3)", "PE(pos, 510)");
        for (int pos : new int[] {0, 1, 2, 10, 100}) {
            t.row(
                    pos,
                    f6(pe.get(pos, 0)),
                    f6(pe.get(pos, 1)),
                    f6(pe.get(pos, 2)),
                    f6(pe.get(pos, 3)),
                    f6(pe.get(pos, 510)));
        }
        return t;
    }

    private static HeatMapChart heatmap(int positions, int dim) {
        Tensor pe = SinusoidalEncoding.table(positions, dim);
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(1000)
                .height(700)
                .title("Sinusoidal position encoding PE(pos, i), d = " + dim + ", base 10000")
                .xAxisTitle("dimension i")
                .yAxisTitle("position pos")
                .build();
        chart.getStyler().setRangeColors(new Color[] {new Color(0x2c7bb6), Color.WHITE, new Color(0xd7191c)});
        chart.getStyler().setMin(-1);
        chart.getStyler().setMax(1);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setXAxisLabelRotation(90);
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int i = 0; i < dim; i++) {
            xs.add(i);
        }
        for (int p = 0; p < positions; p++) {
            ys.add(p);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < dim; i++) {
                cells.add(new Number[] {i, p, (double) pe.get(p, i)});
            }
        }
        chart.addSeries("PE", xs, ys, cells);
        return chart;
    }

    /** The d = 8 RoPE of the rotation figure and the vector it turns: pair 0 = (1, 0.5), pair 1 = (0.8, −0.3). */
    private static RotaryEmbedding figureRope() {
        return RotaryEmbedding.builder(8)
                .base(BASE)
                .layout(RopeLayout.INTERLEAVED)
                .build();
    }

    private static final float[] FIGURE_X = {1f, 0.5f, 0.8f, -0.3f, 0.2f, 0.4f, -0.5f, 0.1f};

    /** Positions 1..6: the angles of pairs 0 and 1 and the rotated pair 0, by the library's float32 fast path. */
    static TextTable rotationTable() {
        RotaryEmbedding rope = figureRope();
        TextTable t = new TextTable("m", "token", "m·θ₀", "pair 0 after RoPE", "m·θ₁", "pair 1 after RoPE", "|x|");
        for (int m = 1; m <= 6; m++) {
            float[] x = FIGURE_X.clone();
            rope.apply(x, 0, m);
            double norm = 0;
            for (float v : x) {
                norm += v * v;
            }
            t.row(
                    m,
                    ROFORMER_TOKENS[m - 1],
                    f4(rope.angle(m, 0)),
                    "(" + f4(x[0]) + ", " + f4(x[1]) + ")",
                    f4(rope.angle(m, 1)),
                    "(" + f4(x[2]) + ", " + f4(x[3]) + ")",
                    f4(Math.sqrt(norm)));
        }
        return t;
    }

    /** The articles' 2-D example ⟨f_q(q, 5), f_k(k, 2)⟩ with θ = 0.37, computed three ways. */
    static TextTable relativeTable() {
        double[] q = {0.3, -1.2};
        double[] k = {0.7, 0.5};
        double[] theta = {0.37};
        int m = 5;
        int n = 2;
        double complex = dot(
                RotaryForms.rotateComplex(q, m, theta, RopeLayout.INTERLEAVED),
                RotaryForms.rotateComplex(k, n, theta, RopeLayout.INTERLEAVED));
        double matrix = dot(
                times(RotaryForms.rotationMatrix(2, m, theta, RopeLayout.INTERLEAVED), q),
                times(RotaryForms.rotationMatrix(2, n, theta, RopeLayout.INTERLEAVED), k));
        // Re[q·k̄·e^{i(m−n)θ}]: depends on m − n only
        Complex z = new Complex(q[0], q[1])
                .times(new Complex(k[0], k[1]).conjugate())
                .times(Complex.expI((m - n) * theta[0]));
        TextTable t = new TextTable("computation", "⟨RoPE(q, 5), RoPE(k, 2)⟩");
        t.row("complex: (q·e^{imθ})·(k·e^{inθ})", f6(complex));
        t.row("block-diagonal rotation matrices", f6(matrix));
        t.row("Re[q·k̄·e^{i(m−n)θ}]", f6(z.re()));
        return t;
    }

    private static XYChart rotationChart() {
        XYChart c =
                Charts.xy("RoPE (RoFormer figure): a pair rotates by m·θⱼ at positions m = 1..6", "x₁", "x₂", 800, 800);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double[] circleX = Charts.map(Charts.linspace(0, 2 * Math.PI, 181), Math::cos);
        double[] circleY = Charts.map(Charts.linspace(0, 2 * Math.PI, 181), Math::sin);
        RotaryEmbedding rope = figureRope();
        double[] theta = rope.inverseFrequencies();
        for (int pair = 0; pair < 2; pair++) {
            double r = Math.hypot(FIGURE_X[2 * pair], FIGURE_X[2 * pair + 1]);
            XYSeries circle = Charts.dashed(c, "|pair " + pair + "| = " + f4(r), scale(circleX, r), scale(circleY, r));
            circle.setShowInLegend(false);
            circle.setLineColor(Color.LIGHT_GRAY);
            // spokes from the origin to the pair at m = 0..6, separated by NaN gaps
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int m = 0; m <= 6; m++) {
                float[] x = FIGURE_X.clone();
                rope.apply(x, 0, m);
                xs.add(0.0);
                ys.add(0.0);
                xs.add((double) x[2 * pair]);
                ys.add((double) x[2 * pair + 1]);
                xs.add(Double.NaN);
                ys.add(Double.NaN);
            }
            XYSeries s = c.addSeries(
                    String.format(
                            Locale.ROOT,
                            "pair %d, θ%s = %.4g: m = 0 (input) … 6",
                            pair,
                            pair == 0 ? "₀" : "₁",
                            theta[pair]),
                    xs,
                    ys);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        c.getStyler().setXAxisMin(-1.3).setXAxisMax(1.3).setYAxisMin(-1.3).setYAxisMax(1.3);
        return c;
    }

    /** RoFormer's relative upper bound (1/(d/2))·Σⱼ |Sⱼ| for m − n = 0 … maxDistance, with q = k = ones. */
    static double[] decayBound(int headDim, double base, int maxDistance) {
        double[] theta = RotaryEmbedding.builder(headDim).base(base).build().inverseFrequencies();
        double[] bound = new double[maxDistance + 1];
        for (int r = 0; r <= maxDistance; r++) {
            Complex s = Complex.ZERO;
            double sum = 0;
            for (int j = 0; j < theta.length; j++) {
                s = s.plus(Complex.expI(r * theta[j]));
                sum += s.abs();
            }
            bound[r] = sum / theta.length;
        }
        return bound;
    }

    private static XYChart decayChart(double[] bound) {
        XYChart c = Charts.xy(
                "RoPE long-term decay (from RoFormer §3.4.3; d = " + HEAD_DIM + ", base 10000)",
                "relative distance m − n",
                "relative to m − n = 0");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double[] r = new double[bound.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i;
        }
        Charts.line(c, "upper bound (1/(d/2))·Σⱼ|Sⱼ|, Sⱼ = Σ_{k<j} e^{i(m−n)θₖ}", r, scale(bound, 1 / bound[0]));
        // the actual score of two all-ones vectors, rotated by the library, on the same relative scale
        RotaryEmbedding rope = RotaryEmbedding.builder(HEAD_DIM).base(BASE).build();
        double[] score = new double[bound.length];
        double[] k = new double[HEAD_DIM];
        java.util.Arrays.fill(k, 1);
        for (int i = 0; i < score.length; i++) {
            double[] q = new double[HEAD_DIM];
            java.util.Arrays.fill(q, 1);
            rope.rotate(q, 0, i);
            score[i] = dot(q, k);
        }
        Charts.line(c, "score ⟨RoPE(1, m), RoPE(1, n)⟩ of all-ones q and k", r, scale(score, 1 / score[0]));
        return c;
    }

    /** The embeddings compared in the scaling table, in order. */
    static Map<String, RotaryEmbedding> scalings() {
        Map<String, RopeScaling> s = new LinkedHashMap<>();
        s.put("none (RoFormer, Llama 2)", RopeScaling.none());
        s.put("linear interpolation", RopeScaling.linear(FACTOR));
        s.put("NTK-aware", RopeScaling.ntkAware(FACTOR));
        s.put("dynamic NTK at 8192 tokens", RopeScaling.dynamicNtk(FACTOR, ORIGINAL_CONTEXT));
        s.put("YaRN", RopeScaling.yarn(FACTOR, ORIGINAL_CONTEXT));
        s.put("Llama 3.1", RopeScaling.llama3(FACTOR, 1, 4, ORIGINAL_CONTEXT));
        Map<String, RotaryEmbedding> ropes = new LinkedHashMap<>();
        for (var e : s.entrySet()) {
            RotaryEmbedding rope = RotaryEmbedding.builder(HEAD_DIM)
                    .base(BASE)
                    .scaling(e.getValue())
                    .maxPosition(16)
                    .build();
            ropes.put(e.getKey(), rope.forSequenceLength((int) (FACTOR * ORIGINAL_CONTEXT)));
        }
        return ropes;
    }

    static TextTable wavelengthTable(Map<String, RotaryEmbedding> ropes) {
        int half = HEAD_DIM / 2;
        TextTable t = new TextTable("scaling", "type", "λ₀", "λ₁₆", "λ₃₂", "λ₆₃", "pairs λ > L", "attention scaling");
        for (var e : ropes.entrySet()) {
            double[] lambda = wavelengths(e.getValue());
            int slow = 0;
            for (double l : lambda) {
                if (l > ORIGINAL_CONTEXT) {
                    slow++;
                }
            }
            t.row(
                    e.getKey(),
                    e.getValue().scaling().type(),
                    f4(lambda[0]),
                    f4(lambda[16]),
                    String.format(Locale.ROOT, "%.1f", lambda[32]),
                    String.format(Locale.ROOT, "%.0f", lambda[half - 1]),
                    slow + "/" + half,
                    f4(e.getValue().attentionScaling()));
        }
        return t;
    }

    static double[] wavelengths(RotaryEmbedding rope) {
        return Charts.map(rope.inverseFrequencies(), th -> 2 * Math.PI / th);
    }

    private static XYChart wavelengthChart(Map<String, RotaryEmbedding> ropes) {
        XYChart c = Charts.xy(
                "RoPE wavelength per pair before and after scaling (d = 128, base 10000, ×4 from 2048)",
                "pair j",
                "wavelength 2π/θ'ⱼ in tokens (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        double[] j = new double[HEAD_DIM / 2];
        for (int i = 0; i < j.length; i++) {
            j[i] = i;
        }
        for (var e : ropes.entrySet()) {
            Charts.line(c, e.getKey(), j, wavelengths(e.getValue()));
        }
        Charts.dashed(c, "training context L = " + ORIGINAL_CONTEXT, new double[] {0, j.length - 1}, new double[] {
            ORIGINAL_CONTEXT, ORIGINAL_CONTEXT
        });
        return c;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] times(double[][] m, double[] x) {
        double[] y = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            y[i] = dot(m[i], x);
        }
        return y;
    }

    private static double[] scale(double[] x, double s) {
        return Charts.map(x, v -> v * s);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String f6(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }
}
