package org.llm4e.quantization;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * The trainable low-rank update of LoRA (Hu et al. 2021, arXiv 2106.09685): two small matrices whose product,
 * scaled by α/r, is added to a frozen layer's output. From {@code 大模型微调之Adapters（二）LoRA.md} and
 * {@code 大模型的参数高效微调（PEFT），LoRA微调以及其它.md} (catalog Part C: figure PEFT › 2.3.png).
 *
 * <pre>
 *   Δh = (α / r) · B A x          A ∈ ℝ^{r×k} ~ 𝒩(0, σ²),  B ∈ ℝ^{d×r} = 0   (so Δh = 0 at initialisation)
 *   trainable parameters: r (d + k)        e.g. d = k = 4096, r = 8: 65 536 instead of 16 777 216
 *   backward, for a batch X [n, k] and dΔ [n, d]:   U = X Aᵀ [n, r]
 *     ∂B += (α/r) dΔᵀ U        ∂U = (α/r) dΔ B        ∂A += ∂Uᵀ X        ∂X = ∂U A
 * </pre>
 *
 * <p>The scaling α/r is not in the articles (catalog: [X], from the LoRA paper); HF PEFT's default is α = r = 8.
 * The articles draw A as Gaussian; σ = 1/r here, PEFT's {@code init_lora_weights="gaussian"} (its default is a
 * Kaiming-uniform A, which plays the same role: any A works because B = 0). Parameter names follow PEFT
 * ({@code lora_A.weight}, {@code lora_B.weight}), layouts {@code nn.Linear}'s. Stateful: {@link #forward(Tensor)}
 * keeps its input for {@link #backward(Tensor)}; not thread-safe.
 */
public final class LoraAdapter {
    private final int in;
    private final int out;
    private final int rank;
    private final double alpha;
    private final Parameter a;
    private final Parameter b;
    private float[] lastX;
    private float[] lastU;
    private int lastN;

    /**
     * A fresh adapter: A Gaussian with σ = 1/r from the seed, B zero.
     *
     * @param in k, the layer's input width
     * @param out d, the layer's output width
     * @param rank r ≥ 1
     * @param alpha α &gt; 0
     * @param seed the seed of A's generator
     * @throws IllegalArgumentException if a size is not positive or alpha is not finite and positive
     */
    public LoraAdapter(int in, int out, int rank, double alpha, long seed) {
        this(in, out, rank, alpha, gaussian(seed, rank * in, 1.0 / rank), new float[out * rank]);
    }

    /**
     * An adapter wrapping given matrices (e.g. a trained checkpoint).
     *
     * @param in k
     * @param out d
     * @param rank r
     * @param alpha α
     * @param a A, {@code [r, k]} row-major, wrapped
     * @param b B, {@code [d, r]} row-major, wrapped
     * @throws IllegalArgumentException if a size is not positive, alpha is not positive or a length is wrong
     */
    public LoraAdapter(int in, int out, int rank, double alpha, float[] a, float[] b) {
        if (in < 1 || out < 1 || rank < 1) {
            throw new IllegalArgumentException(
                    "in, out and rank must be >= 1, got in=" + in + ", out=" + out + ", rank=" + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
        }
        if (a.length != rank * in) {
            throw new IllegalArgumentException("a.length must be rank·in = " + (rank * in) + ", got " + a.length);
        }
        if (b.length != out * rank) {
            throw new IllegalArgumentException("b.length must be out·rank = " + (out * rank) + ", got " + b.length);
        }
        this.in = in;
        this.out = out;
        this.rank = rank;
        this.alpha = alpha;
        this.a = new Parameter("lora_A.weight", a);
        this.b = new Parameter("lora_B.weight", b);
    }

    private static float[] gaussian(long seed, int n, double std) {
        float[] v = new float[n];
        Tensor.fillRandn(new SplittableRandom(seed), v);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (v[i] * std);
        }
        return v;
    }

    /**
     * The number of trainable parameters of a rank-r adapter on a d × k weight.
     *
     * @param d output width
     * @param k input width
     * @param r rank
     * @return r (d + k)
     */
    public static long parameterCount(long d, long k, long r) {
        return r * (d + k);
    }

    /**
     * The scaling α / r.
     *
     * @return the factor applied to BAx
     */
    public double scaling() {
        return alpha / rank;
    }

    /**
     * The rank r.
     *
     * @return r
     */
    public int rank() {
        return rank;
    }

    /**
     * A, {@code [r, k]}.
     *
     * @return the live parameter
     */
    public Parameter a() {
        return a;
    }

    /**
     * B, {@code [d, r]}.
     *
     * @return the live parameter
     */
    public Parameter b() {
        return b;
    }

    /**
     * The trainable parameters, A then B.
     *
     * @return an unmodifiable list of the live parameters
     */
    public List<Parameter> parameters() {
        return List.of(a, b);
    }

    /**
     * The update as a matrix, {@code ΔW = (α/r) B A}.
     *
     * @return a new {@code [d, k]} tensor
     */
    public Tensor deltaWeight() {
        float[] d = new float[out * in];
        Kernels.sgemm(false, false, out, in, rank, (float) scaling(), b.data(), 0, rank, a.data(), 0, in, 0f, d, 0, in);
        return Tensor.of(d, out, in);
    }

    /**
     * The update's output {@code (α/r) · (x Aᵀ) Bᵀ}; keeps x for {@link #backward(Tensor)}.
     *
     * @param x inputs {@code [n, k]}
     * @return a new {@code [n, d]} tensor
     * @throws IllegalArgumentException if x is not {@code [n, k]}
     */
    public Tensor forward(Tensor x) {
        checkInput(x, in, "x");
        int n = x.dim(0);
        float[] u = new float[n * rank];
        Kernels.sgemm(false, true, n, rank, in, 1f, x.data(), 0, in, a.data(), 0, in, 0f, u, 0, rank);
        float[] y = new float[n * out];
        Kernels.sgemm(false, true, n, out, rank, (float) scaling(), u, 0, rank, b.data(), 0, rank, 0f, y, 0, out);
        lastX = x.data().clone();
        lastU = u;
        lastN = n;
        return Tensor.of(y, n, out);
    }

    /**
     * Accumulates the gradients of A and B for the last forward and returns the adapter's part of ∂x.
     *
     * @param dy the gradient of the adapter's output, {@code [n, d]}
     * @return a new {@code [n, k]} tensor
     * @throws IllegalStateException if no forward came first
     * @throws IllegalArgumentException if dy does not match the last forward
     */
    public Tensor backward(Tensor dy) {
        if (lastX == null) {
            throw new IllegalStateException("backward needs a forward first");
        }
        if (dy.rank() != 2 || dy.dim(0) != lastN || dy.dim(1) != out) {
            throw new IllegalArgumentException("dy shape " + Arrays.toString(dy.shape()) + " must be [" + lastN + ", "
                    + out + "] as the last forward's output");
        }
        int n = lastN;
        float s = (float) scaling();
        // ∂B += s · dyᵀ U
        Kernels.sgemm(true, false, out, rank, n, s, dy.data(), 0, out, lastU, 0, rank, 1f, b.grad(), 0, rank);
        // ∂U = s · dy B
        float[] du = new float[n * rank];
        Kernels.sgemm(false, false, n, rank, out, s, dy.data(), 0, out, b.data(), 0, rank, 0f, du, 0, rank);
        // ∂A += ∂Uᵀ X
        Kernels.sgemm(true, false, rank, in, n, 1f, du, 0, rank, lastX, 0, in, 1f, a.grad(), 0, in);
        // ∂X = ∂U A
        float[] dx = new float[n * in];
        Kernels.sgemm(false, false, n, in, rank, 1f, du, 0, rank, a.data(), 0, in, 0f, dx, 0, in);
        return Tensor.of(dx, n, in);
    }

    static void checkInput(Tensor x, int in, String name) {
        if (x.rank() != 2 || x.dim(1) != in) {
            throw new IllegalArgumentException(
                    name + " shape " + Arrays.toString(x.shape()) + " must be [n, " + in + "]");
        }
    }
}
