package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * AdaGrad (Duchi, Hazan &amp; Singer, 2011); matches {@code torch.optim.Adagrad} ≥ 2.0.
 *
 * <p>Article {@code 神经网络的优化器（六）AdaGrad.md}:
 *
 * <pre>
 * G ← G + g²
 * θ ← θ − η·g / (√G + ε)
 * </pre>
 *
 * <p>torch is the same with ε outside the root, plus {@code lr_decay} (clrₜ = lr / (1 + (t − 1)·lr_decay)),
 * {@code initial_accumulator_value} (G₀), {@code weight_decay} (g ← g + λθ) and {@code maximize}. The accumulated
 * sum only grows, so the effective step shrinks monotonically (≈ η/√t under a constant gradient): the weakness
 * RMSprop and AdaDelta fix. The article's default ε is 1e-8; torch's is 1e-10.
 *
 * <p>Defaults (torch): lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10, maximize false.
 * <p>Speed: one vectorised pass over memory (20 bytes per parameter), split over the library pool for large
 * parameters. Stateful and not thread-safe.
 */
public final class Adagrad extends BaseOptimizer {
    static final HyperSpec SPEC = new HyperSpec("Adagrad")
            .lr(1e-2)
            .number("lr_decay", 0, HyperSpec::nonNegative)
            .weightDecay(0)
            .number("initial_accumulator_value", 0, HyperSpec::nonNegative)
            .eps(1e-10)
            .maximize();

    Adagrad(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
        super(SPEC, values, groups, kernels);
    }

    @Override
    Set<String> bufferNames() {
        return Set.of("sum");
    }

    @Override
    void update(Parameter p, ParamState s, ParamGroup g) {
        int n = p.size();
        float[] sum = s.buffer("sum");
        if (sum == null) {
            sum = s.buffer("sum", n);
            java.util.Arrays.fill(sum, (float) g.number("initial_accumulator_value"));
        }
        float[] acc = sum;
        double clr = g.number("lr") / (1 + (s.step - 1) * g.number("lr_decay"));
        float negClr = (float) -clr;
        float l2 = (float) g.number("weight_decay");
        float eps = (float) g.number("eps");
        boolean negate = g.flag("maximize");
        float[] w = p.data();
        float[] grad = p.grad();
        chunks(n, (lo, hi) -> kernels.adagrad(w, grad, acc, lo, hi, l2, negate, eps, negClr));
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
    public static final class Builder extends OptimizerBuilder<Builder, Adagrad> {
        private Builder() {
            super(SPEC);
        }

        @Override
        Adagrad create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels) {
            return new Adagrad(values, groups, kernels);
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
         * Learning-rate decay: clr = lr / (1 + (t − 1)·lr_decay) ({@code lr_decay}, default 0).
         *
         * @param lrDecay finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder lrDecay(double lrDecay) {
            return set("lr_decay", lrDecay);
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
         * Starting value of the sum of squared gradients ({@code initial_accumulator_value}, default 0).
         *
         * @param initialAccumulatorValue finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder initialAccumulatorValue(double initialAccumulatorValue) {
            return set("initial_accumulator_value", initialAccumulatorValue);
        }

        /**
         * Term added for numerical stability ({@code eps}, default 1e-10).
         *
         * @param eps finite, ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder eps(double eps) {
            return set("eps", eps);
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
