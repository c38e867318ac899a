package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.attention.MixtureOfExpertsTest.assertMessage;
import static org.llm4e.attention.TransformerBlockGoldenTest.seqSlice;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;
import org.llm4e.positional.RopeScaling;
import org.llm4e.positional.RotaryEmbedding;

/** The block's contract beyond the golden cases: decoding, backends, names, MoE, gradients and bad input. */
class TransformerBlockTest {

    static TransformerBlock block(int heads, int kvHeads, RopeScaling scaling, AttentionBackend backend, long seed) {
        return TransformerBlock.builder()
                .dModel(24)
                .numHeads(heads)
                .numKvHeads(kvHeads)
                .headDim(6)
                .hiddenDim(40)
                .rmsNormEps(1e-5)
                .rope(RotaryEmbedding.builder(6).base(500).scaling(scaling).build())
                .backend(backend)
                .seed(seed)
                .build();
    }

    static RopeScaling scaling(int which) {
        switch (which) {
            case 0:
                return RopeScaling.none();
            case 1:
                return RopeScaling.linear(2);
            case 2:
                return RopeScaling.llama3(8, 1, 4, 64);
            default:
                return RopeScaling.yarn(4, 32);
        }
    }

    /**
     * Prefill in chunks and then one token at a time gives the rows of one causal pass over the whole sequence, for
     * MHA/GQA/MQA, every backend, RoPE scalings and position offsets.
     */
    @Property(tries = 25)
    void chunkedPrefillAndDecodeEqualTheFullForward(
            @ForAll @IntRange(min = 0, max = 2) int kvChoice,
            @ForAll @IntRange(min = 1, max = 9) int seq,
            @ForAll @IntRange(min = 0, max = 9) int prefillRaw,
            @ForAll @IntRange(min = 0, max = 5000) int offset,
            @ForAll @IntRange(min = 0, max = 3) int scalingChoice,
            @ForAll boolean flash,
            @ForAll @IntRange(min = 0, max = 1000) int seed) {
        int kvHeads = new int[] {4, 2, 1}[kvChoice];
        AttentionBackend backend = flash
                ? AttentionBackend.flash(
                        FlashAttention.builder().blockQ(2).blockK(3).build())
                : AttentionBackend.sdpa();
        TransformerBlock b = block(4, kvHeads, scaling(scalingChoice), backend, seed);
        Tensor x = Tensor.randn(seed + 1, 2, seq, 24);
        Tensor full = b.forward(x, offset);
        int prefill = Math.min(prefillRaw, seq);
        KvCache cache = b.newCache(2, seq);
        List<Tensor> parts = new ArrayList<>();
        int t = 0;
        // The prompt in two chunks (chunked prefill), then single tokens.
        for (int chunk : new int[] {prefill / 2, prefill - prefill / 2}) {
            if (chunk > 0) {
                parts.add(b.forward(seqSlice(x, t, chunk), offset + t, cache));
                t += chunk;
            }
        }
        while (t < seq) {
            parts.add(b.forward(seqSlice(x, t, 1), offset + t, cache));
            t++;
        }
        int row = 0;
        for (Tensor p : parts) {
            assertClose(seqSlice(full, row, p.dim(1)), p, 1e-5, 1e-5, "rows from " + row);
            row += p.dim(1);
        }
        assertEquals(seq, cache.length());
        assertEquals(offset, cache.startPosition());
    }

