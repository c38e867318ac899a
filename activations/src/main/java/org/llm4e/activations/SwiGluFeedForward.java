package org.llm4e.activations;

import java.util.Arrays;
import java.util.List;
import org.llm4e.core.Kernels;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * The Llama feed-forward block: a SwiGLU between two projections, no biases.
 *
 * <pre>
 *   g = x·W1ᵀ   (gate_proj)     u = x·W3ᵀ   (up_proj)       h = SiLU(g) ⊙ u       y = h·W2ᵀ   (down_proj)
 *   W1, W3: [hidden, dim]        W2: [dim, hidden]           (torch.nn.Linear layout [out, in])
 *   backward:  dh = dy·W2     dW2 += dyᵀ·h
 *              dg = dh ⊙ u ⊙ SiLU′(g)     du = dh ⊙ SiLU(g)
 *              dW1 += dgᵀ·x   dW3 += duᵀ·x   dx = dg·W1 + du·W3
 * </pre>
 *
 * <p>Article: {@code 为什么大型语言模型都在使用SwiGLU作为激活函数？.md}, which motivates SwiGLU but does not discuss the projections or the hidden size (Llama uses about
 * 8/3·dim). Note the order: the activation is on the <i>first</i> projection, {@code silu(x W1) ⊙ x W3}, as
 * Shazeer 2020 and Meta's {@code FeedForward.forward}, while {@link Glu} gates the second half as
 * {@code F.glu}. Matches {@code w2(F.silu(w1(x)) * w3(x))} of Meta's Llama code and Hugging Face's
 * {@code LlamaMLP}.
 *
 * <p>Stateful: {@link #forward(Tensor)} keeps its input and intermediates for {@link #backward(Tensor)}, which
 * <b>accumulates</b> into the parameters' gradients (as autograd does); not thread-safe. The weights are wrapped,
 * not copied. Matrix products go through {@link Kernels#sgemm} (Vector API and the library pool when available).
 */
public final class SwiGluFeedForward {
    private final Parameter w1;
    private final Parameter w2;
    private final Parameter w3;
    private final int dim;
    private final int hidden;

    private float[] lastX;
    private float[] lastGate;
    private float[] lastUp;
    private float[] lastH;
    private int lastN = -1;

    /**
     * Wraps the three weights.
     *
     * @param w1 the gate projection {@code [hidden, dim]}
     * @param w2 the down projection {@code [dim, hidden]}
     * @param w3 the up projection {@code [hidden, dim]}
     * @throws IllegalArgumentException if a weight is not rank 2 or the shapes do not fit together
     */
    public SwiGluFeedForward(Tensor w1, Tensor w2, Tensor w3) {
        if (w1.rank() != 2 || w2.rank() != 2 || w3.rank() != 2) {
            throw new IllegalArgumentException("w1, w2, w3 must be rank 2, got shapes w1=" + Arrays.toString(w1.shape())
                    + ", w2=" + Arrays.toString(w2.shape()) + ", w3=" + Arrays.toString(w3.shape()));
        }
        this.hidden = w1.dim(0);
        this.dim = w1.dim(1);
        if (!Arrays.equals(w3.shape(), w1.shape())) {
            throw new IllegalArgumentException("w3 has shape " + Arrays.toString(w3.shape()) + " but w1 has shape "
                    + Arrays.toString(w1.shape()) + "; expected equal [hidden, dim]");
        }
        if (w2.dim(0) != dim || w2.dim(1) != hidden) {
            throw new IllegalArgumentException("w2 has shape " + Arrays.toString(w2.shape()) + " but w1 has shape "
                    + Arrays.toString(w1.shape()) + "; expected w2 of shape [" + dim + ", " + hidden + "]");
        }
        this.w1 = new Parameter("w1", w1.data());
        this.w2 = new Parameter("w2", w2.data());
        this.w3 = new Parameter("w3", w3.data());
    }

    /**
     * From Hugging Face's names: {@code mlp.gate_proj.weight} = W1, {@code mlp.up_proj.weight} = W3,
     * {@code mlp.down_proj.weight} = W2.
     *
     * @param gateProj W1 {@code [hidden, dim]}
     * @param upProj W3 {@code [hidden, dim]}
     * @param downProj W2 {@code [dim, hidden]}
     * @return the feed-forward block
     * @throws IllegalArgumentException if the shapes do not fit together
     */
    public static SwiGluFeedForward fromHf(Tensor gateProj, Tensor upProj, Tensor downProj) {
        return new SwiGluFeedForward(gateProj, downProj, upProj);
    }

    /**
     * The model dimension.
     *
     * @return dim
     */
    public int dim() {
        return dim;
    }

    /**
     * The hidden dimension.
     *
     * @return hidden
     */
    public int hidden() {
        return hidden;
    }

    /**
     * The weights in the order w1, w2, w3 (names {@code "w1"}, {@code "w2"}, {@code "w3"}), for an optimizer.
     *
     * @return the live parameters
     */
    public List<Parameter> parameters() {
        return List.of(w1, w2, w3);
    }

    /**
     * The forward pass.
     *
     * @param x the input {@code [n, dim]}
     * @return a new tensor {@code [n, dim]}
     * @throws IllegalArgumentException if x is not {@code [n, dim]}
     */
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != dim) {
            throw new IllegalArgumentException(
                    "x has shape " + Arrays.toString(x.shape()) + "; expected [n, " + dim + "]");
        }
        int n = x.dim(0);
        float[] xs = x.data().clone();
        float[] gate = new float[n * hidden];
        float[] up = new float[n * hidden];
        Kernels.sgemm(false, true, n, hidden, dim, 1f, xs, 0, dim, w1.data(), 0, dim, 0f, gate, 0, hidden);
        Kernels.sgemm(false, true, n, hidden, dim, 1f, xs, 0, dim, w3.data(), 0, dim, 0f, up, 0, hidden);
        float[] h = new float[n * hidden];
        SiLU.INSTANCE.forward(gate, 0, h, 0, h.length);
        for (int i = 0; i < h.length; i++) {
            h[i] *= up[i];
        }
        Tensor y = Tensor.zeros(n, dim);
        Kernels.sgemm(false, true, n, dim, hidden, 1f, h, 0, hidden, w2.data(), 0, hidden, 0f, y.data(), 0, dim);
        lastX = xs;
        lastGate = gate;
        lastUp = up;
        lastH = h;
        lastN = n;
        return y;
    }

    /**
     * The backward pass of the last {@link #forward(Tensor)}: returns dx and adds the weight gradients to the
     * parameters' {@code grad()} arrays.
     *
     * @param dy the upstream gradient {@code [n, dim]}
     * @return a new tensor dx {@code [n, dim]}
     * @throws IllegalStateException if no forward pass preceded
     * @throws IllegalArgumentException if dy's shape differs from the last output's
     */
    public Tensor backward(Tensor dy) {
        if (lastN < 0) {
            throw new IllegalStateException("backward needs a preceding forward");
        }
        int n = lastN;
        if (dy.rank() != 2 || dy.dim(0) != n || dy.dim(1) != dim) {
            throw new IllegalArgumentException("dy has shape " + Arrays.toString(dy.shape())
                    + " but the last forward output has shape [" + n + ", " + dim + "]");
        }
        float[] g = dy.data();
        float[] dh = new float[n * hidden];
        Kernels.sgemm(false, false, n, hidden, dim, 1f, g, 0, dim, w2.data(), 0, hidden, 0f, dh, 0, hidden);
        Kernels.sgemm(true, false, dim, hidden, n, 1f, g, 0, dim, lastH, 0, hidden, 1f, w2.grad(), 0, hidden);
        float[] dGate = new float[n * hidden];
        float[] dUp = new float[n * hidden];
        for (int i = 0; i < dh.length; i++) {
            double gv = lastGate[i];
            dGate[i] = (float) (dh[i] * lastUp[i] * SiLU.siluDerivative(gv));
            dUp[i] = (float) (dh[i] * SiLU.silu(gv));
        }
        Kernels.sgemm(true, false, hidden, dim, n, 1f, dGate, 0, hidden, lastX, 0, dim, 1f, w1.grad(), 0, dim);
        Kernels.sgemm(true, false, hidden, dim, n, 1f, dUp, 0, hidden, lastX, 0, dim, 1f, w3.grad(), 0, dim);
        Tensor dx = Tensor.zeros(n, dim);
        Kernels.sgemm(false, false, n, dim, hidden, 1f, dGate, 0, hidden, w1.data(), 0, dim, 0f, dx.data(), 0, dim);
        Kernels.sgemm(false, false, n, dim, hidden, 1f, dUp, 0, hidden, w3.data(), 0, dim, 1f, dx.data(), 0, dim);
        return dx;
    }
}
