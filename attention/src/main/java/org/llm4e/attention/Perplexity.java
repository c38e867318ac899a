package org.llm4e.attention;

import org.llm4e.core.Tensor;

/**
 * Perplexity: the geometric mean of the inverse probabilities a model gives the observed tokens — "how many equally
 * likely choices the model is hesitating between".
 *
 * <pre>
 *   PP(W) = p(w₁, …, w_m)^(−1/m) = ( Π_{i=1..m} 1 / p(w_i | w₁ … w_{i−1}) )^(1/m) = exp( (1/m) Σ_i −ln p(w_i | …) )
 * </pre>
 *
 * <p>From 大模型有哪些评估指标？.md (METRICS, tokenizers/quantization catalog). The article's examples: a model that is
 * uniform over 81 outcomes (one red ball among 80 black) has perplexity 81; token probabilities 0.5, 0.25, 0.125 give
 * {@code (1/64)^(−1/3) = 4}. <b>Erratum:</b> the article's printed product starts at {@code i = 2}, dropping
 * {@code p(w₁)}, which its own text includes; the product runs over {@code i = 1 … m} here (with {@code i = 2} the
 * second example would give {@code 32^(1/3) ≈ 3.17}). The article's claim that perplexity lies between 1 and the
 * vocabulary size holds only for models no worse than uniform: in general {@code PP ≥ 1} with no upper bound.
 * Computed as {@code exp(mean NLL)} in double, which is what {@code torch.exp(cross_entropy)} reports.
 */
public final class Perplexity {
    private Perplexity() {}

    /**
     * Perplexity from the probabilities the model gave each observed token.
     *
     * @param probabilities {@code p(w_i | w₁ … w_{i−1})} for i = 1 … m, each in (0, 1]
     * @return {@code exp(−(1/m) Σ ln p_i)}
     * @throws IllegalArgumentException if the array is empty or a probability is outside (0, 1], naming it
     */
    public static double ofProbabilities(double[] probabilities) {
        if (probabilities == null || probabilities.length == 0) {
            throw new IllegalArgumentException("probabilities must hold at least one value");
        }
        double nll = 0;
        for (int i = 0; i < probabilities.length; i++) {
            double p = probabilities[i];
            if (!(p > 0 && p <= 1)) {
                throw new IllegalArgumentException("probabilities[" + i + "] must be in (0, 1], got " + p);
            }
            nll -= Math.log(p);
        }
        return Math.exp(nll / probabilities.length);
    }

    /**
     * Perplexity from a mean negative log-likelihood in nats (a cross-entropy loss).
     *
     * @param meanNll the mean NLL, ≥ 0 for probabilities
     * @return {@code exp(meanNll)}
     */
    public static double ofLoss(double meanNll) {
        return Math.exp(meanNll);
    }

    /**
     * Perplexity of next-token logits against the observed tokens: {@code exp(CrossEntropy)}.
     *
     * @param logits {@code [n, vocab]}
     * @param targets n token ids (or {@link CrossEntropy#IGNORE_INDEX})
     * @return the perplexity
     * @throws IllegalArgumentException as {@link CrossEntropy#compute(Tensor, int[])}
     */
    public static double ofLogits(Tensor logits, int[] targets) {
        return ofLoss(CrossEntropy.loss(logits, targets));
    }
}