    /** FlashAttention v1/v2 and SDPA give the same block output and the same gradients. */
    @Property(tries = 15)
    void backendsAgree(
            @ForAll @IntRange(min = 1, max = 12) int seq,
            @ForAll @IntRange(min = 1, max = 5) int blockQ,
            @ForAll @IntRange(min = 1, max = 5) int blockK,
            @ForAll boolean v1,
            @ForAll @IntRange(min = 0, max = 1000) int seed) {
        FlashAttention kernel = FlashAttention.builder()
                .version(v1 ? FlashAttention.Version.V1 : FlashAttention.Version.V2)
                .blockQ(blockQ)
                .blockK(blockK)
                .build();
        TransformerBlock sdpa = block(4, 2, RopeScaling.none(), AttentionBackend.sdpa(), seed);
        TransformerBlock fa = block(4, 2, RopeScaling.none(), AttentionBackend.flash(kernel), seed);
        assertTrue(fa.backend().isFlash());
        Tensor x = Tensor.randn(seed + 3, 2, seq, 24);
        Tensor dOut = Tensor.randn(seed + 4, 2, seq, 24);
        assertClose(sdpa.forward(x, 3), fa.forward(x, 3), 1e-5, 1e-5);
        assertClose(sdpa.backward(dOut), fa.backward(dOut), 1e-4, 1e-5, "dX");
        for (int i = 0; i < sdpa.parameters().size(); i++) {
            assertClose(
                    sdpa.parameters().get(i).grad(),
                    fa.parameters().get(i).grad(),
                    1e-4,
                    1e-5,
                    sdpa.parameters().get(i).name());
        }
    }

    @Test
    void parametersCarryHuggingFaceNamesAndShareTheComponentsArrays() {
        TransformerBlock b = block(4, 2, RopeScaling.none(), AttentionBackend.sdpa(), 1);
        List<String> names = new ArrayList<>();
        b.parameters().forEach(p -> names.add(p.name()));
        assertEquals(
                List.of(
                        "self_attn.q_proj.weight",
                        "self_attn.k_proj.weight",
                        "self_attn.v_proj.weight",
                        "self_attn.o_proj.weight",
                        "mlp.gate_proj.weight",
                        "mlp.up_proj.weight",
                        "mlp.down_proj.weight",
                        "input_layernorm.weight",
                        "post_attention_layernorm.weight"),
                names);
        assertEquals(4 * 6 * 24, b.parameter(TransformerBlock.Q_PROJ).size());
        assertEquals(2 * 6 * 24, b.parameter(TransformerBlock.K_PROJ).size());
        // Writing through parameters() changes the forward pass (live arrays); the norms start at 1.
        Tensor x = Tensor.randn(2, 1, 3, 24);
        Tensor before = b.forward(x, 0);
        assertEquals(1f, b.parameter(TransformerBlock.INPUT_LAYERNORM).data()[5]);
        b.parameter(TransformerBlock.DOWN_PROJ).data()[0] += 1f;
        assertNotEquals(before.get(0, 0, 0), b.forward(x, 0).get(0, 0, 0));
    }

    @Test
    void loadWeightsFromAWholeModelStateDictByPrefix() {
        TransformerBlock src = block(4, 2, RopeScaling.none(), AttentionBackend.sdpa(), 10);
        TransformerBlock dst = block(4, 2, RopeScaling.none(), AttentionBackend.sdpa(), 20);
        Map<String, Tensor> stateDict = new LinkedHashMap<>();
        for (Parameter p : src.parameters()) {
            stateDict.put("model.layers.3." + p.name(), Tensor.of(p.data().clone(), p.size()));
        }
        stateDict.put("model.layers.4.self_attn.q_proj.weight", Tensor.zeros(1));
        // Flat tensors are rejected: the shapes must be nn.Linear's.
        assertMessage(() -> dst.loadWeights(stateDict, "model.layers.3."), "has shape", "but the block needs");
        Map<String, int[]> shapes = Map.of(
                TransformerBlock.Q_PROJ, new int[] {24, 24},
                TransformerBlock.K_PROJ, new int[] {12, 24},
                TransformerBlock.V_PROJ, new int[] {12, 24},
                TransformerBlock.O_PROJ, new int[] {24, 24},
                TransformerBlock.GATE_PROJ, new int[] {40, 24},
                TransformerBlock.UP_PROJ, new int[] {40, 24},
                TransformerBlock.DOWN_PROJ, new int[] {24, 40},
                TransformerBlock.INPUT_LAYERNORM, new int[] {24},
                TransformerBlock.POST_ATTENTION_LAYERNORM, new int[] {24});
        Map<String, Tensor> shaped = new LinkedHashMap<>();
        for (Parameter p : src.parameters()) {
            shaped.put("model.layers.3." + p.name(), Tensor.of(p.data().clone(), shapes.get(p.name())));
        }
        shaped.put("model.layers.4.self_attn.q_proj.weight", Tensor.zeros(1));
        shaped.put("model.layers.3.self_attn.rotary_emb.inv_freq", Tensor.zeros(3)); // old HF buffer: skipped
        assertEquals(10, dst.loadWeights(shaped, "model.layers.3."));
        Tensor x = Tensor.randn(5, 2, 4, 24);
        // The same function to the last bit or two (the forwards may run at different JIT tiers, whose Vector API lane
        // reductions may add in another order); a misplaced weight is off by far more.
        assertClose(src.forward(x, 7), dst.forward(x, 7), 1e-6, 1e-7);
    }

