package org.llm4e.core;

import java.util.Arrays;

/**
 * A trainable array and its gradient: what every layer exposes through {@code parameters()} and what every optimizer
 * updates.
 *
 * <p>It plays the role of PyTorch's {@code torch.nn.Parameter} with its {@code .grad}: a backward pass adds into
 * {@link #grad()}, an optimizer reads the gradient and writes {@link #data()} in place, and {@link #zeroGrad()} clears
 * the gradient between steps. Both arrays are live (no copies), so a layer and its optimizer see the same numbers.
 * Not thread-safe.
 */
public final class Parameter {
    private final String name;
    private final float[] data;
    private final float[] grad;

    /**
     * Wraps {@code data} and allocates a zero gradient of the same length.
     *
     * @param name a name for messages and checkpoints (Hugging Face style, e.g. {@code self_attn.q_proj.weight})
     * @param data the values, wrapped
     */
    public Parameter(String name, float[] data) {
        this(name, data, data == null ? null : new float[data.length]);
    }

    /**
     * Wraps both arrays.
     *
     * @param name a name for messages and checkpoints
     * @param data the values, wrapped
     * @param grad the gradient, wrapped; same length as {@code data}
     * @throws IllegalArgumentException if an argument is null or the lengths differ
     */
    public Parameter(String name, float[] data, float[] grad) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        if (data == null) {
            throw new IllegalArgumentException("data of parameter '" + name + "' must not be null");
        }
        if (grad == null) {
            throw new IllegalArgumentException("grad of parameter '" + name + "' must not be null");
        }
        if (grad.length != data.length) {
            throw new IllegalArgumentException("grad.length of parameter '" + name + "' must equal data.length "
                    + data.length + ", got " + grad.length);
        }
        this.name = name;
        this.data = data;
        this.grad = grad;
    }

    /**
     * A parameter over a tensor's data (shared).
     *
     * @param name a name for messages and checkpoints
     * @param tensor whose data the parameter wraps
     * @return a parameter sharing the tensor's array
     */
    public static Parameter of(String name, Tensor tensor) {
        return new Parameter(name, tensor.data());
    }

    /**
     * The name.
     *
     * @return the name given at construction
     */
    public String name() {
        return name;
    }

    /**
     * The live values.
     *
     * @return the data array (not a copy)
     */
    public float[] data() {
        return data;
    }

    /**
     * The live gradient.
     *
     * @return the gradient array (not a copy)
     */
    public float[] grad() {
        return grad;
    }

    /**
     * The number of elements.
     *
     * @return {@code data().length}
     */
    public int size() {
        return data.length;
    }

    /** Sets every gradient element to zero. */
    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }

    @Override
    public String toString() {
        return "Parameter[" + name + ", size " + data.length + "]";
    }
}
