package org.llm4e.tour;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.llm4e.attention.estimate.Gpu;
import org.llm4e.attention.estimate.InferenceEstimate;
import org.llm4e.attention.estimate.KvCacheSize;
import org.llm4e.attention.estimate.ModelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm4e estimate}: the inference calculator of the deployment articles (模型部署不求人！从TTFT到Throughput的性能估算终极公式.md,
 * 如何评判大模型的输出速度？首Token延迟和其余Token延迟有什么不同？.md) as a command.
 *
 * <p>A model by name from the built-in table ({@code --model qwen2.5-32b}) or by its Hugging Face {@code config.json}
 * ({@code --config path/config.json}); an accelerator by name ({@code --gpu a100-80gb}) or by its peak FLOP/s and
 * memory bandwidth ({@code --flops 312T --bandwidth 2T [--memory 80G]}). It prints what
 * {@link InferenceEstimate#estimate} computes, nothing of its own:
 *
 * <pre>
 *   weights       = parameters · bytes per parameter              (FlopsEstimate.parameterCount)
 *   KV cache      = layers · cached elements per token and layer · bytes · batch · (prompt + output)
 *   TTFT          = prefill FLOPs / (peak · utilisation)          (compute-bound)
 *   TPOT          = decode FLOPs per step / (peak · utilisation)  (compute-bound)
 *   TPOT (memory) = (weight bytes + average KV bytes) / bandwidth (bandwidth-bound: the real limit of decode)
 * </pre>
 */
@Command(
        name = "estimate",
        mixinStandardHelpOptions = true,
        description = {
            "Memory and time of LLM inference on an accelerator, by the formulas of the deployment articles.",
            "Examples: llm4e estimate --model qwen2.5-32b --gpu h20 | llm4e estimate --config config.json"
                    + " --flops 312T --bandwidth 2T --memory 80G --batch 8"
        })
public final class EstimateCommand implements Callable<Integer> {

    /** The built-in models, by the name typed on the command line. */
    static final Map<String, Supplier<ModelConfig>> MODELS = new LinkedHashMap<>();

    /** The built-in accelerators, by the name typed on the command line. */
    static final Map<String, Supplier<Gpu>> GPUS = new LinkedHashMap<>();

    static {
        MODELS.put("qwen2.5-0.5b", ModelConfig::qwen25_05b);
        MODELS.put("qwen2.5-32b", ModelConfig::qwen25_32b);
        MODELS.put("llama-13b", ModelConfig::llama13b);
        MODELS.put("llama-3.1-70b", ModelConfig::llama31_70b);
        MODELS.put("deepseek-v2", ModelConfig::deepSeekV2);
        GPUS.put("h20", Gpu::h20);
        GPUS.put("l20", Gpu::l20);
        GPUS.put("l2", Gpu::l2);
        GPUS.put("a100-40gb", Gpu::a100_40gb);
        GPUS.put("a100-80gb", Gpu::a100_80gb);
        GPUS.put("v100", Gpu::v100);
        GPUS.put("h800", Gpu::h800);
        GPUS.put("t4", Gpu::t4);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-m", "--model"},
            paramLabel = "NAME",
            description = "a built-in model (see --list); default qwen2.5-32b unless --config is given")
    String model;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "a Hugging Face config.json instead of a built-in model")
    Path config;

    @Option(
            names = {"-g", "--gpu"},
            paramLabel = "NAME",
            description = "a built-in accelerator (see --list); default a100-80gb unless --flops/--bandwidth are given")
    String gpu;

    @Option(
            names = "--flops",
            paramLabel = "FLOP/s",
            description = "peak dense bf16 FLOP/s, e.g. 312T or 3.12e14 (with --bandwidth, replaces --gpu)")
    String flops;

    @Option(
            names = "--bandwidth",
            paramLabel = "B/s",
            description = "memory bandwidth in bytes per second, e.g. 2T or 900G")
    String bandwidth;

    @Option(names = "--memory", paramLabel = "BYTES", description = "accelerator memory, e.g. 80G (optional)")
    String memory;

    @Option(names = "--batch", defaultValue = "1", description = "sequences per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--prompt",
            defaultValue = "1024",
            description = "prompt tokens per sequence (default: ${DEFAULT-VALUE})")
    long prompt;

    @Option(
            names = "--output",
            defaultValue = "256",
            description = "generated tokens per sequence (default: ${DEFAULT-VALUE})")
    long output;

    @Option(
            names = "--utilization",
            defaultValue = "1.0",
            description = "fraction of peak FLOP/s reached, in (0, 1]; the articles use 1, practice about 0.6"
                    + " (default: ${DEFAULT-VALUE})")
    double utilization;

    @Option(names = "--list", description = "list the built-in models and accelerators and exit")
    boolean list;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            TextTable m = new TextTable("model", "layers", "hidden", "heads", "kv heads", "head dim", "attention");
            for (var e : MODELS.entrySet()) {
                ModelConfig c = e.getValue().get();
                m.row(e.getKey(), c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(), kind(c));
            }
            out.print(m.render());
            out.println();
            TextTable g = new TextTable("gpu", "peak TFLOP/s", "memory GB", "bandwidth GB/s");
            for (var e : GPUS.entrySet()) {
                Gpu x = e.getValue().get();
                g.row(
                        e.getKey(),
                        fmt(x.peakFlops() / 1e12),
                        fmt(x.memoryBytes() / 1e9),
                        fmt(x.bandwidthBytesPerSecond() / 1e9));
            }
            out.print(g.render());
            out.flush();
            return 0;
        }
        ModelConfig c = model();
        Gpu g = gpu();
        positive("--batch", batch);
        positive("--prompt", prompt);
        positive("--output", output);
        if (!(utilization > 0 && utilization <= 1)) {
            throw usage("--utilization must be in (0, 1], got " + utilization);
        }
        InferenceEstimate.Report r = InferenceEstimate.estimate(c, g, utilization, batch, prompt, output);

        double weightBytes = (double) r.parameters() * c.bytesPerParam();
        out.printf(
                Locale.ROOT,
                "%s (%s, %d layers, %d heads, %d kv heads of %d, %d bytes per parameter) on %s%n",
                c.name(),
                kind(c),
                c.numLayers(),
                c.numHeads(),
                c.numKvHeads(),
                c.headDim(),
                c.bytesPerParam(),
                g.name());
        out.printf(
                Locale.ROOT,
                "batch %d, prompt %d tokens, output %d tokens, utilization %s%n%n",
                batch,
                prompt,
                output,
                fmt(utilization));

        TextTable mem = new TextTable("memory", "value", "formula");
        mem.row("parameters", fmt(r.parameters() / 1e9) + " B", "V·h + L·(3·h·I + 2·h·n_kv·d_h + 2·h·n_h·d_h)");
        mem.row("weights", bytes(weightBytes), "parameters · " + c.bytesPerParam() + " bytes");
        mem.row(
                "KV cache per token",
                bytes(KvCacheSize.bytesPerToken(c)),
                "L · " + KvCacheSize.elementsPerTokenPerLayer(c) + " elements · " + c.bytesPerParam() + " bytes");
        mem.row("KV cache at the end", bytes(r.kvCacheBytes()), "per token · batch · (prompt + output)");
        double total = weightBytes + r.kvCacheBytes();
        mem.row("weights + KV cache", bytes(total), Double.isInfinite(g.memoryBytes()) ? "" : fitText(total, g));
        out.print(mem.render());
        out.println();

        TextTable time = new TextTable("time", "value", "how");
        time.row("prefill", flopsText(r.prefillFlops()), "FLOPs of the prompt (detailed count)");
        time.row("TTFT", seconds(r.ttftSeconds()), "prefill FLOPs / (peak · utilization)");
        time.row("decode step", flopsText(r.decodeFlopsPerStep()), "FLOPs per step, averaged over the output");
        time.row("TPOT, compute-bound", seconds(r.tpotSeconds()), "decode FLOPs / (peak · utilization)");
        time.row(
                "TPOT, bandwidth-bound",
                seconds(r.bandwidthBoundTpotSeconds()),
                "(weights + average KV cache) / bandwidth (derived)");
        double tpot = Math.max(r.tpotSeconds(), r.bandwidthBoundTpotSeconds());
        time.row("latency (article)", seconds(r.latencySeconds()), "TTFT + compute-bound TPOT · output");
        time.row("latency (slower bound)", seconds(r.ttftSeconds() + tpot * output), "TTFT + max(TPOTs) · output");
        time.row(
                "decode throughput",
                fmt(batch / tpot) + " tokens/s",
                "batch / max(TPOTs); compute-bound alone: " + fmt(r.tokensPerSecond()));
        time.row(
                "roofline batch",
                fmt(InferenceEstimate.rooflineBatch(g, c.bytesPerParam())),
                "decode turns compute-bound above this batch");
        out.print(time.render());
        out.println();
        out.println(
                r.bandwidthBoundTpotSeconds() > r.tpotSeconds()
                        ? "Decode is bandwidth-bound here: every step reads all weights and the cache once; a larger"
                                + " batch or fewer bytes per weight (quantization) is what speeds it up."
                        : "Decode is compute-bound at this batch: more FLOP/s, not more bandwidth, would speed it up.");
        out.flush();
        return 0;
    }

    private ModelConfig model() throws IOException {
        if (config != null && model != null) {
            throw usage("give --model or --config, not both");
        }
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw usage("--config must be a config.json file, got '" + config + "'");
            }
            return ModelConfig.fromConfigJson(config);
        }
        String name = model == null ? "qwen2.5-32b" : model;
        Supplier<ModelConfig> m = lookup(MODELS, name);
        if (m == null) {
            throw usage("unknown model '" + name + "'; models are: " + String.join(", ", MODELS.keySet())
                    + " (or --config config.json)");
        }
        return m.get();
    }

    private Gpu gpu() {
        if ((flops == null) != (bandwidth == null)) {
            throw usage("--flops and --bandwidth go together, got only "
                    + (flops == null ? "--bandwidth " + bandwidth : "--flops " + flops));
        }
        Gpu base = null;
        if (gpu != null || flops == null) {
            String name = gpu == null ? "a100-80gb" : gpu;
            Supplier<Gpu> s = lookup(GPUS, name);
            if (s == null) {
                throw usage("unknown gpu '" + name + "'; gpus are: " + String.join(", ", GPUS.keySet())
                        + " (or --flops and --bandwidth)");
            }
            base = s.get();
        }
        if (flops == null) {
            return memory == null
                    ? base
                    : new Gpu(
                            base.name(),
                            base.peakFlops(),
                            quantity("--memory", memory),
                            base.bandwidthBytesPerSecond());
        }
        double f = quantity("--flops", flops);
        double b = quantity("--bandwidth", bandwidth);
        double mem = memory != null
                ? quantity("--memory", memory)
                : base != null ? base.memoryBytes() : Double.POSITIVE_INFINITY;
        String label =
                (base != null ? base.name() + " with " : "") + fmt(f / 1e12) + " TFLOP/s, " + fmt(b / 1e9) + " GB/s";
        return new Gpu(label, f, mem, b);
    }

    /** Case- and punctuation-insensitive lookup: {@code Qwen2.5-32B}, {@code qwen25_32b} and so on. */
    static <T> T lookup(Map<String, T> table, String name) {
        String key = normalize(name);
        for (var e : table.entrySet()) {
            if (normalize(e.getKey()).equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /**
     * Parses a quantity with an optional SI prefix: {@code 312T}, {@code 2.0e12}, {@code 900G}, {@code 80GB}.
     *
     * @param option the option's name, for the error message
     * @param text the value
     * @return the number
     * @throws CommandLine.ParameterException if it is not a positive quantity
     */
    double quantity(String option, String text) {
        String t = text.trim().replaceAll("(?i)(flop/?s|flops|b/s|bytes?|b)$", "");
        double scale = 1;
        if (!t.isEmpty()) {
            int p = "KMGTP".indexOf(Character.toUpperCase(t.charAt(t.length() - 1)));
            if (p >= 0) {
                scale = Math.pow(1000, p + 1);
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            double v = Double.parseDouble(t) * scale;
            if (v > 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage(option + " must be a positive number with an optional K/M/G/T/P prefix (e.g. 312T), got '" + text
                + "'");
    }

    private void positive(String option, long v) {
        if (v < 1) {
            throw usage(option + " must be >= 1, got " + v);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static String kind(ModelConfig c) {
        if (c.isMla()) {
            return "MLA";
        }
        if (c.numKvHeads() == c.numHeads()) {
            return "MHA";
        }
        return c.numKvHeads() == 1 ? "MQA" : "GQA";
    }

    private static String fitText(double total, Gpu g) {
        long n = (long) Math.ceil(total / g.memoryBytes());
        return n <= 1
                ? String.format(Locale.ROOT, "fits in %s's %s", g.name(), bytes(g.memoryBytes()))
                : String.format(Locale.ROOT, "needs %d × %s of %s", n, g.name(), bytes(g.memoryBytes()));
    }

    /** Bytes in GB (10⁹) or MB (10⁶), as the articles count. */
    static String bytes(double b) {
        return b >= 1e9 ? fmt(b / 1e9) + " GB" : b >= 1e6 ? fmt(b / 1e6) + " MB" : fmt(b / 1e3) + " kB";
    }

    static String flopsText(double f) {
        return f >= 1e12 ? fmt(f / 1e12) + " TFLOP" : fmt(f / 1e9) + " GFLOP";
    }

    static String seconds(double s) {
        return s >= 1 ? fmt(s) + " s" : fmt(s * 1e3) + " ms";
    }

    /** Four significant digits, no exponent. */
    static String fmt(double x) {
        double ax = Math.abs(x);
        if (ax >= 1000 || ax == 0) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        int decimals = Math.min(9, 3 - (int) Math.floor(Math.log10(ax)));
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }
}
