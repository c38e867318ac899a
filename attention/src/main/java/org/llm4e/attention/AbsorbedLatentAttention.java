package org.llm4e.attention;

import java.util.Arrays;
import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;

/**
 * The absorbed (inference) path of {@link MultiHeadLatentAttention}: the up-projections {@code W^UK} and {@code W^UV}
 * are folded into the query and output projections once, so attention runs directly on the cached latents, as a
 * multi-query attention whose single key is the cached row {@code [c^KV_j; k^R_j]} and whose single value is
 * {@code c^KV_j}.
 *
 * <pre>
 *   content score, head i:  q^C_{t,i}ᵀ k^C_{j,i} = (W^UQ_i c^Q_t)ᵀ (W^UK_i c^KV_j) = c^Q_tᵀ (W^UQ_iᵀ W^UK_i) c^KV_j
 *                           = q̃_{t,i}ᵀ c^KV_j,          q̃_{t,i} = (W^UQ_iᵀ W^UK_i)ᵀ c^Q_t     (d_c wide)
 *   full score:             [q̃_{t,i}; q^R_{t,i}]ᵀ [c^KV_j; k^R_j] / √(d_h + d_h^R)
 *   output:                 u_t = Σ_i W^O_i Σ_j p_{tj,i} W^UV_i c^KV_j = Σ_i (W^O_i W^UV_i) ô_{t,i},
 *                           ô_{t,i} = Σ_j p_{tj,i} c^KV_j                                  (d_c wide)
 * </pre>
 *
 * <p>From 一文了解Deepseek系列中的MLA技术.md (attention catalog §10, "matrix absorption"). The article writes the
 * absorbed query matrix as {@code W^{qT} W^{UK}}; with DeepSeek-V2's query compression it is {@code W^UQ_iᵀ W^UK_i}
 * per head, applied to {@code c^Q}. {@code W^UV} is absorbed into {@code W^O} "with care over transposes":
 * {@code W^O_i} is the block of columns {@code [i·d_v, (i+1)·d_v)} of {@code W^O}. The rotary part cannot be absorbed
 * (its rotation depends on both positions), which is why it stays a separate, small, shared key.
 *
 * <p>Per decode step and head the absorbed path reads each cached row once ({@code d_c + d_h^R} floats, shared by all
 * heads) and computes no per-token key or value, where the explicit path up-projects the whole cache again. Its query
 * and output projections are wider ({@code n_h · d_c} instead of {@code n_h · d_h}), the trade DeepSeek makes for a
 * 57× smaller cache. For each batch element the scores of all heads and new tokens come from one {@code sgemm} over
 * the cached rows, and the outputs from a second one that reads the first {@code d_c} columns of the same rows.
 *
 * <p>The object is a snapshot of the layer's weights when {@link MultiHeadLatentAttention#absorb()} was called; it is
 * immutable and thread-safe (the cache passed in is not).
 */
public final class AbsorbedLatentAttention {
    private final MultiHeadLatentAttention layer;
    private final int dModel;
    private final int heads;
    private final int qRank;
    private final int kvRank;
    private final int ropeDim;
    private final float scale;
    private final float[] wdq;
    private final float[] wqr;
    private final float[] wdkv;
    private final float[] wkr;
    /** {@code [n_h·d_c, d_c′]}: row block i is {@code (W^UQ_iᵀ W^UK_i)ᵀ = W^UK_iᵀ W^UQ_i}, nn.Linear layout. */
    private final float[] queryAbsorbed;
    /** {@code [dModel, n_h·d_c]}: column block i is {@code W^O_i W^UV_i}. */
    private final float[] outputAbsorbed;

    AbsorbedLatentAttention(MultiHeadLatentAttention layer) {
        this.layer = layer;
        this.dModel = layer.dModel();
        this.heads = layer.numHeads();
        this.qRank = layer.queryInputDim();
        this.kvRank = layer.kvLoraRank();
        this.ropeDim = layer.qkRopeHeadDim();
        this.scale = (float) layer.scale();
        int dn = layer.qkNopeHeadDim();
        int dv = layer.vHeadDim();
        this.wdq = layer.qLoraRank() > 0 ? layer.weight("W_DQ").data().clone() : null;
        this.wqr = layer.weight("W_QR").data().clone();
        this.wdkv = layer.weight("W_DKV").data().clone();
        this.wkr = layer.weight("W_KR").data().clone();
        float[] wuq = layer.weight("W_UQ").data();
        float[] wuk = layer.weight("W_UK").data();
        float[] wuv = layer.weight("W_UV").data();
        float[] wo = layer.weight("W_O").data();
        this.queryAbsorbed = new float[heads * kvRank * qRank];
        this.outputAbsorbed = new float[dModel * heads * kvRank];
        for (int h = 0; h < heads; h++) {
            // W^UK_iᵀ [d_c, d_h] · W^UQ_i [d_h, d_c′]
            Kernels.sgemm(
                    true,
                    false,
                    kvRank,
                    qRank,
                    dn,
                    1f,
                    wuk,
                    h * dn * kvRank,
                    kvRank,
                    wuq,
                    h * dn * qRank,
                    qRank,
                    0f,
                    queryAbsorbed,
                    h * kvRank * qRank,
                    qRank);
            // W^O_i [dModel, d_v] (columns of W^O) · W^UV_i [d_v, d_c]
            Kernels.sgemm(
                    false,
                    false,
                    dModel,
                    kvRank,
                    dv,
                    1f,
                    wo,
                    h * dv,
                    heads * dv,
                    wuv,
                    h * dv * kvRank,
                    kvRank,
                    0f,
                    outputAbsorbed,
                    h * kvRank,
                    heads * kvRank);
        }
    }

