package org.llm4e.attention;

import org.llm4e.core.Tensor;

/**
 * What an attention forward pass returns besides its output: the per-row log-sum-exp and, on request, the attention
 * weights.
 *
 * <pre>
 *   lse[b, h, i] = log Σ_j exp(S[b, h, i, j])     (natural log; −∞ for a row with no allowed key)
 *   P[b, h, i, j] = exp(S[b, h, i, j] − lse[b, h, i])
 * </pre>
 *
 * <p>The log-sum-exp is what FlashAttention-2 saves for its backward pass ({@code L = m + log ℓ}): with it, any block
 * of P can be recomputed from Q and K alone.
 *
 * @param output the attention output {@code [batch, heads, qSeq, headDim]}
 * @param logSumExp the log-sum-exp of every score row {@code [batch, heads, qSeq]}
 * @param weights the softmax weights {@code [batch, heads, qSeq, kvSeq]}, or null when not requested
 */
public record AttentionResult(Tensor output, Tensor logSumExp, Tensor weights) {}
