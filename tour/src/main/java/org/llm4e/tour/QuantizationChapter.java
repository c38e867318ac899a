package org.llm4e.tour;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.attention.estimate.FlopsEstimate;
import org.llm4e.attention.estimate.ModelConfig;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.quantization.Awq;
import org.llm4e.quantization.Fp8;
import org.llm4e.quantization.Fp8Tensor;
import org.llm4e.quantization.GgmlMatVec;
import org.llm4e.quantization.GgmlType;
import org.llm4e.quantization.Gptq;
import org.llm4e.quantization.LayerError;
import org.llm4e.quantization.LinearQuantizer;
import org.llm4e.quantization.Nf4;
import org.llm4e.quantization.Nf4Tensor;
import org.llm4e.quantization.Q4_0;
import org.llm4e.quantization.Q8_0;
import org.llm4e.quantization.QuantError;
import org.llm4e.quantization.QuantizedTensor;
import org.llm4e.quantization.RepackedQ4_0;
import org.llm4e.quantization.SmoothQuant;
import org.llm4e.quantization.W8A8;

/**
 * Chapter {@code quantization}: what each storage scheme of the library costs in bits and loses in signal on the same
 * weights, NF4's levels on a block's histogram, GPTQ and AWQ against round-to-nearest on one linear layer, SmoothQuant
 * moving activation outliers into the weights, what a 7B model weighs at each GGUF type, and how fast a
 * matrix-vector product runs on fp32, Q8_0 and Q4_0 weights (Q4_0 as GGUF stores it and repacked as ggml does).
 *
 * <pre>
 *   SNR = 10·log₁₀(Σx² / Σ(x − x̂)²) dB        bits per weight = 8 · stored bytes / weights (scales included)
 *   layer error = ‖W X − Ŵ X‖²  (GPTQ: Hessian 2XᵀX, error compensation; AWQ: scale salient input channels by s^α)
 *   SmoothQuant:  X̂ = X·diag(s)⁻¹,  Ŵ = W·diag(s),  s_j = max|X_j|^α / max|W_j|^(1−α)     (so X̂Ŵᵀ = XWᵀ)
 * </pre>
 *
 * <p>Every figure is computed by the {@code quantization} module: {@link LinearQuantizer}, {@link Nf4}, {@link Fp8},
 * each {@link GgmlType}'s block quantizer, {@link Gptq}, {@link Awq}, {@link SmoothQuant} and {@link W8A8}; errors by
 * {@link QuantError} and {@link LayerError}; the products by {@code Kernels.sgemv}, {@link GgmlMatVec} and
 * {@link RepackedQ4_0}, each checked against ggml's scalar dot on the same blocks. The 7B model's parameter count comes
 * from the {@code attention} module's
 * {@link FlopsEstimate} on Llama 2 7B's configuration. The weights are Gaussian (σ = 0.02, a typical LLM init) with one
 * weight in 512 blown up 20×, the outliers that make per-tensor scales coarse.
 */
public final class QuantizationChapter implements Chapter {
    static final int ROWS = 64;
    static final int COLS = 1024;
    static final long SEED = 19;

    @Override
    public String name() {
        return "quantization";
    }