    /**
     * The absorbed query matrices.
     *
     * @return a copy {@code [numHeads, kvLoraRank, queryInputDim]} whose slice {@code i} is {@code W^UK_iᵀ W^UQ_i}, the
     *     transpose of the article's {@code W^UQ_iᵀ W^UK_i}
     */
    public Tensor queryAbsorbed() {
        return Tensor.of(queryAbsorbed.clone(), heads, kvRank, qRank);
    }

    /**
     * The absorbed output matrices.
     *
     * @return a copy {@code [dModel, numHeads · kvLoraRank]} whose column block {@code i} is {@code W^O_i W^UV_i}
     */
    public Tensor outputAbsorbed() {
        return Tensor.of(outputAbsorbed.clone(), dModel, heads * kvRank);
    }

    /**
     * The absorbed path over a whole sequence (no cache kept), equal to {@link MultiHeadLatentAttention#forward(Tensor,
     * int)} of the weights it was absorbed from.
     *
     * @param x the input {@code [batch, seq, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token, ≥ 0
     * @return the output {@code [batch, seq, dModel]}
     * @throws IllegalArgumentException if the shape or the offset is invalid
     */
    public Tensor forward(Tensor x, int positionOffset) {
        layer.checkInput(x, positionOffset);
        LatentKvCache scratch = new LatentKvCache(x.dim(0), kvRank, ropeDim, Math.max(1, x.dim(1)));
        return run(x, positionOffset, scratch);
    }

    /**
     * Prefill or decode: appends the new tokens' {@code c^KV} and {@code k^R} to the cache and attends over the whole
     * cache through the absorbed matrices. Equals {@link MultiHeadLatentAttention#forward(Tensor, int, LatentKvCache)}.
     *
     * @param x the new tokens {@code [batch, s, dModel]}
     * @param positionOffset the absolute position of {@code x}'s first token, equal to the cache length
     * @param cache the layer's cache ({@link MultiHeadLatentAttention#newCache(int, int)})
     * @return the output rows {@code [batch, s, dModel]}
     * @throws IllegalArgumentException if the shapes do not fit or {@code positionOffset} differs from the cache
     *     length
     */
    public Tensor forward(Tensor x, int positionOffset, LatentKvCache cache) {
        layer.checkInput(x, positionOffset);
        layer.checkCache(cache, x, positionOffset);
        return run(x, positionOffset, cache);
    }

    private Tensor run(Tensor x, int positionOffset, LatentKvCache cache) {
        int batch = x.dim(0);
        int seq = x.dim(1);
        int rows = batch * seq;
        int width = kvRank + ropeDim;
        float[] cQ = wdq == null ? x.data() : Projections.linear(x.data(), rows, dModel, wdq, qRank);
        float[] qAbs = Projections.linear(cQ, rows, qRank, queryAbsorbed, heads * kvRank);
        float[] qR = Projections.linear(cQ, rows, qRank, wqr, heads * ropeDim);
        float[] cKV = Projections.linear(x.data(), rows, dModel, wdkv, kvRank);
        float[] kR = Projections.linear(x.data(), rows, dModel, wkr, ropeDim);
        layer.ropeRows(qR, batch, seq, heads, positionOffset);
        layer.ropeRows(kR, batch, seq, 1, positionOffset);
        cache.append(Tensor.of(cKV, batch, seq, kvRank), Tensor.of(kR, batch, seq, ropeDim));

        int len = cache.length();
        int cap = cache.capacity();
        float[] cached = cache.rows();
        boolean causal = layer.causal();
        float[] q = new float[heads * seq * width];
        float[] p = new float[heads * seq * len];
        float[] o = new float[heads * seq * kvRank];
        float[] merged = new float[rows * heads * kvRank];
        for (int b = 0; b < batch; b++) {
            // Queries of this batch element as [heads · seq, d_c + d_h^R], rows [q̃_{t,i}; q^R_{t,i}].
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < seq; t++) {
                    int src = (b * seq + t) * heads + h;
                    int dst = (h * seq + t) * width;
                    System.arraycopy(qAbs, src * kvRank, q, dst, kvRank);
                    System.arraycopy(qR, src * ropeDim, q, dst + kvRank, ropeDim);
                }
            }
            int kOff = b * cap * width;
            // All heads share the one cached key row: a multi-query attention, one sgemm for every head's scores.
            Kernels.sgemm(false, true, heads * seq, len, width, scale, q, 0, width, cached, kOff, width, 0f, p, 0, len);
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < seq; t++) {
                    int off = (h * seq + t) * len;
                    // Bottom-right causal rule: the new token t sits at position len − seq + t of the cache.
                    int n = causal ? len - seq + t + 1 : len;
                    Arrays.fill(p, off + n, off + len, 0f);
                    float m = Kernels.max(p, off, n);
                    float sum = Kernels.expAndSum(p, off, p, off, n, m);
                    Kernels.scale(1f / sum, p, off, n);
                }
            }
            // ô = P · C, where C is the first d_c columns of the cached rows (leading dimension d_c + d_h^R).
            Kernels.sgemm(false, false, heads * seq, kvRank, len, 1f, p, 0, len, cached, kOff, width, 0f, o, 0, kvRank);
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < seq; t++) {
                    System.arraycopy(o, (h * seq + t) * kvRank, merged, ((b * seq + t) * heads + h) * kvRank, kvRank);
                }
            }
        }
        float[] u = Projections.linear(merged, rows, heads * kvRank, outputAbsorbed, dModel);
        return Tensor.of(u, batch, seq, dModel);
    }
}
