package org.llm4e.quantization;

import java.util.Arrays;
import java.util.List;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * A frozen linear layer with a LoRA adapter: {@code h = W₀ x + (α/r) B A x}, with merge and unmerge for inference
 * (catalog Part C, figures PEFT › 2.3.png and 2.1.png, {@code 大模型微调之Adapters（二）LoRA.md}).
 *
 * <pre>
 *   unmerged:  h = x W₀ᵀ + (α/r) (x Aᵀ) Bᵀ          (only A and B are trained)
 *   merge:     W ← W₀ + (α/r) B A     then h = x Wᵀ: no extra latency at inference
 *   unmerge:   W ← W − (α/r) B A      (back to W₀ up to float rounding)
 * </pre>
 *
 * <p>At initialisation B = 0, so h = W₀ x exactly. Training while merged would update A and B without the weight
 * following, so {@link #backward(Tensor)} refuses it. The layer keeps its own copy of W₀. Stateful, not
 * thread-safe.
 */
public final class LoraLinear {
    private final float[] weight;
    private final int in;
    private final int out;
    private final LoraAdapter adapter;
    private boolean merged;

    /**
     * Wraps a copy of a frozen weight and an adapter.
     *
     * @param w W₀, {@code [d, k]}
     * @param adapter the adapter, built for the same d and k
     * @throws IllegalArgumentException if w is not 2-D or the adapter's shapes differ
     */
    public LoraLinear(Tensor w, LoraAdapter adapter) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("w must be 2-D [out, in], got shape " + Arrays.toString(w.shape()));
        }
        this.out = w.dim(0);
        this.in = w.dim(1);
        if (adapter.a().size() != adapter.rank() * in || adapter.b().size() != out * adapter.rank()) {
            throw new IllegalArgumentException("adapter shapes A [" + adapter.rank() + ", "
                    + adapter.a().size() / adapter.rank() + "], B ["
                    + adapter.b().size() / adapter.rank() + ", "
                    + adapter.rank() + "] must fit w shape " + Arrays.toString(w.shape()));
        }
        this.weight = w.data().clone();
        this.adapter = adapter;
    }

    /**
     * The adapter.
     *
     * @return the live adapter
     */
    public LoraAdapter adapter() {
        return adapter;
    }

    /**
     * The trainable parameters (A and B; W₀ is frozen).
     *
     * @return the adapter's parameters
     */
    public List<Parameter> parameters() {
        return adapter.parameters();
    }

    /**
     * Whether the update is folded into the weight.
     *
     * @return {@code true} after {@link #merge()}
     */
    public boolean merged() {
        return merged;
    }

    /**
     * The current weight (W₀, or W₀ + (α/r)BA when merged).
     *
     * @return a copy, {@code [d, k]}
     */
    public Tensor weight() {
        return Tensor.of(weight.clone(), out, in);
    }

    /**
     * Folds {@code (α/r) B A} into the weight.
     *
     * @throws IllegalStateException if already merged
     */
    public void merge() {
        if (merged) {
            throw new IllegalStateException("the adapter is already merged");
        }
        float[] d = adapter.deltaWeight().data();
        for (int i = 0; i < weight.length; i++) {
            weight[i] += d[i];
        }
        merged = true;
    }

    /**
     * Takes {@code (α/r) B A} back out of the weight.
     *
     * @throws IllegalStateException if not merged
     */
    public void unmerge() {
        if (!merged) {
            throw new IllegalStateException("the adapter is not merged");
        }
        float[] d = adapter.deltaWeight().data();
        for (int i = 0; i < weight.length; i++) {
            weight[i] -= d[i];
        }
        merged = false;
    }

    /**
     * The layer's output.
     *
     * @param x inputs {@code [n, k]}
     * @return a new {@code [n, d]} tensor
     * @throws IllegalArgumentException if x is not {@code [n, k]}
     */
    public Tensor forward(Tensor x) {
        LoraAdapter.checkInput(x, in, "x");
        int n = x.dim(0);
        float[] y = new float[n * out];
        Kernels.sgemm(false, true, n, out, in, 1f, x.data(), 0, in, weight, 0, in, 0f, y, 0, out);
        if (!merged) {
            float[] d = adapter.forward(x).data();
            for (int i = 0; i < y.length; i++) {
                y[i] += d[i];
            }
        }
        return Tensor.of(y, n, out);
    }

    /**
     * Accumulates A's and B's gradients for the last forward and returns ∂x.
     *
     * @param dy the gradient of the output, {@code [n, d]}
     * @return a new {@code [n, k]} tensor
     * @throws IllegalStateException if merged or no forward came first
     * @throws IllegalArgumentException if dy does not match the last forward
     */
    public Tensor backward(Tensor dy) {
        if (merged) {
            throw new IllegalStateException("unmerge before training: a merged layer cannot update A and B");
        }
        float[] dx = adapter.backward(dy).data();
        int n = dy.dim(0);
        Kernels.sgemm(false, false, n, in, out, 1f, dy.data(), 0, out, weight, 0, in, 1f, dx, 0, in);
        return Tensor.of(dx, n, in);
    }
}