    @Override
    public String description() {
        return "SNR vs bits per weight of every scheme, NF4's histogram, GPTQ/AWQ vs RTN, SmoothQuant, a 7B model's size,"
                + " quantized mat-vec speed";
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        try (Progress progress = context.progress("quantization", 6)) {
            // Run the repacked tile kernel for a second first: C2 compiles it in the background while the sections
            // below run, instead of during the mat-vec table's warm-up (in a JVM that has run other chapters, its
            // compile queue can hold it back for seconds).
            progress.show("warm-up");
            warmUpTileKernel(1.0);
            progress.show("schemes");
            Tensor w = weights(SEED, ROWS, COLS);
            List<Scheme> schemes = schemes(w.data(), w);
            out.printf(
                    Locale.ROOT,
                    "Every scheme on the same %d×%d Gaussian weights (σ = 0.02, 1 in 512 an outlier ×20)%n",
                    ROWS,
                    COLS);
            out.print(schemeTable(schemes).render());
            out.println("wrote " + context.saveChart(snrChart(schemes), "quantization-snr"));
            progress.step();

            progress.show("NF4");
            out.println();
            float[] block = Tensor.randn(SEED + 1, 4096).data();
            Nf4Tensor nf4 = Nf4.quantize(block, block.length);
            float[] back = nf4.dequantize();
            out.printf(
                    Locale.ROOT,
                    "NF4 on one block of %d N(0, 1) weights: absmax %.4f, 16 levels, SNR %.2f dB%n",
                    block.length,
                    nf4.absmax()[0],
                    QuantError.of(block, back).snrDb());
            out.print(nf4LevelTable(nf4, back).render());
            out.println("wrote " + context.saveChart(nf4Chart(block, nf4, back), "quantization-nf4-histogram"));
            progress.step();

            progress.show("GPTQ / AWQ");
            out.println();
            LayerErrors layer = layerErrors();
            out.println("One linear layer W [64, 128], 512 correlated calibration inputs with two salient channels:"
                    + " output error ‖WX − ŴX‖² (groups of 128, asymmetric)");
            out.print(layerTable(layer).render());
            out.println("wrote " + context.saveChart(layerChart(layer), "quantization-gptq-awq-rtn"));
            progress.step();

            progress.show("SmoothQuant");
            out.println();
            Smooth smooth = smoothQuant();
            out.println("SmoothQuant (α = 0.5) on activations X [128, 128] with outlier channels 7, 30, 61 (×60)"
                    + " and W [64, 128]:");
            out.print(smoothTable(smooth).render());
            out.println("wrote " + context.saveChart(smoothChart(smooth), "quantization-smoothquant"));
            progress.step();

            progress.show("7B memory");
            out.println();
            ModelConfig llama = llama2_7b();
            long params = FlopsEstimate.parameterCount(llama);
            out.printf(
                    Locale.ROOT,
                    "Weights of %s (%,d parameters counted from its config as the estimate articles do: one"
                            + " embedding matrix, norms left out) at each GGUF type:%n",
                    llama.name(),
                    params);
            out.print(memoryTable(params).render());
            progress.step();

            progress.show("GGUF mat-vec");
            out.println();
            List<MatVec> products = matVecs(MATVEC_SECONDS);
            out.printf(
                    Locale.ROOT,
                    "y = W x with W [%d, %d] stored four ways (x quantized to Q8_0 per product, as ggml does; %d"
                            + " threads; best of repeated runs; the GB/s count the weight bytes read, the repacked"
                            + " matrix's float scales included):%n",
                    MATVEC_ROWS,
                    MATVEC_COLS,
                    Parallel.parallelism());
            out.print(matVecTable(products).render());
            progress.step();
        }
        out.flush();
    }

    // ---------------------------------------------------------------- data

    /** Gaussian weights with σ = 0.02 and every 512th weight multiplied by 20. */
    static Tensor weights(long seed, int rows, int cols) {
        Tensor w = Tensor.randn(seed, rows, cols);
        float[] d = w.data();
        Kernels.scale(0.02f, d, 0, d.length);
        for (int i = 37; i < d.length; i += 512) {
            d[i] *= 20;
        }
        return w;
    }

    /** The Llama 2 7B configuration (hidden 4096, FFN 11008, 32 layers, 32 heads, vocabulary 32000). */
    static ModelConfig llama2_7b() {
        return ModelConfig.dense("Llama 2 7B", 4096, 11008, 32, 32, 32, 32000);
    }

    // ---------------------------------------------------------------- schemes

    /** One row of the scheme comparison. */
    record Scheme(String family, String name, double bitsPerWeight, QuantError error) {}

