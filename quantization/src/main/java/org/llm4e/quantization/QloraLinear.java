package org.llm4e.quantization;

import java.util.Arrays;
import java.util.List;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * A QLoRA layer (Dettmers et al. 2023, arXiv 2305.14314): the frozen base weight stored in 4-bit NormalFloat with
 * double-quantized absmax constants, plus a LoRA adapter kept in float and trained ({@code 大模型微调之Adapters（三）
 * QLoRA.md}, catalog B12, Part C).
 *
 * <pre>
 *   h = x · dequant(NF4(W₀))ᵀ + (α/r) (x Aᵀ) Bᵀ
 *   ∂x = ∂h · dequant(NF4(W₀)) + the adapter's part;   ∂A, ∂B as {@link LoraAdapter}; W₀ gets no gradient
 *   storage of W₀: 4 bits per weight + 8/64 + 32/(64·256) ≈ 0.127 bit of constants (blocks 64 and 256)
 * </pre>
 *
 * <p>The base weight is dequantized on each forward and backward and not kept, as bitsandbytes does (the point is
 * the memory). The article's "double quantization of the scale and offset" is an erratum: only the absmax scales
 * are quantized again, NF4 has no offset (catalog B12); paged optimizers are a GPU memory feature with no
 * counterpart here. Stateful, not thread-safe.
 */
public final class QloraLinear {
    private final Nf4Tensor base;
    private final int in;
    private final int out;
    private final LoraAdapter adapter;

    /**
     * Quantizes W₀ to NF4 (blocks of 64, absmax double-quantized in blocks of 256) and attaches an adapter.
     *
     * @param w W₀, {@code [d, k]}
     * @param adapter the adapter for the same d and k
     * @throws IllegalArgumentException if w is not 2-D, an element is not finite or the adapter does not fit
     */
    public QloraLinear(Tensor w, LoraAdapter adapter) {
        this(w, adapter, Nf4.DEFAULT_BLOCK_SIZE, Nf4.DEFAULT_ABSMAX_BLOCK_SIZE);
    }

    /**
     * Quantizes W₀ to NF4 with given block sizes and attaches an adapter.
     *
     * @param w W₀, {@code [d, k]}
     * @param adapter the adapter for the same d and k
     * @param blockSize the NF4 block size
     * @param absmaxBlockSize the block size of the double quantization
     * @throws IllegalArgumentException if w is not 2-D, a block size is invalid, an element is not finite or the
     *     adapter does not fit
     */
    public QloraLinear(Tensor w, LoraAdapter adapter, int blockSize, int absmaxBlockSize) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("w must be 2-D [out, in], got shape " + Arrays.toString(w.shape()));
        }
        this.out = w.dim(0);
        this.in = w.dim(1);
        if (adapter.a().size() != adapter.rank() * in || adapter.b().size() != out * adapter.rank()) {
            throw new IllegalArgumentException(
                    "adapter A and B must fit w shape " + Arrays.toString(w.shape()) + " with rank " + adapter.rank());
        }
        this.base = Nf4.quantize(w.data(), blockSize, absmaxBlockSize);
        this.adapter = adapter;
    }

    /**
     * The quantized base weight.
     *
     * @return the NF4 tensor (immutable)
     */
    public Nf4Tensor base() {
        return base;
    }

    /**
     * The base weight as the layer computes with it.
     *
     * @return a new {@code [d, k]} tensor
     */
    public Tensor baseWeight() {
        return Tensor.of(base.dequantize(), out, in);
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
     * The trainable parameters (A and B).
     *
     * @return the adapter's parameters
     */
    public List<Parameter> parameters() {
        return adapter.parameters();
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
        float[] y = adapter.forward(x).data();
        Kernels.sgemm(false, true, n, out, in, 1f, x.data(), 0, in, base.dequantize(), 0, in, 1f, y, 0, out);
        return Tensor.of(y, n, out);
    }

    /**
     * Accumulates A's and B's gradients for the last forward and returns ∂x.
     *
     * @param dy the gradient of the output, {@code [n, d]}
     * @return a new {@code [n, k]} tensor
     * @throws IllegalStateException if no forward came first
     * @throws IllegalArgumentException if dy does not match the last forward
     */
    public Tensor backward(Tensor dy) {
        float[] dx = adapter.backward(dy).data();
        int n = dy.dim(0);
        Kernels.sgemm(false, false, n, in, out, 1f, dy.data(), 0, out, base.dequantize(), 0, in, 1f, dx, 0, in);
        return Tensor.of(dx, n, in);
    }
}
