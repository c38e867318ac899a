package org.llm4e.positional;

/**
 * Which two dimensions of a head vector RoPE rotates together as one 2-D pair (frequency {@code θ_j}, j = 0..d/2−1).
 *
 * <pre>
 *   HALF:        pair j = (x[j], x[j + d/2])      HF Llama / GPT-NeoX rotate_half
 *   INTERLEAVED: pair j = (x[2j], x[2j + 1])     RoFormer, GPT-J, Meta llama's view_as_complex
 * </pre>
 *
 * <p>The articles (从欧拉公式的美到旋转位置编码RoPE.md, ROPE img 7–8) draw the block-diagonal matrix on adjacent pairs,
 * which is {@link #INTERLEAVED}. Hugging Face's Llama and Qwen code uses {@link #HALF}. The two are the same rotation
 * under the fixed permutation {@code interleaved index 2j ↦ half index j, 2j + 1 ↦ j + d/2}, so scores are identical;
 * checkpoints are not interchangeable without permuting the rows of the q/k projections.
 */
public enum RopeLayout {
    /** Pairs {@code (j, j + d/2)}: Hugging Face Llama, Qwen, GPT-NeoX. */
    HALF,
    /** Pairs {@code (2j, 2j + 1)}: RoFormer, GPT-J, Meta's reference Llama (complex numbers). */
    INTERLEAVED;

    /**
     * The index of the first element ("real part") of pair {@code j}.
     *
     * @param pair the pair index, {@code 0 ≤ pair < headDim / 2}
     * @param headDim the even head dimension
     * @return {@code j} for HALF, {@code 2j} for INTERLEAVED
     */
    public int first(int pair, int headDim) {
        return this == HALF ? pair : 2 * pair;
    }

    /**
     * The index of the second element ("imaginary part") of pair {@code j}.
     *
     * @param pair the pair index, {@code 0 ≤ pair < headDim / 2}
     * @param headDim the even head dimension
     * @return {@code j + d/2} for HALF, {@code 2j + 1} for INTERLEAVED
     */
    public int second(int pair, int headDim) {
        return this == HALF ? pair + headDim / 2 : 2 * pair + 1;
    }

    /**
     * The permutation that takes a vector in this layout to the other layout: {@code other[k] = x[perm[k]]}.
     *
     * @param headDim the even head dimension
     * @return the index array of length {@code headDim}
     * @throws IllegalArgumentException if {@code headDim} is not positive and even
     */
    public int[] permutationToOther(int headDim) {
        RotaryEmbedding.checkHeadDim(headDim);
        RopeLayout other = this == HALF ? INTERLEAVED : HALF;
        int[] perm = new int[headDim];
        for (int j = 0; j < headDim / 2; j++) {
            perm[other.first(j, headDim)] = first(j, headDim);
            perm[other.second(j, headDim)] = second(j, headDim);
        }
        return perm;
    }
}
