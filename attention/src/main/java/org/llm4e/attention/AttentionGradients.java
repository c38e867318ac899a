package org.llm4e.attention;

import org.llm4e.core.Tensor;

/**
 * The gradients of an attention call with respect to its inputs, given the gradient {@code dO} of its output.
 *
 * <pre>
 *   dV = Pᵀ dO        dP = dO Vᵀ        Δ_i = Σ_j P_ij dP_ij = rowsum(dO ∘ O)_i
 *   dS = P ∘ (dP − Δ)                   dQ = scale · dS K        dK = scale · dSᵀ Q
 * </pre>
 *
 * <p>For GQA/MQA, {@code dK} and {@code dV} have the kv-head count of {@code k} and {@code v}: the contributions of
 * every query head of a group are summed into the kv head they share.
 *
 * @param dQ gradient of the queries {@code [batch, heads, qSeq, headDim]}
 * @param dK gradient of the keys {@code [batch, kvHeads, kvSeq, headDim]}
 * @param dV gradient of the values {@code [batch, kvHeads, kvSeq, valueDim]}
 * @param delta FlashAttention-2's {@code D_i = rowsum(dO ∘ O)} {@code [batch, heads, qSeq]}
 */
public record AttentionGradients(Tensor dQ, Tensor dK, Tensor dV, Tensor delta) {}