    static List<Scheme> schemes(float[] x, Tensor w) {
        List<Scheme> s = new ArrayList<>();
        int n = x.length;
        for (Object[] cfg : new Object[][] {
            {"INT8 per tensor", 8, "tensor", true},
            {"INT8 per channel", 8, "channel", true},
            {"INT4 per tensor", 4, "tensor", true},
            {"INT4 per channel", 4, "channel", true},
            {"INT4 groups of 128", 4, "group", true},
            {"INT4 asym. groups of 128", 4, "group", false}
        }) {
            LinearQuantizer.Builder b =
                    LinearQuantizer.builder().bits((Integer) cfg[1]).symmetric((Boolean) cfg[3]);
            switch ((String) cfg[2]) {
                case "tensor":
                    b.perTensor();
                    break;
                case "channel":
                    b.perChannel();
                    break;
                default:
                    b.perGroup(128);
            }
            if (!(Boolean) cfg[3]) {
                b.signed(false);
            }
            QuantizedTensor q = b.build().quantize(w);
            s.add(new Scheme("linear", (String) cfg[0], 8.0 * q.storageBytes() / n, QuantError.of(w, q.dequantize())));
        }
        Nf4Tensor nf4 = Nf4.quantize(x, 64);
        s.add(new Scheme("NF4", "NF4 blocks of 64", 8.0 * nf4.storageBytes() / n, QuantError.of(x, nf4.dequantize())));
        Nf4Tensor nf4dq = Nf4.quantize(x, 64, 256);
        s.add(new Scheme(
                "NF4",
                "NF4 + double quantization",
                8.0 * nf4dq.storageBytes() / n,
                QuantError.of(x, nf4dq.dequantize())));
        for (Fp8 f : Fp8.values()) {
            Fp8Tensor t = f.quantizeScaled(x);
            // one byte per weight plus the float32 scale
            s.add(new Scheme(
                    "FP8", "FP8 " + f.name() + " scaled", 8.0 * (n + 4.0) / n, QuantError.of(x, t.dequantize())));
        }
        for (GgmlType type : GgmlType.values()) {
            if (type == GgmlType.F32) {
                continue; // lossless: no finite SNR
            }
            byte[] bytes = new byte[Math.toIntExact(type.bytes(n))];
            type.quantize(x, 0, n, bytes, 0);
            float[] back = new float[n];
            type.dequantize(bytes, 0, n, back, 0);
            s.add(new Scheme("GGUF", "GGUF " + type.name(), 8.0 * bytes.length / n, QuantError.of(x, back)));
        }
        return s;
    }

    static TextTable schemeTable(List<Scheme> schemes) {
        TextTable t = new TextTable("scheme", "bits/weight", "SNR dB", "max |error|", "cosine");
        for (Scheme s : schemes) {
            t.row(
                    s.name(),
                    f3(s.bitsPerWeight()),
                    f2(s.error().snrDb()),
                    String.format(Locale.ROOT, "%.2e", s.error().maxAbsError()),
                    String.format(Locale.ROOT, "%.6f", s.error().cosine()));
        }
        return t;
    }

    private static XYChart snrChart(List<Scheme> schemes) {
        XYChart c = Charts.xy(
                "Signal-to-noise ratio against storage, same weights (Gaussian σ = 0.02 with outliers)",
                "bits per weight (scales included)",
                "SNR in dB (higher is better)",
                1100,
                700);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        for (Scheme s : schemes) {
            XYSeries series = c.addSeries(
                    s.name() + " (" + f2(s.bitsPerWeight()) + " b)",
                    new double[] {s.bitsPerWeight()},
                    new double[] {s.error().snrDb()});
            series.setMarker(
                    switch (s.family()) {
                        case "linear" -> SeriesMarkers.CIRCLE;
                        case "NF4" -> SeriesMarkers.DIAMOND;
                        case "FP8" -> SeriesMarkers.TRIANGLE_UP;
                        default -> SeriesMarkers.SQUARE;
                    });
        }
        // the 6.02 dB per bit of an ideal uniform quantizer, anchored at INT8 per channel
        Scheme ref = schemes.stream()
                .filter(s -> s.name().equals("INT8 per channel"))
                .findFirst()
                .orElseThrow();
        double[] bits = {3.5, 16.5};
        double[] db = Charts.map(bits, b -> ref.error().snrDb() + 6.02 * (b - ref.bitsPerWeight()));
        XYSeries line = Charts.dashed(c, "6.02 dB per bit through INT8 per channel", bits, db);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setLineColor(Color.GRAY);
        return c;
    }

    // ---------------------------------------------------------------- NF4

