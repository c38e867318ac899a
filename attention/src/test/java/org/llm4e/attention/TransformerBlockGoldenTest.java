package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RopeScaling;
import org.llm4e.positional.RotaryEmbedding;
import org.llm4e.testsupport.Golden;

/**
 * The public cases of {@code transformer_block.json} (PyTorch 1.13, float64, one Llama block written out by hand)
 * against the float32 {@link TransformerBlock}: every forward intermediate, KV-cache prefill and decode steps with the
 * cache contents, and one backward pass (dX, every weight gradient, the inner gradients). Tolerances from the golden
 * README: {@code 2e-5 + 2e-5·|g|} forward, {@code 1e-4 + 1e-4·|g|} gradients.
 */
class TransformerBlockGoldenTest {
    static final double FWD_ATOL = 2e-5;
    static final double FWD_RTOL = 2e-5;
    static final double GRAD_ATOL = 1e-4;
    static final double GRAD_RTOL = 1e-4;

    /** Golden weight key → Hugging Face name. */
    static final Map<String, String> HF_NAMES = new LinkedHashMap<>();

    static {
        HF_NAMES.put("attn_norm_weight", TransformerBlock.INPUT_LAYERNORM);
        HF_NAMES.put("W_q", TransformerBlock.Q_PROJ);
        HF_NAMES.put("W_k", TransformerBlock.K_PROJ);
        HF_NAMES.put("W_v", TransformerBlock.V_PROJ);
        HF_NAMES.put("W_o", TransformerBlock.O_PROJ);
        HF_NAMES.put("ffn_norm_weight", TransformerBlock.POST_ATTENTION_LAYERNORM);
        HF_NAMES.put("W1", TransformerBlock.GATE_PROJ);
        HF_NAMES.put("W3", TransformerBlock.UP_PROJ);
        HF_NAMES.put("W2", TransformerBlock.DOWN_PROJ);
    }

    static Stream<JsonNode> cases() {
        return ScaledDotProductAttentionGoldenTest.stream(
                Golden.load("transformer_block.json").get("cases"));
    }

    static Stream<Object[]> casesAndBackends() {
        return cases().flatMap(c -> Stream.of(
                new Object[] {c, AttentionBackend.sdpa()},
                new Object[] {
                    c,
                    AttentionBackend.flash(FlashAttention.builder()
                            .version(FlashAttention.Version.V2)
                            .blockQ(2)
                            .blockK(3)
                            .build())
                },
                new Object[] {
                    c,
                    AttentionBackend.flash(FlashAttention.builder()
                            .version(FlashAttention.Version.V1)
                            .blockQ(4)
                            .blockK(2)
                            .build())
                }));
    }

    /** The RoPE the case describes, from its theta and scaling parameters. */
    static RotaryEmbedding ropeOf(JsonNode c) {
        JsonNode r = c.get("rope");
        assertEquals("half", r.get("layout").asText());
        JsonNode s = r.get("scaling");
        RopeScaling scaling;
        switch (s.get("type").asText()) {
            case "none":
                scaling = RopeScaling.none();
                break;
            case "llama3":
                scaling = RopeScaling.llama3(
                        s.get("factor").asDouble(),
                        s.get("low_freq_factor").asDouble(),
                        s.get("high_freq_factor").asDouble(),
                        s.get("original_max_position").asInt());
                break;
            default:
                throw new AssertionError("unknown scaling " + s);
        }
        return RotaryEmbedding.builder(c.get("head_dim").asInt())
                .base(r.get("theta").asDouble())
                .scaling(scaling)
                .build();
    }

    static TransformerBlock blockOf(JsonNode c, AttentionBackend backend) {
        TransformerBlock block = TransformerBlock.builder()
                .dModel(c.get("d_model").asInt())
                .numHeads(c.get("num_heads").asInt())
                .numKvHeads(c.get("num_kv_heads").asInt())
                .headDim(c.get("head_dim").asInt())
                .hiddenDim(c.get("hidden_dim").asInt())
                .rmsNormEps(c.get("rms_norm_eps").asDouble())
                .rope(ropeOf(c))
                .backend(backend)
                .seed(99)
                .build();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        JsonNode w = c.get("weights");
        HF_NAMES.forEach((key, hf) -> weights.put(hf, Golden.tensor(w.get(key))));
        block.loadWeights(weights);
        return block;
    }

    static void fwd(JsonNode expected, Tensor actual, String what) {
        assertClose(Golden.doubles(expected), actual.data(), FWD_RTOL, FWD_ATOL, what);
        assertEquals(
                java.util.Arrays.toString(Golden.shape(expected)),
                java.util.Arrays.toString(actual.shape()),
                what + " shape");
    }

