package org.llm4e.attention;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.llm4e.activations.SwiGluFeedForward;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * A sparse mixture of SwiGLU experts with a learned router: the FFN of Switch Transformer, Mixtral and the noisy
 * top-k layer of Shazeer et al., as an alternative FFN for {@link TransformerBlock}.
 *
 * <pre>
 *   y = Σ_{i=1..n} G(x)_i · E_i(x)                          (experts with G(x)_i = 0 are not computed)
 *   H(x)_i = (x·W_g)_i + StandardNormal() · Softplus((x·W_noise)_i)      (noisy gating; without noise H = x·W_g)
 *   KeepTopK(v, k)_i = v_i if v_i is among the top k of v, else −∞
 *
 *   SOFTMAX:  G = Softmax(H)                                (dense softmax gating, every expert runs)
 *   TOP_K:    G = Softmax(KeepTopK(H, k))                    (Shazeer / Mixtral: renormalised over the k chosen)
 *   SWITCH:   G_i = Softmax(H)_i for the k largest, else 0  (Switch Transformer, k = 1: scaled by the raw probability)
 *
 *   load balancing (Switch, external):  L_aux = α · n · Σ_i f_i · P_i
 *       f_i = share of the tokens whose first choice is expert i,  P_i = mean over tokens of Softmax(H)_i
 * </pre>
 *
 * <p>From 混合专家模型MoE详解节选.md (optimizers/activations catalog, part D). With k = 1 the renormalised form gives the
 * chosen expert weight 1.0, whereas Switch scales the expert's output by its router probability (the figure's 0.65 and
 * 0.8); both are here. <b>Not in the article's excerpt:</b> the load-balancing loss (the excerpt says "discussed later"
 * and the later part was cut); it is Switch Transformer's definition (Fedus et al. 2021, eq. 4), α ≈ 0.01. Capacity
 * factors and token dropping are not implemented: every token reaches its experts.
 *
 * <p>The noise {@code StandardNormal()} comes from a seeded {@link SplittableRandom} (Box–Muller), drawn in token then
 * expert order, so a run is reproducible; it is applied only while {@link #training()} is true, as in the paper. The
 * router weights use Mixtral's Hugging Face names ({@code gate.weight} {@code [numExperts, dModel]},
 * {@code experts.i.w1.weight} = gate_proj, {@code experts.i.w3.weight} = up_proj, {@code experts.i.w2.weight} =
 * down_proj); the noise projection is {@code noise.weight} {@code [numExperts, dModel]}.
 *
 * <p>Stateful and not thread-safe: {@link #forward(Tensor)} keeps what {@link #backward(Tensor)} needs; backward adds
 * into the gradients, including the router's gradient through the gates, the noise scale and (when α &gt; 0) the
 * auxiliary loss.
 */
public final class MixtureOfExperts {
    /** How the router turns its scores into expert weights. */
    public enum Gating {
        /** Dense softmax gating {@code G = Softmax(H)}: every expert runs, weighted. */
        SOFTMAX,
        /** Renormalised top-k, {@code G = Softmax(KeepTopK(H, k))} (Shazeer et al. 2017, Mixtral). */
        TOP_K,
        /** Top-k scaled by the raw router probabilities, not renormalised (Switch Transformer with k = 1). */
        SWITCH
    }

    /**
     * Which experts one token was sent to and with which weights.
     *
     * @param experts the chosen experts of every token, best first ({@code [tokens][k]}; all experts for SOFTMAX)
     * @param gates the weights {@code G(x)_i} of the chosen experts, in the same order
     * @param probabilities the router's full softmax {@code Softmax(H)} {@code [tokens][numExperts]}
     */
    public record Routing(int[][] experts, float[][] gates, float[][] probabilities) {}

    private final int dModel;
    private final int hiddenDim;
    private final int numExperts;
    private final int topK;
    private final Gating gating;
    private final boolean noisy;
    private final double auxLossCoefficient;
    private final Parameter router;
    private final Parameter noise;
    private final List<SwiGluFeedForward> experts = new ArrayList<>();
    private final List<Parameter> parameters;
    private final SplittableRandom random;
    private boolean training = true;

    // Saved by forward for backward.
    private float[] lastX;
    private int lastN = -1;
    private float[] lastH;
    private float[] lastNoiseEps;
    private float[] lastNoisePre;
    private Routing lastRouting;
    private int[][] tokensOf;
    private float[][] expertOut;
    private double lastAuxLoss;

    private MixtureOfExperts(Builder b) {
        this.dModel = b.dModel;
        this.hiddenDim = b.hiddenDim;
        this.numExperts = b.numExperts;
        this.gating = b.gating;
        this.topK = gating == Gating.SOFTMAX ? numExperts : b.topK;
        this.noisy = b.noisy;
        this.auxLossCoefficient = b.auxLossCoefficient;
        this.random = new SplittableRandom(b.noiseSeed);
        List<Parameter> ps = new ArrayList<>();
        this.router = Projections.initialParameter("gate.weight", b.seed, numExperts, dModel);
        ps.add(router);
        for (int i = 0; i < numExperts; i++) {
            long s = b.seed + 100L * (i + 1);
            SwiGluFeedForward e = new SwiGluFeedForward(
                    Projections.initialWeight(s, hiddenDim, dModel),
                    Projections.initialWeight(s + 1, dModel, hiddenDim),
                    Projections.initialWeight(s + 2, hiddenDim, dModel));
            experts.add(e);
            List<Parameter> w = e.parameters(); // w1, w2, w3
            ps.add(new Parameter(
                    "experts." + i + ".w1.weight", w.get(0).data(), w.get(0).grad()));
            ps.add(new Parameter(
                    "experts." + i + ".w2.weight", w.get(1).data(), w.get(1).grad()));
            ps.add(new Parameter(
                    "experts." + i + ".w3.weight", w.get(2).data(), w.get(2).grad()));
        }
        if (noisy) {
            // Zero init: the noise scale starts at Softplus(0) = ln 2 for every expert and is learned from there.
            this.noise = new Parameter("noise.weight", new float[numExperts * dModel]);
            ps.add(noise);
        } else {
            this.noise = null;
        }
        this.parameters = Collections.unmodifiableList(ps);
    }

    /**
     * A builder; {@code dModel}, {@code hiddenDim} and {@code numExperts} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link MixtureOfExperts}. */
    public static final class Builder {
        private int dModel = -1;
        private int hiddenDim = -1;
        private int numExperts = -1;
        private int topK = 2;
        private Gating gating = Gating.TOP_K;
        private boolean noisy;
        private long seed;
        private long noiseSeed;
        private double auxLossCoefficient;

        private Builder() {}

        /**
         * The model width.
         *
         * @param dModel ≥ 1
         * @return this builder
         */
        public Builder dModel(int dModel) {
            this.dModel = dModel;
            return this;
        }

        /**
         * The hidden width of each SwiGLU expert.
         *
         * @param hiddenDim ≥ 1
         * @return this builder
         */
        public Builder hiddenDim(int hiddenDim) {
            this.hiddenDim = hiddenDim;
            return this;
        }

        /**
         * The number of experts ({@code num_local_experts}).
         *
         * @param numExperts ≥ 1
         * @return this builder
         */
        public Builder numExperts(int numExperts) {
            this.numExperts = numExperts;
            return this;
        }

        /**
         * Experts per token ({@code num_experts_per_tok}, default 2; ignored by SOFTMAX, which uses all).
         *
         * @param topK in [1, numExperts]
         * @return this builder
         */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /**
         * The gating rule (default TOP_K).
         *
         * @param gating SOFTMAX, TOP_K or SWITCH
         * @return this builder
         */
        public Builder gating(Gating gating) {
            this.gating = gating;
            return this;
        }

        /**
         * Whether to add the learned Gaussian noise {@code StandardNormal()·Softplus(x·W_noise)} to the router scores
         * while training (default false).
         *
         * @param noisy the flag
         * @return this builder
         */
        public Builder noisy(boolean noisy) {
            this.noisy = noisy;
            return this;
        }

        /**
         * The seed of the initial weights (default 0).
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The seed of the gating noise (default 0).
         *
         * @param noiseSeed any value
         * @return this builder
         */
        public Builder noiseSeed(long noiseSeed) {
            this.noiseSeed = noiseSeed;
            return this;
        }

        /**
         * The weight α of the load-balancing loss added in backward (default 0: not added).
         *
         * @param alpha finite, ≥ 0 (Switch uses 0.01)
         * @return this builder
         */
        public Builder auxLossCoefficient(double alpha) {
            this.auxLossCoefficient = alpha;
            return this;
        }

        /**
         * Builds the layer with random weights.
         *
         * @return the layer
         * @throws IllegalArgumentException if a size is missing or out of range, naming it
         */
        public MixtureOfExperts build() {
            if (dModel < 1) {
                throw new IllegalArgumentException("dModel must be >= 1, got " + dModel);
            }
            if (hiddenDim < 1) {
                throw new IllegalArgumentException("hiddenDim must be >= 1, got " + hiddenDim);
            }
            if (numExperts < 1) {
                throw new IllegalArgumentException("numExperts must be >= 1, got " + numExperts);
            }
            if (gating == null) {
                throw new IllegalArgumentException("gating must be SOFTMAX, TOP_K or SWITCH, got null");
            }
            if (gating != Gating.SOFTMAX && (topK < 1 || topK > numExperts)) {
                throw new IllegalArgumentException("topK must be in [1, numExperts = " + numExperts + "], got " + topK);
            }
            if (!(auxLossCoefficient >= 0) || Double.isInfinite(auxLossCoefficient)) {
                throw new IllegalArgumentException(
                        "auxLossCoefficient must be finite and >= 0, got " + auxLossCoefficient);
            }
            return new MixtureOfExperts(this);
        }
    }

    /**
     * Every weight, router first, then the experts' w1, w2, w3 in expert order, then the noise projection if any.
     *
     * @return the live parameters, under Mixtral's names
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * The shape of a weight by name.
     *
     * @param name a name of {@link #parameters()}
     * @return its shape
     * @throws IllegalArgumentException if the name is unknown
     */
    public int[] shapeOf(String name) {
        if (name.equals("gate.weight") || (noisy && name.equals("noise.weight"))) {
            return new int[] {numExperts, dModel};
        }
        for (int i = 0; i < numExperts; i++) {
            String p = "experts." + i + ".";
            if (name.equals(p + "w1.weight") || name.equals(p + "w3.weight")) {
                return new int[] {hiddenDim, dModel};
            }
            if (name.equals(p + "w2.weight")) {
                return new int[] {dModel, hiddenDim};
            }
        }
        throw new IllegalArgumentException("unknown weight name " + name + "; expected gate.weight, experts.i.w1.weight"
                + ", experts.i.w2.weight or experts.i.w3.weight for i in [0, " + numExperts + ")"
                + (noisy ? " or noise.weight" : ""));
    }

    /**
     * Switches the gating noise on (training, the default) or off (evaluation: deterministic routing).
     *
     * @param training whether the noise is applied
     */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /**
     * Whether the gating noise is applied.
     *
     * @return the training flag
     */
    public boolean training() {
        return training;
    }

    /**
     * Routes tokens without running the experts (and without keeping state for backward). Draws noise if the layer
     * is noisy and training.
     *
     * @param x the tokens {@code [n, dModel]}
     * @return the routing
     * @throws IllegalArgumentException if x is not {@code [n, dModel]}
     */
    public Routing route(Tensor x) {
        check(x);
        return gate(scores(x.data(), x.dim(0), null, null), x.dim(0));
    }

    /**
     * The layer: routes every token and sums its experts' outputs weighted by the gates.
     *
     * @param x the tokens {@code [n, dModel]}
     * @return {@code [n, dModel]}
     * @throws IllegalArgumentException if x is not {@code [n, dModel]}
     */
    public Tensor forward(Tensor x) {
        check(x);
        int n = x.dim(0);
        float[] xs = x.data().clone();
        float[] eps = noisy && training ? new float[n * numExperts] : null;
        float[] pre = noisy && training ? new float[n * numExperts] : null;
        float[] h = scores(xs, n, eps, pre);
        Routing r = gate(h, n);
        // Gather the tokens of each expert, run it once on them, and scatter the weighted outputs back.
        int[] count = new int[numExperts];
        for (int[] row : r.experts()) {
            for (int e : row) {
                count[e]++;
            }
        }
        int[][] tokens = new int[numExperts][];
        for (int e = 0; e < numExperts; e++) {
            tokens[e] = new int[count[e]];
        }
        int[] fill = new int[numExperts];
        for (int t = 0; t < n; t++) {
            for (int e : r.experts()[t]) {
                tokens[e][fill[e]++] = t;
            }
        }
        Tensor y = Tensor.zeros(n, dModel);
        float[][] outs = new float[numExperts][];
        for (int e = 0; e < numExperts; e++) {
            int m = tokens[e].length;
            if (m == 0) {
                continue; // G(x)_e = 0 for every token: the expert is not computed
            }
            Tensor in = Tensor.zeros(m, dModel);
            for (int j = 0; j < m; j++) {
                System.arraycopy(xs, tokens[e][j] * dModel, in.data(), j * dModel, dModel);
            }
            outs[e] = experts.get(e).forward(in).data();
            for (int j = 0; j < m; j++) {
                int t = tokens[e][j];
                Kernels.axpy(gateOf(r, t, e), outs[e], j * dModel, y.data(), t * dModel, dModel);
            }
        }
        lastX = xs;
        lastN = n;
        lastH = h;
        lastNoiseEps = eps;
        lastNoisePre = pre;
        lastRouting = r;
        tokensOf = tokens;
        expertOut = outs;
        lastAuxLoss = auxLoss(r, n);
        return y;
    }

    /**
     * Backward of the last {@link #forward(Tensor)}: the experts' and the router's gradients (through the gate
     * values, the noise scale and the auxiliary loss when α &gt; 0) are added to {@link #parameters()}.
     *
     * @param dy the gradient of the output {@code [n, dModel]}
     * @return the gradient of the input {@code [n, dModel]}
     * @throws IllegalStateException if no forward preceded
     * @throws IllegalArgumentException if dy's shape differs from the output's
     */
    public Tensor backward(Tensor dy) {
        if (lastN < 0) {
            throw new IllegalStateException("backward needs a preceding forward");
        }
        int n = lastN;
        if (dy == null || dy.rank() != 2 || dy.dim(0) != n || dy.dim(1) != dModel) {
            throw new IllegalArgumentException("dy has shape " + (dy == null ? "null" : Arrays.toString(dy.shape()))
                    + " but the last output has shape [" + n + ", " + dModel + "]");
        }
        float[] g = dy.data();
        Tensor dx = Tensor.zeros(n, dModel);
        float[] dGate = new float[n * numExperts]; // dL/dG_te, non-zero for chosen experts only
        for (int e = 0; e < numExperts; e++) {
            int m = tokensOf[e].length;
            if (m == 0) {
                continue;
            }
            Tensor dE = Tensor.zeros(m, dModel);
            for (int j = 0; j < m; j++) {
                int t = tokensOf[e][j];
                dGate[t * numExperts + e] = Kernels.dot(g, t * dModel, expertOut[e], j * dModel, dModel);
                Kernels.axpy(gateOf(lastRouting, t, e), g, t * dModel, dE.data(), j * dModel, dModel);
            }
            float[] dxe = experts.get(e).backward(dE).data();
            for (int j = 0; j < m; j++) {
                Kernels.axpy(1f, dxe, j * dModel, dx.data(), tokensOf[e][j] * dModel, dModel);
            }
        }
        float[] dH = new float[n * numExperts];
        float[][] p = lastRouting.probabilities();
        double auxScale = auxLossCoefficient * numExperts / n;
        int[] first = firstChoiceCounts(lastRouting);
        for (int t = 0; t < n; t++) {
            int off = t * numExperts;
            if (gating == Gating.TOP_K) {
                // G = softmax over the chosen set S:  dH_j = G_j (dG_j − Σ_{l∈S} G_l dG_l) for j ∈ S, 0 elsewhere.
                int[] chosen = lastRouting.experts()[t];
                float[] gt = lastRouting.gates()[t];
                double s = 0;
                for (int i = 0; i < chosen.length; i++) {
                    s += gt[i] * dGate[off + chosen[i]];
                }
                for (int i = 0; i < chosen.length; i++) {
                    dH[off + chosen[i]] += (float) (gt[i] * (dGate[off + chosen[i]] - s));
                }
            } else {
                // G_j = p_j on the chosen set (SWITCH, SOFTMAX): dH = p ⊙ (dG − Σ p dG).
                softmaxBackward(p[t], dGate, off, dH);
            }
            if (auxLossCoefficient > 0) {
                // L_aux = α n Σ_i f_i P_i, P_i = (1/N) Σ_t p_ti  ⇒  dL/dp_ti = α n f_i / N (f is not differentiable).
                float[] dp = new float[numExperts];
                for (int e = 0; e < numExperts; e++) {
                    dp[e] = (float) (auxScale * first[e] / n);
                }
                softmaxBackward(p[t], dp, 0, dH, off);
            }
        }
        // H = X W_gᵀ (+ ε ⊙ softplus(X W_nᵀ)):  dW_g += dHᵀ X,  dX += dH W_g
        Kernels.sgemm(
                true,
                false,
                numExperts,
                dModel,
                n,
                1f,
                dH,
                0,
                numExperts,
                lastX,
                0,
                dModel,
                1f,
                router.grad(),
                0,
                dModel);
        Kernels.sgemm(
                false,
                false,
                n,
                dModel,
                numExperts,
                1f,
                dH,
                0,
                numExperts,
                router.data(),
                0,
                dModel,
                1f,
                dx.data(),
                0,
                dModel);
        if (lastNoiseEps != null) {
            float[] dPre = new float[n * numExperts];
            for (int i = 0; i < dPre.length; i++) {
                dPre[i] = (float) (dH[i] * lastNoiseEps[i] * sigmoid(lastNoisePre[i])); // softplus′ = σ
            }
            Kernels.sgemm(
                    true,
                    false,
                    numExperts,
                    dModel,
                    n,
                    1f,
                    dPre,
                    0,
                    numExperts,
                    lastX,
                    0,
                    dModel,
                    1f,
                    noise.grad(),
                    0,
                    dModel);
            Kernels.sgemm(
                    false,
                    false,
                    n,
                    dModel,
                    numExperts,
                    1f,
                    dPre,
                    0,
                    numExperts,
                    noise.data(),
                    0,
                    dModel,
                    1f,
                    dx.data(),
                    0,
                    dModel);
        }
        return dx;
    }

    private static void softmaxBackward(float[] p, float[] dG, int off, float[] dH) {
        softmaxBackward(p, dG, off, dH, off);
    }

    private static void softmaxBackward(float[] p, float[] dG, int gOff, float[] dH, int hOff) {
        double s = 0;
        for (int j = 0; j < p.length; j++) {
            s += p[j] * dG[gOff + j];
        }
        for (int j = 0; j < p.length; j++) {
            dH[hOff + j] += (float) (p[j] * (dG[gOff + j] - s));
        }
    }

    /**
     * The Switch load-balancing loss of the last forward pass, {@code α · n · Σ_i f_i · P_i} (reported even when
     * α = 0, then as {@code n · Σ f_i P_i}, which is 1 for perfectly balanced routing).
     *
     * @return the auxiliary loss (without α when α = 0)
     * @throws IllegalStateException if no forward preceded
     */
    public double auxLoss() {
        if (lastN < 0) {
            throw new IllegalStateException("auxLoss needs a preceding forward");
        }
        return lastAuxLoss;
    }

    /**
     * The routing of the last {@link #forward(Tensor)}.
     *
     * @return the routing, or null before the first forward
     */
    public Routing lastRouting() {
        return lastRouting;
    }

    private double auxLoss(Routing r, int n) {
        int[] first = firstChoiceCounts(r);
        double sum = 0;
        for (int e = 0; e < numExperts; e++) {
            double pe = 0;
            for (int t = 0; t < n; t++) {
                pe += r.probabilities()[t][e];
            }
            sum += ((double) first[e] / n) * (pe / n);
        }
        double alpha = auxLossCoefficient > 0 ? auxLossCoefficient : 1;
        return alpha * numExperts * sum;
    }

    private int[] firstChoiceCounts(Routing r) {
        int[] c = new int[numExperts];
        for (int[] row : r.experts()) {
            c[row[0]]++;
        }
        return c;
    }

    /** H = x W_gᵀ (+ ε ⊙ softplus(x W_nᵀ)); fills eps and the pre-softplus values when given. */
    private float[] scores(float[] x, int n, float[] eps, float[] pre) {
        float[] h = new float[n * numExperts];
        Kernels.sgemm(
                false, true, n, numExperts, dModel, 1f, x, 0, dModel, router.data(), 0, dModel, 0f, h, 0, numExperts);
        if (noisy && training) {
            float[] z = pre != null ? pre : new float[n * numExperts];
            Kernels.sgemm(
                    false,
                    true,
                    n,
                    numExperts,
                    dModel,
                    1f,
                    x,
                    0,
                    dModel,
                    noise.data(),
                    0,
                    dModel,
                    0f,
                    z,
                    0,
                    numExperts);
            for (int i = 0; i < h.length; i++) {
                float e = (float) standardNormal();
                if (eps != null) {
                    eps[i] = e;
                }
                h[i] += (float) (e * softplus(z[i]));
            }
        }
        return h;
    }

    private Routing gate(float[] h, int n) {
        int[][] chosen = new int[n][];
        float[][] gates = new float[n][];
        float[][] probs = new float[n][];
        for (int t = 0; t < n; t++) {
            int off = t * numExperts;
            probs[t] = softmax(h, off, numExperts, null);
            int[] top = topK(h, off, topK);
            chosen[t] = top;
            float[] gt = new float[topK];
            if (gating == Gating.TOP_K) {
                // Softmax(KeepTopK(H, k)): the −∞ slots get exactly 0, the survivors are renormalised.
                float[] sub = softmax(h, off, numExperts, top);
                for (int i = 0; i < topK; i++) {
                    gt[i] = sub[top[i]];
                }
            } else {
                for (int i = 0; i < topK; i++) {
                    gt[i] = probs[t][top[i]];
                }
            }
            gates[t] = gt;
        }
        return new Routing(chosen, gates, probs);
    }

    /** The indices of the k largest scores of a row, largest first; ties go to the lower index. */
    private int[] topK(float[] h, int off, int k) {
        int[] idx = new int[k];
        boolean[] used = new boolean[numExperts];
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int j = 0; j < numExperts; j++) {
                if (!used[j] && (best < 0 || h[off + j] > h[off + best])) {
                    best = j;
                }
            }
            used[best] = true;
            idx[i] = best;
        }
        return idx;
    }

    /** Softmax over a row; with {@code keep}, the other entries are −∞ (KeepTopK) and get exactly 0. */
    private static float[] softmax(float[] h, int off, int width, int[] keep) {
        float[] out = new float[width];
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            if (keep == null || contains(keep, j)) {
                m = Math.max(m, h[off + j]);
            }
        }
        double sum = 0;
        double[] e = new double[width];
        for (int j = 0; j < width; j++) {
            if (keep == null || contains(keep, j)) {
                e[j] = Math.exp(h[off + j] - m);
                sum += e[j];
            }
        }
        for (int j = 0; j < width; j++) {
            out[j] = (float) (e[j] / sum);
        }
        return out;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static float gateOf(Routing r, int t, int e) {
        int[] row = r.experts()[t];
        for (int i = 0; i < row.length; i++) {
            if (row[i] == e) {
                return r.gates()[t][i];
            }
        }
        return 0f;
    }

    private double standardNormal() {
        // Box–Muller from the seeded generator: identical on every JDK.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static double softplus(double x) {
        return x > 20 ? x : Math.log1p(Math.exp(x));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private void check(Tensor x) {
        if (x == null || x.rank() != 2 || x.dim(1) != dModel) {
            throw new IllegalArgumentException("x has shape " + (x == null ? "null" : Arrays.toString(x.shape()))
                    + " but the layer needs [n, " + dModel + "]");
        }
    }

    /**
     * Multiply-accumulates per token of the forward pass: the router plus k experts of {@code 3·dModel·hiddenDim}.
     *
     * @return the MACs per token
     */
    public double activeMacsPerToken() {
        return (double) numExperts * dModel + (double) topK * 3 * dModel * hiddenDim;
    }

    /**
     * The model width.
     *
     * @return dModel
     */
    public int dModel() {
        return dModel;
    }

    /**
     * The hidden width of each expert.
     *
     * @return hiddenDim
     */
    public int hiddenDim() {
        return hiddenDim;
    }

    /**
     * The number of experts.
     *
     * @return numExperts
     */
    public int numExperts() {
        return numExperts;
    }

    /**
     * The experts per token (numExperts for SOFTMAX).
     *
     * @return k
     */
    public int topK() {
        return topK;
    }

    /**
     * The gating rule.
     *
     * @return SOFTMAX, TOP_K or SWITCH
     */
    public Gating gating() {
        return gating;
    }
}
