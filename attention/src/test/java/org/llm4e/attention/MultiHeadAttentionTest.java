package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.Alibi;
import org.llm4e.positional.AttentionBias;
import org.llm4e.positional.RopeLayout;
import org.llm4e.positional.RotaryEmbedding;
import org.llm4e.positional.T5RelativeBias;
import org.llm4e.testsupport.Golden;

class MultiHeadAttentionTest {
    static final double ATOL = ScaledDotProductAttentionGoldenTest.ATOL;
    static final double RTOL = ScaledDotProductAttentionGoldenTest.RTOL;

    static Stream<JsonNode> mhaCases() {
        return ScaledDotProductAttentionGoldenTest.stream(
                Golden.load("attention.json").get("mha"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mhaCases")
    void matchesTorchMultiheadAttention(JsonNode c) {
        MultiHeadAttention mha = MultiHeadAttention.builder()
                .dModel(c.get("embed_dim").asInt())
                .numHeads(c.get("heads").asInt())
                .causal(c.get("causal").asBoolean())
                .scale(c.get("scale").asDouble())
                .build();
        mha.loadWeights(Map.of(
                "q_proj.weight", Golden.tensor(c.get("W_q")),
                "k_proj.weight", Golden.tensor(c.get("W_k")),
                "v_proj.weight", Golden.tensor(c.get("W_v")),
                "o_proj.weight", Golden.tensor(c.get("W_o"))));
        MultiHeadAttention.Intermediates r = mha.forwardWithIntermediates(Golden.tensor(c.get("x")), 0);
        String id = c.get("id").asText();
        assertClose(Golden.doubles(c.get("q_heads")), r.q().data(), RTOL, ATOL, id + " q");
        assertClose(Golden.doubles(c.get("k_heads")), r.k().data(), RTOL, ATOL, id + " k");
        assertClose(Golden.doubles(c.get("v_heads")), r.v().data(), RTOL, ATOL, id + " v");
        assertClose(
                Golden.doubles(c.get("attn_weights")), r.attention().weights().data(), RTOL, ATOL, id + " P");
        assertClose(Golden.doubles(c.get("lse")), r.attention().logSumExp().data(), RTOL, ATOL, id + " lse");
        assertClose(Golden.doubles(c.get("concat")), r.concat().data(), RTOL, ATOL, id + " concat");
        assertClose(Golden.doubles(c.get("out")), r.output().data(), RTOL, ATOL, id + " out");
        assertClose(r.output().data(), mha.forward(Golden.tensor(c.get("x"))).data(), 0, 0, id + " forward");
    }

    @Test
    void parametersAreTheFourProjectionsWithHuggingFaceNames() {
        MultiHeadAttention gqa = MultiHeadAttention.builder()
                .dModel(32)
                .numHeads(8)
                .numKvHeads(2)
                .build();
        List<Parameter> ps = gqa.parameters();
        assertEquals(
                List.of("q_proj.weight", "k_proj.weight", "v_proj.weight", "o_proj.weight"),
                ps.stream().map(Parameter::name).collect(Collectors.toList()));
        assertEquals(32 * 32, ps.get(0).size());
        assertEquals(2 * 4 * 32, ps.get(1).size()); // K/V projections shrink by heads / kvHeads = 4
        assertEquals(2 * 4 * 32, ps.get(2).size());
        assertEquals(32 * 32, ps.get(3).size());
    }

    static MultiHeadAttention llamaLike(long seed, RopeLayout layout) {
        return MultiHeadAttention.builder()
                .dModel(24)
                .numHeads(6)
                .numKvHeads(2)
                .headDim(4)
                .causal(true)
                .rope(RotaryEmbedding.builder(4).base(10000).layout(layout).build())
                .seed(seed)
                .build();
    }

    @Test
    void prefillThenDecodeEqualsOneCausalForward() {
        MultiHeadAttention mha = llamaLike(7, RopeLayout.HALF);
        Tensor x = Tensor.randn(11, 2, 9, 24);
        Tensor full = mha.forward(x, 0);
        KvCache cache = mha.newCache(2, 9);
        float[] out = new float[full.size()];
        int[] chunks = {4, 2, 1, 1, 1}; // chunked prefill (4 + 2), then three decode steps
        int start = 0;
        for (int len : chunks) {
            Tensor part = mha.forward(seqSlice(x, start, len), start, cache);
            for (int b = 0; b < 2; b++) {
                System.arraycopy(part.data(), b * len * 24, out, (b * 9 + start) * 24, len * 24);
            }
            start += len;
        }
        assertEquals(9, cache.length());
        assertClose(full.data(), out, 1e-5, 1e-6, "incremental vs full");
    }

    @Test
    void relativeBiasSeesTrueDistancesAtAPositionOffset() {
        // Without RoPE the only position-dependent part is a T5 bias, which depends on j − i alone: a chunk whose
        // tokens sit at positions 7..12 must attend exactly as the same chunk at positions 0..5.
        AttentionBias t5 = T5RelativeBias.random(4, 8, 16, false, 1.0, 11);
        MultiHeadAttention mha = MultiHeadAttention.builder()
                .dModel(16)
                .numHeads(4)
                .causal(true)
                .bias(t5)
                .seed(5)
                .build();
        Tensor x = Tensor.randn(9, 2, 6, 16);
        Tensor atZero = mha.forward(x, 0);
        Tensor atSeven = mha.forward(x, 7);
        assertClose(atZero.data(), atSeven.data(), 0, 0, "T5 bias at offset 7 vs 0");
    }

    @Test
    void alibiBiasSeesAbsolutePositionsInTheCache() {
        MultiHeadAttention mha = MultiHeadAttention.builder()
                .dModel(16)
                .numHeads(4)
                .causal(true)
                .bias(Alibi.bias(4))
                .seed(3)
                .build();
        Tensor x = Tensor.randn(5, 1, 6, 16);
        Tensor full = mha.forward(x, 0);
        KvCache cache = mha.newCache(1, 6);
        Tensor prefix = mha.forward(seqSlice(x, 0, 5), 0, cache);
        Tensor last = mha.forward(seqSlice(x, 5, 1), 5, cache);
        float[] expected = new float[16];
        System.arraycopy(full.data(), 5 * 16, expected, 0, 16);
        assertClose(expected, last.data(), 1e-5, 1e-6, "decode step with ALiBi");
        assertEquals(5 * 16, prefix.size());
    }

    /**
     * The KV-cache example of 一文了解Deepseek系列中的MLA技术.md (appendix 1): the 9-token prompt "真忒修斯之船是一个" and
     * the 4 generated tokens "分享平台". Without a cache each generation step recomputes K and V for the whole
     * sequence (9 + 10 + 11 + 12 = 42 K/V computations); with a cache, 9 + 1 + 1 + 1 = 12. Erratum: the article says
     * the cache holds 10 entries before the last step; it holds 11 and the last step attends over 12 keys.
     */
    @Test
    void articleKvCacheExampleCounts42Versus12() {
        int prompt = 9;
        int generated = 4;
        MultiHeadAttention noCache = llamaLike(1, RopeLayout.INTERLEAVED);
        Tensor tokens = Tensor.randn(2, 1, prompt + generated, 24); // stand-ins for the 13 token embeddings
        for (int step = 0; step < generated; step++) {
            noCache.forward(seqSlice(tokens, 0, prompt + step), 0);
        }
        assertEquals(42, noCache.kvTokensProjected());

        MultiHeadAttention withCache = llamaLike(1, RopeLayout.INTERLEAVED);
        KvCache cache = withCache.newCache(1, prompt + generated);
        withCache.forward(seqSlice(tokens, 0, prompt), 0, cache); // prefill: emits generated token 1
        for (int step = 1; step < generated; step++) {
            int before = cache.length();
            assertEquals(prompt + step - 1, before); // 9, 10, 11 cached keys before steps 2, 3, 4
            withCache.forward(seqSlice(tokens, prompt + step - 1, 1), before, cache);
        }
        assertEquals(12, withCache.kvTokensProjected());
        assertEquals(12, cache.appendedTokens());
        assertEquals(12, cache.length()); // the last step attended over 12 keys (article: "10", erratum)
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        MultiHeadAttention mha = llamaLike(5, RopeLayout.HALF);
        Tensor x = Tensor.randn(9, 2, 5, 24);
        Tensor dOut = Tensor.randn(10, 2, 5, 24);
        mha.forward(x, 3);
        Tensor dX = mha.backward(dOut);
        double eps = 1e-2;
        // Input gradient, every coordinate of the first batch row.
        for (int i = 0; i < 5 * 24; i += 7) {
            assertFiniteDifference(mha, x, dOut, x.data(), i, dX.data()[i], eps, "dX[" + i + "]");
        }
        for (Parameter p : mha.parameters()) {
            for (int i = 0; i < p.size(); i += 13) {
                assertFiniteDifference(mha, x, dOut, p.data(), i, p.grad()[i], eps, p.name() + "[" + i + "]");
            }
        }
    }

    private static void assertFiniteDifference(
            MultiHeadAttention mha,
            Tensor x,
            Tensor dOut,
            float[] arr,
            int i,
            float analytic,
            double eps,
            String what) {
        float saved = arr[i];
        arr[i] = (float) (saved + eps);
        double plus = loss(mha.forward(x, 3), dOut);
        arr[i] = (float) (saved - eps);
        double minus = loss(mha.forward(x, 3), dOut);
        arr[i] = saved;
        double numeric = (plus - minus) / (2 * eps);
        assertTrue(
                Math.abs(numeric - analytic) <= 2e-3 + 2e-2 * Math.abs(numeric),
                what + ": analytic " + analytic + " vs numeric " + numeric);
    }

    private static double loss(Tensor out, Tensor dOut) {
        double s = 0;
        for (int i = 0; i < out.size(); i++) {
            s += (double) out.data()[i] * dOut.data()[i];
        }
        return s;
    }

    @Test
    void badConfigurationsAndShapesAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MultiHeadAttention.builder()
                        .dModel(16)
                        .numHeads(6)
                        .numKvHeads(4)
                        .headDim(4)
                        .build());
        assertTrue(e.getMessage().contains("numKvHeads") && e.getMessage().contains("6"), e.getMessage());
        MultiHeadAttention mha =
                MultiHeadAttention.builder().dModel(16).numHeads(4).build();
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(1, 3, 12)));
        assertTrue(e.getMessage().contains("[1, 3, 12]") && e.getMessage().contains("16"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> mha.loadWeights(Map.of("k_proj.weight", Tensor.zeros(8, 16))));
        assertTrue(e.getMessage().contains("[8, 16]") && e.getMessage().contains("[16, 16]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MultiHeadAttention.builder()
                        .dModel(16)
                        .numHeads(4)
                        .rope(RotaryEmbedding.builder(8).build())
                        .build());
        assertTrue(e.getMessage().contains("headDim 8") && e.getMessage().contains("headDim 4"), e.getMessage());
        KvCache cache = mha.newCache(1, 4);
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(1, 2, 16), 1, cache));
        assertTrue(e.getMessage().contains("positionOffset"), e.getMessage());
        mha.forward(Tensor.zeros(1, 3, 16), 0, cache);
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(1, 2, 16), 3, cache));
        assertTrue(e.getMessage().contains("capacity 4"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> mha.backward(Tensor.zeros(1, 3, 16)));
    }

    static Tensor seqSlice(Tensor x, int start, int len) {
        int batch = x.dim(0);
        int seq = x.dim(1);
        int w = x.dim(2);
        Tensor r = Tensor.zeros(batch, len, w);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x.data(), (b * seq + start) * w, r.data(), b * len * w, len * w);
        }
        return r;
    }
}