    static void grad(JsonNode expected, Tensor actual, String what) {
        assertClose(Golden.doubles(expected), actual.data(), GRAD_RTOL, GRAD_ATOL, what);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndBackends")
    void everyForwardIntermediateMatchesTorch(JsonNode c, AttentionBackend backend) {
        String id = c.get("id").asText() + " " + backend;
        TransformerBlock block = blockOf(c, backend);
        assertClose(
                Golden.doubles(c.get("rope_inv_freq")), block.rope().inverseFrequencies(), 1e-12, 0, id + " inv_freq");
        Tensor x = Golden.tensor(c.get("x"));
        TransformerBlock.Intermediates it =
                block.forwardWithIntermediates(x, c.get("position_offset").asInt());
        JsonNode f = c.get("forward");
        fwd(f.get("attn_norm_rstd"), it.attnNormRstd(), id + " attn_norm_rstd");
        fwd(f.get("attn_norm_out"), it.attnNormOut(), id + " attn_norm_out");
        fwd(f.get("q"), it.q(), id + " q");
        fwd(f.get("k"), it.k(), id + " k");
        fwd(f.get("v"), it.v(), id + " v");
        fwd(f.get("q_rope"), it.qRope(), id + " q_rope");
        fwd(f.get("k_rope"), it.kRope(), id + " k_rope");
        if (backend.providesWeights()) {
            fwd(f.get("attn_weights"), it.attnWeights(), id + " attn_weights");
        } else {
            assertNull(it.attnWeights(), "FlashAttention never forms P");
        }
        fwd(f.get("attn_lse"), it.attnLse(), id + " attn_lse");
        fwd(f.get("attn_out"), it.attnOut(), id + " attn_out");
        fwd(f.get("attn_proj"), it.attnProj(), id + " attn_proj");
        fwd(f.get("h"), it.h(), id + " h");
        fwd(f.get("ffn_norm_rstd"), it.ffnNormRstd(), id + " ffn_norm_rstd");
        fwd(f.get("ffn_norm_out"), it.ffnNormOut(), id + " ffn_norm_out");
        fwd(f.get("ffn_gate"), it.ffnGate(), id + " ffn_gate");
        fwd(f.get("ffn_up"), it.ffnUp(), id + " ffn_up");
        fwd(f.get("ffn_act"), it.ffnAct(), id + " ffn_act");
        fwd(f.get("ffn_out"), it.ffnOut(), id + " ffn_out");
        fwd(f.get("out"), it.out(), id + " out");
        // The plain forward gives the same output as the inspecting one, bit for bit.
        Tensor plain = blockOf(c, backend).forward(x, c.get("position_offset").asInt());
        org.llm4e.testsupport.TensorAssert.assertIdentical(it.out().data(), plain.data(), id + " plain forward");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndBackends")
    void kvCacheDecodingMatchesTorchStepByStep(JsonNode c, AttentionBackend backend) {
        String id = c.get("id").asText() + " " + backend;
        TransformerBlock block = blockOf(c, backend);
        Tensor x = Golden.tensor(c.get("x"));
        int offset = c.get("position_offset").asInt();
        int seq = c.get("seq").asInt();
        KvCache cache = block.newCache(c.get("batch").asInt(), seq);
        for (JsonNode step : c.get("decode").get("steps")) {
            int start = step.get("token_start").asInt();
            int end = step.get("token_end").asInt();
            assertEquals(offset + start, step.get("positions").get(0).asInt(), id + " positions");
            Tensor out = block.forward(seqSlice(x, start, end - start), offset + start, cache);
            String s = id + " step " + step.get("step").asInt() + " ("
                    + step.get("kind").asText() + ")";
            fwd(step.get("out"), out, s + " out");
            fwd(step.get("k_cache"), cache.keys(), s + " k_cache");
            fwd(step.get("v_cache"), cache.values(), s + " v_cache");
            assertEquals(end, cache.length(), s + " cache length");
            assertEquals(offset, cache.startPosition(), s + " cache start");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndBackends")
    void backwardMatchesTorchAutograd(JsonNode c, AttentionBackend backend) {
        if (!c.has("backward")) {
            return; // this case has forward and decode data only
        }
        String id = c.get("id").asText() + " " + backend;
        TransformerBlock block = blockOf(c, backend);
        JsonNode bw = c.get("backward");
        Tensor x = Golden.tensor(c.get("x"));
        block.forwardWithIntermediates(x, c.get("position_offset").asInt());
        TransformerBlock.Gradients g = block.backwardWithIntermediates(Golden.tensor(bw.get("dOut")));
        grad(bw.get("grad_x"), g.dX(), id + " grad_x");
        JsonNode gw = bw.get("grad_weights");
        HF_NAMES.forEach((key, hf) -> assertClose(
                Golden.doubles(gw.get(key)), block.parameter(hf).grad(), GRAD_RTOL, GRAD_ATOL, id + " grad " + hf));
        JsonNode gi = bw.get("grad_intermediates");
        grad(gi.get("h"), g.dH(), id + " dh");
        grad(gi.get("ffn_act"), g.dFfnAct(), id + " d ffn_act");
        grad(gi.get("ffn_norm_out"), g.dFfnNormOut(), id + " d ffn_norm_out");
        grad(gi.get("attn_out"), g.dAttnOut(), id + " d attn_out");
        grad(gi.get("q_rope"), g.dQRope(), id + " d q_rope");
        grad(gi.get("k_rope"), g.dKRope(), id + " d k_rope");
        grad(gi.get("v"), g.dV(), id + " d v");
        grad(gi.get("attn_norm_out"), g.dAttnNormOut(), id + " d attn_norm_out");

        // The plain forward + backward gives the same dX and accumulates: a second pass doubles every gradient.
        Tensor dX = block.backward(Golden.tensor(bw.get("dOut")));
        assertTrue(dX != null);
        for (Parameter p : block.parameters()) {
            p.zeroGrad();
        }
        block.forward(x, c.get("position_offset").asInt());
        Tensor dX2 = block.backward(Golden.tensor(bw.get("dOut")));
        grad(bw.get("grad_x"), dX2, id + " grad_x after plain forward");
        HF_NAMES.forEach((key, hf) -> assertClose(
                Golden.doubles(gw.get(key)), block.parameter(hf).grad(), GRAD_RTOL, GRAD_ATOL, id + " grad " + hf));
    }

    /** Tokens {@code start .. start+len−1} of {@code [batch, seq, d]}. */
    static Tensor seqSlice(Tensor x, int start, int len) {
        int b = x.dim(0);
        int s = x.dim(1);
        int d = x.dim(2);
        Tensor r = Tensor.zeros(b, len, d);
        for (int i = 0; i < b; i++) {
            System.arraycopy(x.data(), (i * s + start) * d, r.data(), i * len * d, len * d);
        }
        return r;
    }
}
