package org.llm4e.optimizers;

import java.util.List;
import java.util.Map;

/**
 * A stateful update rule over a model's parameters: the Java face of {@code torch.optim.Optimizer}.
 *
 * <p>A training step is: fill each {@link org.llm4e.core.Parameter#grad()} (a backward pass), call {@link #step()}
 * (which reads the gradients and writes the parameters in place), then {@link #zeroGrad()}. Hyperparameters live in
 * {@link #paramGroups()}; the per-parameter state (moments, step counts) and the groups round-trip through
 * {@link #stateDict()} / {@link #loadStateDict(Map)} with torch's structure.
 *
 * <p>Implementations are mutable and not thread-safe; one optimizer belongs to one training loop. A step may use the
 * library thread pool internally for large parameters; its result does not depend on the thread count.
 */
public interface Optimizer {
    /** Performs one update of every parameter from its current gradient. */
    void step();

    /** Sets the gradient of every parameter to zero. */
    void zeroGrad();

    /**
     * The parameter groups, in construction order; their hyperparameters are live (a change applies at the next step).
     *
     * @return an unmodifiable list of this optimizer's groups
     */
    List<ParamGroup> paramGroups();

    /**
     * The learning rate of group 0.
     *
     * @return {@code paramGroups().get(0).lr()}
     */
    double lr();

    /**
     * Sets the learning rate of every group.
     *
     * @param lr the new learning rate, finite and ≥ 0
     * @throws IllegalArgumentException if {@code lr} is negative, infinite or NaN
     */
    void setLr(double lr);

    /**
     * The optimizer's state as torch structures it: {@code "state"} → a {@code Map<Integer, Map<String, Object>>} from
     * the parameter's index (counting through the groups in order) to its {@code "step"} ({@code Long}), buffers
     * ({@code float[]}) and scalar state ({@code Double}); {@code "param_groups"} → a {@code List} of maps holding
     * every hyperparameter of the group and {@code "params"}, the list of its parameter indices.
     *
     * @return a deep copy
     */
    Map<String, Object> stateDict();

    /**
     * Replaces the state and the group hyperparameters with a (deep-copied) dictionary as {@link #stateDict()} returns.
     *
     * @param stateDict a state dictionary of an optimizer of the same kind over parameters of the same shapes
     * @throws IllegalArgumentException if the group count, a group's parameter count, a buffer length, a key or a
     *     hyperparameter value does not fit this optimizer (the message says which); the optimizer is then unchanged
     */
    void loadStateDict(Map<String, Object> stateDict);
}