    /** A block whose FFN is a mixture of experts: Mixtral names, and gradients that match finite differences. */
    @Test
    void mixtureOfExpertsBlockBackpropagates() {
        Supplier<TransformerBlock> make = () -> TransformerBlock.builder()
                .dModel(16)
                .numHeads(2)
                .numKvHeads(1)
                .rope(RotaryEmbedding.builder(8).build())
                .moe(MixtureOfExperts.builder()
                        .dModel(16)
                        .hiddenDim(20)
                        .numExperts(4)
                        .topK(2)
                        .seed(4)
                        .build())
                .seed(8)
                .build();
        TransformerBlock b = make.get();
        assertEquals(4, b.moe().numExperts());
        assertTrue(b.parameters().stream().anyMatch(p -> p.name().equals("block_sparse_moe.gate.weight")));
        assertTrue(b.parameters().stream().anyMatch(p -> p.name().equals("block_sparse_moe.experts.3.w2.weight")));
        assertEquals(20, b.hiddenDim());
        Tensor x = Tensor.randn(30, 1, 5, 16);
        Tensor dOut = Tensor.randn(31, 1, 5, 16);
        b.forward(x, 2);
        Tensor dX = b.backward(dOut);
        double eps = 2e-3;
        for (String name : new String[] {
            "block_sparse_moe.gate.weight",
            "block_sparse_moe.experts.1.w1.weight",
            TransformerBlock.Q_PROJ,
            TransformerBlock.POST_ATTENTION_LAYERNORM
        }) {
            Parameter p = b.parameter(name);
            for (int i = 0; i < p.size(); i += Math.max(1, p.size() / 5)) {
                double num = (blockLoss(make, b, name, i, eps, x, dOut) - blockLoss(make, b, name, i, -eps, x, dOut))
                        / (2 * eps);
                assertEquals(num, p.grad()[i], 3e-3 + 3e-2 * Math.abs(num), name + "[" + i + "]");
            }
        }
        for (int i = 0; i < x.size(); i += 9) {
            Tensor xp = x.copy();
            Tensor xm = x.copy();
            xp.data()[i] += (float) eps;
            xm.data()[i] -= (float) eps;
            double num =
                    (blockLoss(make, b, null, 0, 0, xp, dOut) - blockLoss(make, b, null, 0, 0, xm, dOut)) / (2 * eps);
            assertEquals(num, dX.data()[i], 3e-3 + 3e-2 * Math.abs(num), "dX[" + i + "]");
        }
    }

