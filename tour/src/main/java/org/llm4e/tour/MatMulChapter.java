package org.llm4e.tour;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.core.Kernels;
import org.llm4e.core.MatMulLadder;
import org.llm4e.core.MatMulLadder.Rung;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/**
 * Chapter {@code matmul}: the matrix-multiplication ladder, from the textbook triple loop to a packed, vectorised,
 * multi-threaded kernel, against the machine's compute roof.
 *
 * <p>Every rung of {@link MatMulLadder} computes the same {@code C = A·B} for square {@code n×n} matrices, which is
 * {@code 2·n³} floating-point operations; the chapter checks each result against a double-precision reference (within
 * the classical error bound {@code |ĉ − c| ≤ γₖ·Σₚ|aᵢₚ|·|bₚⱼ|}, {@code γₖ ≈ k·2⁻²⁴}), times it and reports
 *
 * <pre>
 *   GFLOP/s = 2·n³ / seconds / 10⁹        % of roof = GFLOP/s / roof(threads)
 * </pre>
 *
 * <p>where the roof is {@link ComputeRoof} measured on this machine, one thread for the single-threaded rungs and the
 * whole library pool for the parallel one. It prints the table and writes {@code matmul.png} (GFLOP/s against size,
 * log scale, with the roofs as dashed lines) and {@code matmul-ladder.png} (the rungs at the largest size).
 */
public final class MatMulChapter implements Chapter {
    /** The sizes {@code llm4e tour matmul} measures: small enough for a minute on two cores. */
    public static final int[] DEFAULT_SIZES = {128, 256, 512};

    private final int[] sizes;
    private final double minSeconds;

    /** The chapter with {@link #DEFAULT_SIZES} and 0.3 s of timing per measurement. */
    public MatMulChapter() {
        this(DEFAULT_SIZES, 0.3);
    }

