package org.llm4e.optimizers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.core.Parameter;

/**
 * A parameter group: a list of parameters that share hyperparameters, as an entry of torch's
 * {@code optimizer.param_groups}.
 *
 * <p>Groups are how a model trains its matrices with weight decay and its norms and biases without, or its embedding
 * with a smaller learning rate:
 *
 * <pre>{@code
 * Optimizer opt = AdamW.builder().lr(3e-4).weightDecay(0.1).buildGroups(List.of(
 *         ParamGroup.of(matrices),
 *         ParamGroup.of(normsAndBiases, Map.of("weight_decay", 0.0))));
 * }</pre>
 *
 * <p>{@link #of(List, Map)} makes a <em>request</em>: the keys it names override the builder's values for this group
 * only (torch's {@code [{'params': ..., 'weight_decay': 0}]}). The optimizer then makes its own group holding
 * <em>every</em> hyperparameter, which is what {@link Optimizer#paramGroups()} returns and what its steps read, so
 * {@link #setLr(double)} (a schedule) or {@link #set(String, Object)} on it takes effect at the next step.
 *
 * <p>A group owned by an optimizer is mutable and not thread-safe, like the optimizer.
 */
public final class ParamGroup {
    private final List<Parameter> params;
    private final Map<String, Object> values;
    private final HyperSpec spec; // null for a request not yet owned by an optimizer

    private ParamGroup(List<Parameter> params, Map<String, Object> values, HyperSpec spec) {
        this.params = params;
        this.values = values;
        this.spec = spec;
    }

    /**
     * A group request with no overrides: the optimizer's values apply.
     *
     * @param params the parameters, non-empty
     * @return the request
     * @throws IllegalArgumentException if {@code params} is null, empty or holds null
     */
    public static ParamGroup of(List<Parameter> params) {
        return of(params, Map.of());
    }

    /**
     * A group request whose hyperparameters override the optimizer's for these parameters.
     *
     * @param params the parameters, non-empty
     * @param hyperparameters torch keyword names to values (checked when the optimizer is built)
     * @return the request
     * @throws IllegalArgumentException if {@code params} is null, empty or holds null, or a key is null
     */
    public static ParamGroup of(List<Parameter> params, Map<String, ?> hyperparameters) {
        List<Parameter> copy = checkParams(params);
        if (hyperparameters == null) {
            throw new IllegalArgumentException("hyperparameters must not be null (use Map.of())");
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : hyperparameters.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("hyperparameter names must not be null");
            }
            overrides.put(e.getKey(), HyperSpec.copyValue(e.getValue()));
        }
        return new ParamGroup(copy, overrides, null);
    }

    static List<Parameter> checkParams(List<Parameter> params) {
        if (params == null) {
            throw new IllegalArgumentException("params must not be null");
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException(
                    "params must not be empty (torch: optimizer got an empty parameter list)");
        }
        List<Parameter> copy = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == null) {
                throw new IllegalArgumentException("params[" + i + "] must not be null");
            }
            copy.add(params.get(i));
        }
        return Collections.unmodifiableList(copy);
    }

    /** The optimizer's own group: the request's overrides resolved against the optimizer's values. */
    static ParamGroup owned(ParamGroup request, HyperSpec spec, Map<String, Object> base) {
        return new ParamGroup(request.params, spec.resolve(request.values, base), spec);
    }

    /**
     * The parameters of this group.
     *
     * @return an unmodifiable list (the parameters themselves are live)
     */
    public List<Parameter> params() {
        return params;
    }

    /**
     * The learning rate of this group.
     *
     * @return {@code hyperparameters().get("lr")}
     * @throws IllegalStateException if this is a request without an {@code lr} override
     */
    public double lr() {
        Object lr = values.get("lr");
        if (!(lr instanceof Number)) {
            throw new IllegalStateException("this group request has no lr; the optimizer's applies");
        }
        return ((Number) lr).doubleValue();
    }

    /**
     * Sets the learning rate of this group; a scheduler calls this between steps.
     *
     * @param lr the new learning rate, finite and ≥ 0
     * @throws IllegalArgumentException if {@code lr} is negative, infinite or NaN
     */
    public void setLr(double lr) {
        set("lr", lr);
    }

    /**
     * Sets one hyperparameter of this group, checked as the builder checks it.
     *
     * @param key a torch keyword name valid for the optimizer
     * @param value the value (a number, a boolean, or a pair as {@code double[]} / {@code List<Number>})
     * @throws IllegalArgumentException if the key is unknown or the value out of range
     */
    public void set(String key, Object value) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put(key, value);
        if (spec == null) {
            if (key == null) {
                throw new IllegalArgumentException("hyperparameter names must not be null");
            }
            values.put(key, HyperSpec.copyValue(value));
            return;
        }
        Map<String, Object> resolved = spec.resolve(one, values);
        values.clear();
        values.putAll(resolved);
    }

    /**
     * Every hyperparameter of this group (for a request: its overrides), torch keyword names to values: numbers as
     * {@code Double}, flags as {@code Boolean}, pairs ({@code betas}, {@code etas}, {@code step_sizes}) as
     * {@code double[2]}.
     *
     * @return an unmodifiable deep copy
     */
    public Map<String, Object> hyperparameters() {
        return HyperSpec.snapshot(values);
    }

    /** Live map, for the optimizer's own reads and for loadStateDict. */
    Map<String, Object> values() {
        return values;
    }

    double number(String key) {
        return (Double) values.get(key);
    }

    boolean flag(String key) {
        return (Boolean) values.get(key);
    }

    double[] pair(String key) {
        return (double[]) values.get(key);
    }

    @Override
    public String toString() {
        StringBuilder sb =
                new StringBuilder("ParamGroup[").append(params.size()).append(" params");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            sb.append(", ").append(e.getKey()).append('=');
            sb.append(v instanceof double[] ? java.util.Arrays.toString((double[]) v) : String.valueOf(v));
        }
        return sb.append(']').toString();
    }
}
