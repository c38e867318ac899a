package org.llm4e.tour;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llm4e.attention.CrossEntropy;
import org.llm4e.attention.DecoderStack;
import org.llm4e.attention.MixtureOfExperts;
import org.llm4e.attention.Perplexity;
import org.llm4e.attention.TransformerBlock;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.optimizers.AdamW;
import org.llm4e.optimizers.GradClipping;
import org.llm4e.optimizers.WarmupCosineLR;

/**
 * Chapter {@code transformer}: the modules composed into a tiny Llama — token embedding, two
 * {@link TransformerBlock}s (RMSNorm, GQA attention with RoPE, SwiGLU), final RMSNorm and output head, a
 * {@link DecoderStack} — trained from scratch by the {@code optimizers} module's {@link AdamW} with a
 * {@link WarmupCosineLR} schedule and {@link GradClipping} to copy a sequence; then the same stack with a
 * {@link MixtureOfExperts} in place of each FFN, showing how its router spreads the tokens over the experts.
 *
 * <pre>
 *   task:  s₀ s₁ s₂ s₃ s₄ SEP s₀ s₁ s₂ s₃     after SEP predict s₀ … s₄ (10 symbols: chance = ln 10 = 2.303 nats)
 *   loss = mean −log softmax(logits)[target]   (CrossEntropy, positions before SEP ignored)    perplexity = e^loss
 *   MoE:   y = Σ_{i ∈ top-2} G(x)ᵢ·Eᵢ(x),  G = Softmax(KeepTopK(x·W_g, 2));  L_aux = α·n·Σᵢ fᵢ·Pᵢ (Switch, α = 0.01)
 * </pre>
 *
 * <p>Every number is computed by the library: the forward and backward passes of {@link DecoderStack}, the loss of
 * {@link CrossEntropy}, the routing of {@link MixtureOfExperts#lastRouting()} and its load-balancing loss. The run is
 * deterministic from the seed (up to the last digits of float32 sums); the time depends on the machine.
 */
public final class TransformerChapter implements Chapter {
    static final int SYMBOLS = 10;
    static final int SEP = SYMBOLS;
    static final int L = 5;
    static final int BATCH = 16;
    static final int EXPERTS = 4;
    static final long SEED = 42;

    private final int steps;
    private final int moeSteps;

    /** The chapter with 120 training steps for the dense stack and 60 for the mixture of experts. */
    public TransformerChapter() {
        this(120, 60);
    }

    /**
     * The chapter with other step counts (tests use fewer).
     *
     * @param steps training steps of the dense stack, ≥ 10
     * @param moeSteps training steps of the mixture-of-experts stack, ≥ 10
     */
    public TransformerChapter(int steps, int moeSteps) {
        if (steps < 10 || moeSteps < 10) {
            throw new IllegalArgumentException(
                    "step counts must be >= 10, got steps=" + steps + ", moeSteps=" + moeSteps);
        }
        this.steps = steps;
        this.moeSteps = moeSteps;
    }

    @Override
    public String name() {
        return "transformer";
    }

    @Override
    public String description() {
        return "a tiny Llama (2 blocks) trained by AdamW to copy a sequence, its loss curve, and MoE routing";
    }

    @Override
    public void run(TourContext context) throws Exception {
        var out = context.out();
        out.printf(
                Locale.ROOT,
                "Task: %d random symbols, SEP, then the symbols again; loss scored after SEP only (chance: ln %d ="
                        + " %.4f nats)%n",
                L,
                SYMBOLS,
                Math.log(SYMBOLS));
        DecoderStack dense = stack(SEED, false);
        out.printf(
                Locale.ROOT,
                "Dense stack: 2 blocks, dModel 32, 4 query / 2 kv heads, SwiGLU 64, vocabulary %d: %,d parameters%n",
                SYMBOLS + 1,
                count(dense.parameters()));
        Run run;
        try (Progress progress = context.progress("train dense", steps)) {
            run = train(dense, steps, progress);
        }
        out.print(run.table().render());
        out.printf(
                Locale.ROOT,
                "after %d steps (%.1f s): held-out loss %.4f (perplexity %.3f), accuracy %.1f%% — from %.4f"
                        + " (perplexity %.3f) untrained%n",
                steps,
                run.seconds(),
                run.finalLoss(),
                Perplexity.ofLoss(run.finalLoss()),
                100 * run.finalAccuracy(),
                run.initialLoss(),
                Perplexity.ofLoss(run.initialLoss()));
        out.print(sampleTable(dense, run.heldOut()).render());
        out.println("wrote " + context.saveChart(lossChart(run), "transformer-loss"));

        out.println();
        DecoderStack moe = stack(SEED, true);
        int[][][] probe = batch(new SplittableRandom(SEED + 99), 64);
        Load before = load(moe, probe[0]);
        out.printf(
                Locale.ROOT,
                "MoE stack: each FFN replaced by %d SwiGLU experts (hidden 32), top-2 renormalised gating, Switch"
                        + " load-balancing loss α = 0.01: %,d parameters%n",
                EXPERTS,
                count(moe.parameters()));
        Run moeRun;
        try (Progress progress = context.progress("train MoE", moeSteps)) {
            moeRun = train(moe, moeSteps, progress);
        }
        Load after = load(moe, probe[0]);
        out.printf(
                Locale.ROOT,
                "after %d steps (%.1f s): held-out loss %.4f, accuracy %.1f%% (from %.4f)%n",
                moeSteps,
                moeRun.seconds(),
                moeRun.finalLoss(),
                100 * moeRun.finalAccuracy(),
                moeRun.initialLoss());
        out.println("Expert load on 64 held-out sequences (share of first choices; balanced = 25%), aux loss"
                + " n·Σ fᵢPᵢ (1 = balanced):");
        out.print(loadTable(before, after).render());
        out.println("Routing of one held-out sequence through block 0's router (trained):");
        out.print(routingTable(moe, probe[0][0]).render());
        out.println("wrote " + context.saveChart(loadChart(before, after), "transformer-moe-load"));
        out.flush();
    }

