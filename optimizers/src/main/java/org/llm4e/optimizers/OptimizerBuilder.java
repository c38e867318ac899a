package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * The part every typed builder shares: the values (torch's defaults until a setter changes them, each change checked
 * by the optimizer's {@link HyperSpec}), the {@code maximize} setter that every optimizer takes, and the two build
 * methods.
 *
 * @param <B> the concrete builder
 * @param <O> the optimizer it builds
 */
abstract class OptimizerBuilder<B extends OptimizerBuilder<B, O>, O extends Optimizer> {
    final HyperSpec spec;
    final Map<String, Object> values;
    UpdateKernels kernels = UpdateKernels.INSTANCE;

    OptimizerBuilder(HyperSpec spec) {
        this.spec = spec;
        this.values = spec.defaults();
    }

    abstract O create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels);

    @SuppressWarnings("unchecked")
    final B set(String key, Object value) {
        java.util.LinkedHashMap<String, Object> one = new java.util.LinkedHashMap<>();
        one.put(key, value);
        Map<String, Object> resolved = spec.resolveUnchecked(one, values);
        values.clear();
        values.putAll(resolved);
        return (B) this;
    }

    /**
     * Maximize the objective instead of minimizing it ({@code maximize}, default false).
     *
     * @param maximize whether to ascend the gradient
     * @return this builder
     */
    public B maximize(boolean maximize) {
        return set("maximize", maximize);
    }

    @SuppressWarnings("unchecked")
    final B kernels(UpdateKernels kernels) {
        this.kernels = kernels;
        return (B) this;
    }

    /**
     * Builds the optimizer over one parameter group.
     *
     * @param params the parameters, non-empty, no duplicates
     * @return the optimizer
     * @throws IllegalArgumentException if {@code params} is null, empty, holds null or a duplicate, or the values
     *     set on this builder are inconsistent (e.g. Nesterov without momentum)
     */
    public O build(List<Parameter> params) {
        return buildGroups(List.of(ParamGroup.of(params)));
    }

    /**
     * Builds the optimizer over several parameter groups; each group's overrides take precedence over this builder's
     * values for that group (torch's per-group dictionaries).
     *
     * @param groups group requests made with {@link ParamGroup#of(List, Map)}
     * @return the optimizer
     * @throws IllegalArgumentException if a group's override is unknown or out of range, or a parameter appears twice
     */
    public O buildGroups(List<ParamGroup> groups) {
        spec.resolve(Map.of(), values); // cross-key checks (nesterov and momentum) run once the builder is complete
        return create(values, groups, kernels);
    }
}
