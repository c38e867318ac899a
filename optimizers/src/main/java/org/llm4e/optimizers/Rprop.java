package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * Resilient backpropagation (Riedmiller &amp; Braun, 1993), the Rprop⁻ variant; matches {@code torch.optim.Rprop} ≥ 2.0.
 *
 * <p>Article {@code 神经网络的优化器（五）Rprop.md} (as written, <b>garbled</b>): the step changes additively,
 * Δ = min(Δmax, η + Δ) on equal signs and Δ = max(Δmin, η − Δ) on a sign change or a zero gradient, which can go
 * negative. The standard rule, and torch's, is multiplicative:
 *
 * <pre>
 * s = sign(gₜ·gₜ₋₁)
 * s &gt; 0:  Δ ← min(Δ·η⁺, Δmax)
 * s &lt; 0:  Δ ← max(Δ·η⁻, Δmin),  and gₜ := 0 (no move this step; stored as the previous gradient)
 * s = 0:  Δ unchanged
 * θ ← θ − sign(gₜ)·Δ                              (Δ starts at lr; g₀ = 0)
 * </pre>
 *
 * <p>Only the sign of the gradient matters: scaling every gradient by c &gt; 0 gives the same trajectory (exactly, for
 * powers of two). There is no weight decay, as in torch.
 *
 * <p>Defaults (torch): lr 1e-2, etas (0.5, 1.2), step_sizes (1e-6, 50), maximize false. The state holds {@code step},
 * {@code prev} and {@code step_size}.
 *
 * <p>Speed: the sign tests are vector masks and the three cases blends, so the whole step is vectorised, 20 bytes per
 * parameter. Stateful and not thread-safe.
 */
public final class Rprop extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("Rprop")
            .lr(1e-2)
            .pair(
                    "etas",
                    0.5,
                    1.2,
                    v -> v > 0 && v < 1 ? null : "must be in (0, 1)",
                    v -> v > 1 && v < Double.POSITIVE_INFINITY ? null : "must be a finite number > 1")
            .pair("step_sizes", 1e-6, 50, HyperSpec::nonNegative, HyperSpec::nonNegative)
            .maximize()
            .crossCheck(v -> {
                double[] sizes = (double[]) v.get("step_sizes");
                if (sizes[1] < sizes[0]) {
                    throw new IllegalArgumentException(
                            "Rprop: step_sizes[1] must be >= step_sizes[0] = " + sizes[0] + ", got " + sizes[1]);
                }
            });

    Rprop(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("prev", "step_size");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        float[] prev = s.buffer("prev", n);
        float[] stepSize = s.buffer("step_size");
        if (stepSize == null) {
            stepSize = s.buffer("step_size", n);
            java.util.Arrays.fill(stepSize, (float) g.number("lr"));
        }
        float[] size = stepSize;
        double[] etas = g.pair("etas");
        double[] bounds = g.pair("step_sizes");
        float etaMinus = (float) etas[0];
        float etaPlus = (float) etas[1];
        float min = (float) bounds[0];
        float max = (float) bounds[1];
        boolean negate = g.flag("maximize");
        float[] w = p.data();
        float[] grad = p.grad();
        chunks(n, (lo, hi) -> kernels.rprop(w, grad, prev, size, lo, hi, negate, etaMinus, etaPlus, min, max));
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
    public static final class Builder extends OptimizerBuilder<Builder, Rprop> {
        private Builder() {
            super(SPEC);
        }

        @Override
        Rprop create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new Rprop(values, groups, kernels);
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
         * Step-size factors (η⁻, η⁺) ({@code etas}, default (0.5, 1.2)).
         *
         * @param etaMinus in (0, 1)
         * @param etaPlus &gt; 1
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder etas(double etaMinus, double etaPlus) {
            return set("etas", new double[] {etaMinus, etaPlus});
        }

        /**
         * Bounds of the step sizes ({@code step_sizes}, default (1e-6, 50)).
         *
         * @param min ≥ 0
         * @param max ≥ min
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder stepSizes(double min, double max) {
            return set("step_sizes", new double[] {min, max});
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
