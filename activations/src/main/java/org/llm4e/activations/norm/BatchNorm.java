package org.llm4e.activations.norm;

import java.util.Arrays;
import java.util.List;
import org.llm4e.activations.internal.Checks;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/**
 * Batch normalization (Ioffe and Szegedy 2015) over a batch {@code [n, features]}: each feature is standardized
 * across the samples of the mini-batch.
 *
 * <pre>
 *   training:  μⱼ = mean_i xᵢⱼ,  σⱼ² = mean_i (xᵢⱼ − μⱼ)²  (biased),  x̂ = (x − μ)/√(σ² + ε),  y = γ ⊙ x̂ + β
 *              running_mean ← (1 − m)·running_mean + m·μ
 *              running_var  ← (1 − m)·running_var  + m·σ²·n/(n − 1)     (unbiased)
 *   eval:      x̂ = (x − running_mean)/√(running_var + ε)
 *   backward (training): g = dy ⊙ γ,  dx = (g − mean_i g − x̂·mean_i(g ⊙ x̂)) / √(σ² + ε)
 *   backward (eval):     dx = g / √(running_var + ε)          dγ += Σᵢ dy ⊙ x̂,  dβ += Σᵢ dy
 * </pre>
 *
 * <p>Article: {@code 10分钟搞清楚为什么Transformer中使用LayerNorm而不是BatchNorm.md}, prose only, with the 3×4 table whose per-feature means 4, 3.33, 4.33, 3.33 and standard
 * deviations 2.94, 0.471, 1.69, 2.62 are population (biased) values. The article gives no ε, running statistics or
 * momentum; this class follows {@code torch.nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True,
 * track_running_stats=True)}: running mean 0 and variance 1 initially, the unbiased variance in the running average,
 * more than one sample required in training. A row's output depends on the other rows of the batch, the article's
 * argument against it in Transformers. Stateful (mode, running statistics, saved forward); not thread-safe.
 */
public final class BatchNorm {
    private final int features;
    private final double eps;
    private final double momentum;
    private final Parameter weight;
    private final Parameter bias;
    private final float[] runningMean;
    private final float[] runningVar;
    private long numBatchesTracked;
    private boolean training = true;
    private float[] lastXhat;
    private float[] lastInvStd;
    private boolean lastTraining;
    private int lastN = -1;

