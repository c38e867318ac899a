package org.llm4e.tour;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.attention.AttentionMask;
import org.llm4e.attention.AttentionResult;
import org.llm4e.attention.FlashAttention;
import org.llm4e.attention.OnlineAttention;
import org.llm4e.attention.OnlineSoftmax;
import org.llm4e.attention.PagedKvCache;
import org.llm4e.attention.SafeSoftmax;
import org.llm4e.attention.ScaledDotProductAttention;
import org.llm4e.attention.TiledOnlineAttention;
import org.llm4e.attention.estimate.BatchingSimulation;
import org.llm4e.attention.estimate.Gpu;
import org.llm4e.attention.estimate.InferenceEstimate;
import org.llm4e.attention.estimate.KvCacheFragmentation;
import org.llm4e.attention.estimate.KvCacheSize;
import org.llm4e.attention.estimate.ModelConfig;
import org.llm4e.core.Tensor;

/**
 * Chapter {@code attention}: causal attention weights, the softmax road to FlashAttention (3-pass safe softmax,
 * 2-pass online softmax, the one-pass (m, d′, o′) recurrence and its tiles), naive against flash attention in time and
 * memory, the KV cache of MHA, GQA, MQA and MLA, the Qwen2.5-32B-on-H20 inference estimate, and PagedAttention's
 * block table.
 *
 * <pre>
 *   softmax(x)ᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m}                          (safe: 3 passes over the scores)
 *   mᵢ = max(mᵢ₋₁, xᵢ),  d′ᵢ = d′ᵢ₋₁·e^{mᵢ₋₁ − mᵢ} + e^{xᵢ − mᵢ}     (online: 2 passes)
 *   o′ᵢ = o′ᵢ₋₁·d′ᵢ₋₁·e^{mᵢ₋₁ − mᵢ}/d′ᵢ + e^{xᵢ − mᵢ}/d′ᵢ·Vᵢ           (FlashAttention: 1 pass, per tile of b keys)
 *   KV cache per token = layers · 2 · kvHeads · headDim · bytes      (MLA: layers · (d_c + d_h^R) · bytes)
 *   TTFT = prefill FLOPs / (peak FLOPS · utilisation)                 tokens/s = peak · util · batch / FLOPs per step
 * </pre>
 *
 * <p>Everything is computed by the {@code attention} module: {@link ScaledDotProductAttention},
 * {@link FlashAttention}, {@link SafeSoftmax}, {@link OnlineSoftmax}, {@link OnlineAttention},
 * {@link TiledOnlineAttention}, {@link PagedKvCache} and the estimates of {@code org.llm4e.attention.estimate}. Times
 * are measured on this machine (best of a few runs) and vary with its load; memory is counted, not measured.
 */
public final class AttentionChapter implements Chapter {
    /** The article's example sentence of the paged-attention replay. */
    static final String[] TURING = "Alan Turing is a computer scientist and mathematician renowned for".split(" ");

    static final int[] LENGTHS = {128, 256, 512, 1024, 2048};
    static final int HEADS = 2;
    static final int HEAD_DIM = 64;

    private final int[] lengths;

    /** The chapter timing sequence lengths 128 … 2048. */
    public AttentionChapter() {
        this(LENGTHS);
    }

    /**
     * The chapter with other sequence lengths for the naive-vs-flash comparison (tests use short ones).
     *
     * @param lengths increasing sequence lengths, each ≥ 1
     */
    public AttentionChapter(int... lengths) {
        if (lengths.length == 0) {
            throw new IllegalArgumentException("lengths must hold at least one sequence length, got none");
        }
        for (int t : lengths) {
            if (t < 1) {
                throw new IllegalArgumentException("lengths must be >= 1, got " + t);
            }
        }
        this.lengths = lengths.clone();
    }

    @Override
    public String name() {
        return "attention";
    }