    /**
     * The chapter for other sizes.
     *
     * @param sizes square matrix sizes, each ≥ 1, ascending
     * @param minSeconds time spent per measurement, about
     */
    public MatMulChapter(int[] sizes, double minSeconds) {
        if (sizes.length == 0) {
            throw new IllegalArgumentException("sizes must not be empty");
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1 || (i > 0 && sizes[i] <= sizes[i - 1])) {
                throw new IllegalArgumentException("sizes must be >= 1 and ascending, got " + Arrays.toString(sizes));
            }
        }
        this.sizes = sizes.clone();
        this.minSeconds = minSeconds;
    }

    @Override
    public String name() {
        return "matmul";
    }

    @Override
    public String description() {
        return "the matrix-multiplication ladder: naive i-j-k, i-k-j, blocked, SIMD, parallel, against the roof";
    }

    /** One measured rung at one size. */
    record Row(int size, Rung rung, int threads, double seconds, double gflops, double roof) {}

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        int poolThreads = Parallel.threads();
        ComputeRoof.FmaKernel kernel = ComputeRoof.kernel();
        out.printf(
                Locale.ROOT,
                "matmul: C = A·B for n×n float matrices, 2·n³ FLOP each; %s kernels, %d thread(s) in the pool%n",
                Kernels.vectorized() ? "Vector API" : "scalar",
                poolThreads);
        if (!Kernels.vectorized()) {
            out.println("  (the SIMD rungs run the scalar provider: start the JVM with"
                    + " --add-modules jdk.incubator.vector, as ./llm4e does)");
        }

        List<Row> rows = new ArrayList<>();
        double roof1;
        double roofAll;
        Rung[] rungs = Rung.values();
        try (Progress progress = context.progress("matmul", 2L + rungs.length + (long) sizes.length * rungs.length)) {
            // let the JIT compile every rung on a small problem first, so no table entry pays for compilation
            for (Rung rung : rungs) {
                progress.show("warm-up " + rung);
                warmUp(rung, minSeconds);
                progress.step();
            }
            progress.show("compute roof, 1 thread");
            roof1 = ComputeRoof.gflops(1, minSeconds);
            progress.step();
            progress.show("compute roof, " + poolThreads + " threads");
            roofAll = poolThreads == 1 ? roof1 : ComputeRoof.gflops(poolThreads, minSeconds);
            progress.step();
            for (int n : sizes) {
                float[] a = Tensor.randn(1000L + n, n, n).data();
                float[] b = Tensor.randn(2000L + n, n, n).data();
                double[][] reference = reference(n, a, b);
                float[] c = new float[n * n];
                for (Rung rung : rungs) {
                    progress.show(n + " " + rung);
                    Arrays.fill(c, Float.NaN);
                    MatMulLadder.multiply(rung, n, n, n, a, b, c);
                    check(rung, n, c, reference);
                    double seconds =
                            Timing.bestSeconds(() -> MatMulLadder.multiply(rung, n, n, n, a, b, c), minSeconds);
                    int threads = rung == Rung.SIMD_PACKED_PARALLEL ? poolThreads : 1;
                    double gflops = 2.0 * n * n * n / seconds * 1e-9;
                    rows.add(new Row(n, rung, threads, seconds, gflops, threads == 1 ? roof1 : roofAll));
                    progress.step();
                }
            }
        }

        out.printf(
                Locale.ROOT,
                "compute roof (measured, %d-lane FMA): %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d%n%n",
                kernel.lanes(),
                roof1,
                roofAll,
                poolThreads);
        out.print(table(rows).render());
        out.println();

        var xy = lineChart(rows, roof1, roofAll, poolThreads);
        var bars = ladderChart(rows, sizes[sizes.length - 1]);
        out.println("wrote " + context.saveChart(xy, "matmul"));
        out.println("wrote " + context.saveChart(bars, "matmul-ladder"));
        out.flush();
    }

    private static void warmUp(Rung rung, double seconds) {
        int n = 64;
        float[] a = Tensor.randn(1, n, n).data();
        float[] b = Tensor.randn(2, n, n).data();
        float[] c = new float[n * n];
        long until = System.nanoTime() + (long) (seconds * 1e9);
        // a count as well as a time: on a busy machine the time alone may pass before the JIT has compiled anything
        for (int calls = 0; calls < 50 || System.nanoTime() < until; calls++) {
            MatMulLadder.multiply(rung, n, n, n, a, b, c);
        }
    }

    /** The table: one row per size and rung, with the speed-up over the naive loop at the same size. */
    static TextTable table(List<Row> rows) {
        TextTable table = new TextTable("n", "rung", "threads", "ms", "GFLOP/s", "% of roof", "× naive");
        Map<Integer, Double> naive = new java.util.HashMap<>();
        for (Row r : rows) {
            if (r.rung() == Rung.NAIVE_IJK) {
                naive.put(r.size(), r.gflops());
            }
        }
        for (Row r : rows) {
            Double base = naive.get(r.size());
            table.row(
                    r.size(),
                    r.rung().name().toLowerCase(Locale.ROOT),
                    r.threads(),
                    String.format(Locale.ROOT, "%.2f", r.seconds() * 1e3),
                    String.format(Locale.ROOT, "%.2f", r.gflops()),
                    String.format(Locale.ROOT, "%.1f", 100 * r.gflops() / r.roof()),
                    base == null ? "-" : String.format(Locale.ROOT, "%.1f", r.gflops() / base));
        }
        return table;
    }

    private XYChart lineChart(List<Row> rows, double roof1, double roofAll, int poolThreads) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(600)
                .title("Matrix multiplication ladder, n×n float32, JDK "
                        + Runtime.version().feature())
                .xAxisTitle("n")
                .yAxisTitle("GFLOP/s (log scale)")
                .build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("#");
        Map<Rung, List<double[]>> byRung = new EnumMap<>(Rung.class);
        for (Row r : rows) {
            byRung.computeIfAbsent(r.rung(), k -> new ArrayList<>()).add(new double[] {r.size(), r.gflops()});
        }
        for (var e : byRung.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            String label = e.getKey().name().toLowerCase(Locale.ROOT)
                    + (e.getKey() == Rung.SIMD_PACKED_PARALLEL ? " (" + poolThreads + " thr)" : "");
            chart.addSeries(label, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        double[] ends = {sizes[0], sizes[sizes.length - 1]};
        roofLine(chart, "roof, 1 thread", ends, roof1);
        if (poolThreads > 1) {
            roofLine(chart, "roof, " + poolThreads + " threads", ends, roofAll);
        }
        return chart;
    }

    private static void roofLine(XYChart chart, String name, double[] ends, double value) {
        XYSeries s = chart.addSeries(name, ends, new double[] {value, value});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
    }

    private static CategoryChart ladderChart(List<Row> rows, int size) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(900)
                .height(500)
                .title("The ladder at n = " + size + ": % of the compute roof")
                .xAxisTitle("rung")
                .yAxisTitle("% of roof")
                .build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setDecimalPattern("#0.0");
        List<String> names = new ArrayList<>();
        List<Double> percent = new ArrayList<>();
        for (Row r : rows) {
            if (r.size() == size) {
                names.add(r.rung().name().toLowerCase(Locale.ROOT));
                percent.add(Math.round(1000 * r.gflops() / r.roof()) / 10.0);
            }
        }
        chart.addSeries("% of roof", names, percent);
        return chart;
    }

    /**
     * C = A·B in double, with the bound of each element's float32 rounding error: {@code [0]} holds C, {@code [1]}
     * holds {@code Σₚ|aᵢₚ|·|bₚⱼ|}.
     */
    static double[][] reference(int n, float[] a, float[] b) {
        double[] c = new double[n * n];
        double[] abs = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < n; p++) {
                double aip = a[i * n + p];
                for (int j = 0; j < n; j++) {
                    double bpj = b[p * n + j];
                    c[i * n + j] += aip * bpj;
                    abs[i * n + j] += Math.abs(aip * bpj);
                }
            }
        }
        return new double[][] {c, abs};
    }

    /** Fails when a rung's result is outside the float32 error bound of a k-term dot product. */
    static void check(Rung rung, int n, float[] c, double[][] reference) {
        double gamma = 2.0 * n * Math.ulp(1f);
        for (int idx = 0; idx < n * n; idx++) {
            double err = Math.abs(c[idx] - reference[0][idx]);
            if (!(err <= gamma * reference[1][idx] + 1e-6)) {
                throw new IllegalStateException(String.format(
                        Locale.ROOT,
                        "matmul rung %s at n=%d: C[%d][%d] = %s, expected %s (error bound %.3g)",
                        rung,
                        n,
                        idx / n,
                        idx % n,
                        c[idx],
                        reference[0][idx],
                        gamma * reference[1][idx]));
            }
        }
    }
}