    /**
     * The dense block's gradients against central differences, at positions near 3000 with Llama 3.1 RoPE scaling and
     * MQA (the golden file's backward case has neither an offset nor scaling).
     */
    @Test
    void denseBlockGradientsMatchFiniteDifferencesWithScaledRopeAndOffset() {
        Supplier<TransformerBlock> make =
                () -> block(4, 1, RopeScaling.llama3(8, 1, 4, 64), AttentionBackend.sdpa(), 6);
        TransformerBlock b = make.get();
        Tensor x = Tensor.randn(40, 2, 4, 24);
        Tensor dOut = Tensor.randn(41, 2, 4, 24);
        b.forward(x, 3000);
        Tensor dX = b.backward(dOut);
        double eps = 2e-3;
        for (Parameter p : b.parameters()) {
            for (int i = 0; i < p.size(); i += Math.max(1, p.size() / 4)) {
                double num = (blockLoss(make, b, p.name(), i, eps, x, dOut, 3000)
                                - blockLoss(make, b, p.name(), i, -eps, x, dOut, 3000))
                        / (2 * eps);
                assertEquals(num, p.grad()[i], 3e-3 + 3e-2 * Math.abs(num), p.name() + "[" + i + "]");
            }
        }
        for (int i = 0; i < x.size(); i += 11) {
            Tensor xp = x.copy();
            Tensor xm = x.copy();
            xp.data()[i] += (float) eps;
            xm.data()[i] -= (float) eps;
            double num =
                    (blockLoss(make, b, null, 0, 0, xp, dOut, 3000) - blockLoss(make, b, null, 0, 0, xm, dOut, 3000))
                            / (2 * eps);
            assertEquals(num, dX.data()[i], 3e-3 + 3e-2 * Math.abs(num), "dX[" + i + "]");
        }
    }

    private static double blockLoss(
            Supplier<TransformerBlock> make,
            TransformerBlock ref,
            String name,
            int i,
            double d,
            Tensor x,
            Tensor dOut) {
        return blockLoss(make, ref, name, i, d, x, dOut, 2);
    }

    private static double blockLoss(
            Supplier<TransformerBlock> make,
            TransformerBlock ref,
            String name,
            int i,
            double d,
            Tensor x,
            Tensor dOut,
            int offset) {
        TransformerBlock m = make.get();
        for (int j = 0; j < ref.parameters().size(); j++) {
            Parameter p = ref.parameters().get(j);
            System.arraycopy(p.data(), 0, m.parameters().get(j).data(), 0, p.size());
        }
        if (name != null) {
            m.parameter(name).data()[i] += (float) d;
        }
        Tensor y = m.forward(x, offset);
        double l = 0;
        for (int j = 0; j < y.size(); j++) {
            l += (double) dOut.data()[j] * y.data()[j];
        }
        return l;
    }

    @Test
    void forwardFlopsCountsProjectionsAndCausalAttention() {
        TransformerBlock b = block(4, 2, RopeScaling.none(), AttentionBackend.sdpa(), 1);
        // rows = 2·3 = 6; q, o: 24·24 MACs each, k, v: 24·12 each, FFN 3·24·40; attention 4·B·H·Dh·S(S+1)/2.
        double expected = 2 * 6 * (2 * 24 * 24 + 2 * 24 * 12 + 3 * 24 * 40) + 4.0 * 2 * 4 * 6 * 6;
        assertEquals(expected, b.forwardFlops(2, 3), 0);
    }