    /**
     * Creates a batch norm in training mode.
     *
     * @param numFeatures the number of features (columns)
     * @param eps added to the variance (finite, ≥ 0)
     * @param momentum the running-average weight of the new batch, in [0, 1]
     * @param affine whether to learn γ (ones) and β (zeros)
     * @throws IllegalArgumentException for a non-positive feature count or an out-of-range eps or momentum
     */
    public BatchNorm(int numFeatures, double eps, double momentum, boolean affine) {
        this.features = Checks.positive("num_features", numFeatures);
        this.eps = Checks.nonNegative("eps", eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        this.momentum = momentum;
        this.runningMean = new float[features];
        this.runningVar = new float[features];
        Arrays.fill(runningVar, 1f);
        if (affine) {
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
     * Creates a batch norm with PyTorch's defaults (ε = 1e-5, momentum 0.1, affine).
     *
     * @param numFeatures the number of features
     * @throws IllegalArgumentException if {@code numFeatures < 1}
     */
    public BatchNorm(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true);
    }

    /**
     * Switches to training mode (batch statistics, running averages updated).
     *
     * @return this
     */
    public BatchNorm train() {
        training = true;
        return this;
    }

    /**
     * Switches to eval mode (running statistics).
     *
     * @return this
     */
    public BatchNorm eval() {
        training = false;
        return this;
    }

    /**
     * Whether the layer is in training mode.
     *
     * @return true in training mode
     */
    public boolean isTraining() {
        return training;
    }

    /**
     * The running mean (live array).
     *
     * @return running_mean
     */
    public float[] runningMean() {
        return runningMean;
    }

    /**
     * The running unbiased variance (live array).
     *
     * @return running_var
     */
    public float[] runningVar() {
        return runningVar;
    }

    /**
     * The number of training batches seen.
     *
     * @return num_batches_tracked
     */
    public long numBatchesTracked() {
        return numBatchesTracked;
    }

    /**
     * The learnable γ and β (names {@code weight}, {@code bias}); empty without affine.
     *
     * @return the live parameters
     */
    public List<Parameter> parameters() {
        return weight == null ? List.of() : List.of(weight, bias);
    }

    /**
     * Normalizes each feature of a batch.
     *
     * @param x the batch {@code [n, numFeatures]}
     * @return a new tensor of the same shape
     * @throws IllegalArgumentException if the shape is wrong, or n &lt; 2 in training mode
     */
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != features) {
            throw new IllegalArgumentException(
                    "x has shape " + Arrays.toString(x.shape()) + "; expected [n, " + features + "]");
        }
        int n = x.dim(0);
        if (training && n < 2) {
            throw new IllegalArgumentException(
                    "batch size must be > 1 in training mode (one value per feature has no variance), got " + n);
        }
        float[] xs = x.data();
        Tensor y = Tensor.zeros(n, features);
        float[] ys = y.data();
        float[] xhat = new float[n * features];
        float[] invStd = new float[features];
        for (int j = 0; j < features; j++) {
            double mean;
            double var;
            if (training) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += xs[i * features + j];
                }
                mean = s / n;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    double c = xs[i * features + j] - mean;
                    ss += c * c;
                }
                var = ss / n;
                runningMean[j] = (float) ((1 - momentum) * runningMean[j] + momentum * mean);
                runningVar[j] = (float) ((1 - momentum) * runningVar[j] + momentum * ss / (n - 1));
            } else {
                mean = runningMean[j];
                var = runningVar[j];
            }
            double inv = 1.0 / Math.sqrt(var + eps);
            invStd[j] = (float) inv;
            for (int i = 0; i < n; i++) {
                int idx = i * features + j;
                double h = (xs[idx] - mean) * inv;
                xhat[idx] = (float) h;
                ys[idx] = weight == null ? (float) h : (float) (h * weight.data()[j] + bias.data()[j]);
            }
        }
        if (training) {
            numBatchesTracked++;
        }
        lastXhat = xhat;
        lastInvStd = invStd;
        lastTraining = training;
        lastN = n;
        return y;
    }

    /**
     * Backward of the last forward (in the mode it ran in): returns dx and accumulates dγ, dβ.
     *
     * @param dy the upstream gradient {@code [n, numFeatures]}
     * @return a new tensor dx
     * @throws IllegalStateException if no forward preceded
     * @throws IllegalArgumentException if dy's shape differs from the last input's
     */
    public Tensor backward(Tensor dy) {
        if (lastN < 0) {
            throw new IllegalStateException("backward needs a preceding forward");
        }
        int n = lastN;
        if (dy.rank() != 2 || dy.dim(0) != n || dy.dim(1) != features) {
            throw new IllegalArgumentException("dy has shape " + Arrays.toString(dy.shape())
                    + " but the last input has shape [" + n + ", " + features + "]");
        }
        float[] g = dy.data();
        Tensor dx = Tensor.zeros(n, features);
        float[] out = dx.data();
        for (int j = 0; j < features; j++) {
            double gamma = weight == null ? 1.0 : weight.data()[j];
            double meanG = 0;
            double meanGx = 0;
            double dGamma = 0;
            double dBeta = 0;
            for (int i = 0; i < n; i++) {
                int idx = i * features + j;
                double gi = g[idx] * gamma;
                meanG += gi;
                meanGx += gi * lastXhat[idx];
                dGamma += (double) g[idx] * lastXhat[idx];
                dBeta += g[idx];
            }
            meanG /= n;
            meanGx /= n;
            if (weight != null) {
                weight.grad()[j] += (float) dGamma;
                bias.grad()[j] += (float) dBeta;
            }
            for (int i = 0; i < n; i++) {
                int idx = i * features + j;
                double gi = g[idx] * gamma;
                double v = lastTraining ? gi - meanG - lastXhat[idx] * meanGx : gi;
                out[idx] = (float) (v * lastInvStd[j]);
            }
        }
        return dx;
    }
}