    static TextTable nf4LevelTable(Nf4Tensor nf4, float[] back) {
        float[] levels = Nf4.levels();
        int[] counts = new int[levels.length];
        for (byte code : nf4.unpackedCodes()) {
            counts[code & 0xf]++;
        }
        TextTable t = new TextTable("code", "level", "level·absmax", "weights");
        for (int i = 0; i < levels.length; i++) {
            t.row(i, String.format(Locale.ROOT, "%.4f", levels[i]), f4(levels[i] * nf4.absmax()[0]), counts[i]);
        }
        return t;
    }

    private static XYChart nf4Chart(float[] block, Nf4Tensor nf4, float[] back) {
        XYChart c = Charts.xy(
                "One block of 4096 N(0, 1) weights before and after NF4 (16 levels, quantiles of N(0, 1))",
                "weight",
                "weights per bin (before) / per level (after)",
                1000,
                650);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double lo = -nf4.absmax()[0];
        double hi = nf4.absmax()[0];
        int bins = 80;
        double width = (hi - lo) / bins;
        double[] xs = new double[bins];
        double[] counts = new double[bins];
        for (int i = 0; i < bins; i++) {
            xs[i] = lo + (i + 0.5) * width;
        }
        for (float v : block) {
            int i = (int) Math.min(bins - 1, Math.max(0, (v - lo) / width));
            counts[i]++;
        }
        XYSeries before = Charts.line(c, "before: histogram, " + bins + " bins", xs, counts);
        before.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        float[] levels = Nf4.levels();
        int[] perLevel = new int[levels.length];
        for (byte code : nf4.unpackedCodes()) {
            perLevel[code & 0xf]++;
        }
        // sticks from 0 to the count at each dequantized level, separated by NaN gaps
        List<Double> sx = new ArrayList<>();
        List<Double> sy = new ArrayList<>();
        for (int i = 0; i < levels.length; i++) {
            double at = levels[i] * nf4.absmax()[0];
            sx.add(at);
            sy.add(0.0);
            sx.add(at);
            sy.add(perLevel[i] / 10.0);
            sx.add(Double.NaN);
            sy.add(Double.NaN);
        }
        XYSeries after = c.addSeries("after: weights per NF4 level ÷ 10", sx, sy);
        after.setMarker(SeriesMarkers.NONE);
        after.setLineWidth(3f);
        return c;
    }

    // ---------------------------------------------------------------- GPTQ / AWQ

    /** The layer errors at 4 and 8 bits. */
    record LayerErrors(int[] bits, double[] rtn, double[] gptq, double[] awq, double[] awqAlpha) {}