    // ---------------------------------------------------------------- the model and the data

    /** The tiny stack: two blocks of width 32, dense SwiGLU or a mixture of 4 experts. */
    static DecoderStack stack(long seed, boolean moe) {
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TransformerBlock.Builder b = TransformerBlock.builder()
                    .dModel(32)
                    .numHeads(4)
                    .numKvHeads(2)
                    .hiddenDim(64)
                    .rmsNormEps(1e-5)
                    .seed(seed + 1000L * i);
            if (moe) {
                b.moe(MixtureOfExperts.builder()
                        .dModel(32)
                        .hiddenDim(32)
                        .numExperts(EXPERTS)
                        .topK(2)
                        .gating(MixtureOfExperts.Gating.TOP_K)
                        .auxLossCoefficient(0.01)
                        .seed(seed + 1000L * i + 500)
                        .build());
            }
            blocks.add(b.build());
        }
        return new DecoderStack(SYMBOLS + 1, blocks, seed + 7);
    }

    /** A batch of copy sequences and their targets ({@link CrossEntropy#IGNORE_INDEX} before SEP). */
    static int[][][] batch(SplittableRandom rnd, int size) {
        int[][] x = new int[size][2 * L];
        int[][] y = new int[size][2 * L];
        for (int b = 0; b < size; b++) {
            int[] s = new int[L];
            for (int i = 0; i < L; i++) {
                s[i] = rnd.nextInt(SYMBOLS);
            }
            for (int t = 0; t < 2 * L; t++) {
                x[b][t] = t < L ? s[t] : t == L ? SEP : s[t - L - 1];
                y[b][t] = t < L ? CrossEntropy.IGNORE_INDEX : s[t - L];
            }
        }
        return new int[][][] {x, y};
    }

    static int[] flat(int[][] y) {
        int[] f = new int[y.length * y[0].length];
        for (int b = 0; b < y.length; b++) {
            System.arraycopy(y[b], 0, f, b * y[0].length, y[0].length);
        }
        return f;
    }

    private static long count(List<Parameter> ps) {
        long n = 0;
        for (Parameter p : ps) {
            n += p.data().length;
        }
        return n;
    }

    // ---------------------------------------------------------------- training

    /** A training run: per-step loss and lr, held-out checkpoints. */
    record Run(
            double[] trainLoss,
            double[] lr,
            List<double[]> checkpoints,
            int[][][] heldOut,
            double initialLoss,
            double finalLoss,
            double finalAccuracy,
            double seconds) {
        TextTable table() {
            TextTable t = new TextTable("step", "lr", "train loss", "held-out loss", "held-out accuracy");
            for (double[] c : checkpoints) {
                t.row(
                        (int) c[0],
                        String.format(Locale.ROOT, "%.5f", c[1]),
                        c[0] == 0 ? "-" : String.format(Locale.ROOT, "%.4f", c[2]),
                        String.format(Locale.ROOT, "%.4f", c[3]),
                        String.format(Locale.ROOT, "%.1f%%", 100 * c[4]));
            }
            return t;
        }
    }

    /**
     * Trains with AdamW (lr 10⁻², betas 0.9/0.98, weight decay 0.01), warmup over the first tenth then cosine to a
     * tenth of the lr, gradients clipped to norm 1.
     */
    static Run train(DecoderStack model, int steps, Progress progress) {
        long start = System.nanoTime();
        List<Parameter> params = model.parameters();
        AdamW opt = AdamW.builder().lr(1e-2).betas(0.9, 0.98).weightDecay(0.01).build(params);
        WarmupCosineLR schedule = new WarmupCosineLR(opt, Math.max(1, steps / 10), steps, 0.1);
        SplittableRandom data = new SplittableRandom(SEED);
        int[][][] heldOut = batch(new SplittableRandom(SEED ^ 0x5DEECE66DL), 64);
        double[] trainLoss = new double[steps];
        double[] lr = new double[steps];
        List<double[]> checkpoints = new ArrayList<>();
        double[] initial = evaluate(model, heldOut);
        checkpoints.add(new double[] {0, opt.lr(), Double.NaN, initial[0], initial[1]});
        int every = Math.max(1, steps / 6);
        for (int step = 0; step < steps; step++) {
            int[][][] xy = batch(data, BATCH);
            opt.zeroGrad();
            Tensor logits = model.forward(xy[0], 0);
            CrossEntropy.Result r = CrossEntropy.compute(logits, flat(xy[1]));
            model.backward(r.dLogits());
            GradClipping.clipGradNorm(params, 1.0);
            lr[step] = opt.lr();
            opt.step();
            schedule.step();
            trainLoss[step] = r.loss();
            if ((step + 1) % every == 0 || step == steps - 1) {
                double[] e = evaluate(model, heldOut);
                checkpoints.add(new double[] {step + 1, lr[step], r.loss(), e[0], e[1]});
            }
            progress.show(String.format(Locale.ROOT, "loss %.3f", r.loss()));
            progress.step();
        }
        double[] last = checkpoints.get(checkpoints.size() - 1);
        return new Run(
                trainLoss, lr, checkpoints, heldOut, initial[0], last[3], last[4], (System.nanoTime() - start) / 1e9);
    }

    /** {held-out loss, accuracy over the scored positions}. */
    static double[] evaluate(DecoderStack model, int[][][] xy) {
        Tensor logits = model.forward(xy[0], 0);
        int[] targets = flat(xy[1]);
        double loss = CrossEntropy.loss(logits, targets);
        int[] pred = argmax(logits);
        int correct = 0;
        int scored = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != CrossEntropy.IGNORE_INDEX) {
                correct += pred[i] == targets[i] ? 1 : 0;
                scored++;
            }
        }
        return new double[] {loss, (double) correct / scored};
    }

    /** The most likely token at every position of {@code [rows, vocab]} logits. */
    static int[] argmax(Tensor logits) {
        int vocab = logits.dim(logits.rank() - 1);
        int rows = logits.size() / vocab;
        int[] best = new int[rows];
        float[] d = logits.data();
        for (int r = 0; r < rows; r++) {
            for (int j = 1; j < vocab; j++) {
                if (d[r * vocab + j] > d[r * vocab + best[r]]) {
                    best[r] = j;
                }
            }
        }
        return best;
    }

    /** Three held-out sequences, what the trained model predicts after SEP and whether it copied them. */
    static TextTable sampleTable(DecoderStack model, int[][][] heldOut) {
        TextTable t = new TextTable("input", "target after SEP", "predicted", "copied");
        int[][] x = {heldOut[0][0], heldOut[0][1], heldOut[0][2]};
        int[] pred = argmax(model.forward(x, 0));
        for (int b = 0; b < x.length; b++) {
            StringBuilder in = new StringBuilder();
            StringBuilder target = new StringBuilder();
            StringBuilder got = new StringBuilder();
            boolean ok = true;
            for (int p = 0; p < 2 * L; p++) {
                in.append(p == 0 ? "" : " ").append(x[b][p] == SEP ? "SEP" : String.valueOf(x[b][p]));
                if (p >= L) {
                    int want = heldOut[1][b][p];
                    int have = pred[b * 2 * L + p];
                    target.append(p == L ? "" : " ").append(want);
                    got.append(p == L ? "" : " ").append(have == SEP ? "SEP" : String.valueOf(have));
                    ok &= want == have;
                }
            }
            t.row(in, target, got, ok ? "yes" : "no");
        }
        return t;
    }

    private static XYChart lossChart(Run run) {
        XYChart c = Charts.xy(
                "Tiny Llama learning to copy: cross-entropy after SEP (AdamW, warmup + cosine, clipping)",
                "step",
                "loss (nats)");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        int n = run.trainLoss().length;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        Charts.line(c, "training batch (16 sequences)", x, run.trainLoss());
        double[] cx = run.checkpoints().stream().mapToDouble(e -> e[0]).toArray();
        double[] cy = run.checkpoints().stream().mapToDouble(e -> e[3]).toArray();
        XYSeries held = c.addSeries("held-out (64 sequences)", cx, cy);
        held.setMarker(SeriesMarkers.CIRCLE);
        Charts.dashed(c, "chance: ln 10", new double[] {0, n}, new double[] {Math.log(SYMBOLS), Math.log(SYMBOLS)})
                .setLineColor(Color.GRAY);
        // the learning rate, scaled onto the loss axis so both fit one chart
        double top = Math.log(SYMBOLS);
        double maxLr = 0;
        for (double v : run.lr()) {
            maxLr = Math.max(maxLr, v);
        }
        double s = top / maxLr;
        Charts.dashed(c, String.format(Locale.ROOT, "learning rate (× %.0f)", s), x, Charts.map(run.lr(), v -> v * s));
        return c;
    }

    // ---------------------------------------------------------------- MoE routing

    /** Per block: share of first choices per expert, and the Switch balance n·Σ fᵢPᵢ. */
    record Load(double[][] share, double[] balance) {}

    static Load load(DecoderStack model, int[][] tokens) {
        model.forward(tokens, 0);
        List<TransformerBlock> blocks = model.blocks();
        double[][] share = new double[blocks.size()][EXPERTS];
        double[] balance = new double[blocks.size()];
        for (int b = 0; b < blocks.size(); b++) {
            MixtureOfExperts moe = blocks.get(b).moe();
            MixtureOfExperts.Routing r = moe.lastRouting();
            for (int[] e : r.experts()) {
                share[b][e[0]] += 1.0 / r.experts().length;
            }
            balance[b] = moe.auxLoss() / 0.01;
        }
        return new Load(share, balance);
    }

    static TextTable loadTable(Load before, Load after) {
        String[] header = new String[EXPERTS + 3];
        header[0] = "block";
        header[1] = "router";
        for (int e = 0; e < EXPERTS; e++) {
            header[2 + e] = "expert " + e;
        }
        header[EXPERTS + 2] = "n·Σ fᵢPᵢ";
        TextTable t = new TextTable(header);
        for (int b = 0; b < before.share().length; b++) {
            for (Load l : List.of(before, after)) {
                Object[] row = new Object[EXPERTS + 3];
                row[0] = b;
                row[1] = l == before ? "untrained" : "trained";
                for (int e = 0; e < EXPERTS; e++) {
                    row[2 + e] = String.format(Locale.ROOT, "%.1f%%", 100 * l.share()[b][e]);
                }
                row[EXPERTS + 2] = String.format(Locale.ROOT, "%.4f", l.balance()[b]);
                t.row(row);
            }
        }
        return t;
    }

    /** One sequence's tokens at block 0: the two experts, their renormalised gates, and the router's softmax. */
    static TextTable routingTable(DecoderStack model, int[] sequence) {
        model.forward(new int[][] {sequence}, 0);
        MixtureOfExperts.Routing r = model.blocks().get(0).moe().lastRouting();
        TextTable t = new TextTable(
                "pos", "token", "top-2 experts", "gates (sum 1)", "router softmax P", "Switch top-1 (raw P)");
        for (int p = 0; p < sequence.length; p++) {
            int[] e = r.experts()[p];
            float[] g = r.gates()[p];
            float[] prob = r.probabilities()[p];
            StringBuilder ps = new StringBuilder();
            for (int i = 0; i < prob.length; i++) {
                ps.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", prob[i]));
            }
            t.row(
                    p,
                    sequence[p] == SEP ? "SEP" : String.valueOf(sequence[p]),
                    e[0] + ", " + e[1],
                    String.format(Locale.ROOT, "%.3f, %.3f", g[0], g[1]),
                    ps,
                    String.format(Locale.ROOT, "expert %d × %.3f", e[0], prob[e[0]]));
        }
        return t;
    }

    private static CategoryChart loadChart(Load before, Load after) {
        CategoryChart c = new CategoryChartBuilder()
                .width(1000)
                .height(600)
                .title("MoE expert load: share of tokens whose first choice is each expert (64 held-out sequences)")
                .xAxisTitle("block · expert")
                .yAxisTitle("% of tokens")
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        List<String> x = new ArrayList<>();
        List<Double> b0 = new ArrayList<>();
        List<Double> b1 = new ArrayList<>();
        List<Double> even = new ArrayList<>();
        for (int b = 0; b < before.share().length; b++) {
            for (int e = 0; e < EXPERTS; e++) {
                x.add("block " + b + " · expert " + e);
                b0.add(100 * before.share()[b][e]);
                b1.add(100 * after.share()[b][e]);
                even.add(100.0 / EXPERTS);
            }
        }
        c.addSeries("untrained router", x, b0);
        c.addSeries("trained router", x, b1);
        c.addSeries("balanced", x, even);
        c.getStyler().setXAxisLabelRotation(30);
        return c;
    }
}
