package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RotaryEmbedding;

class MultiHeadLatentAttentionTest {
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;

    static MultiHeadLatentAttention small(long seed, boolean causal) {
        return MultiHeadLatentAttention.builder()
                .dModel(24)
                .numHeads(3)
                .qLoraRank(12)
                .kvLoraRank(10)
                .qkNopeHeadDim(8)
                .qkRopeHeadDim(4)
                .vHeadDim(6)
                .causal(causal)
                .seed(seed)
                .build();
    }

    // ---- the double-precision reference of the article's formulas (MLA img 10) ----

    /** y = W x for one token, W [out, in] in float, x and y in double. */
    static double[] mul(float[] w, int out, int in, double[] x) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < in; i++) {
                s += (double) w[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    static double[] row(Tensor x, int b, int t) {
        int d = x.dim(2);
        double[] r = new double[d];
        for (int i = 0; i < d; i++) {
            r[i] = x.data()[(b * x.dim(1) + t) * d + i];
        }
        return r;
    }

    static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** u_t of every token of x (positions offset .. offset+seq−1), straight from the formulas, in double. */
    static double[] reference(MultiHeadLatentAttention m, Tensor x, int offset) {
        int batch = x.dim(0);
        int seq = x.dim(1);
        int dm = m.dModel();
        int h = m.numHeads();
        int dq = m.qLoraRank();
        int qIn = m.queryInputDim();
        int dc = m.kvLoraRank();
        int dn = m.qkNopeHeadDim();
        int dr = m.qkRopeHeadDim();
        int dv = m.vHeadDim();
        RotaryEmbedding rope = RotaryEmbedding.builder(dr).build();
        Map<String, float[]> w = m.parameters().stream().collect(Collectors.toMap(Parameter::name, Parameter::data));
        double[] out = new double[batch * seq * dm];
        for (int b = 0; b < batch; b++) {
            double[][] qC = new double[seq][];
            double[][] qR = new double[seq][];
            double[][] kC = new double[seq][];
            double[][] kR = new double[seq][];
            double[][] vC = new double[seq][];
            for (int t = 0; t < seq; t++) {
                double[] ht = row(x, b, t);
                double[] cQ = dq == 0 ? ht : mul(w.get("W_DQ"), dq, dm, ht);
                qC[t] = mul(w.get("W_UQ"), h * dn, qIn, cQ);
                qR[t] = mul(w.get("W_QR"), h * dr, qIn, cQ);
                for (int i = 0; i < h; i++) {
                    rope.rotate(qR[t], i * dr, offset + t);
                }
                double[] cKV = mul(w.get("W_DKV"), dc, dm, ht);
                kC[t] = mul(w.get("W_UK"), h * dn, dc, cKV);
                vC[t] = mul(w.get("W_UV"), h * dv, dc, cKV);
                kR[t] = mul(w.get("W_KR"), dr, dm, ht);
                rope.rotate(kR[t], 0, offset + t);
            }
            for (int t = 0; t < seq; t++) {
                double[] concat = new double[h * dv];
                int last = m.causal() ? t : seq - 1;
                for (int i = 0; i < h; i++) {
                    double[] s = new double[last + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= last; j++) {
                        // The decoupled score: content part plus the shared rotary key's part.
                        s[j] = (dot(qC[t], i * dn, kC[j], i * dn, dn) + dot(qR[t], i * dr, kR[j], 0, dr)) * m.scale();
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= last; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= last; j++) {
                        for (int e = 0; e < dv; e++) {
                            concat[i * dv + e] += s[j] / sum * vC[j][i * dv + e];
                        }
                    }
                }
                double[] u = mul(w.get("W_O"), dm, h * dv, concat);
                System.arraycopy(u, 0, out, (b * seq + t) * dm, dm);
            }
        }
        return out;
    }

    // ---- explicit and absorbed paths ----

    @Test
    void explicitPathMatchesTheFormulasInDouble() {
        MultiHeadLatentAttention m = small(1, true);
        Tensor x = Tensor.randn(11, 2, 7, 24);
        assertClose(reference(m, x, 0), m.forward(x).data(), RTOL, ATOL, "explicit vs double reference");
        assertClose(reference(m, x, 5), m.forward(x, 5).data(), RTOL, ATOL, "offset 5");
        MultiHeadLatentAttention full = small(2, false);
        assertClose(reference(full, x, 0), full.forward(x).data(), RTOL, ATOL, "non-causal");
    }

    @Test
    void absorbedPathGivesTheSameOutputAsTheExplicitPath() {
        for (boolean causal : new boolean[] {true, false}) {
            MultiHeadLatentAttention m = small(3, causal);
            Tensor x = Tensor.randn(12, 2, 9, 24);
            AbsorbedLatentAttention a = m.absorb();
            assertClose(m.forward(x, 4).data(), a.forward(x, 4).data(), RTOL, ATOL, "causal " + causal);
            assertClose(reference(m, x, 4), a.forward(x, 4).data(), RTOL, ATOL, "absorbed vs double reference");
        }
    }

    @Property(tries = 40)
    void explicitEqualsAbsorbedForRandomSizes(
            @ForAll @IntRange(min = 1, max = 4) int heads,
            @ForAll @IntRange(min = 0, max = 9) int qRank,
            @ForAll @IntRange(min = 1, max = 9) int kvRank,
            @ForAll @IntRange(min = 1, max = 6) int nope,
            @ForAll @IntRange(min = 1, max = 3) int ropeHalf,
            @ForAll @IntRange(min = 1, max = 6) int vDim,
            @ForAll @IntRange(min = 1, max = 6) int seq,
            @ForAll @IntRange(min = 0, max = 50) int offset,
            @ForAll long seed) {
        MultiHeadLatentAttention m = MultiHeadLatentAttention.builder()
                .dModel(10)
                .numHeads(heads)
                .qLoraRank(qRank)
                .kvLoraRank(kvRank)
                .qkNopeHeadDim(nope)
                .qkRopeHeadDim(2 * ropeHalf)
                .vHeadDim(vDim)
                .seed(seed)
                .build();
        Tensor x = Tensor.randn(seed ^ 0x5DEECE66DL, 2, seq, 10);
        assertClose(m.forward(x, offset).data(), m.absorb().forward(x, offset).data(), 1e-4, 2e-5, "absorbed");
    }

    @Test
    void withoutQueryCompressionTheArticlesPlainWqIsAbsorbed() {
        // qLoraRank 0 (DeepSeek-V2-Lite's q_lora_rank: null): q^C = W^UQ h_t, and the absorbed query matrix is the
        // article's W^{qT} W^UK.
        MultiHeadLatentAttention m = MultiHeadLatentAttention.builder()
                .dModel(24)
                .numHeads(3)
                .qLoraRank(0)
                .kvLoraRank(10)
                .qkNopeHeadDim(8)
                .qkRopeHeadDim(4)
                .seed(21)
                .build();
        assertEquals(24, m.queryInputDim());
        assertEquals(
                List.of("W_UQ", "W_QR", "W_DKV", "W_UK", "W_KR", "W_UV", "W_O"),
                m.parameters().stream().map(Parameter::name).collect(Collectors.toList()));
        assertThrows(IllegalArgumentException.class, () -> m.shapeOf("W_DQ"));
        Tensor x = Tensor.randn(22, 2, 5, 24);
        assertClose(reference(m, x, 1), m.forward(x, 1).data(), RTOL, ATOL, "explicit");
        assertClose(reference(m, x, 1), m.absorb().forward(x, 1).data(), RTOL, ATOL, "absorbed");
        assertEquals(24, m.absorb().queryAbsorbed().dim(2));
    }

    @Test
    void decodeWithTheCacheEqualsTheFullForwardOnBothPaths() {
        MultiHeadLatentAttention m = small(4, true);
        int prompt = 5;
        int total = 9;
        Tensor x = Tensor.randn(13, 2, total, 24);
        Tensor full = m.forward(x);
        LatentKvCache explicitCache = m.newCache(2, total);
        LatentKvCache absorbedCache = m.newCache(2, total);
        AbsorbedLatentAttention a = m.absorb();
        Tensor e0 = m.forward(seqRows(x, 0, prompt), 0, explicitCache);
        Tensor a0 = a.forward(seqRows(x, 0, prompt), 0, absorbedCache);
        assertClose(seqRows(full, 0, prompt).data(), e0.data(), RTOL, ATOL, "explicit prefill");
        assertClose(seqRows(full, 0, prompt).data(), a0.data(), RTOL, ATOL, "absorbed prefill");
        for (int t = prompt; t < total; t++) {
            Tensor e = m.forward(seqRows(x, t, 1), t, explicitCache);
            Tensor d = a.forward(seqRows(x, t, 1), t, absorbedCache);
            assertClose(seqRows(full, t, 1).data(), e.data(), RTOL, ATOL, "explicit decode " + t);
            assertClose(seqRows(full, t, 1).data(), d.data(), RTOL, ATOL, "absorbed decode " + t);
        }
        assertEquals(total, explicitCache.length());
        assertEquals(total, absorbedCache.length());
    }

    @Test
    void theCacheHoldsOnlyTheLatentAndTheSharedRopeKey() {
        MultiHeadLatentAttention m = small(5, true);
        Tensor x = Tensor.randn(14, 2, 6, 24);
        LatentKvCache cache = m.newCache(2, 6);
        m.absorb().forward(x, 0, cache);
        MultiHeadLatentAttention.Intermediates r = m.forwardWithIntermediates(x, 0);
        assertClose(r.kvLatent().data(), cache.latents().data(), 0, 0, "cached c^KV");
        assertClose(r.ropeKeys().data(), cache.ropeKeys().data(), 0, 0, "cached k^R (after RoPE)");
        // d_c + d_h^R per token, whatever the number of heads; MHA with these heads would cache 2·3·8 = 48.
        assertEquals(10 + 4, cache.elementsPerToken());
        assertEquals(14, m.cacheElementsPerToken());
        assertEquals(2L * 6 * 14 * 4, cache.bytes());
        MultiHeadLatentAttention manyHeads = MultiHeadLatentAttention.builder()
                .dModel(24)
                .numHeads(12)
                .qLoraRank(12)
                .kvLoraRank(10)
                .qkNopeHeadDim(8)
                .qkRopeHeadDim(4)
                .build();
        assertEquals(cache.elementsPerToken(), manyHeads.newCache(1, 1).elementsPerToken());
    }

    @Test
    void deepSeekV2CacheWidthIs576() {
        // DeepSeek-V2 [C]: kv_lora_rank 512 + qk_rope_head_dim 64 = kv_a_proj_with_mqa's 576 output rows (DEPLOY3
        // img 1), against 2 · 128 · 128 = 32 768 for MHA with its 128 heads of 128.
        LatentKvCache c = new LatentKvCache(1, 512, 64, 1);
        assertEquals(576, c.elementsPerToken());
        assertEquals(32_768.0 / 576, 56.89, 0.01);
    }

    @Test
    void scoreSplitsIntoContentAndRotaryParts() {
        MultiHeadLatentAttention m = small(6, true);
        Tensor x = Tensor.randn(15, 1, 5, 24);
        MultiHeadLatentAttention.Intermediates r = m.forwardWithIntermediates(x, 2);
        Tensor p = r.attention().weights();
        int dn = 8;
        int dr = 4;
        for (int h = 0; h < 3; h++) {
            for (int t = 0; t < 5; t++) {
                double[] s = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    double content = 0;
                    for (int e = 0; e < dn; e++) {
                        content += r.contentQueries().get(0, h, t, e)
                                * r.contentKeys().get(0, h, j, e);
                    }
                    double rotary = 0;
                    for (int e = 0; e < dr; e++) {
                        rotary += r.ropeQueries().get(0, h, t, e) * r.ropeKeys().get(0, j, e);
                    }
                    s[j] = (content + rotary) / Math.sqrt(dn + dr);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    sum += Math.exp(s[j] - max);
                }
                for (int j = 0; j < 5; j++) {
                    double expected = j <= t ? Math.exp(s[j] - max) / sum : 0;
                    assertEquals(expected, p.get(0, h, t, j), 1e-5, "head " + h + " row " + t + " key " + j);
                }
            }
        }
    }

    @Test
    void outputDependsOnlyOnRelativePositions() {
        // RoPE sits only on q^R and the shared k^R, so shifting every position leaves the scores unchanged.
        MultiHeadLatentAttention m = small(7, true);
        Tensor x = Tensor.randn(16, 1, 6, 24);
        assertClose(m.forward(x, 0).data(), m.forward(x, 123).data(), 1e-4, 1e-5, "shift by 123");
    }

    // ---- the absorption identity in float64 (check 13) and the negative test ----

    static double[][] randomMatrix(SplittableRandom r, int rows, int cols) {
        double[][] a = new double[rows][cols];
        for (double[] row : a) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextDouble(-1, 1);
            }
        }
        return a;
    }

    static double[] apply(double[][] a, double[] x) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = dot(a[i], 0, x, 0, x.length);
        }
        return y;
    }

    /** {@code aᵀ b} for a [k, m], b [k, n]. */
    static double[][] transposeTimes(double[][] a, double[][] b) {
        double[][] c = new double[a[0].length][b[0].length];
        for (int k = 0; k < a.length; k++) {
            for (int i = 0; i < c.length; i++) {
                for (int j = 0; j < c[0].length; j++) {
                    c[i][j] += a[k][i] * b[k][j];
                }
            }
        }
        return c;
    }

    static double bilinear(double[] x, double[][] m, double[] y) {
        return dot(x, 0, apply(m, y), 0, x.length);
    }

    @Test
    void absorptionIdentityHoldsInDouble() {
        SplittableRandom r = new SplittableRandom(42);
        int dn = 16;
        int dq = 24;
        int dc = 20;
        int dv = 12;
        int dModel = 10;
        double[][] wuq = randomMatrix(r, dn, dq);
        double[][] wuk = randomMatrix(r, dn, dc);
        double[][] wuv = randomMatrix(r, dv, dc);
        double[][] wo = randomMatrix(r, dModel, dv);
        double[] cQ = randomMatrix(r, 1, dq)[0];
        double[] cKV = randomMatrix(r, 1, dc)[0];
        // scores: (W^UQ c^Q)ᵀ (W^UK c^KV) = c^Qᵀ (W^UQᵀ W^UK) c^KV
        double explicit = dot(apply(wuq, cQ), 0, apply(wuk, cKV), 0, dn);
        double absorbed = bilinear(cQ, transposeTimes(wuq, wuk), cKV);
        assertEquals(explicit, absorbed, 1e-10);
        // output: W^O (W^UV c) = (W^O W^UV) c
        double[] viaValue = apply(wo, apply(wuv, cKV));
        double[][] woWuv = new double[dModel][dc];
        for (int i = 0; i < dModel; i++) {
            for (int k = 0; k < dv; k++) {
                for (int j = 0; j < dc; j++) {
                    woWuv[i][j] += wo[i][k] * wuv[k][j];
                }
            }
        }
        double[] viaAbsorbed = apply(woWuv, cKV);
        for (int i = 0; i < dModel; i++) {
            assertEquals(viaValue[i], viaAbsorbed[i], 1e-10);
        }
    }

    @Test
    void absorptionBreaksWhenRopeSitsBetweenTheQueryAndKeyProjections() {
        // The negative test (MLA img 8): with q = R_m W^UQ c^Q and k = R_n W^UK c^KV the score is
        // c^Qᵀ W^UQᵀ R_{n−m} W^UK c^KV, which no fixed, position-free matrix W^UQᵀ W^UK reproduces.
        SplittableRandom r = new SplittableRandom(7);
        int dn = 8;
        int dq = 12;
        int dc = 10;
        double[][] wuq = randomMatrix(r, dn, dq);
        double[][] wuk = randomMatrix(r, dn, dc);
        double[] cQ = randomMatrix(r, 1, dq)[0];
        double[] cKV = randomMatrix(r, 1, dc)[0];
        RotaryEmbedding rope = RotaryEmbedding.builder(dn).build();
        double[][] fixed = transposeTimes(wuq, wuk);
        double absorbed = bilinear(cQ, fixed, cKV);
        int[][] positions = {{5, 2}, {3, 2}, {9, 0}, {2, 5}};
        double[] trueScores = new double[positions.length];
        for (int c = 0; c < positions.length; c++) {
            double[] q = apply(wuq, cQ);
            double[] k = apply(wuk, cKV);
            rope.rotate(q, 0, positions[c][0]);
            rope.rotate(k, 0, positions[c][1]);
            trueScores[c] = dot(q, 0, k, 0, dn);
            assertTrue(
                    Math.abs(trueScores[c] - absorbed) > 1e-3,
                    "m = " + positions[c][0] + ", n = " + positions[c][1] + ": absorbed " + absorbed + " vs true "
                            + trueScores[c]);
        }
        // Different offsets m − n need different matrices, so no precomputed one serves every step.
        assertNotEquals(trueScores[0], trueScores[1], 1e-6);
        // Only m = n (R_mᵀ R_m = I) agrees, which is no use for attention over other tokens.
        double[] q = apply(wuq, cQ);
        double[] k = apply(wuk, cKV);
        rope.rotate(q, 0, 4);
        rope.rotate(k, 0, 4);
        assertEquals(absorbed, dot(q, 0, k, 0, dn), 1e-10);
    }

    @Test
    void absorbedMatricesArePerHeadProducts() {
        MultiHeadLatentAttention m = small(8, true);
        AbsorbedLatentAttention a = m.absorb();
        Map<String, float[]> w = m.parameters().stream().collect(Collectors.toMap(Parameter::name, Parameter::data));
        Tensor qa = a.queryAbsorbed();
        Tensor oa = a.outputAbsorbed();
        int dn = 8;
        int dq = 12;
        int dc = 10;
        int dv = 6;
        for (int h = 0; h < 3; h++) {
            for (int c = 0; c < dc; c++) {
                for (int i = 0; i < dq; i++) {
                    double s = 0; // (W^UK_hᵀ W^UQ_h)[c, i]
                    for (int e = 0; e < dn; e++) {
                        s += (double) w.get("W_UK")[(h * dn + e) * dc + c] * w.get("W_UQ")[(h * dn + e) * dq + i];
                    }
                    assertEquals(s, qa.get(h, c, i), 1e-5);
                }
            }
            for (int o = 0; o < 24; o++) {
                for (int c = 0; c < dc; c++) {
                    double s = 0; // (W^O_h W^UV_h)[o, c]
                    for (int e = 0; e < dv; e++) {
                        s += (double) w.get("W_O")[o * 3 * dv + h * dv + e] * w.get("W_UV")[(h * dv + e) * dc + c];
                    }
                    assertEquals(s, oa.get(o, h * dc + c), 1e-5);
                }
            }
        }
    }

    @Test
    void absorbIsASnapshotOfTheWeights() {
        MultiHeadLatentAttention m = small(9, true);
        Tensor x = Tensor.randn(17, 1, 4, 24);
        AbsorbedLatentAttention before = m.absorb();
        Tensor out = before.forward(x, 0);
        m.parameters().get(4).data()[0] += 1f; // an optimizer step on W_UK
        assertClose(out.data(), before.forward(x, 0).data(), 0, 0, "snapshot unchanged");
        assertClose(m.forward(x).data(), m.absorb().forward(x, 0).data(), RTOL, ATOL, "re-absorbed");
    }

    // ---- parameters and bad input ----

    @Test
    void parametersAreTheEightMatricesOfTheArticle() {
        MultiHeadLatentAttention m = small(10, true);
        List<Parameter> ps = m.parameters();
        assertEquals(
                List.of("W_DQ", "W_UQ", "W_QR", "W_DKV", "W_UK", "W_KR", "W_UV", "W_O"),
                ps.stream().map(Parameter::name).collect(Collectors.toList()));
        int[] sizes = {12 * 24, 24 * 12, 12 * 12, 10 * 24, 24 * 10, 4 * 24, 18 * 10, 24 * 18};
        for (int i = 0; i < sizes.length; i++) {
            assertEquals(sizes[i], ps.get(i).size(), ps.get(i).name());
            int[] shape = m.shapeOf(ps.get(i).name());
            assertEquals(sizes[i], shape[0] * shape[1]);
        }
    }

    @Test
    void loadWeightsReplacesByNameAndChecksShapes() {
        MultiHeadLatentAttention a = small(11, true);
        MultiHeadLatentAttention b = small(12, true);
        Map<String, Tensor> weights = a.parameters().stream()
                .collect(Collectors.toMap(
                        Parameter::name, p -> Tensor.of(p.data().clone(), a.shapeOf(p.name()))));
        b.loadWeights(weights);
        Tensor x = Tensor.randn(18, 1, 3, 24);
        assertClose(a.forward(x).data(), b.forward(x).data(), 0, 0, "same weights, same output");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> b.loadWeights(Map.of("W_UK", Tensor.zeros(3, 3))));
        assertTrue(e.getMessage().contains("W_UK") && e.getMessage().contains("[24, 10]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.loadWeights(Map.of("q_proj.weight", Tensor.zeros(1))));
        assertTrue(e.getMessage().contains("q_proj.weight"), e.getMessage());
    }

    @Test
    void badInputIsRejectedWithTheNameAndValue() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MultiHeadLatentAttention.builder()
                        .dModel(8)
                        .numHeads(2)
                        .qLoraRank(4)
                        .kvLoraRank(4)
                        .qkNopeHeadDim(4)
                        .qkRopeHeadDim(3)
                        .build());
        assertTrue(e.getMessage().contains("qkRopeHeadDim") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MultiHeadLatentAttention.builder()
                        .dModel(8)
                        .numHeads(2)
                        .qLoraRank(4)
                        .qkNopeHeadDim(4)
                        .qkRopeHeadDim(2)
                        .build());
        assertTrue(e.getMessage().contains("kvLoraRank") && e.getMessage().contains("required"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MultiHeadLatentAttention.builder()
                        .dModel(8)
                        .numHeads(2)
                        .qLoraRank(4)
                        .kvLoraRank(4)
                        .qkNopeHeadDim(4)
                        .qkRopeHeadDim(2)
                        .rope(RotaryEmbedding.builder(4).build())
                        .build());
        assertTrue(e.getMessage().contains("rope") && e.getMessage().contains("4"), e.getMessage());

        MultiHeadLatentAttention m = small(13, true);
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 3, 23)));
        assertTrue(e.getMessage().contains("[1, 3, 23]") && e.getMessage().contains("24"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 3, 24), -1));
        assertTrue(e.getMessage().contains("positionOffset") && e.getMessage().contains("-1"), e.getMessage());
        LatentKvCache cache = m.newCache(1, 4);
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 1, 24), 2, cache));
        assertTrue(e.getMessage().contains("positionOffset") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.absorb().forward(Tensor.zeros(2, 1, 24), 0, cache));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> m.forward(Tensor.zeros(1, 1, 24), 0, new LatentKvCache(1, 9, 4, 4)));
        assertTrue(e.getMessage().contains("latentDim") && e.getMessage().contains("9"), e.getMessage());
        m.forward(Tensor.zeros(1, 4, 24), 0, cache);
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 1, 24), 4, cache));
        assertTrue(e.getMessage().contains("capacity 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LatentKvCache(1, 0, 4, 4));
        assertTrue(e.getMessage().contains("latentDim") && e.getMessage().contains("0"), e.getMessage());
    }

    @Test
    void cacheTruncateAndClear() {
        MultiHeadLatentAttention m = small(14, true);
        Tensor x = Tensor.randn(19, 1, 5, 24);
        Tensor full = m.forward(x);
        LatentKvCache cache = m.newCache(1, 5);
        m.forward(seqRows(x, 0, 4), 0, cache);
        cache.truncate(3); // reject the fourth token, then run it again
        assertClose(
                seqRows(full, 3, 2).data(),
                m.forward(seqRows(x, 3, 2), 3, cache).data(),
                RTOL,
                ATOL,
                "replay");
        assertThrows(IllegalArgumentException.class, () -> cache.truncate(6));
        cache.clear();
        assertEquals(0, cache.length());
    }

    /** Rows {@code start .. start+len−1} of the sequence axis of a [batch, seq, d] tensor. */
    static Tensor seqRows(Tensor x, int start, int len) {
        int s = x.dim(1);
        int d = x.dim(2);
        Tensor r = Tensor.zeros(x.dim(0), len, d);
        for (int b = 0; b < x.dim(0); b++) {
            System.arraycopy(x.data(), (b * s + start) * d, r.data(), b * len * d, len * d);
        }
        return r;
    }
}
