package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.Golden;

/**
 * The public cases of {@code attention.json} (PyTorch 1.13, float64) against the float32 kernels, with the README's
 * float32 tolerance {@code 2e-5 + 1e-5·|g|}.
 */
class ScaledDotProductAttentionGoldenTest {
    static final double ATOL = 2e-5;
    static final double RTOL = 1e-5;

    static Stream<JsonNode> sdpaCases() {
        return stream(Golden.load("attention.json").get("sdpa"));
    }

    static Stream<JsonNode> gqaCases() {
        return stream(Golden.load("attention.json").get("gqa"));
    }

    static Stream<JsonNode> kvCacheCases() {
        return stream(Golden.load("attention.json").get("kv_cache"));
    }

    static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list.stream();
    }

    /** The mask the case describes, built from its type and key lengths (not from the stored boolean tensor). */
    static AttentionMask maskOf(JsonNode c) {
        String type = c.get("mask_type").asText();
        AttentionMask mask = AttentionMask.none();
        if (type.contains("causal")) {
            mask = AttentionMask.causal();
        }
        if (type.contains("padding")) {
            int[] lengths = Golden.ints(c.get("key_lengths"));
            mask = mask.and(AttentionMask.keyLengths(lengths, c.get("seq").asInt()));
        }
        return mask;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sdpaCases")
    void sdpaMatchesTorch(JsonNode c) {
        Tensor q = Golden.tensor(c.get("q"));
        Tensor k = Golden.tensor(c.get("k"));
        Tensor v = Golden.tensor(c.get("v"));
        double scale = c.get("scale").asDouble();
        AttentionMask mask = maskOf(c);
        String id = c.get("id").asText();
        if (c.has("mask_allowed")) {
            // Our mask rule reproduces the stored boolean mask [B, S, S] (true = may attend).
            boolean[] allowed = Golden.booleans(c.get("mask_allowed"));
            int s = c.get("seq").asInt();
            for (int b = 0; b < c.get("batch").asInt(); b++) {
                for (int i = 0; i < s; i++) {
                    for (int j = 0; j < s; j++) {
                        assertEquals(allowed[(b * s + i) * s + j], mask.allowed(b, i, j, s, s), id + " mask");
                    }
                }
            }
        }
        AttentionResult r = ScaledDotProductAttention.forwardWithStats(q, k, v, mask, null, scale, true);
        assertClose(Golden.doubles(c.get("out")), r.output().data(), RTOL, ATOL, id + " out");
        assertClose(Golden.doubles(c.get("lse")), r.logSumExp().data(), RTOL, ATOL, id + " lse");
        assertClose(Golden.doubles(c.get("attn_weights")), r.weights().data(), RTOL, ATOL, id + " P");
        // The plain overloads give the same output.
        Tensor plain = c.get("mask_type").asText().equals("none") && Math.abs(scale - 1 / Math.sqrt(q.dim(3))) < 1e-15
                ? ScaledDotProductAttention.forward(q, k, v, mask)
                : ScaledDotProductAttention.forward(q, k, v, mask, scale);
        assertClose(r.output().data(), plain.data(), 0, 0, id + " overload");
    }

    @Test
    void causalGradientsMatchTorchAutograd() {
        JsonNode c = sdpaCases()
                .filter(n -> n.has("grad") && n.get("grad").isObject())
                .findFirst()
                .orElseThrow();
        JsonNode g = c.get("grad");
        Tensor q = Golden.tensor(c.get("q"));
        Tensor k = Golden.tensor(c.get("k"));
        Tensor v = Golden.tensor(c.get("v"));
        AttentionGradients grads = ScaledDotProductAttention.backward(
                q, k, v, maskOf(c), null, c.get("scale").asDouble(), Golden.tensor(g.get("dO")));
        assertClose(Golden.doubles(g.get("dQ")), grads.dQ().data(), RTOL, ATOL, "dQ");
        assertClose(Golden.doubles(g.get("dK")), grads.dK().data(), RTOL, ATOL, "dK");
        assertClose(Golden.doubles(g.get("dV")), grads.dV().data(), RTOL, ATOL, "dV");
        assertClose(Golden.doubles(g.get("delta")), grads.delta().data(), RTOL, ATOL, "delta");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gqaCases")
    void gqaAndMqaMatchTorchRepeatKv(JsonNode c) {
        Tensor q = Golden.tensor(c.get("q"));
        Tensor k = Golden.tensor(c.get("k"));
        Tensor v = Golden.tensor(c.get("v"));
        int heads = c.get("heads").asInt();
        int kvHeads = c.get("kv_heads").asInt();
        int[] mapping = Golden.ints(c.get("kv_head_for_query_head"));
        for (int h = 0; h < heads; h++) {
            assertEquals(mapping[h], h / (heads / kvHeads), "query head " + h);
        }
        AttentionMask mask = c.get("causal").asBoolean() ? AttentionMask.causal() : AttentionMask.none();
        AttentionResult r = ScaledDotProductAttention.forwardWithStats(
                q, k, v, mask, null, c.get("scale").asDouble(), true);
        String id = c.get("id").asText();
        assertClose(Golden.doubles(c.get("out")), r.output().data(), RTOL, ATOL, id + " out");
        assertClose(Golden.doubles(c.get("lse")), r.logSumExp().data(), RTOL, ATOL, id + " lse");
        assertClose(Golden.doubles(c.get("attn_weights")), r.weights().data(), RTOL, ATOL, id + " P");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kvCacheCases")
    void kvCacheDecodingMatchesTorch(JsonNode c) {
        Tensor q = Golden.tensor(c.get("q"));
        Tensor k = Golden.tensor(c.get("k"));
        Tensor v = Golden.tensor(c.get("v"));
        int batch = c.get("batch").asInt();
        int heads = c.get("heads").asInt();
        int kvHeads = c.get("kv_heads").asInt();
        int total = c.get("total_len").asInt();
        int prefill = c.get("prefill_len").asInt();
        int d = c.get("head_dim").asInt();
        double scale = c.get("scale").asDouble();
        KvCache cache = new KvCache(batch, kvHeads, d, total);
        float[] out = new float[batch * heads * total * d];
        float[] lse = new float[batch * heads * total];
        int start = 0;
        int len = prefill;
        while (start < total) {
            AttentionResult r = cache.attend(
                    Slices.seq(q, start, len), Slices.seq(k, start, len), Slices.seq(v, start, len), scale, null);
            Slices.putSeq(r.output(), out, total, start);
            Slices.putSeq(r.logSumExp().reshape(batch, heads, len, 1), lse, total, start);
            start += len;
            len = 1;
        }
        assertEquals(total, cache.length());
        String id = c.get("id").asText();
        assertClose(Golden.doubles(c.get("incremental_out")), out, RTOL, ATOL, id + " out");
        assertClose(Golden.doubles(c.get("incremental_lse")), lse, RTOL, ATOL, id + " lse");
        assertClose(Golden.doubles(c.get("full_causal_out")), out, RTOL, ATOL, id + " vs full causal");
    }
}