    /** X = Z·M/√in + 0.5·noise (correlated channels), then channels 10 and 90 scaled ×25 (salient). */
    static Tensor calibration(long seed, int n, int in) {
        float[] z = Tensor.randn(seed, n, in).data();
        Tensor m = Tensor.randn(seed + 1, in, in);
        Kernels.scale((float) (1 / Math.sqrt(in)), m.data(), 0, m.size());
        Tensor x = Kernels.matmul(Tensor.of(z, n, in), m);
        float[] noise = Tensor.randn(seed + 2, n, in).data();
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] += 0.5f * noise[i];
        }
        for (int s = 0; s < n; s++) {
            d[s * in + 10] *= 25;
            d[s * in + 90] *= 25;
        }
        return x;
    }

    static LayerErrors layerErrors() {
        Tensor w = Tensor.randn(SEED + 2, 64, 128);
        Kernels.scale(0.1f, w.data(), 0, w.size());
        Tensor x = calibration(SEED + 3, 512, 128);
        int[] bits = {4, 8};
        double[] rtn = new double[2];
        double[] gptq = new double[2];
        double[] awq = new double[2];
        double[] alpha = new double[2];
        for (int i = 0; i < bits.length; i++) {
            Gptq g = Gptq.builder().bits(bits[i]).groupSize(128).build();
            rtn[i] = LayerError.outputSse(w, g.roundToNearest(w).dequantize(), x);
            gptq[i] = LayerError.outputSse(w, g.quantize(w, x).dequantize(), x);
            Awq.Result a = Awq.builder().bits(bits[i]).groupSize(128).build().quantize(w, x);
            awq[i] = LayerError.outputSse(w, a.dequantize(), x);
            alpha[i] = a.alpha();
        }
        return new LayerErrors(bits, rtn, gptq, awq, alpha);
    }

    static TextTable layerTable(LayerErrors e) {
        TextTable t = new TextTable("bits", "method", "‖WX − ŴX‖²", "vs RTN");
        for (int i = 0; i < e.bits().length; i++) {
            t.row(e.bits()[i], "round to nearest", f4(e.rtn()[i]), "1.000");
            t.row(e.bits()[i], "GPTQ", f4(e.gptq()[i]), f3(e.gptq()[i] / e.rtn()[i]));
            t.row(e.bits()[i], "AWQ (α = " + f2(e.awqAlpha()[i]) + ")", f4(e.awq()[i]), f3(e.awq()[i] / e.rtn()[i]));
        }
        return t;
    }

    private static CategoryChart layerChart(LayerErrors e) {
        CategoryChart c = new CategoryChartBuilder()
                .width(900)
                .height(600)
                .title("One linear layer: output error relative to round-to-nearest (lower is better)")
                .xAxisTitle("weight bits (groups of 128)")
                .yAxisTitle("‖WX − ŴX‖² / RTN's")
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        List<String> x = new ArrayList<>();
        List<Double> rtn = new ArrayList<>();
        List<Double> gptq = new ArrayList<>();
        List<Double> awq = new ArrayList<>();
        for (int i = 0; i < e.bits().length; i++) {
            x.add(e.bits()[i] + " bits");
            rtn.add(1.0);
            gptq.add(e.gptq()[i] / e.rtn()[i]);
            awq.add(e.awq()[i] / e.rtn()[i]);
        }
        c.addSeries("round to nearest", x, rtn);
        c.addSeries("GPTQ", x, gptq);
        c.addSeries("AWQ", x, awq);
        return c;
    }

    // ---------------------------------------------------------------- SmoothQuant

    /** SmoothQuant's before/after channel ranges and the W8A8 errors. */
    record Smooth(
            float[] xBefore,
            float[] xAfter,
            float[] wBefore,
            float[] wAfter,
            double naive,
            double perToken,
            double smooth) {
        static double spread(float[] m) {
            double max = 0;
            double min = Double.POSITIVE_INFINITY;
            for (float v : m) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            return max / min;
        }
    }

    static Smooth smoothQuant() {
        int n = 128;
        int in = 128;
        Tensor x = Tensor.randn(SEED + 4, n, in);
        for (int s = 0; s < n; s++) {
            for (int c : new int[] {7, 30, 61}) {
                x.data()[s * in + c] *= 60;
            }
        }
        Tensor w = Tensor.randn(SEED + 5, 64, in);
        Kernels.scale(0.1f, w.data(), 0, w.size());
        SmoothQuant.Smoothed sm = SmoothQuant.builder().alpha(0.5).build().smooth(x, w);
        Tensor y = Kernels.matmul(x, false, w, true);
        return new Smooth(
                SmoothQuant.channelAbsMax(x),
                SmoothQuant.channelAbsMax(sm.x()),
                SmoothQuant.channelAbsMax(w),
                SmoothQuant.channelAbsMax(sm.w()),
                relativeError(y, W8A8.matmul(x, w)),
                relativeError(y, W8A8.matmul(x, w, true)),
                relativeError(y, W8A8.matmul(sm.x(), sm.w())));
    }

    /** ‖y − ŷ‖ / ‖y‖. */
    static double relativeError(Tensor y, Tensor yHat) {
        return Math.sqrt(QuantError.of(y, yHat).mse()
                / QuantError.of(y, Tensor.zeros(y.shape())).mse());
    }

    static TextTable smoothTable(Smooth s) {
        TextTable t = new TextTable(
                "tensor or product", "max channel range / min", "largest channel max|·|", "INT8 W8A8 ‖Y − Ŷ‖/‖Y‖");
        t.row("activations X before", f2(Smooth.spread(s.xBefore())), f3(max(s.xBefore())), "");
        t.row("activations X̂ after", f2(Smooth.spread(s.xAfter())), f3(max(s.xAfter())), "");
        t.row("weights W before", f2(Smooth.spread(s.wBefore())), f3(max(s.wBefore())), "");
        t.row("weights Ŵ after", f2(Smooth.spread(s.wAfter())), f3(max(s.wAfter())), "");
        t.row("W8A8, per-tensor activation scale", "", "", f4(s.naive()));
        t.row("W8A8, per-token activation scales", "", "", f4(s.perToken()));
        t.row("W8A8 after SmoothQuant", "", "", f4(s.smooth()));
        return t;
    }

    private static XYChart smoothChart(Smooth s) {
        XYChart c = Charts.xy(
                "SmoothQuant (α = 0.5): per-channel max |·| before and after (log scale)",
                "input channel j",
                "max over tokens of |X_j| (or over rows of |W_j|)",
                1000,
                650);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double[] j = new double[s.xBefore().length];
        for (int i = 0; i < j.length; i++) {
            j[i] = i;
        }
        Charts.line(c, "activations X before", j, toDouble(s.xBefore()));
        Charts.line(c, "activations X̂ = X / s after", j, toDouble(s.xAfter()));
        Charts.dashed(c, "weights W before", j, toDouble(s.wBefore()));
        Charts.dashed(c, "weights Ŵ = W · s after", j, toDouble(s.wAfter()));
        return c;
    }

    // ---------------------------------------------------------------- memory

    static TextTable memoryTable(long params) {
        Map<String, Double> rows = new LinkedHashMap<>();
        for (GgmlType type : GgmlType.values()) {
            rows.put("GGUF " + type.name(), (double) type.bytes(roundUp(params, type.blockSize())));
        }
        rows.put("NF4 (QLoRA, double quantization)", params * (4 + Nf4.constantBitsPerParameter(64, 256)) / 8);
        double f16 = rows.get("GGUF F16");
        TextTable t = new TextTable("storage", "bits/weight", "GB", "GiB", "vs F16");
        for (var e : rows.entrySet()) {
            double bytes = e.getValue();
            t.row(
                    e.getKey(),
                    f4(8 * bytes / params),
                    f2(bytes / 1e9),
                    f2(bytes / (1L << 30)),
                    String.format(Locale.ROOT, "%.2f×", bytes / f16));
        }
        return t;
    }

    private static long roundUp(long n, int block) {
        return (n + block - 1) / block * block;
    }

    // ---------------------------------------------------------------- quantized matrix-vector products

    static final int MATVEC_ROWS = 4096;
    static final int MATVEC_COLS = 2048;
    /** Seconds of timing per product, after its warm-up. */
    static final double MATVEC_SECONDS = 0.2;

    /**
     * One matrix-vector product: its storage, weight bytes, best time, distance from the fp32 product and from ggml's
     * scalar order on the same blocks.
     *
     * @param format the storage
     * @param weightBytes bytes of weights one product reads
     * @param seconds the best time of one product
     * @param errorVsFp32 ‖y − y_fp32‖ / ‖y_fp32‖
     * @param maxDiffVsGgml max |y − y_ggml| / max |y_ggml| against ggml's scalar dot on the same blocks (−1: no such
     *     reference, the fp32 row)
     */
    record MatVec(String format, long weightBytes, double seconds, double errorVsFp32, double maxDiffVsGgml) {}

    /**
     * Times {@code y = W x} in fp32 ({@code Kernels.sgemv}), on Q8_0 and Q4_0 blocks as GGUF stores them
     * ({@link GgmlMatVec}) and on Q4_0 repacked into tiles of 32 rows ({@link RepackedQ4_0}). Each product is warmed up
     * until its time stops improving before it is timed for another {@code minSeconds}.
     */
    static List<MatVec> matVecs(double minSeconds) {
        int rows = MATVEC_ROWS;
        int cols = MATVEC_COLS;
        float[] w = weights(SEED + 3, rows, cols).data();
        float[] x = Tensor.randn(SEED + 4, cols).data();
        float[] exact = new float[rows];
        Runnable fp32 = () -> Kernels.sgemv(false, rows, cols, 1f, w, 0, cols, x, 0, 0f, exact, 0);
        byte[] q8 = Q8_0.quantize(w);
        byte[] q4 = Q4_0.quantize(w);
        RepackedQ4_0 repacked = RepackedQ4_0.pack(q4, rows, cols);
        GgmlMatVec.Activations acts = new GgmlMatVec.Activations(cols).set(x);
        float[] y8 = new float[rows];
        float[] y4 = new float[rows];
        float[] yr = new float[rows];
        List<MatVec> out = new ArrayList<>();
        double fp32Seconds = timed(fp32, 1.0, minSeconds);
        out.add(new MatVec("fp32 (sgemv)", 4L * rows * cols, fp32Seconds, 0, -1));
        double q8Seconds = timed(() -> GgmlMatVec.multiply(GgmlType.Q8_0, q8, rows, cols, acts, y8), 1.0, minSeconds);
        out.add(matVec(
                "Q8_0",
                q8.length,
                q8Seconds,
                y8,
                exact,
                GgmlMatVec.multiplyReference(GgmlType.Q8_0, q8, rows, cols, x)));
        float[] ggmlQ4 = GgmlMatVec.multiplyReference(GgmlType.Q4_0, q4, rows, cols, x);
        double q4Seconds = timed(() -> GgmlMatVec.multiply(GgmlType.Q4_0, q4, rows, cols, acts, y4), 1.0, minSeconds);
        out.add(matVec("Q4_0 on its GGUF bytes", q4.length, q4Seconds, y4, exact, ggmlQ4));
        // The tile kernel is one large method: C2 takes a few tenths of a second to compile it, seconds on a busy
        // compile queue (after the other chapters), and until then a product runs ten to a hundred times slower.
        double rSeconds = timed(() -> repacked.multiply(acts, yr), 4.0, minSeconds);
        // the repacked matrix streams its float scales: 20 bytes per block, not Q4_0's 18
        out.add(matVec("Q4_0 repacked in tiles of 32 rows", repacked.bytes(), rSeconds, yr, exact, ggmlQ4));
        return out;
    }

    /** Runs the repacked Q4_0 product on a small matrix for about {@code seconds}, so that the JIT compiles it. */
    static void warmUpTileKernel(double seconds) {
        int rows = 512;
        int cols = MATVEC_COLS;
        RepackedQ4_0 p =
                RepackedQ4_0.pack(Q4_0.quantize(weights(SEED + 5, rows, cols).data()), rows, cols);
        GgmlMatVec.Activations acts = new GgmlMatVec.Activations(cols)
                .set(Tensor.randn(SEED + 6, cols).data());
        float[] y = new float[rows];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            p.multiply(acts, y);
        }
    }

    /**
     * Warms {@code work} up for at least {@code warmUpSeconds} and until its time has stopped improving for half of
     * that, then returns its best time over another {@code minSeconds}.
     */
    private static double timed(Runnable work, double warmUpSeconds, double minSeconds) {
        Timing.bestSeconds(work, warmUpSeconds);
        return Timing.bestSeconds(work, minSeconds);
    }

    private static MatVec matVec(String format, long bytes, double seconds, float[] y, float[] exact, float[] ggml) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < y.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(y[i] - ggml[i]));
            maxRef = Math.max(maxRef, Math.abs(ggml[i]));
        }
        return new MatVec(
                format,
                bytes,
                seconds,
                relativeError(Tensor.of(exact, exact.length), Tensor.of(y, y.length)),
                maxDiff / maxRef);
    }

    static TextTable matVecTable(List<MatVec> products) {
        double fp32 = products.get(0).seconds();
        TextTable t = new TextTable(
                "weights",
                "MiB",
                "µs per product",
                "GB/s of weights",
                "× fp32",
                "‖y − y_fp32‖/‖y_fp32‖",
                "vs ggml's scalar dot");
        for (MatVec m : products) {
            t.row(
                    m.format(),
                    f2(m.weightBytes() / (double) (1 << 20)),
                    String.format(Locale.ROOT, "%.0f", m.seconds() * 1e6),
                    String.format(Locale.ROOT, "%.1f", m.weightBytes() / m.seconds() / 1e9),
                    String.format(Locale.ROOT, "%.2f×", fp32 / m.seconds()),
                    m.maxDiffVsGgml() < 0 ? "(the reference)" : f4(m.errorVsFp32()),
                    m.maxDiffVsGgml() < 0
                            ? ""
                            : m.maxDiffVsGgml() == 0
                                    ? "same bits (ggml's order)"
                                    : String.format(Locale.ROOT, "within %.1e (float order)", m.maxDiffVsGgml()));
        }
        return t;
    }

    // ---------------------------------------------------------------- helpers

    private static double max(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