    @Override
    public String description() {
        return "causal weights, the softmax road to FlashAttention, KV cache of MHA/GQA/MQA/MLA, inference"
                + " estimates, paged KV cache";
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        try (Progress progress = context.progress("attention", 6)) {
            progress.show("causal weights");
            int t = 12;
            Tensor weights = causalWeights(t);
            out.printf(
                    Locale.ROOT,
                    "Causal attention weights (1 head, %d tokens, d = 16): row i spreads over keys 0..i, every row sums"
                            + " to 1; row 0 attends only to itself (%.4f), masked entries are 0 (%.4f)%n",
                    t,
                    weights.get(0, 0, 0, 0),
                    weights.get(0, 0, 0, 1));
            out.println("wrote " + context.saveChart(heatmap(weights, t), "attention-causal-weights"));
            progress.step();

            progress.show("softmax road");
            out.println();
            Road road = softmaxRoad();
            out.println("The softmax road to FlashAttention (one query, N = 8 keys, tiles of b = 2):");
            out.print(passTable(road).render());
            out.println("The one-pass recurrence, key by key, and the tiled state after each tile of 2:");
            out.print(traceTable(road).render());
            out.println("wrote " + context.saveChart(traceChart(road), "attention-online-trace"));
            progress.step();

            progress.show("naive vs flash");
            out.println();
            List<Timing> timings = naiveVsFlash(lengths, progress);
            out.printf(
                    Locale.ROOT,
                    "Naive (SDPA) vs FlashAttention-2 (blocks 64×64), batch 1, %d heads, head dim %d, causal; time on"
                            + " this machine, memory counted:%n",
                    HEADS,
                    HEAD_DIM);
            out.print(timingTable(timings).render());
            out.println("wrote "
                    + context.saveImage(
                            Charts.grid(List.of(timeChart(timings), memoryChart(timings)), 2), "attention-flash"));
            progress.step();

            progress.show("KV cache");
            out.println();
            Map<String, ModelConfig> variants = kvVariants();
            out.println("KV cache per token of one model shape (Qwen2.5-32B: 64 layers, 40 query heads, head dim 128,"
                    + " bf16) under each attention variant:");
            out.print(kvTable(variants).render());
            out.print(kvModelTable().render());
            out.println("wrote "
                    + context.saveImage(
                            Charts.grid(List.of(kvPerTokenChart(variants), kvContextChart(variants)), 2),
                            "attention-kv-cache"));
            progress.step();

            progress.show("estimates");
            out.println();
            ModelConfig qwen = ModelConfig.qwen25_32b();
            Gpu h20 = Gpu.h20();
            out.printf(
                    Locale.ROOT,
                    "%s on one %s (%.0f TFLOPS bf16, %.1f TB/s), batch 1, 1024 prompt + 1024 output tokens:%n",
                    qwen.name(),
                    h20.name(),
                    h20.peakFlops() / 1e12,
                    h20.bandwidthBytesPerSecond() / 1e12);
            out.print(estimateTable(qwen, h20).render());
            int[] requests = BatchingSimulation.articleRequests(32, 8);
            BatchingSimulation.Result fixed = BatchingSimulation.staticBatching(requests, 8);
            BatchingSimulation.Result continuous = BatchingSimulation.continuousBatching(requests, 8);
            out.printf(
                    Locale.ROOT,
                    "Batching 32 requests (every 8th wants 100 tokens, the rest 10), batch 8: static %d forward calls,"
                            + " continuous %d (%d prefill + %d decode)%n",
                    fixed.forwardCalls(),
                    continuous.forwardCalls(),
                    continuous.prefillCalls(),
                    continuous.decodeIterations());
            progress.step();

            progress.show("paged KV cache");
            out.println();
            out.println("PagedAttention replay (block size 4, the pool hands out blocks 7, 1, 3, …):");
            out.print(pagedReplay().render());
            int[] lens = KvCacheFragmentation.uniformLengths(42, 500, 256, 1024);
            Map<Integer, KvCacheFragmentation.Result> waste = new LinkedHashMap<>();
            for (int b : new int[] {8, 16, 32, 64}) {
                waste.put(b, KvCacheFragmentation.simulate(lens, b, 2048));
            }
            out.println("Waste of 500 sequences of 256..1024 tokens: contiguous reservation of 2048 per sequence vs"
                    + " paged blocks");
            out.print(wasteTable(waste).render());
            out.println("wrote " + context.saveChart(wasteChart(waste), "attention-paged-waste"));
            progress.step();
        }
        out.flush();
    }

