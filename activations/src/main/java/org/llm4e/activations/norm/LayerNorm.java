package org.llm4e.activations.norm;

import java.util.Arrays;
import java.util.List;
import org.llm4e.activations.internal.Checks;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * Layer normalization (Ba, Kiros and Hinton 2016): each sample (each token vector) is standardized over its own
 * features, then scaled and shifted.
 *
 * <pre>
 *   μ = mean(x),  σ² = mean((x − μ)²)  (biased),   x̂ = (x − μ)/√(σ² + ε),   y = γ ⊙ x̂ + β
 *   backward:  g = dy ⊙ γ,   dx = (g − mean(g) − x̂·mean(g ⊙ x̂)) / √(σ² + ε)
 *              dγ += Σ_rows dy ⊙ x̂,   dβ += Σ_rows dy
 * </pre>
 *
 * <p>Article: {@code 10分钟搞清楚为什么Transformer中使用LayerNorm而不是BatchNorm.md}, which explains why Transformers use it: "the data normalized together must be comparable", and
 * one token's features are, while one feature across different sentences is not. A row's output does not depend on
 * the other rows (unlike {@link BatchNorm}), so small batches and single tokens work. The article gives no ε; this
 * class follows {@code torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True)} over the last
 * dimension. Statistics are accumulated in double. Stateful: forward keeps what backward needs; backward
 * <b>accumulates</b> into the gradients; not thread-safe.
 */
public final class LayerNorm {
    private final int features;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;
    private float[] lastXhat;
    private float[] lastInvStd;
    private int[] lastShape;

    /**
     * Creates a layer norm over a last dimension of size {@code normalizedShape}.
     *
     * @param normalizedShape the size of the last dimension
     * @param eps added to the variance (finite, ≥ 0)
     * @param elementwiseAffine whether to learn γ (ones) and β (zeros)
     * @throws IllegalArgumentException if {@code normalizedShape < 1} or {@code eps} is negative or not finite
     */
    public LayerNorm(int normalizedShape, double eps, boolean elementwiseAffine) {
        this.features = Checks.positive("normalized_shape", normalizedShape);
        this.eps = Checks.nonNegative("eps", eps);
        if (elementwiseAffine) {
            float[] ones = new float[features];
            Arrays.fill(ones, 1f);
            this.weight = new Parameter("weight", ones);
            this.bias = new Parameter("bias", new float[features]);
        } else {
            this.weight = null;
            this.bias = null;
        }
    }

    /**
     * Creates a layer norm with PyTorch's defaults (ε = 1e-5, affine).
     *
     * @param normalizedShape the size of the last dimension
     * @throws IllegalArgumentException if {@code normalizedShape < 1}
     */
    public LayerNorm(int normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /**
     * The learnable γ and β (names {@code weight}, {@code bias}); empty without affine.
     *
     * @return the live parameters
     */
    public List<Parameter> parameters() {
        return weight == null ? List.of() : List.of(weight, bias);
    }

    static void checkLast(Tensor x, int features) {
        if (x.rank() == 0 || x.dim(x.rank() - 1) != features) {
            throw new IllegalArgumentException(
                    "x has shape " + Arrays.toString(x.shape()) + "; expected a last dimension of " + features);
        }
    }

    /**
     * Normalizes every row (last dimension).
     *
     * @param x the input {@code [..., normalizedShape]}
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if the last dimension is wrong
     */
    public Tensor forward(Tensor x) {
        checkLast(x, features);
        int d = features;
        int rows = x.size() / d;
        float[] xs = x.data();
        Tensor y = Tensor.zeros(x.shape());
        float[] ys = y.data();
        float[] xhat = new float[x.size()];
        float[] invStd = new float[rows];
        for (int r = 0; r < rows; r++) {
            int off = r * d;
            double mean = 0;
            for (int i = 0; i < d; i++) {
                mean += xs[off + i];
            }
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                double c = xs[off + i] - mean;
                var += c * c;
            }
            var /= d;
            double inv = 1.0 / Math.sqrt(var + eps);
            invStd[r] = (float) inv;
            for (int i = 0; i < d; i++) {
                double h = (xs[off + i] - mean) * inv;
                xhat[off + i] = (float) h;
                ys[off + i] = weight == null ? (float) h : (float) (h * weight.data()[i] + bias.data()[i]);
            }
        }
        lastXhat = xhat;
        lastInvStd = invStd;
        lastShape = x.shape();
        return y;
    }

    /**
     * Backward of the last forward: returns dx and accumulates dγ, dβ.
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
        int d = features;
        int rows = dy.size() / d;
        float[] g = dy.data();
        Tensor dx = Tensor.zeros(lastShape);
        float[] out = dx.data();
        double[] gi = new double[d];
        for (int r = 0; r < rows; r++) {
            int off = r * d;
            double meanG = 0;
            double meanGx = 0;
            for (int i = 0; i < d; i++) {
                double h = lastXhat[off + i];
                gi[i] = weight == null ? g[off + i] : (double) g[off + i] * weight.data()[i];
                meanG += gi[i];
                meanGx += gi[i] * h;
                if (weight != null) {
                    weight.grad()[i] += (float) (g[off + i] * h);
                    bias.grad()[i] += g[off + i];
                }
            }
            meanG /= d;
            meanGx /= d;
            for (int i = 0; i < d; i++) {
                out[off + i] = (float) ((gi[i] - meanG - lastXhat[off + i] * meanGx) * lastInvStd[r]);
            }
        }
        return dx;
    }
}