    @Test
    void badInputIsRejectedNamingTheParameter() {
        assertMessage(() -> TransformerBlock.builder().numHeads(2).hiddenDim(4).build(), "dModel", "-1");
        assertMessage(() -> TransformerBlock.builder().dModel(8).hiddenDim(4).build(), "numHeads", "-1");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(8)
                        .numHeads(4)
                        .numKvHeads(3)
                        .hiddenDim(4)
                        .build(),
                "numKvHeads",
                "3");
        assertMessage(() -> TransformerBlock.builder().dModel(8).numHeads(2).build(), "hiddenDim", "-1");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(9)
                        .numHeads(2)
                        .hiddenDim(4)
                        .build(),
                "dModel = 9",
                "headDim");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(6)
                        .numHeads(2)
                        .hiddenDim(4)
                        .build(),
                "headDim",
                "even",
                "3");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(8)
                        .numHeads(2)
                        .hiddenDim(4)
                        .rmsNormEps(-1)
                        .build(),
                "rmsNormEps",
                "-1");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(8)
                        .numHeads(2)
                        .hiddenDim(4)
                        .rope(RotaryEmbedding.builder(8).build())
                        .build(),
                "rope",
                "headDim 8",
                "4");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(8)
                        .numHeads(2)
                        .moe(MixtureOfExperts.builder()
                                .dModel(6)
                                .hiddenDim(3)
                                .numExperts(2)
                                .build())
                        .build(),
                "moe",
                "6",
                "8");
        assertMessage(
                () -> TransformerBlock.builder()
                        .dModel(8)
                        .numHeads(2)
                        .hiddenDim(4)
                        .backend(null)
                        .build(),
                "backend");
        assertMessage(() -> AttentionBackend.flash(null), "kernel");

        TransformerBlock b = block(4, 2, RopeScaling.none(), AttentionBackend.sdpa(), 1);
        assertMessage(() -> b.forward(Tensor.zeros(1, 3, 23), 0), "[1, 3, 23]", "[batch, seq, 24]");
        assertMessage(() -> b.forward(Tensor.zeros(3, 24), 0), "[3, 24]");
        assertMessage(() -> b.forward(Tensor.zeros(1, 3, 24), -1), "positionOffset", "-1");
        assertMessage(
                () -> b.loadWeights(Map.of("q_proj.weight", Tensor.zeros(24, 24))),
                "q_proj.weight",
                "self_attn.q_proj.weight");
        assertMessage(
                () -> b.loadWeights(Map.of(TransformerBlock.K_PROJ, Tensor.zeros(24, 24))), "[24, 24]", "[12, 24]");
        assertMessage(() -> b.parameter("lm_head.weight"), "lm_head.weight");
        assertThrows(IllegalStateException.class, () -> b.backward(Tensor.zeros(1, 3, 24)));
        b.forward(Tensor.zeros(1, 3, 24), 0);
        assertMessage(() -> b.backward(Tensor.zeros(1, 2, 24)), "dOut", "[1, 2, 24]", "[1, 3, 24]");

        KvCache cache = b.newCache(1, 4);
        assertMessage(() -> b.forward(Tensor.zeros(1, 2, 24), 0, null), "cache");
        b.forward(Tensor.zeros(1, 2, 24), 10, cache);
        assertEquals(10, cache.startPosition());
        assertMessage(() -> b.forward(Tensor.zeros(1, 1, 24), 11, cache), "positionOffset", "12", "11");
        assertMessage(() -> b.forward(Tensor.zeros(1, 3, 24), 12, cache), "capacity 4");
        // A cached forward cannot be differentiated: backward refuses instead of using stale state.
        assertThrows(IllegalStateException.class, () -> b.backward(Tensor.zeros(1, 2, 24)));
        assertMessage(() -> b.newCache(0, 4), "batch", "0");
        assertThrows(IllegalStateException.class, () -> cache.setStartPosition(3));
        assertMessage(() -> new KvCache(1, 1, 2, 2).setStartPosition(-1), "startPosition", "-1");
    }

    @Test
    void defaultsFollowLlamaConfig() {
        TransformerBlock b =
                TransformerBlock.builder().dModel(16).numHeads(4).hiddenDim(8).build();
        assertEquals(4, b.numKvHeads());
        assertEquals(4, b.headDim());
        assertEquals(1e-6, b.rmsNormEps());
        assertEquals(10000.0, b.rope().base());
        assertSame(AttentionBackend.sdpa(), b.backend());
        assertEquals("sdpa", b.backend().toString());
    }
}
