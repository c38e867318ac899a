package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.attention.MixtureOfExpertsTest.assertMessage;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Tensor;

/** The worked examples of 大模型有哪些评估指标？.md (METRICS): cross-entropy and perplexity. */
class PerplexityArticleTest {

    /** The red-ball analogy: one red ball among 80 black ones, a model uniform over 81 outcomes, has perplexity 81. */
    @Test
    void uniformOverEightyOneHasPerplexityEightyOne() {
        double[] p = new double[7];
        java.util.Arrays.fill(p, 1.0 / 81);
        assertEquals(81.0, Perplexity.ofProbabilities(p), 1e-9);
        // The same through logits: all-zero logits over a vocabulary of 81.
        Tensor logits = Tensor.zeros(5, 81);
        assertEquals(81.0, Perplexity.ofLogits(logits, new int[] {0, 3, 80, 40, 7}), 1e-9);
        // The best model (only the red ball) has perplexity 1.
        assertEquals(1.0, Perplexity.ofProbabilities(new double[] {1, 1, 1}), 0);
    }

    /**
     * Token probabilities 0.5, 0.25, 0.125 give {@code (1/64)^(−1/3) = 4}. Erratum: the article's printed product
     * starts at i = 2, which would drop p(w₁) = 0.5 and give {@code (4 · 8)^(1/3) ≈ 3.17}; the text includes p(w₁), and
     * so does this implementation.
     */
    @Test
    void halfQuarterEighthHasPerplexityFour() {
        assertEquals(4.0, Perplexity.ofProbabilities(new double[] {0.5, 0.25, 0.125}), 1e-12);
        double fromTwo = Math.pow(4 * 8, 1.0 / 3); // the erratum's reading (with 1/m = 1/3)
        assertEquals(3.1748, fromTwo, 1e-4);
        assertTrue(Math.abs(Perplexity.ofProbabilities(new double[] {0.5, 0.25, 0.125}) - fromTwo) > 0.5);
    }

    /** "Between 1 and the vocabulary size" holds only for models no worse than uniform (catalog note). */
    @Test
    void perplexityHasNoUpperBoundForAWorseThanUniformModel() {
        Tensor logits = Tensor.of(new float[] {10, 0, 0, 0}, 1, 4); // confident and wrong
        double pp = Perplexity.ofLogits(logits, new int[] {1});
        assertTrue(pp > 4 * 1000, "PP " + pp + " exceeds the vocabulary size 4");
    }

    /** Cross-entropy equals −log softmax at the target, is stable for huge logits, and ignores −100 targets. */
    @Test
    void crossEntropyIsStableAndIgnoresPadding() {
        Tensor logits = Tensor.of(new float[] {2f, 1f, 0.1f, 1000f, 0f, -1000f}, 2, 3);
        CrossEntropy.Result r = CrossEntropy.compute(logits, new int[] {0, 1});
        double l0 = -Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(1) + Math.exp(0.1)));
        double l1 = 1000; // −log softmax(1000, 0, −1000)_1 = 1000 + log(1 + e^−1000 + e^−2000)
        assertEquals((l0 + l1) / 2, r.loss(), 1e-5);
        // The softmax of the article's z = [2.0, 1.0, 0.1] is [0.65900114, 0.24243297, 0.09856589]; the gradient is
        // (softmax − onehot) / N.
        assertEquals((0.65900114 - 1) / 2, r.dLogits().get(0, 0), 1e-7);
        assertEquals(0.24243297 / 2, r.dLogits().get(0, 1), 1e-7);
        assertEquals(0.09856589 / 2, r.dLogits().get(0, 2), 1e-7);
        CrossEntropy.Result ignored = CrossEntropy.compute(logits, new int[] {0, CrossEntropy.IGNORE_INDEX});
        assertEquals(l0, ignored.loss(), 1e-6);
        assertEquals(1, ignored.count());
        assertEquals(0f, ignored.dLogits().get(1, 0));
        assertTrue(Double.isNaN(CrossEntropy.loss(logits, new int[] {-100, -100})), "mean over nothing is NaN (torch)");
    }

    /** The gradient of the mean loss is its derivative: central differences in double on random logits. */
    @Property(tries = 40)
    void crossEntropyGradientMatchesFiniteDifferences(
            @ForAll @IntRange(min = 1, max = 4) int n,
            @ForAll @IntRange(min = 2, max = 9) int vocab,
            @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Tensor logits = Tensor.randn(seed, n, vocab);
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            targets[i] = (seed + 3 * i) % vocab;
        }
        CrossEntropy.Result r = CrossEntropy.compute(logits, targets);
        for (int i = 0; i < logits.size(); i++) {
            Tensor p = logits.copy();
            Tensor m = logits.copy();
            p.data()[i] += 1e-2f;
            m.data()[i] -= 1e-2f;
            double num = (CrossEntropy.loss(p, targets) - CrossEntropy.loss(m, targets))
                    / (p.data()[i] - (double) m.data()[i]);
            assertEquals(num, r.dLogits().data()[i], 2e-4);
        }
        assertTrue(Perplexity.ofLoss(r.loss()) >= 1);
    }

    @Test
    void badInputIsRejectedNamingTheParameter() {
        assertMessage(() -> CrossEntropy.compute(Tensor.zeros(2, 3), new int[] {0}), "targets", "1", "2 rows");
        assertMessage(() -> CrossEntropy.compute(Tensor.zeros(2, 3), new int[] {0, 3}), "targets[1]", "[0, 3)", "3");
        assertMessage(() -> Perplexity.ofProbabilities(new double[] {0.5, 0}), "probabilities[1]", "(0, 1]", "0.0");
        assertMessage(() -> Perplexity.ofProbabilities(new double[0]), "probabilities");
    }
}
