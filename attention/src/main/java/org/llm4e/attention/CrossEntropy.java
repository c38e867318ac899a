package org.llm4e.attention;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * The language-modelling loss: cross-entropy between the model's next-token distribution and the observed token,
 * computed from logits with the log-sum-exp trick, with its gradient.
 *
 * <pre>
 *   H(p, q) = −Σ_i p(i) log q(i)        with p one-hot on the target y:   ℓ = −log softmax(z)_y
 *   log softmax(z)_y = z_y − m − log Σ_j exp(z_j − m),   m = max_j z_j      (never overflows)
 *   L = (1/N) Σ_n ℓ_n   over the N targets that are not ignored
 *   ∂L/∂z_nj = (softmax(z_n)_j − [j = y_n]) / N
 * </pre>
 *
 * <p>From 大模型有哪些评估指标？.md (METRICS, tokenizers/quantization catalog, "Cross-entropy"); its exponential is the
 * {@link Perplexity}. Matches {@code torch.nn.functional.cross_entropy(logits, targets, ignore_index=-100,
 * reduction="mean")}; the per-row sums are in double, so rows of 100k logits lose no precision. A mean over zero
 * targets is NaN, as in torch.
 */
public final class CrossEntropy {
    /** torch's default {@code ignore_index}: targets with this value contribute neither loss nor gradient. */
    public static final int IGNORE_INDEX = -100;

    private CrossEntropy() {}

    /**
     * The mean loss and its gradient.
     *
     * @param loss the mean cross-entropy in nats
     * @param dLogits {@code ∂loss/∂logits}, shaped like the logits
     * @param count the number of targets averaged over
     */
    public record Result(double loss, Tensor dLogits, int count) {}

    /**
     * The mean cross-entropy of {@code logits} against {@code targets}, with the gradient.
     *
     * @param logits {@code [n, vocab]} (or any shape whose last dimension is the vocabulary)
     * @param targets n class indices in {@code [0, vocab)}, or {@link #IGNORE_INDEX}
     * @return loss, gradient and count
     * @throws IllegalArgumentException if the shapes disagree or a target is out of range, naming it
     */
    public static Result compute(Tensor logits, int[] targets) {
        if (logits == null || logits.rank() < 1 || targets == null) {
            throw new IllegalArgumentException("logits and targets must not be null");
        }
        int vocab = logits.dim(logits.rank() - 1);
        int n = logits.size() / vocab;
        if (targets.length != n) {
            throw new IllegalArgumentException("targets has length " + targets.length + " but logits "
                    + Arrays.toString(logits.shape()) + " has " + n + " rows");
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            int y = targets[i];
            if (y == IGNORE_INDEX) {
                continue;
            }
            if (y < 0 || y >= vocab) {
                throw new IllegalArgumentException(
                        "targets[" + i + "] must be in [0, " + vocab + ") or " + IGNORE_INDEX + ", got " + y);
            }
            count++;
        }
        float[] z = logits.data();
        Tensor grad = Tensor.zeros(logits.shape());
        float[] g = grad.data();
        double total = 0;
        for (int i = 0; i < n; i++) {
            int y = targets[i];
            if (y == IGNORE_INDEX) {
                continue;
            }
            int off = i * vocab;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                m = Math.max(m, z[off + j]);
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(z[off + j] - m);
            }
            double lse = m + Math.log(sum);
            total += lse - z[off + y];
            for (int j = 0; j < vocab; j++) {
                g[off + j] = (float) (Math.exp(z[off + j] - lse) / count);
            }
            g[off + y] -= 1f / count;
        }
        return new Result(total / count, grad, count);
    }

    /**
     * The mean cross-entropy only.
     *
     * @param logits {@code [n, vocab]}
     * @param targets n class indices or {@link #IGNORE_INDEX}
     * @return the loss in nats
     * @throws IllegalArgumentException as {@link #compute(Tensor, int[])}
     */
    public static double loss(Tensor logits, int[] targets) {
        return compute(logits, targets).loss();
    }
}
