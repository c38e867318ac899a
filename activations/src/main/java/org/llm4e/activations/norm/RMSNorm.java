package org.llm4e.activations.norm;

import java.util.Arrays;
import java.util.List;
import org.llm4e.activations.ActivationKernels;
import org.llm4e.activations.internal.Checks;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * Root-mean-square normalization (Zhang and Sennrich 2019), the norm of Llama: LayerNorm without the mean and
 * without β.
 *
 * <pre>
 *   r = 1/√(mean(x²) + ε),   y = x·r ⊙ g
 *   backward:  h = dy ⊙ g,   dx = r·h − r³·x·mean(h ⊙ x),   dg += Σ_rows dy ⊙ x·r
 * </pre>
 *
 * <p><b>Not in the articles:</b> the normalization article ({@code 10分钟搞清楚为什么Transformer中使用LayerNorm而不是BatchNorm.md}) and the whole chapter never mention RMSNorm (catalog,
 * part C); the definition is the external one of the paper, as in Hugging Face's {@code LlamaRMSNorm} (default
 * ε = 1e-6 here, Llama's value; {@code torch.nn.RMSNorm} defaults to the dtype's machine epsilon). On the article's
 * 3×4 table with ε = 0, the row RMS values are 4.5826, 4.0311, 4.4159. The forward row kernel is
 * {@link ActivationKernels#rmsNorm}. Stateful like {@link LayerNorm}.
 */
public final class RMSNorm {
    private final int dim;
    private final float eps;
    private final Parameter weight;
    private float[] lastX;
    private float[] lastR;
    private int[] lastShape;

    /**
     * Creates an RMSNorm with gain g = ones.
     *
     * @param dim the size of the last dimension
     * @param eps added to the mean square (finite, ≥ 0)
     * @throws IllegalArgumentException if {@code dim < 1} or {@code eps} is negative or not finite
     */
    public RMSNorm(int dim, double eps) {
        this.dim = Checks.positive("dim", dim);
        this.eps = (float) Checks.nonNegative("eps", eps);
        float[] ones = new float[dim];
        Arrays.fill(ones, 1f);
        this.weight = new Parameter("weight", ones);
    }

    /**
     * Creates an RMSNorm with ε = 1e-6 (Llama).
     *
     * @param dim the size of the last dimension
     * @throws IllegalArgumentException if {@code dim < 1}
     */
    public RMSNorm(int dim) {
        this(dim, 1e-6);
    }

    /**
     * The learnable gain (name {@code weight}).
     *
     * @return the live parameter list
     */
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    /**
     * Normalizes every row (last dimension).
     *
     * @param x the input {@code [..., dim]}
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if the last dimension is wrong
     */
    public Tensor forward(Tensor x) {
        LayerNorm.checkLast(x, dim);
        int rows = x.size() / dim;
        Tensor y = Tensor.zeros(x.shape());
        float[] r = new float[rows];
        ActivationKernels k = ActivationKernels.preferred();
        for (int row = 0; row < rows; row++) {
            r[row] = k.rmsNorm(x.data(), row * dim, weight.data(), y.data(), row * dim, dim, eps);
        }
        lastX = x.data().clone();
        lastR = r;
        lastShape = x.shape();
        return y;
    }

    /**
     * Backward of the last forward: returns dx and accumulates dg.
     *
     * @param dy the upstream gradient, shaped like the last input
     * @return a new tensor dx
     * @throws IllegalStateException if no forward preceded
     * @throws IllegalArgumentException if dy's shape differs
     */
    public Tensor backward(Tensor dy) {
        if (lastShape == null) {
            throw new IllegalStateException("backward needs a preceding forward");
        }
        if (!Arrays.equals(lastShape, dy.shape())) {
            throw new IllegalArgumentException("dy has shape " + Arrays.toString(dy.shape())
                    + " but the last input has shape " + Arrays.toString(lastShape));
        }
        int rows = dy.size() / dim;
        float[] g = dy.data();
        float[] w = weight.data();
        Tensor dx = Tensor.zeros(lastShape);
        float[] out = dx.data();
        for (int row = 0; row < rows; row++) {
            int off = row * dim;
            double r = lastR[row];
            double meanHx = 0;
            for (int i = 0; i < dim; i++) {
                meanHx += (double) g[off + i] * w[i] * lastX[off + i];
                weight.grad()[i] += (float) (g[off + i] * lastX[off + i] * r);
            }
            meanHx /= dim;
            for (int i = 0; i < dim; i++) {
                out[off + i] = (float) (r * g[off + i] * w[i] - r * r * r * lastX[off + i] * meanHx);
            }
        }
        return dx;
    }
}