    // ---------------------------------------------------------------- causal weights

    /** The weights {@code [1, 1, t, t]} of causal SDPA on random queries and keys. */
    static Tensor causalWeights(int t) {
        Tensor q = Tensor.randn(11, 1, 1, t, 16);
        Tensor k = Tensor.randn(12, 1, 1, t, 16);
        Tensor v = Tensor.randn(13, 1, 1, t, 16);
        AttentionResult r = ScaledDotProductAttention.forwardWithStats(
                q, k, v, AttentionMask.causal(), null, ScaledDotProductAttention.defaultScale(q), true);
        return r.weights();
    }

    private static HeatMapChart heatmap(Tensor w, int t) {
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(900)
                .height(750)
                .title("Causal attention weights softmax(QKᵀ/√d + mask), " + t + " tokens")
                .xAxisTitle("key j")
                .yAxisTitle("query i")
                .build();
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0xfdae61), new Color(0xd7191c)});
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setShowValue(true);
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            xs.add(i);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                cells.add(new Number[] {j, i, Math.round(w.get(0, 0, i, j) * 100) / 100.0});
            }
        }
        chart.addSeries("weights", xs, xs, cells);
        return chart;
    }

    // ---------------------------------------------------------------- the softmax road

    /** The traces of one row: scores, 3-pass, 2-pass, single-loop and tiled attention. */
    record Road(
            double[] scores,
            SafeSoftmax.Trace safe,
            OnlineSoftmax.Trace online,
            OnlineAttention.Trace oneLoop,
            TiledOnlineAttention.Trace tiled) {}

    static Road softmaxRoad() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 8;
        double[] q = gaussian(r, 4);
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        for (int i = 0; i < n; i++) {
            k[i] = gaussian(r, 4);
            v[i] = gaussian(r, 2);
        }
        double scale = 0.5;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < 4; c++) {
                s += q[c] * k[i][c];
            }
            x[i] = scale * s;
        }
        return new Road(
                x,
                SafeSoftmax.threePass(x),
                OnlineSoftmax.twoPass(x),
                OnlineAttention.row(q, k, v, scale, null),
                TiledOnlineAttention.row(q, k, v, scale, 2, null));
    }

    static TextTable passTable(Road r) {
        int n = r.scores().length;
        TextTable t = new TextTable("algorithm", "passes", "score reads", "K, V reads", "a₀ or o₀");
        t.row(
                "safe softmax (3-pass)",
                r.safe().passes(),
                r.safe().scoreReads(),
                "-",
                f6(r.safe().a()[0]));
        t.row(
                "online softmax (2-pass)",
                r.online().passes(),
                r.online().scoreReads(),
                "-",
                f6(r.online().a()[0]));
        t.row(
                "one-pass attention (m, d′, o′)",
                1,
                n,
                r.oneLoop().keyReads() + ", " + r.oneLoop().valueReads(),
                f6(r.oneLoop().output()[0]));
        t.row("tiled, b = 2 (FlashAttention)", 1, n, n + ", " + n, f6(r.tiled().output()[0]));
        return t;
    }

    static TextTable traceTable(Road r) {
        TextTable t = new TextTable("i", "xᵢ", "mᵢ", "d′ᵢ", "o′ᵢ", "tile", "m (tile)", "d′ (tile)", "o′ (tile)");
        for (int i = 0; i < r.scores().length; i++) {
            boolean end = i % 2 == 1;
            int tile = i / 2;
            t.row(
                    i + 1,
                    f4(r.scores()[i]),
                    f4(r.oneLoop().m()[i]),
                    f4(r.oneLoop().dPrime()[i]),
                    vec(r.oneLoop().oPrime()[i]),
                    end ? String.valueOf(tile + 1) : "",
                    end ? f4(r.tiled().m()[tile]) : "",
                    end ? f4(r.tiled().dPrime()[tile]) : "",
                    end ? vec(r.tiled().oPrime()[tile]) : "");
        }
        return t;
    }

    private static XYChart traceChart(Road r) {
        XYChart c = Charts.xy(
                "The one-pass recurrence over N = 8 keys: running max m, denominator d′, output o′ (tiles of b = 2)",
                "key i",
                "value");
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        int n = r.scores().length;
        double[] i = new double[n];
        for (int j = 0; j < n; j++) {
            i[j] = j + 1;
        }
        XYSeries x = c.addSeries("scores xᵢ", i, r.scores());
        x.setMarker(SeriesMarkers.CIRCLE);
        x.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        Charts.line(c, "running max mᵢ", i, r.oneLoop().m());
        Charts.line(c, "denominator d′ᵢ", i, r.oneLoop().dPrime());
        double[] o0 = new double[n];
        for (int j = 0; j < n; j++) {
            o0[j] = r.oneLoop().oPrime()[j][0];
        }
        Charts.line(c, "output o′ᵢ[0]", i, o0);
        int tiles = r.tiled().tiles();
        double[] ti = new double[tiles];
        double[] to = new double[tiles];
        for (int j = 0; j < tiles; j++) {
            ti[j] = 2 * j + 2;
            to[j] = r.tiled().oPrime()[j][0];
        }
        XYSeries tiled = c.addSeries("tiled o′[0] after each tile (equal at the tile ends)", ti, to);
        tiled.setMarker(SeriesMarkers.DIAMOND);
        tiled.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return c;
    }

    // ---------------------------------------------------------------- naive vs flash

    /** One sequence length's measurements. */
    record Timing(int t, double naiveMs, double flashMs, long naiveBytes, long flashBytes, double maxDiff) {}

    static List<Timing> naiveVsFlash(int[] lengths, Progress progress) {
        FlashAttention flash = FlashAttention.builder()
                .version(FlashAttention.Version.V2)
                .blockQ(64)
                .blockK(64)
                .build();
        List<Timing> out = new ArrayList<>();
        for (int t : lengths) {
            progress.show("naive vs flash, T = " + t);
            Tensor q = Tensor.randn(t, 1, HEADS, t, HEAD_DIM);
            Tensor k = Tensor.randn(t + 1, 1, HEADS, t, HEAD_DIM);
            Tensor v = Tensor.randn(t + 2, 1, HEADS, t, HEAD_DIM);
            double scale = 1 / Math.sqrt(HEAD_DIM);
            AttentionMask causal = AttentionMask.causal();
            int runs = t <= 512 ? 3 : 2;
            double naive = Double.MAX_VALUE;
            double fast = Double.MAX_VALUE;
            Tensor a = null;
            Tensor b = null;
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                a = ScaledDotProductAttention.forward(q, k, v, causal, scale);
                naive = Math.min(naive, (System.nanoTime() - s) / 1e6);
                s = System.nanoTime();
                b = flash.forward(q, k, v, causal, scale).output();
                fast = Math.min(fast, (System.nanoTime() - s) / 1e6);
            }
            double diff = 0;
            for (int i = 0; i < a.size(); i++) {
                diff = Math.max(diff, Math.abs(a.data()[i] - b.data()[i]));
            }
            // the textbook form materialises the T×T scores in float32 next to the output
            long naiveBytes = 4L * HEADS * t * HEAD_DIM + 4L * HEADS * t * t;
            out.add(new Timing(t, naive, fast, naiveBytes, flash.workspaceBytes(1, HEADS, t, HEAD_DIM), diff));
        }
        return out;
    }

    static TextTable timingTable(List<Timing> timings) {
        TextTable t =
                new TextTable("T", "naive ms", "flash ms", "naive memory", "flash memory", "ratio", "max |Δ output|");
        for (Timing m : timings) {
            t.row(
                    m.t(),
                    f2(m.naiveMs()),
                    f2(m.flashMs()),
                    bytes(m.naiveBytes()),
                    bytes(m.flashBytes()),
                    String.format(Locale.ROOT, "%.1f×", (double) m.naiveBytes() / m.flashBytes()),
                    String.format(Locale.ROOT, "%.1e", m.maxDiff()));
        }
        return t;
    }

    private static XYChart timeChart(List<Timing> timings) {
        XYChart c = Charts.xy("Time per forward (this machine)", "sequence length T", "ms", 800, 550);
        double[] x = timings.stream().mapToDouble(Timing::t).toArray();
        XYSeries a = c.addSeries(
                "naive SDPA", x, timings.stream().mapToDouble(Timing::naiveMs).toArray());
        XYSeries b = c.addSeries(
                "FlashAttention-2",
                x,
                timings.stream().mapToDouble(Timing::flashMs).toArray());
        a.setMarker(SeriesMarkers.CIRCLE);
        b.setMarker(SeriesMarkers.DIAMOND);
        return c;
    }

    private static XYChart memoryChart(List<Timing> timings) {
        XYChart c = Charts.xy("Memory: T² scores vs flash's tiles", "sequence length T", "MiB (log scale)", 800, 550);
        c.getStyler().setYAxisLogarithmic(true);
        double[] x = timings.stream().mapToDouble(Timing::t).toArray();
        XYSeries a = c.addSeries(
                "naive: output + T×T scores",
                x,
                timings.stream().mapToDouble(m -> m.naiveBytes() / 1048576.0).toArray());
        XYSeries b = c.addSeries(
                "flash: output + log-sum-exp + tiles",
                x,
                timings.stream().mapToDouble(m -> m.flashBytes() / 1048576.0).toArray());
        a.setMarker(SeriesMarkers.CIRCLE);
        b.setMarker(SeriesMarkers.DIAMOND);
        return c;
    }

    // ---------------------------------------------------------------- KV cache

    /** Qwen2.5-32B's shape with MHA, its own GQA-8, MQA, and MLA with DeepSeek-V2's d_c = 512, d_h^R = 64. */
    static Map<String, ModelConfig> kvVariants() {
        ModelConfig q = ModelConfig.qwen25_32b();
        Map<String, ModelConfig> m = new LinkedHashMap<>();
        for (int kv : new int[] {q.numHeads(), q.numKvHeads(), 1}) {
            String label = kv == q.numHeads() ? "MHA (40 kv heads)" : kv == 1 ? "MQA (1 kv head)" : "GQA-" + kv;
            m.put(
                    label,
                    new ModelConfig(
                            label,
                            q.hiddenSize(),
                            q.intermediateSize(),
                            q.numLayers(),
                            q.numHeads(),
                            kv,
                            q.headDim(),
                            q.vocabSize(),
                            0,
                            0,
                            q.bytesPerParam()));
        }
        m.put(
                "MLA (d_c 512 + d_h^R 64)",
                new ModelConfig(
                        "MLA",
                        q.hiddenSize(),
                        q.intermediateSize(),
                        q.numLayers(),
                        q.numHeads(),
                        q.numHeads(),
                        q.headDim(),
                        q.vocabSize(),
                        512,
                        64,
                        q.bytesPerParam()));
        return m;
    }

    static TextTable kvTable(Map<String, ModelConfig> variants) {
        long mha = KvCacheSize.bytesPerToken(variants.values().iterator().next());
        TextTable t = new TextTable(
                "variant", "elements/token/layer", "bytes/token", "at 32K tokens", "at 128K tokens", "vs MHA");
        for (var e : variants.entrySet()) {
            ModelConfig c = e.getValue();
            long perToken = KvCacheSize.bytesPerToken(c);
            t.row(
                    e.getKey(),
                    KvCacheSize.elementsPerTokenPerLayer(c),
                    bytes(perToken),
                    bytes(KvCacheSize.bytes(c, 1, 32768)),
                    bytes(KvCacheSize.bytes(c, 1, 131072)),
                    String.format(Locale.ROOT, "%.3f", (double) perToken / mha));
        }
        return t;
    }

    /** The articles' models: their own cache per token and at 2048 tokens. */
    static TextTable kvModelTable() {
        TextTable t = new TextTable("model", "attention", "elements/token/layer", "bytes/token", "at 2048 tokens");
        ModelConfig dsv2 = ModelConfig.deepSeekV2();
        for (ModelConfig c : List.of(ModelConfig.llama13b(), ModelConfig.qwen25_32b(), dsv2)) {
            String kind = c.isMla()
                    ? String.format(
                            Locale.ROOT,
                            "MLA ≈ GQA with %.2f groups",
                            KvCacheSize.equivalentGqaGroups(c.kvLoraRank(), c.qkRopeHeadDim(), c.headDim()))
                    : c.numKvHeads() == c.numHeads() ? "MHA" : "GQA, " + c.numKvHeads() + " kv heads";
            t.row(
                    c.name(),
                    kind,
                    KvCacheSize.elementsPerTokenPerLayer(c),
                    bytes(KvCacheSize.bytesPerToken(c)),
                    String.format(Locale.ROOT, "%.3f GB", KvCacheSize.bytes(c, 1, 2048) / 1e9));
        }
        t.row(
                dsv2.name() + " if MHA",
                "MHA, " + dsv2.numHeads() + " heads × " + dsv2.headDim(),
                KvCacheSize.mhaElements(dsv2.numHeads(), dsv2.headDim()),
                bytes((long) dsv2.numLayers()
                        * KvCacheSize.mhaElements(dsv2.numHeads(), dsv2.headDim())
                        * dsv2.bytesPerParam()),
                String.format(
                        Locale.ROOT,
                        "%.3f GB",
                        2048.0
                                * dsv2.numLayers()
                                * KvCacheSize.mhaElements(dsv2.numHeads(), dsv2.headDim())
                                * dsv2.bytesPerParam()
                                / 1e9));
        return t;
    }

    private static CategoryChart kvPerTokenChart(Map<String, ModelConfig> variants) {
        CategoryChart c = new CategoryChartBuilder()
                .width(800)
                .height(550)
                .title("KV cache per token, Qwen2.5-32B shape, bf16")
                .xAxisTitle("attention variant")
                .yAxisTitle("KiB per token")
                .build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        List<String> names = new ArrayList<>();
        List<Double> kib = new ArrayList<>();
        for (var e : variants.entrySet()) {
            names.add(e.getKey().replaceAll(" \\(.*", ""));
            kib.add(KvCacheSize.bytesPerToken(e.getValue()) / 1024.0);
        }
        c.addSeries("KiB per token", names, kib);
        return c;
    }

    private static XYChart kvContextChart(Map<String, ModelConfig> variants) {
        XYChart c = Charts.xy("KV cache of one sequence vs context length", "tokens", "GiB", 800, 550);
        double[] tokens = Charts.linspace(0, 131072, 33);
        for (var e : variants.entrySet()) {
            ModelConfig m = e.getValue();
            Charts.line(
                    c, e.getKey(), tokens, Charts.map(tokens, n -> KvCacheSize.bytes(m, 1, (long) n) / 1073741824.0));
        }
        return c;
    }

    // ---------------------------------------------------------------- estimates

    static TextTable estimateTable(ModelConfig model, Gpu gpu) {
        InferenceEstimate.Report full = InferenceEstimate.estimate(model, gpu, 1.0, 1, 1024, 1024);
        InferenceEstimate.Report real = InferenceEstimate.estimate(model, gpu, 0.6, 1, 1024, 1024);
        TextTable t = new TextTable("quantity", "utilisation 100 %", "utilisation 60 %");
        t.row("parameters", String.format(Locale.ROOT, "%,d", full.parameters()), "");
        t.row("prefill FLOPs (1024 tokens)", String.format(Locale.ROOT, "%.2f TFLOPs", full.prefillFlops() / 1e12), "");
        t.row(
                "decode FLOPs per token",
                String.format(Locale.ROOT, "%.4f TFLOPs", full.decodeFlopsPerStep() / 1e12),
                "");
        t.row("TTFT", ms(full.ttftSeconds()), ms(real.ttftSeconds()));
        t.row("TPOT, compute-bound", ms(full.tpotSeconds()), ms(real.tpotSeconds()));
        t.row(
                "decode tokens/s, compute-bound",
                String.format(Locale.ROOT, "%.1f", full.tokensPerSecond()),
                String.format(Locale.ROOT, "%.1f", real.tokensPerSecond()));
        t.row(
                "latency (TTFT + n·TPOT)",
                String.format(Locale.ROOT, "%.3f s", full.latencySeconds()),
                String.format(Locale.ROOT, "%.3f s", real.latencySeconds()));
        t.row(
                "TPOT, bandwidth-bound (weights + cache)",
                ms(full.bandwidthBoundTpotSeconds()),
                ms(real.bandwidthBoundTpotSeconds()));
        t.row("KV cache at 2048 tokens", bytes(full.kvCacheBytes()), "");
        return t;
    }

    // ---------------------------------------------------------------- paged KV cache

    /** The article's sentence through a paged cache: prefill 7 tokens, then decode 3, one row per step. */
    static TextTable pagedReplay() {
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(8)
                .blockSize(4)
                .kvHeads(1)
                .headDim(1)
                .freeBlockOrder(7, 1, 3, 0, 2, 4, 5, 6)
                .build();
        int seq = cache.addSequence();
        TextTable t = new TextTable("step", "tokens", "block table", "filled", "free blocks", "empty slots");
        float[] prompt = {0, 1, 2, 3, 4, 5, 6};
        Tensor p = Tensor.of(prompt, 1, 1, prompt.length, 1);
        cache.append(seq, p, p);
        pagedRow(t, cache, seq, "prefill: " + String.join(" ", java.util.Arrays.copyOf(TURING, 7)));
        for (int i = 7; i < TURING.length; i++) {
            Tensor tok = Tensor.of(new float[] {i}, 1, 1, 1, 1);
            cache.append(seq, tok, tok);
            pagedRow(t, cache, seq, "decode: " + TURING[i]);
        }
        return t;
    }

    private static void pagedRow(TextTable t, PagedKvCache cache, int seq, String step) {
        t.row(
                step,
                cache.length(seq),
                java.util.Arrays.toString(cache.blockTable(seq)),
                java.util.Arrays.toString(cache.filledSlots(seq)),
                cache.freeBlockCount(),
                cache.wastedSlots());
    }

    static TextTable wasteTable(Map<Integer, KvCacheFragmentation.Result> waste) {
        TextTable t =
                new TextTable("block size", "tokens", "paged slots", "paged waste", "max empty/seq", "reserved waste");
        for (var e : waste.entrySet()) {
            KvCacheFragmentation.Result r = e.getValue();
            t.row(
                    e.getKey(),
                    r.tokens(),
                    r.pagedSlots(),
                    pct(r.pagedWaste()),
                    r.maxPagedWastePerSequence(),
                    pct(r.reservedWaste()));
        }
        return t;
    }

    private static CategoryChart wasteChart(Map<Integer, KvCacheFragmentation.Result> waste) {
        CategoryChart c = new CategoryChartBuilder()
                .width(900)
                .height(600)
                .title("KV-cache memory left empty: max-length reservation vs paged blocks (500 sequences)")
                .xAxisTitle("block size (tokens)")
                .yAxisTitle("share of reserved slots left empty, %")
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        List<String> x = new ArrayList<>();
        List<Double> reserved = new ArrayList<>();
        List<Double> paged = new ArrayList<>();
        for (var e : waste.entrySet()) {
            x.add(String.valueOf(e.getKey()));
            reserved.add(100 * e.getValue().reservedWaste());
            paged.add(100 * e.getValue().pagedWaste());
        }
        c.addSeries("contiguous, 2048 reserved per sequence", x, reserved);
        c.addSeries("PagedAttention blocks", x, paged);
        return c;
    }

    // ---------------------------------------------------------------- helpers

    private static double[] gaussian(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    /** Bytes in binary units: B, KiB, MiB, GiB. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    private static String vec(double[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(f4(v[i]));
        }
        return sb.append(')').toString();
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.2f ms", seconds * 1000);
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * f);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String f6(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }
}
