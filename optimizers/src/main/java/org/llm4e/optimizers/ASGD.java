package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * Averaged SGD; matches {@code torch.optim.ASGD} ≥ 2.0 (single-tensor path, after pytorch/pytorch#125440 fixed the
 * foreach path's η). The averaged iterate is {@link #averaged(Parameter)}.
 *
 * <p>Article {@code 神经网络的优化器（四）ASGD.md} describes a different algorithm, a step along the running mean of
 * the <em>gradients</em>:
 *
 * <pre>
 * θₜ₊₁ = θₜ − η·(1/(t+1))·Σᵢ₌₁ᵗ gᵢ          (article; t terms divided by t + 1, as written)
 * </pre>
 *
 * <p>torch (Polyak–Ruppert averaging of the <em>iterates</em>, which is what the article's closing remark "return the
 * average of the parameters" refers to):
 *
 * <pre>
 * g ← g + wd·θ
 * θ ← θ·(1 − λ·ηₜ₋₁) − ηₜ₋₁·g               (η₀ = lr)
 * ax ← ax + μₜ₋₁·(θ − ax)   (ax = θ while μ = 1)
 * ηₜ = lr / (1 + λ·lr·t)^α,   μₜ = 1 / max(1, t − t0)
 * </pre>
 *
 * <p>The parameter itself follows SGD with a slowly decaying step and a tiny decay λ; averaging starts after t0 steps
 * (default 1e6, i.e. never in short runs). The article's form is not implemented; its numbers appear in the article
 * test, computed from its formula, next to torch's.
 *
 * <p>Defaults (torch): lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, weight_decay 0, maximize false. The state holds
 * {@code step}, {@code eta}, {@code mu} and {@code ax}. Stateful and not thread-safe.
 */
public final class ASGD extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("ASGD")
            .lr(1e-2)
            .number("lambd", 1e-4, HyperSpec::nonNegative)
            .number("alpha", 0.75, HyperSpec::finite)
            .number("t0", 1e6, HyperSpec::nonNegative)
            .weightDecay(0)
            .maximize();

    ASGD(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("ax");
    }

    @Override
    Set<String> scalarNames() {
        return Set.of("eta", "mu");
    }

    /**
     * The averaged parameters {@code ax} (torch's {@code state['ax']}): equal to the parameters until step t0, their
     * running mean afterwards.
     *
     * @param p a parameter of this optimizer
     * @return a copy of its average; a copy of its current values before the first step
     * @throws IllegalArgumentException if {@code p} is not optimized by this optimizer
     */
    public float[] averaged(Parameter p) {
        checkOwned(p);
        ParamState s = stateOf(p);
        return s == null || s.buffer("ax") == null
                ? p.data().clone()
                : s.buffer("ax").clone();
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        double lr = g.number("lr");
        double lambd = g.number("lambd");
        float[] ax = s.buffer("ax", n);
        double eta = s.scalars.computeIfAbsent("eta", k -> lr);
        double mu = s.scalars.computeIfAbsent("mu", k -> 1.0);
        float l2 = (float) g.number("weight_decay");
        boolean negate = g.flag("maximize");
        float decay = (float) (1 - lambd * eta);
        float negEta = (float) -eta;
        boolean average = mu != 1;
        float muF = (float) mu;
        float[] w = p.data();
        float[] grad = p.grad();
        chunks(n, (lo, hi) -> kernels.asgd(w, grad, ax, lo, hi, l2, negate, decay, negEta, average, muF));
        double t = s.step;
        s.scalars.put("eta", lr / Math.pow(1 + lambd * lr * t, g.number("alpha")));
        s.scalars.put("mu", 1 / Math.max(1, t - g.number("t0")));
    }

    /**
     * A builder with torch's defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Typed builder; each setter takes torch's keyword argument of the same meaning. */
    public static final class Builder extends OptimizerBuilder<Builder, ASGD> {
        private Builder() {
            super(SPEC);
        }

        @Override
        ASGD create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new ASGD(values, groups, kernels);
        }

        /**
         * Learning rate ({@code lr}, default 1e-2).
         *
         * @param lr finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lr(double lr) {
            return set("lr", lr);
        }

        /**
         * Decay term λ ({@code lambd}, default 1e-4).
         *
         * @param lambd finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lambd(double lambd) {
            return set("lambd", lambd);
        }

        /**
         * Power of the η schedule ({@code alpha}, default 0.75).
         *
         * @param alpha finite
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder alpha(double alpha) {
            return set("alpha", alpha);
        }

        /**
         * Step after which averaging starts ({@code t0}, default 1e6).
         *
         * @param t0 finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder t0(double t0) {
            return set("t0", t0);
        }

        /**
         * Weight decay (L2 penalty added to the gradient) ({@code weight_decay}, default 0).
         *
         * @param weightDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        /**
         * Maximize the objective instead of minimizing it ({@code maximize}, default false).
         *
         * @param maximize whether to ascend the gradient
         * @return this builder
         */
        public Builder maximize(boolean maximize) {
            return set("maximize", maximize);
        }
    }
}
